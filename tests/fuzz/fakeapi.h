/* fakeapi.h: the App Store Connect API answering from the fuzzer's input, for the targets
 * that drive asc-enrich's and asc-webhooks' answer handling (fuzz-enrich, fuzz-webhooks).
 *
 * Linked with -Wl,--wrap=net_request,--wrap=net_set_timeout,--wrap=jwt_token: common/ascapi.c
 * stays as it is (its retries, error answers and paging are under test too), but what it
 * believes came over the network is the next part of the input:
 *
 *     "503\n{...}"   status 503 with that body (any three digits; no digits: 200)
 *     "000\n"        no answer at all, worth trying again (connection refused)
 *     "999\n"        no answer, fatal (TLS verification failed)
 *
 * and when the parts run out, every request is answered 404. One property is checked on
 * every request: the bearer token only ever goes to the API's own origin. */
#ifndef ASCBELL_FUZZ_FAKEAPI_H
#define ASCBELL_FUZZ_FAKEAPI_H

#include <stdio.h>

#include "ascapi.h"
#include "fuzz.h"

#define FAKE_API_BASE "https://api.example.test"

static struct fuzz_parts fake_answers;
static long fake_requests;

enum net_result __wrap_net_request(struct net *net, const char *method, const char *url,
				   const char *const *headers, const char *body, size_t len,
				   struct buf *answer, size_t max, struct net_response *response);
void __wrap_net_set_timeout(struct net *net, long timeout_ms);
const char *__wrap_jwt_token(struct jwt_signer *s, time_t now);

enum net_result __wrap_net_request(struct net *net, const char *method, const char *url,
				   const char *const *headers, const char *body, size_t len,
				   struct buf *answer, size_t max, struct net_response *response)
{
	const char *part;
	size_t part_len, keep;
	long status = 200;

	(void)net;
	(void)headers;
	(void)body;
	(void)len;
	if (!method || !url || strncmp(url, FAKE_API_BASE "/", sizeof FAKE_API_BASE) != 0)
		abort(); /* the token would leave the API */
	fake_requests++;
	memset(response, 0, sizeof *response);
	response->retry_after = -1;
	if (!fuzz_next_part(&fake_answers, &part, &part_len)) {
		part = "{\"errors\":[{\"status\":\"404\",\"code\":\"NOT_FOUND\"}]}";
		part_len = strlen(part);
		status = 404;
	} else if (part_len >= 4 && part[0] >= '0' && part[0] <= '9' && part[1] >= '0' &&
		   part[1] <= '9' && part[2] >= '0' && part[2] <= '9' && part[3] == '\n') {
		status = (part[0] - '0') * 100 + (part[1] - '0') * 10 + (part[2] - '0');
		part += 4;
		part_len -= 4;
	}
	if (status == 0 || status == 999) {
		snprintf(response->error, sizeof response->error, "fake: no answer");
		return status == 0 ? NET_TRANSIENT : NET_FATAL;
	}
	response->status = status;
	keep = part_len < NET_BODY_KEEP ? part_len : NET_BODY_KEEP;
	memcpy(response->body, part, keep);
	response->body[keep] = '\0';
	response->body_len = keep;
	if (answer) {
		if (part_len > max) {
			snprintf(response->error, sizeof response->error, "fake: answer too large");
			return NET_FATAL;
		}
		buf_append(answer, part, part_len);
	}
	return NET_ANSWERED;
}

void __wrap_net_set_timeout(struct net *net, long timeout_ms)
{
	(void)net;
	(void)timeout_ms;
}

const char *__wrap_jwt_token(struct jwt_signer *s, time_t now)
{
	(void)s;
	(void)now;
	return "fuzz.token.unsigned";
}

/* A client of the fake: retries without waiting, so a 503 costs no time. */
static struct ascapi *fake_api(void)
{
	static struct ascapi api;

	api.net = NULL;
	api.jwt = NULL;
	api.base = FAKE_API_BASE;
	api.policy = (struct retry_policy){2, 10, 0, 0};
	api.requests = 0;
	api.timeout_ms = 1000;
	api.deadline = 0;
	return &api;
}

#endif
