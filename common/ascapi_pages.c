/* ascapi_pages: reading a whole listing, page by page. */
#include "ascapi_pages.h"

#include <stdio.h>

#include "jsonget.h"
#include "util.h"

#define PAGES_MAX 1000

static int failed_listing(jv doc)
{
	jv msg = jv_invalid_get_msg(doc);
	msg_error("listing: %s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "failed");
	jv_free(msg);
	return EX_UNAVAILABLE;
}

int ascapi_each_page_with(struct ascapi *api, enum ascapi_call call, const char *first,
			  void (*page_fn)(jv doc, void *ctx), int (*fn)(jv resource, void *ctx), void *ctx)
{
	char current[4096], next_url[4096];
	jv doc = ascapi_call(api, call, first, jv_invalid());
	int status = 0, pages = 0;

	if (!jv_is_valid(doc))
		return failed_listing(doc);
	snprintf(current, sizeof current, "%s", first);
	for (;;) {
		jv data = json_get(doc, "data"), link = json_get_path(doc, "links", "next", NULL);
		int i, n = jv_get_kind(data) == JV_KIND_ARRAY ? jv_array_length(jv_copy(data)) : 0;

		if (jv_get_kind(data) != JV_KIND_ARRAY) {
			msg_error("listing: the answer to %s has no list of data", current);
			status = worse_status(status, EX_UNAVAILABLE);
		}
		if (page_fn)
			page_fn(doc, ctx);
		for (i = 0; i < n; i++) {
			jv item = jv_array_get(jv_copy(data), i);
			if (jv_get_kind(item) == JV_KIND_OBJECT) {
				status = worse_status(status, fn(item, ctx));
			} else {
				msg_error("listing: item %d of the answer to %s is not a resource", i + 1, current);
				status = worse_status(status, EX_UNAVAILABLE);
				jv_free(item);
			}
		}
		jv_free(data);
		jv_free(doc);
		if (jv_get_kind(link) == JV_KIND_NULL)
			break;
		if (++pages >= PAGES_MAX) {
			msg_error("listing: more than %d pages; the listing stops there", PAGES_MAX);
			jv_free(link);
			return worse_status(status, EX_UNAVAILABLE);
		}
		if (jv_get_kind(link) != JV_KIND_STRING) {
			msg_error("listing: links.next of %s is not a link; the listing stops there", current);
			jv_free(link);
			return worse_status(status, EX_UNAVAILABLE);
		}
		doc = ascapi_get_next(api, current, jv_string_value(link), next_url, sizeof next_url);
		jv_free(link);
		if (!jv_is_valid(doc))
			return worse_status(status, failed_listing(doc));
		snprintf(current, sizeof current, "%s", next_url);
	}
	return status;
}

int ascapi_each_page(struct ascapi *api, enum ascapi_call call, const char *first,
		     int (*fn)(jv resource, void *ctx), void *ctx)
{
	return ascapi_each_page_with(api, call, first, NULL, fn, ctx);
}
