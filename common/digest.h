/* digest: the figures of a stretch of history, per app and for the portfolio, as events
 * that asc-render and echobell-send take like any other (category "report"): full figures
 * under "report", a few short lines in "message" for the phone. */
#ifndef ASCBELL_DIGEST_H
#define ASCBELL_DIGEST_H

#include <jv.h>

struct digest;

struct digest *digest_new(void);
void digest_free(struct digest *d);

/* One history line (consumed; histread.h checked its shape), answered at epoch second at. */
void digest_add(struct digest *d, jv line, long long at);

/* The digest events for [since, until), in order: one per app (sorted by the history's app
 * name, the unnamed app last), then the portfolio when there are two apps or more. No app
 * at all: one portfolio event that says so. With only_app (a history app name or an App
 * Store Connect app id): that app's event alone, zeros when it had nothing. */
jv digest_events(struct digest *d, long long since, long long until, const char *only_app);

#endif
