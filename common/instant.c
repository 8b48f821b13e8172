/* instant: ISO 8601 times and dates, read by hand to a fixed shape. strptime would take
 * "2026-1-2T3:4:5", leading blanks and 30 February (timegm then moves it to 2 March). */
#include "instant.h"

#include <string.h>

/* n digits at p as a number, or -1. */
static int digits(const char *p, int n)
{
	int value = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		value = value * 10 + (p[i] - '0');
	}
	return value;
}

/* YYYY-MM-DD at text into tm, checked against the calendar; 0 or -1. */
static int read_date(const char *text, struct tm *tm)
{
	static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = digits(text, 4), month, day;

	if (year < 0 || text[4] != '-' || text[7] != '-')
		return -1;
	month = digits(text + 5, 2);
	day = digits(text + 8, 2);
	if (year < 1970 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1])
		return -1;
	if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return -1;
	memset(tm, 0, sizeof *tm);
	tm->tm_year = year - 1900;
	tm->tm_mon = month - 1;
	tm->tm_mday = day;
	return 0;
}

/* The zone at p: Z, +HH:MM or +HHMM, and nothing after it; 0 and *offset (seconds east of
 * UTC) set, or -1. Each step reads only past what was checked: "+1" ends after one digit. */
static int read_zone(const char *p, long *offset)
{
	int sign, hours, minutes;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*offset = 0;
		return 0;
	}
	if (p[0] != '+' && p[0] != '-')
		return -1; /* no zone at all: which hour it is cannot be known */
	sign = p[0] == '-' ? -1 : 1;
	if ((hours = digits(p + 1, 2)) < 0 || hours > 23)
		return -1;
	p += 3;
	if (*p == ':')
		p++;
	if ((minutes = digits(p, 2)) < 0 || minutes > 59 || p[2] != '\0')
		return -1;
	*offset = sign * (hours * 3600L + minutes * 60L);
	return 0;
}

int instant_parse_ms(const char *text, long long *out)
{
	struct tm tm;
	const char *p = text + 19;
	int hour, minute, second, ms = 0, n = 0;
	long offset;

	if (strnlen(text, 20) < 20 || read_date(text, &tm) != 0 || text[10] != 'T' ||
	    text[13] != ':' || text[16] != ':')
		return -1;
	hour = digits(text + 11, 2);
	minute = digits(text + 14, 2);
	second = digits(text + 17, 2);
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				ms = ms * 10 + (*p - '0');
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (read_zone(p, &offset) != 0)
		return -1;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	*out = ((long long)timegm(&tm) - offset) * 1000 + ms;
	return 0;
}

int instant_parse(const char *text, time_t *out)
{
	long long ms;

	if (instant_parse_ms(text, &ms) != 0)
		return -1;
	/* Rounded down: 1970-01-01T00:00:00.5+01:00 is before the epoch. */
	*out = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	return 0;
}

int date_parse(const char *text, time_t *out)
{
	struct tm tm;

	if (strnlen(text, 11) != 10 || read_date(text, &tm) != 0)
		return -1;
	*out = timegm(&tm);
	return 0;
}

int date_or_instant_parse(const char *text, time_t *out)
{
	return strlen(text) == 10 ? date_parse(text, out) : instant_parse(text, out);
}
