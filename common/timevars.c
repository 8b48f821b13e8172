/* timevars: Echobell's built-in UTC time variables. */
#include "timevars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "instant.h"

static const char *const names[] = {
	"now", "iso", "epochMs", "epochSeconds", "year", "month", "monthName", "dayOfMonth",
	"dayOfWeek", "dayOfWeekName", "hour", "minute", "second", "date", "time", "timezone",
};

static int pinned;
static long long pinned_ms;

int timevars_has(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int timevars_init(void)
{
	const char *text = getenv("ASCBELL_NOW");

	if (!text || !*text)
		return 0;
	if (instant_parse_ms(text, &pinned_ms) != 0)
		return -1;
	pinned = 1;
	return 0;
}

long long timevars_clock_ms(void)
{
	struct timespec ts;
	if (pinned)
		return pinned_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

jv timevars_now(void)
{
	static const char *const months[] = {"January", "February", "March", "April", "May",
					     "June", "July", "August", "September", "October",
					     "November", "December"};
	static const char *const days[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
					   "Thursday", "Friday", "Saturday"};
	long long ms = timevars_clock_ms();
	time_t seconds = (time_t)(ms / 1000);
	struct tm tm;
	char iso[96], date[40], clock[40];
	jv v = jv_object();

	gmtime_r(&seconds, &tm);
	snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	snprintf(clock, sizeof clock, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* As JavaScript's Date.toISOString writes it: always milliseconds. */
	snprintf(iso, sizeof iso, "%sT%s.%03dZ", date, clock, (int)(ms % 1000));

	v = jv_object_set(v, jv_string("now"), jv_string(iso));
	v = jv_object_set(v, jv_string("iso"), jv_string(iso));
	v = jv_object_set(v, jv_string("epochMs"), jv_number((double)ms));
	v = jv_object_set(v, jv_string("epochSeconds"), jv_number((double)(ms / 1000)));
	v = jv_object_set(v, jv_string("year"), jv_number(tm.tm_year + 1900));
	v = jv_object_set(v, jv_string("month"), jv_number(tm.tm_mon + 1));
	v = jv_object_set(v, jv_string("monthName"), jv_string(months[tm.tm_mon]));
	v = jv_object_set(v, jv_string("dayOfMonth"), jv_number(tm.tm_mday));
	v = jv_object_set(v, jv_string("dayOfWeek"), jv_number(tm.tm_wday));
	v = jv_object_set(v, jv_string("dayOfWeekName"), jv_string(days[tm.tm_wday]));
	v = jv_object_set(v, jv_string("hour"), jv_number(tm.tm_hour));
	v = jv_object_set(v, jv_string("minute"), jv_number(tm.tm_min));
	v = jv_object_set(v, jv_string("second"), jv_number(tm.tm_sec));
	v = jv_object_set(v, jv_string("date"), jv_string(date));
	v = jv_object_set(v, jv_string("time"), jv_string(clock));
	v = jv_object_set(v, jv_string("timezone"), jv_string("UTC"));
	return v;
}
