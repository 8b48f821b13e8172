/* routes: which channels an event goes to. A routes file ($ASCBELL_ROUTES, ascbell(7),
 * ROUTES) names routes, each with rules on the event (app, category, event, severity, and
 * `when`, a condition in the template language) and its own Echobell URL file and,
 * optionally, template set. An event goes to every route whose rules all match.
 *
 * Each route's messages travel on their own: in the outbox and the unsent spool in the
 * subdirectory route.NAME, with the de-duplication markers in DEDUP/route.NAME, so that a
 * channel's outage holds only its own route and a replay sends only what is missing. */
#ifndef ASCBELL_ROUTES_H
#define ASCBELL_ROUTES_H

#include <jv.h>
#include <stddef.h>

#include "buf.h"
#include "tmpl.h"

/* The largest routes file read. */
#define ROUTES_MAX_BYTES (256 * 1024)
#define ROUTE_NAME_MAX 64

/* A rule's accepted values: the rule matches when the event's value is any of them. */
struct route_values {
	char **items;
	size_t count; /* 0: no such rule */
};

struct route {
	char name[ROUTE_NAME_MAX + 1];
	char *url_file;
	char *templates; /* NULL: $ASCBELL_TEMPLATES, else the built-in ones */
	struct route_values app, category, event, severity;
	char *when_source;
	struct tmpl *when; /* NULL: no `when` */
	jv quiet;          /* the "quiet" object as written, or null (quiet.h gives it meaning) */
};

struct routes {
	struct route *items;
	size_t count;
};

/* Reads the routes file path; escalation, when not NULL, adds the route "escalation"
 * (severity error, that URL file): ECHOBELL_ESCALATION_URL_FILE's shorthand. Returns 0,
 * or -1 with one line in why (unknown key, wrong type, bad or duplicate name, a URL or
 * template file that cannot be read, a `when` that does not compile, ...). */
int routes_load(const char *path, const char *escalation, struct routes *out, char *why,
		size_t why_size);
void routes_free(struct routes *routes);

/* Whether event (borrowed) matches route; with explain, appends why ("yes (...)" or
 * "no (...)") in words. */
int route_matches(const struct route *route, jv event, struct buf *explain);

/* DIR/route.NAME, the route's own part of a spool, outbox or de-duplication directory
 * (a '.' never appears in an event id, so it cannot be mistaken for a marker). NULL when
 * dir is NULL; to free. */
char *route_dir(const char *dir, const struct route *route);

#endif
