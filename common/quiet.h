/* quiet: quiet hours. During a daily window of the team's wall clock, messages below a
 * severity are held (they wait in the outbox, whose agent sends them when the window
 * ends); errors, and whatever is at or above "below", go at once.
 *
 * A spec comes from a JSON object (a route's "quiet"):
 *   {"hours": "22:00-07:00", "zone": "Europe/Berlin", "below": "error"}
 * or from the environment (the global configuration, or an app's NAME.env):
 *   ASCBELL_QUIET_HOURS=22:00-07:00 ASCBELL_QUIET_ZONE=Europe/Berlin ASCBELL_QUIET_BELOW=error
 * hours: HH:MM-HH:MM, 24-hour wall clock, start included, end excluded; a start later
 *        than the end crosses midnight. Required (unset or "" in the environment: none).
 * zone:  an IANA zone this machine knows (default $ASCBELL_TZ, else UTC).
 * below: info, success, warning or error (default error): messages of a lower severity
 *        (info < success < warning < error) are held; a message without a known severity
 *        counts as info. */
#ifndef ASCBELL_QUIET_H
#define ASCBELL_QUIET_H

#include <jv.h>
#include <stddef.h>

#define QUIET_ZONE_SIZE 65

struct quiet {
	int set;                    /* 0: no quiet hours, nothing is ever held */
	int start, end;             /* minutes after local midnight: [start, end) */
	char zone[QUIET_ZONE_SIZE]; /* "UTC" or an IANA name checked by zone_known() */
	int below;                  /* severity rank (quiet_severity_rank): lower is held */
};

/* Reads a route's "quiet" object (consumed). 0, or -1 with one line in why (naming
 * "quiet.hours", "quiet.zone", ...): not an object, a member missing, of the wrong type or
 * unknown, a bad window, an unknown zone, a severity that is none. */
int quiet_from_json(jv spec, struct quiet *q, char *why, size_t why_size);

/* Reads ASCBELL_QUIET_HOURS/_ZONE/_BELOW through get (getenv's meaning: NULL or "" is
 * unset), so that the receiver can look through an app's file first. No hours: q->set is
 * 0, but a zone or severity that is set is still checked. 0, or -1 with why. */
int quiet_from_env(const char *(*get)(const char *name, void *ctx), void *ctx, struct quiet *q,
		   char *why, size_t why_size);

/* Whether any of the three variables is set (not empty) through get. */
int quiet_env_set(const char *(*get)(const char *name, void *ctx), void *ctx);

/* 0 when a message of this severity (NULL or unknown: info) may go now (epoch seconds);
 * else the epoch second at which the window that holds it ends: the first instant the
 * zone's wall clock reads the end time (after a spring-forward gap that skips it, the
 * instant of the jump). */
long long quiet_release(const struct quiet *q, long long now, const char *severity);

/* quiet_release for a message (not consumed) by its "severity" member. */
long long quiet_release_message(const struct quiet *q, long long now, jv message);

/* info 0, success 1, warning 2, error 3; -1 for anything else. */
int quiet_severity_rank(const char *severity);

#endif
