/* Quiet hours: the window's end as an exact instant, across midnight, within a day, over
 * both of Berlin's DST nights and a gap that skips the end; and every bad spec refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "instant.h"
#include "quiet.h"
#include "tap.h"

static long long at(const char *iso)
{
	time_t t;
	if (instant_parse(iso, &t) != 0) {
		fprintf(stderr, "bad instant in the test: %s\n", iso);
		exit(2);
	}
	return (long long)t;
}

static struct quiet spec(const char *json)
{
	struct quiet q;
	char why[512];

	if (quiet_from_json(jv_parse(json), &q, why, sizeof why) != 0) {
		fprintf(stderr, "bad spec in the test: %s: %s\n", json, why);
		exit(2);
	}
	return q;
}

/* release: the expected instant, or NULL for "send now". */
static void check(const struct quiet *q, const char *now, const char *severity, const char *release,
		  const char *what)
{
	long long got = quiet_release(q, at(now), severity);
	char text[64] = "0";

	if (got) {
		time_t t = (time_t)got;
		strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	}
	TAP_CHECK(!strcmp(text, release ? release : "0"), what);
	if (strcmp(text, release ? release : "0"))
		printf("#   got %s, expected %s\n", text, release ? release : "0");
}

static void refused(const char *json, const char *expected, const char *what)
{
	struct quiet q;
	char why[512] = "";
	int rc = quiet_from_json(jv_parse(json), &q, why, sizeof why);

	TAP_CHECK(rc == -1 && !strcmp(why, expected), what);
	if (rc != -1 || strcmp(why, expected))
		printf("#   got %d: %s\n", rc, why);
}

static const char *from_table(const char *name, void *ctx)
{
	const char *const *table = ctx;
	for (; table[0]; table += 2)
		if (!strcmp(table[0], name))
			return table[1];
	return NULL;
}

