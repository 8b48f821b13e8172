/* eventfilter: a list of events to keep, as asc-parse --events and $ASCBELL_EVENTS give it:
 * names separated by commas, each an event (APP_STORE_VERSION_STATE_UPDATED ...), a type
 * (appStoreVersions ...) or a category (appStore, testFlight, other), any case. */
#ifndef ASCBELL_EVENTFILTER_H
#define ASCBELL_EVENTFILTER_H

#include <jv.h>
#include <stddef.h>

#include "event.h"

struct event_filter {
	char *text; /* the list, cut into the names */
	char **names;
	size_t count;
};

/* Splits list (copied); blanks around names are dropped. Returns 0, or -1 when the list
 * names nothing. A name that matches no kind or category is probably a typo, though a
 * future type may well be meant: it is kept, and warned about as `what: NAME is not...`. */
int event_filter_parse(struct event_filter *f, const char *list, const char *what);

/* Whether event (borrowed) is one of the list's. */
int event_filter_keeps(const struct event_filter *f, jv event);

/* The event of one payload (consumed), as asc-parse makes it: an object, or null when it
 * is not a payload (logged as `where: why`, *status set to 65) or the filter (which may
 * be empty: everything) leaves it out. An unknown type is warned about and kept. */
jv event_filter_payload(const struct event_filter *f, jv payload, const struct event_options *opt,
			const char *where, int *status);

void event_filter_free(struct event_filter *f);

#endif
