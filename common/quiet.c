/* quiet: quiet hours, and when the window holding a message ends. */
#include "quiet.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "localtime.h"
#include "util.h"

static const char *const severities[] = {"info", "success", "warning", "error"};

int quiet_severity_rank(const char *severity)
{
	size_t i;

	for (i = 0; severity && i < sizeof severities / sizeof severities[0]; i++)
		if (!strcmp(severity, severities[i]))
			return (int)i;
	return -1;
}

/* "HH:MM" exactly, 00:00 to 23:59: minutes after midnight, or -1. */
static int clock_minutes(const char *p)
{
	int i;

	for (i = 0; i < 5; i++)
		if (i == 2 ? p[i] != ':' : !isdigit((unsigned char)p[i]))
			return -1;
	if ((p[0] - '0') * 10 + (p[1] - '0') > 23 || p[3] > '5')
		return -1;
	return ((p[0] - '0') * 10 + (p[1] - '0')) * 60 + (p[3] - '0') * 10 + (p[4] - '0');
}

/* Text from configuration, printed only when it is plain printable ASCII (no control
 * characters or bytes that are not UTF-8 in a log line). */
static const char *shown(const char *text)
{
	const char *p;

	if (strlen(text) > 64)
		return "(too long to show)";
	for (p = text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return "(not printable)";
	return text;
}

/* The three parts, whatever their source; labels name them in messages. */
static int quiet_set(struct quiet *q, const char *hours, const char *zone, const char *below,
		     const char *const labels[3], char *why, size_t why_size)
{
	memset(q, 0, sizeof *q);
	if (zone) {
		if (!zone_known(zone)) {
			snprintf(why, why_size, "%s: not a time zone this machine knows: %s (an IANA "
				 "name such as Europe/Berlin, from /usr/share/zoneinfo)", labels[1], shown(zone));
			return -1;
		}
	} else {
		/* The team's zone, as eventDate shows it. */
		zone = getenv("ASCBELL_TZ");
		if (!zone || !*zone)
			zone = "UTC";
		if (!zone_known(zone)) {
			snprintf(why, why_size, "%s is not given and ASCBELL_TZ is not a time zone this "
				 "machine knows: %s", labels[1], shown(zone));
			return -1;
		}
	}
	snprintf(q->zone, sizeof q->zone, "%s", zone);
	q->below = quiet_severity_rank(below ? below : "error");
	if (q->below < 0) {
		snprintf(why, why_size, "%s: not a severity: %s (info, success, warning or error)",
			 labels[2], shown(below));
		return -1;
	}
	if (!hours)
		return 0;
	q->start = clock_minutes(hours);
	q->end = q->start < 0 || hours[5] != '-' ? -1 : clock_minutes(hours + 6);
	if (q->end < 0 || hours[11] != '\0') {
		snprintf(why, why_size, "%s: not a daily window like 22:00-07:00 (HH:MM-HH:MM, "
			 "24-hour clock): %s", labels[0], shown(hours));
		return -1;
	}
	if (q->start == q->end) {
		snprintf(why, why_size, "%s: the window %s starts where it ends", labels[0], hours);
		return -1;
	}
	q->set = 1;
	return 0;
}

int quiet_from_json(jv spec, struct quiet *q, char *why, size_t why_size)
{
	static const char *const labels[3] = {"quiet.hours", "quiet.zone", "quiet.below"};
	const char *values[3] = {NULL, NULL, NULL};
	jv parts[3] = {jv_invalid(), jv_invalid(), jv_invalid()};
	int i, rc = -1, iter;

	memset(q, 0, sizeof *q);
	if (jv_get_kind(spec) != JV_KIND_OBJECT) {
		snprintf(why, why_size, "quiet: not an object like {\"hours\":\"22:00-07:00\"}");
		jv_free(spec);
		return -1;
	}
	for (iter = jv_object_iter(spec); jv_object_iter_valid(spec, iter);
	     iter = jv_object_iter_next(spec, iter)) {
		jv key = jv_object_iter_key(spec, iter);
		int known = 0;
		for (i = 0; i < 3; i++)
			known |= !strcmp(jv_string_value(key), labels[i] + 6);
		if (!known) {
			snprintf(why, why_size, "quiet: unknown member %s (hours, zone, below)",
				 shown(jv_string_value(key)));
			jv_free(key);
			goto done;
		}
		jv_free(key);
	}
	for (i = 0; i < 3; i++) {
		parts[i] = jv_object_get(jv_copy(spec), jv_string(labels[i] + 6));
		if (jv_get_kind(parts[i]) == JV_KIND_INVALID)
			continue;
		if (jv_get_kind(parts[i]) != JV_KIND_STRING) {
			snprintf(why, why_size, "%s: not a string", labels[i]);
			goto done;
		}
		values[i] = jv_string_value(parts[i]);
	}
	if (!values[0]) {
		snprintf(why, why_size, "quiet.hours: missing (a daily window like 22:00-07:00)");
		goto done;
	}
	rc = quiet_set(q, values[0], values[1], values[2], labels, why, why_size);
done:
	for (i = 0; i < 3; i++)
		jv_free(parts[i]);
	jv_free(spec);
	return rc;
}

static const char *nonempty(const char *value)
{
	return value && *value ? value : NULL;
}

int quiet_from_env(const char *(*get)(const char *name, void *ctx), void *ctx, struct quiet *q,
		   char *why, size_t why_size)
{
	static const char *const labels[3] = {"ASCBELL_QUIET_HOURS", "ASCBELL_QUIET_ZONE",
					      "ASCBELL_QUIET_BELOW"};

	return quiet_set(q, nonempty(get(labels[0], ctx)), nonempty(get(labels[1], ctx)),
			 nonempty(get(labels[2], ctx)), labels, why, why_size);
}

int quiet_env_set(const char *(*get)(const char *name, void *ctx), void *ctx)
{
	return nonempty(get("ASCBELL_QUIET_HOURS", ctx)) || nonempty(get("ASCBELL_QUIET_ZONE", ctx)) ||
	       nonempty(get("ASCBELL_QUIET_BELOW", ctx));
}

/* ---- the zone's wall clock ---- */

/* The process's zone is TZ (localtime.c sets it for eventDate); a window's zone is put in
 * its place for the computation and the old one back after it. The programs are single
 * threaded, and tzset reads a zone file of a few kilobytes. */
static char *enter_zone(const char *zone)
{
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;

	setenv("TZ", strcmp(zone, "UTC") ? zone : "UTC0", 1);
	tzset();
	return saved;
}

static void leave_zone(char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	free(saved);
	tzset();
}

/* What the wall clock reads at t, as seconds of a calendar without a zone (timegm's). */
static long long wall(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return (long long)timegm(&tm);
}

/* The first instant at which the wall clock reads `target` (timegm's seconds) or later.
 * Offsets stay within +-14 h, so it lies within 15 h of target read as UTC. When the
 * clock shows target (once, or twice in an autumn night), the earlier such instant; when
 * a spring-forward gap skips it, the instant of the jump. */
static long long first_reading(long long target)
{
	long long lo = target - 15 * 3600, hi = target + 15 * 3600, best = 0, t;
	long long offsets[2];
	int i;

	offsets[0] = wall(lo) - lo;
	offsets[1] = wall(hi) - hi;
	for (i = 0; i < 2; i++) {
		t = target - offsets[i];
		if (wall(t) == target && (!best || t < best))
			best = t;
	}
	if (best)
		return best;
	/* Skipped: the wall clock only rises across a gap, so bisect for the jump. */
	while (lo < hi) {
		long long mid = lo + (hi - lo) / 2;
		if (wall(mid) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

long long quiet_release(const struct quiet *q, long long now, const char *severity)
{
	long long release = 0;
	time_t tt = (time_t)now;
	struct tm tm;
	char *saved;
	int minute, rank = quiet_severity_rank(severity);

	if (!q || !q->set || (rank < 0 ? 0 : rank) >= q->below)
		return 0;
	saved = enter_zone(q->zone);
	localtime_r(&tt, &tm);
	minute = tm.tm_hour * 60 + tm.tm_min;
	if (q->start < q->end ? minute >= q->start && minute < q->end
			      : minute >= q->start || minute < q->end) {
		struct tm end = {0};
		end.tm_year = tm.tm_year;
		end.tm_mon = tm.tm_mon;
		/* Past the start of a window that crosses midnight: it ends tomorrow. */
		end.tm_mday = tm.tm_mday + (q->start > q->end && minute >= q->start);
		end.tm_hour = q->end / 60;
		end.tm_min = q->end % 60;
		release = first_reading((long long)timegm(&end));
	}
	leave_zone(saved);
	return release > now ? release : 0;
}

long long quiet_release_message(const struct quiet *q, long long now, jv message)
{
	jv severity;
	long long release;

	if (!q || !q->set)
		return 0;
	severity = jv_get_kind(message) == JV_KIND_OBJECT
			   ? jv_object_get(jv_copy(message), jv_string("severity"))
			   : jv_invalid();
	release = quiet_release(q, now, jv_get_kind(severity) == JV_KIND_STRING ? jv_string_value(severity)
										 : NULL);
	jv_free(severity);
	return release;
}