int main(void)
{
	struct quiet night, noon, gap, utc, warn;
	char why[512];

	unsetenv("ASCBELL_TZ");
	setenv("TZ", "America/New_York", 1);
	tzset();
	night = spec("{\"hours\":\"22:00-07:00\",\"zone\":\"Europe/Berlin\",\"below\":\"error\"}");
	noon = spec("{\"hours\":\"12:00-14:00\",\"zone\":\"Europe/Berlin\"}");
	gap = spec("{\"hours\":\"22:00-02:30\",\"zone\":\"Europe/Berlin\"}");
	utc = spec("{\"hours\":\"22:00-07:00\"}");
	warn = spec("{\"hours\":\"22:00-07:00\",\"zone\":\"Europe/Berlin\",\"below\":\"warning\"}");

	/* Across midnight, winter (CET, UTC+1). */
	check(&night, "2026-01-15T22:30:00Z", "info", "2026-01-16T06:00:00Z", "23:30 CET: held until 07:00 tomorrow");
	check(&night, "2026-01-15T05:00:00Z", "success", "2026-01-15T06:00:00Z", "06:00 CET: held until 07:00 today");
	check(&night, "2026-01-15T05:59:59Z", "warning", "2026-01-15T06:00:00Z", "06:59:59: still held");
	check(&night, "2026-01-15T06:00:00Z", "info", NULL, "07:00: the end is not in the window");
	check(&night, "2026-01-15T20:59:59Z", "info", NULL, "21:59:59: not yet");
	check(&night, "2026-01-15T21:00:00Z", "info", "2026-01-16T06:00:00Z", "22:00: the start is in the window");
	check(&night, "2026-01-31T22:30:00Z", "info", "2026-02-01T06:00:00Z", "the night of a month's end");
	check(&night, "2026-12-31T23:30:00Z", "info", "2027-01-01T06:00:00Z", "the night of a year's end");
	/* Errors never wait; below decides the rest. */
	check(&night, "2026-01-15T22:30:00Z", "error", NULL, "an error goes at once");
	check(&night, "2026-01-15T22:30:00Z", NULL, "2026-01-16T06:00:00Z", "no severity counts as info");
	check(&night, "2026-01-15T22:30:00Z", "critical", "2026-01-16T06:00:00Z", "an unknown severity counts as info");
	check(&warn, "2026-01-15T22:30:00Z", "warning", NULL, "below warning: a warning goes at once");
	check(&warn, "2026-01-15T22:30:00Z", "success", "2026-01-16T06:00:00Z", "below warning: success is held");
	/* Within a day, summer (CEST, UTC+2). */
	check(&noon, "2026-07-01T10:30:00Z", "info", "2026-07-01T12:00:00Z", "12:30 CEST: held until 14:00");
	check(&noon, "2026-07-01T09:59:00Z", "info", NULL, "11:59 CEST: before the window");
	check(&noon, "2026-07-01T12:00:00Z", "info", NULL, "14:00 CEST: after it");
	/* DST: the nights are 8 and 10 hours long by the UTC clock. */
	check(&night, "2026-03-28T21:30:00Z", "info", "2026-03-29T05:00:00Z", "spring forward: 07:00 CEST");
	check(&night, "2026-03-29T00:30:00Z", "info", "2026-03-29T05:00:00Z", "spring forward, just before the jump");
	check(&night, "2026-03-29T01:00:00Z", "info", "2026-03-29T05:00:00Z", "spring forward, at 03:00 CEST");
	check(&night, "2026-10-24T21:00:00Z", "info", "2026-10-25T06:00:00Z", "fall back: 07:00 CET");
	check(&night, "2026-10-25T00:30:00Z", "info", "2026-10-25T06:00:00Z", "fall back, in the first 02:30");
	check(&night, "2026-10-25T01:30:00Z", "info", "2026-10-25T06:00:00Z", "fall back, in the second 02:30");
	/* The end skipped by the spring gap (02:00 -> 03:00): the instant of the jump. */
	check(&gap, "2026-03-28T22:00:00Z", "info", "2026-03-29T01:00:00Z", "an end in the gap: at the jump");
	check(&gap, "2026-01-15T22:00:00Z", "info", "2026-01-16T01:30:00Z", "the same window on a plain night");
	/* No zone and no ASCBELL_TZ: UTC. */
	check(&utc, "2026-01-15T23:00:00Z", "info", "2026-01-16T07:00:00Z", "UTC by default");
	TAP_CHECK(!strcmp(getenv("TZ"), "America/New_York"), "the process's own zone is put back");

	/* Bad specs, each with its message. */
	refused("{\"hours\":\"22:00-\"}", "quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
		"24-hour clock): 22:00-", "truncated window");
	refused("{\"hours\":\"25:00-07:00\"}", "quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
		"24-hour clock): 25:00-07:00", "hour 25");
	refused("{\"hours\":\"22:60-07:00\"}", "quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
		"24-hour clock): 22:60-07:00", "minute 60");
	refused("{\"hours\":\"22:00-07:00 \"}", "quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
		"24-hour clock): 22:00-07:00 ", "trailing blank");
	refused("{\"hours\":\"9:00-17:00\"}", "quiet.hours: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
		"24-hour clock): 9:00-17:00", "one-digit hour");
	refused("{\"hours\":\"22:00-22:00\"}", "quiet.hours: the window 22:00-22:00 starts where it ends",
		"empty window");
	refused("{\"hours\":2200}", "quiet.hours: not a string", "hours of the wrong type");
	refused("{\"zone\":\"UTC\"}", "quiet.hours: missing (a daily window like 22:00-07:00)", "no hours");
	refused("{\"hours\":\"22:00-07:00\",\"zone\":\"Mars/Olympus\"}", "quiet.zone: not a time zone this "
		"machine knows: Mars/Olympus (an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)",
		"unknown zone");
	refused("{\"hours\":\"22:00-07:00\",\"zone\":\"../../etc/passwd\"}", "quiet.zone: not a time zone this "
		"machine knows: ../../etc/passwd (an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)",
		"a path is no zone");
	/* jq's parser turns a byte that is not UTF-8 into U+FFFD: still no zone, and not echoed. */
	refused("{\"hours\":\"22:00-07:00\",\"zone\":\"Europe/Berl\xffn\"}", "quiet.zone: not a time zone "
		"this machine knows: (not printable) (an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)",
		"a zone that is not UTF-8");
	refused("{\"hours\":\"22:00-07:00\",\"zone\":[\"UTC\"]}", "quiet.zone: not a string", "zone of the wrong type");
	refused("{\"hours\":\"22:00-07:00\",\"below\":\"critical\"}",
		"quiet.below: not a severity: critical (info, success, warning or error)", "unknown severity");
	refused("{\"hours\":\"22:00-07:00\",\"from\":\"22:00\"}", "quiet: unknown member from (hours, zone, below)",
		"unknown member");
	refused("\"22:00-07:00\"", "quiet: not an object like {\"hours\":\"22:00-07:00\"}", "not an object");

	/* From the environment. */
	{
		const char *none[] = {"ASCBELL_QUIET_HOURS", "", NULL};
		const char *bad_zone[] = {"ASCBELL_QUIET_ZONE", "Europe/Berlín", NULL};
		const char *app[] = {"ASCBELL_QUIET_HOURS", "23:00-06:30", "ASCBELL_QUIET_ZONE", "Asia/Tokyo",
				     "ASCBELL_QUIET_BELOW", "warning", NULL};
		struct quiet q;

		TAP_CHECK(quiet_from_env(from_table, none, &q, why, sizeof why) == 0 && !q.set &&
			  !quiet_env_set(from_table, none), "empty ASCBELL_QUIET_HOURS: none");
		TAP_CHECK(quiet_from_env(from_table, bad_zone, &q, why, sizeof why) == -1 &&
			  !strcmp(why, "ASCBELL_QUIET_ZONE: not a time zone this machine knows: (not printable) "
				  "(an IANA name such as Europe/Berlin, from /usr/share/zoneinfo)"),
			  "a zone that is not ASCII is refused, and not printed");
		TAP_CHECK(quiet_from_env(from_table, app, &q, why, sizeof why) == 0 && q.set &&
			  quiet_env_set(from_table, app), "an app's three variables");
		check(&q, "2026-01-15T15:00:00Z", "info", "2026-01-15T21:30:00Z", "Tokyo: 00:00 JST held until 06:30");
		check(&q, "2026-01-15T15:00:00Z", "warning", NULL, "Tokyo: below warning, a warning goes");
		setenv("ASCBELL_TZ", "Europe/Berlin", 1);
		q = spec("{\"hours\":\"22:00-07:00\"}");
		check(&q, "2026-01-15T22:30:00Z", "info", "2026-01-16T06:00:00Z", "no zone: ASCBELL_TZ's");
	}
	return tap_done();
}
