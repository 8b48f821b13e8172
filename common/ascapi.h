/* ascapi: a small client of the App Store Connect API (JSON:API over HTTPS): a bearer JWT on
 * every request, 429 and 5xx tried again with backoff (Retry-After honoured), errors turned
 * into one readable line, paging through links.next. */
#ifndef ASCBELL_ASCAPI_H
#define ASCBELL_ASCAPI_H

#include <jv.h>
#include <signal.h>

#include "ascapi_calls.h"
#include "deliver.h"
#include "jwt.h"
#include "net.h"

#define ASCAPI_DEFAULT_BASE "https://api.appstoreconnect.apple.com"

struct ascapi {
	struct net *net;
	struct jwt_signer *jwt;
	char *base;
	struct retry_policy policy;
	long requests; /* made so far, for -v and the tests' counting */
	long timeout_ms; /* for one request, when there is no deadline */
	double deadline; /* CLOCK_MONOTONIC seconds no request or wait may pass; 0 for none */
};


/* The client from $ASC_KEY_ID, $ASC_ISSUER_ID, $ASC_PRIVATE_KEY_PATH (or $ASC_PRIVATE_KEY)
 * and $ASC_API_BASE. NULL when there are no credentials at all; exits EX_CONFIG when they
 * are there but unusable (a bad key file). */
struct ascapi *ascapi_from_environment(const struct net_options *net_options,
				       const struct retry_policy *policy);
void ascapi_close(struct ascapi *api);

/* Makes one call of the table (ascapi_calls.h) to path, which ascapi_call_path built for it,
 * with a JSON body (jv_invalid() for none). Returns the parsed answer (null for a 204), or
 * an invalid jv whose message says what went wrong ("HTTP 404: NOT_FOUND: ..."). */
jv ascapi_call(struct ascapi *api, enum ascapi_call call, const char *path, jv body);

/* GETs the next page of a listing: the links.next of the answer from current (a path of the
 * table, or the URL of an earlier next page). links.next is a uri-reference: relative forms
 * are resolved against current. A link that leaves the API's origin is not followed (the
 * bearer token would go with it). */
jv ascapi_get_next(struct ascapi *api, const char *current, const char *next, char *url, size_t size);

#endif
