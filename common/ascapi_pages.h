/* ascapi_pages: reading a whole listing of the App Store Connect API, page by page through
 * links.next, for asc-webhooks' list, deliveries, apply, check and summaries. */
#ifndef ASCBELL_ASCAPI_PAGES_H
#define ASCBELL_ASCAPI_PAGES_H

#include <jv.h>

#include "ascapi.h"

/* Calls fn for every resource (an object) of the listing at first, a path ascapi_call_path
 * built for call, following links.next (resolved against the page it came from: the spec
 * types it uri-reference; at most 1000 pages). fn consumes its resource; page_fn, when not
 * NULL, sees each page's whole document first (borrowed: for its `included`). Returns the
 * worst status of fn and of the listing: a page the API refused, one without a list of
 * data, an item that is not a resource, or a next link that cannot be followed is an error
 * said on stderr (69), never a short listing that looks whole; the caller decides whether
 * its run goes on. */
int ascapi_each_page_with(struct ascapi *api, enum ascapi_call call, const char *first,
			  void (*page_fn)(jv doc, void *ctx), int (*fn)(jv resource, void *ctx), void *ctx);

/* The same without page_fn. */
int ascapi_each_page(struct ascapi *api, enum ascapi_call call, const char *first,
		     int (*fn)(jv resource, void *ctx), void *ctx);

#endif
