/* ascapi_calls: every request ascbell makes to the App Store Connect API, in one table.
 * The programs build their requests from it and nowhere else, and tests/api-calls.bats
 * reads the same table and holds each row against Apple's OpenAPI spec (method, path
 * template, every query parameter and fixed value), so a new call cannot drift from it. */
#ifndef ASCBELL_ASCAPI_CALLS_H
#define ASCBELL_ASCAPI_CALLS_H

#include <stddef.h>

enum ascapi_call {
	ASC_APP,
	ASC_APP_STORE_VERSION,
	ASC_BUILD,
	ASC_BUILD_OF_BETA_DETAIL,
	ASC_BUILD_UPLOAD,
	ASC_SCREENSHOT_FEEDBACK,
	ASC_CRASH_FEEDBACK,
	ASC_APP_WEBHOOKS,
	ASC_WEBHOOK,
	ASC_WEBHOOK_CREATE,
	ASC_WEBHOOK_UPDATE,
	ASC_WEBHOOK_DELETE,
	ASC_WEBHOOK_PING,
	ASC_WEBHOOK_DELIVERIES,
	ASC_WEBHOOK_REDELIVER,
	ASC_APPS,
	ASC_PING_DELIVERIES,
	ASC_CALL_COUNT
};

struct ascapi_call_spec {
	const char *method;
	const char *path;  /* Apple's path template: "/v1/apps/{id}" */
	const char *query; /* "name=value&..." with a {placeholder} where a value varies */
};

extern const struct ascapi_call_spec ascapi_calls[ASC_CALL_COUNT];

/* The path and query of a call, each {placeholder} of the path, then of the query, replaced
 * by the next of args (percent-encoded; brackets of parameter names too). Returns 0, or -1
 * when args run out or the result does not fit (a bug of the caller: the table is fixed). */
int ascapi_call_path(enum ascapi_call call, const char *const args[], char *out, size_t size);

#endif
