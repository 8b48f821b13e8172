/* receiver: the App Store Connect -> Echobell receiver as library functions, the pipeline
 * scripts/asc-receiver assembles from the filters, in one process: verify -> parse ->
 * de-duplicate -> enrich (when configured) -> render -> queue or send -> escalate.
 *
 * asc-http calls it in-process (its built-in handler, when no COMMAND is given), once per
 * request, whether it lives for one request (inetd, CGI) or many (--listen). It reads the
 * same configuration as asc-receiver, with the same meaning, and ends each request with
 * the exit status asc-receiver would have (sysexits.h, DESIGN.md), so that asc-http
 * answers alike. What differs is only what it costs: no process per stage, and what is
 * loaded (secrets, templates, the API key, the Echobell connection) is kept for the next
 * request. */
#ifndef ASCBELL_RECEIVER_H
#define ASCBELL_RECEIVER_H

#include <stddef.h>
#include <time.h>

#include <jv.h>

#include "envfile.h"
#include "http.h"

#define RECEIVER_OUTCOME_SIZE 16

struct receiver_request {
	const struct http_request *http; /* the headers and the body, as read */
	const char *app;                 /* the path's first segment (asc-http's parse), or NULL */
	const char *apps_dir;            /* where asc-http found app's NAME.env, or NULL: then
					    ASCBELL_APPS_DIR from the configuration */
	time_t received;                 /* when it arrived: eventDate of events without their own */
	int verified;                    /* receiver_verify said 0 already: not checked again */
	const char *history;             /* asc-http's $ASCBELL_HISTORY, for review times, or NULL */
};

/* The names the receiver takes from the configuration file (NULL-terminated). */
extern const char *const receiver_config_names[];

/* Sets the environment from config as `set -a; . FILE` would for asc-receiver: each
 * receiver name the file sets. A later call first puts back what an earlier one changed,
 * so a name removed from the file is the environment's own again (SIGHUP). */
void receiver_apply_config(const struct envfile *config);

struct receiver;

/* What does not change between requests, from the environment: the time zone, the clock
 * for tests, the API credentials. Exits 78 when they cannot be used. */
struct receiver *receiver_open(void);

/* Loads now what the first request would (the templates, the API key, libcurl), so that
 * the processes a long-running server forks from this one start warm. A template file
 * that cannot be used exits 64 here, at start-up, rather than at the first request. */
void receiver_warm(struct receiver *r);

/* Step 1 alone: whether the request is signed with a secret of its app. 0 when it is, 77
 * when it is not (missing, malformed, wrong: logged), 78 when it cannot be told (no secret
 * to be had: logged). asc-http asks before it spools the request, so that a forged one
 * never reaches the disk. */
int receiver_verify(struct receiver *r, const struct receiver_request *req);

/* Handles one request; returns asc-receiver's exit status for it and, for a 0, what was
 * done in outcome ("delivered", "queued", "kept", "duplicate", "filtered", or "" when
 * nothing is to be said, as in a dry run). */
int receiver_handle(struct receiver *r, const struct receiver_request *req,
		    char outcome[RECEIVER_OUTCOME_SIZE]);

/* The event the last receiver_handle used (the first of its body: parsed, with "review",
 * enriched when enrichment ran), for the history line; null when none was parsed. The
 * caller owns it; a second call gives null. */
jv receiver_event(struct receiver *r);

void receiver_close(struct receiver *r);

#endif
