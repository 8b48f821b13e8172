/* ascapi: a small client of the App Store Connect API (JSON:API over HTTPS): a bearer JWT on
 * every request, 429 and 5xx tried again with backoff (Retry-After honoured), errors turned
 * into one readable line, paging through links.next. */
#ifndef ASCBELL_ASCAPI_H
#define ASCBELL_ASCAPI_H

#include <jv.h>
#include <signal.h>

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

/* GETs path ("/v1/apps/123", or a whole URL from links.next) and returns the parsed answer,
 * or an invalid jv whose message says what went wrong ("HTTP 404: NOT_FOUND: ..."). */
jv ascapi_get(struct ascapi *api, const char *path);

/* The same for POST, PATCH and DELETE with a JSON body (NULL for none); a 204 gives null. */
jv ascapi_send(struct ascapi *api, const char *method, const char *path, jv body);

#endif
