/* ascapi: a small client of the App Store Connect API. */
#include "ascapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "uri.h"
#include "util.h"

#define ANSWER_MAX (8 * 1024 * 1024)

struct ascapi *ascapi_from_environment(const struct net_options *net_options,
				       const struct retry_policy *policy)
{
	const char *key_id = getenv("ASC_KEY_ID"), *issuer = getenv("ASC_ISSUER_ID");
	const char *path = getenv("ASC_PRIVATE_KEY_PATH"), *pem = getenv("ASC_PRIVATE_KEY");
	const char *base = getenv("ASC_API_BASE");
	struct ascapi *api;
	char why[256];

	if (!key_id || !*key_id)
		return NULL;
	if ((!path || !*path) && (!pem || !*pem))
		die(EX_CONFIG, "ASC_KEY_ID is set but no key: set ASC_PRIVATE_KEY_PATH to the "
			       "AuthKey_%.20s.p8 file", key_id);
	api = xmalloc(sizeof *api);
	memset(api, 0, sizeof *api);
	api->jwt = jwt_signer_new(key_id, issuer && *issuer ? issuer : NULL,
				  path && *path ? path : NULL, pem, why, sizeof why);
	if (!api->jwt)
		die(EX_CONFIG, "%s", why);
	api->base = xstrdup(base && *base ? base : ASCAPI_DEFAULT_BASE);
	while (strlen(api->base) > 1 && api->base[strlen(api->base) - 1] == '/')
		api->base[strlen(api->base) - 1] = '\0';
	api->net = net_open(net_options);
	/* The JWT is a bearer credential for 20 minutes: never in clear text off this machine. */
	if (net_url_allowed(api->net, api->base, why, sizeof why) != 0)
		die(EX_CONFIG, "ASC_API_BASE %s refused: %s", api->base, why);
	api->policy = *policy;
	api->timeout_ms = net_options->timeout_ms;
	return api;
}

void ascapi_close(struct ascapi *api)
{
	if (!api)
		return;
	net_close(api->net);
	jwt_signer_free(api->jwt);
	free(api->base);
	free(api);
}

/* {"errors":[{"status","code","title","detail"}]} as one line. */
static jv api_error(long status, const struct buf *answer)
{
	jv parsed = jv_parse_sized(answer->data ? answer->data : "", (int)answer->len), first;
	jv text = jv_string_fmt("HTTP %ld", status);

	if (jv_get_kind(parsed) == JV_KIND_OBJECT) {
		jv errors = jv_object_get(jv_copy(parsed), jv_string("errors"));
		first = jv_get_kind(errors) == JV_KIND_ARRAY ? jv_array_get(errors, 0)
							    : (jv_free(errors), jv_invalid());
		if (jv_get_kind(first) == JV_KIND_OBJECT) {
			static const char *const parts[] = {"code", "title", "detail"};
			size_t i;
			for (i = 0; i < 3; i++) {
				jv part = jv_object_get(jv_copy(first), jv_string(parts[i]));
				if (jv_get_kind(part) == JV_KIND_STRING) {
					jv longer = jv_string_fmt("%s: %s", jv_string_value(text),
								  jv_string_value(part));
					jv_free(text);
					text = longer;
				}
				jv_free(part);
			}
		}
		jv_free(first);
	}
	jv_free(parsed);
	return jv_invalid_with_msg(text);
}

static jv request(struct ascapi *api, const char *method, const char *path, jv body)
{
	char url[4096], authorization[1200];
	const char *headers[] = {authorization, "Accept: application/json", NULL};
	jv text = jv_get_kind(body) == JV_KIND_INVALID ? jv_invalid() : jv_dump_string(jv_copy(body), 0);
	struct buf answer = BUF_INIT;
	struct net_response r;
	int attempt;
	jv result = jv_invalid_with_msg(jv_string("no attempt made"));

	jv_free(body);
	if (strncmp(path, "https://", 8) == 0 || strncmp(path, "http://", 7) == 0)
		snprintf(url, sizeof url, "%s", path);
	else
		snprintf(url, sizeof url, "%s%s", api->base, path);
	for (attempt = 0; attempt <= api->policy.retries; attempt++) {
		const char *token = jwt_token(api->jwt, time(NULL));
		double left = api->deadline ? api->deadline - monotonic_seconds() : 0;
		enum net_result got;

		if (api->deadline && left <= 0) {
			if (attempt == 0) {
				jv_free(result);
				result = jv_invalid_with_msg(jv_string("out of time"));
			}
			break;
		}
		/* A deadline bounds each request too, not only the waits between them. */
		net_set_timeout(api->net, api->deadline ? (long)(left * 1000) + 1 : api->timeout_ms);
		if (!token) {
			result = jv_invalid_with_msg(jv_string("cannot sign the API token"));
			break;
		}
		snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", token);
		buf_clear(&answer);
		api->requests++;
		got = net_request(api->net, method, url, headers,
				  jv_is_valid(text) ? jv_string_value(text) : NULL,
				  jv_is_valid(text) ? (size_t)jv_string_length_bytes(jv_copy(text)) : 0,
				  &answer, ANSWER_MAX, &r);
		jv_free(result);
		if (got == NET_ANSWERED && r.status >= 200 && r.status < 300) {
			result = r.status == 204 || answer.len == 0
					 ? jv_null()
					 : jv_parse_sized(answer.data, (int)answer.len);
			break;
		}
		if (got == NET_ANSWERED)
			result = api_error(r.status, &answer);
		else
			result = jv_invalid_with_msg(jv_string(r.error));
		if (got == NET_FATAL || (got == NET_ANSWERED && !status_is_transient(r.status)))
			break;
		if (attempt < api->policy.retries) {
			double wait = r.retry_after >= 0 ? (double)r.retry_after
							 : api->policy.base_delay * (1 << attempt);
			if (wait > api->policy.max_delay)
				wait = api->policy.max_delay;
			if (api->deadline && monotonic_seconds() + wait >= api->deadline)
				break;
			sleep_unless_stopped(wait, NULL);
		}
	}
	jv_free(text);
	buf_free(&answer);
	return result;
}

jv ascapi_call(struct ascapi *api, enum ascapi_call call, const char *path, jv body)
{
	return request(api, ascapi_calls[call].method, path, body);
}

jv ascapi_get_next(struct ascapi *api, const char *current, const char *next, char *url, size_t size)
{
	char base[4096];
	size_t len = strlen(api->base);

	if (uri_origin_length(current))
		snprintf(base, sizeof base, "%s", current);
	else
		snprintf(base, sizeof base, "%s%s", api->base, current);
	if (uri_resolve(base, next, url, size) != 0)
		return jv_invalid_with_msg(jv_string_fmt("links.next is not a usable URL: %.200s", next));
	/* The same scheme, host and port as the API, and under its base path. */
	if (strncmp(url, api->base, len) != 0 || url[len] != '/')
		return jv_invalid_with_msg(jv_string_fmt("links.next leaves the API (%.200s): not followed", url));
	return request(api, "GET", url, jv_invalid());
}
