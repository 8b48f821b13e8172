/* enrich: names from the App Store Connect API added to an event. */
#ifndef ASCBELL_ENRICH_H
#define ASCBELL_ENRICH_H

#include <jv.h>

#include "ascapi.h"

struct enricher {
	struct ascapi *api;
	char cache[4096]; /* "" for none */
	double timeout;
	double deadline; /* of the event under way */
	jv error;        /* the first thing that went wrong for it, or null */
};

/* Sets e up: the cache directory (cache, else $XDG_CACHE_HOME/ascbell, else
 * ~/.cache/ascbell), the time budget per event, and the API client from ASC_KEY_ID,
 * ASC_ISSUER_ID and the key (ascapi.h). Returns 0, or -1 when there are no credentials
 * (e->api is NULL: events pass as they are); a key that cannot be used exits 78. */
int enricher_open(struct enricher *e, const char *cache, double timeout);

void enricher_close(struct enricher *e);

/* The event (consumed) with the app, version, build, feedback and links the API gives, within
 * e->timeout seconds; what could not be had is named in "enrichError". */
jv enrich(struct enricher *e, jv event);

#endif
