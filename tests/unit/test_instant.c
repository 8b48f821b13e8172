/* instant: every time the programs read, to the second (or millisecond), with offsets and
 * fractions; and every shape and calendar error refused, never moved to another day. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "instant.h"
#include "tap.h"

static void check_ms(const char *text, long long expected)
{
	long long got = -1;
	char what[160];
	int rc = instant_parse_ms(text, &got);

	snprintf(what, sizeof what, "instant %s is %lld ms", text, expected);
	TAP_CHECK(rc == 0 && got == expected, what);
	if (rc != 0 || got != expected)
		printf("#   rc %d, got %lld\n", rc, got);
}

static void check_refused(const char *text)
{
	time_t t = 0;
	long long ms = 0;
	char what[160];

	snprintf(what, sizeof what, "instant \"%s\" refused", text);
	TAP_CHECK(instant_parse(text, &t) == -1 && instant_parse_ms(text, &ms) == -1, what);
}

static void check_date(const char *text, long long expected)
{
	time_t t = 0;
	char what[160];
	int rc = date_parse(text, &t);

	if (expected < 0) {
		snprintf(what, sizeof what, "date \"%s\" refused", text);
		TAP_CHECK(rc == -1, what);
	} else {
		snprintf(what, sizeof what, "date %s is %lld", text, expected);
		TAP_CHECK(rc == 0 && (long long)t == expected, what);
	}
}

int main(void)
{
	static const char *const bad[] = {
		"", "2026", "2026-11-27", "2026-11-27T15:00:00", "2026-11-27T15:00Z",
		"2026-1-27T15:00:00Z", "2026-11-2T15:00:00Z", "2026-11-27T5:00:00Z",
		" 2026-11-27T15:00:00Z", "2026-11-27 15:00:00Z", "2026-11-27T15:00:00ZZ",
		"2026-11-27T15:00:00Z ", "2026-11-27T15:00:00.Z", "2026-11-27T15:00:00,5Z",
		"2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T23:60:00Z",
		"2026-11-27T23:59:60Z", "1969-12-31T23:59:59Z", "+026-11-27T15:00:00Z",
		"2026-11-27T15:00:00+1", "2026-11-27T15:00:00+", "2026-11-27T15:00:00-01:",
		"2026-11-27T15:00:00+01:3", "2026-11-27T15:00:00+25:00", "2026-11-27T15:00:00+01:60",
		"2026-11-27T15:00:00+0100x", "2026-11-27T15:00:00UTC", "２026-11-27T15:00:00Z",
	};
	time_t t = 0;

	check_ms("2026-11-27T15:00:00Z", 1795791600000LL);
	check_ms("2026-11-27T15:00:00z", 1795791600000LL);
	check_ms("2026-11-27T15:00:00.5Z", 1795791600500LL);
	check_ms("2026-11-27T15:00:00.123456789Z", 1795791600123LL);
	check_ms("2026-11-27T16:00:00+01:00", 1795791600000LL);
	check_ms("2026-11-27T10:00:00-0500", 1795791600000LL);
	check_ms("2026-11-27T15:00:00.25-00:00", 1795791600250LL);
	check_ms("2024-02-29T00:00:00Z", 1709164800000LL);
	check_ms("2000-02-29T12:00:00Z", 951825600000LL);
	check_ms("2026-12-31T23:59:59Z", 1798761599000LL);
	check_ms("1970-01-01T00:00:00Z", 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_refused(bad[i]);

	TAP_CHECK(instant_parse("2026-11-27T15:00:00.999Z", &t) == 0 && t == 1795791600,
		  "instant_parse drops the fraction");
	TAP_CHECK(instant_parse("1970-01-01T00:00:00.5+01:00", &t) == 0 && t == -3600,
		  "instant_parse rounds down before the epoch");

	check_date("2026-11-27", 1795737600);
	check_date("2024-02-29", 1709164800);
	check_date("2026-02-29", -1);
	check_date("2026-02-30", -1);
	check_date("2026-11-27T00:00:00Z", -1);
	check_date("2026-11-7", -1);
	check_date("2026-11-27 ", -1);
	check_date("", -1);
	TAP_CHECK(date_or_instant_parse("2026-11-27", &t) == 0 && t == 1795737600,
		  "date_or_instant_parse: a date");
	TAP_CHECK(date_or_instant_parse("2026-11-27T01:00:00+01:00", &t) == 0 && t == 1795737600,
		  "date_or_instant_parse: an instant with an offset");
	TAP_CHECK(date_or_instant_parse("2026-02-30", &t) == -1, "date_or_instant_parse: 30 February");
	return tap_done();
}
