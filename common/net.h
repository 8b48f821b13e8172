/* net: HTTP POSTs of JSON through libcurl, safely configured, over one reused connection.
 *
 * libcurl is loaded with dlopen() the first time it is needed, not linked: with its Debian
 * dependencies it costs about 9 ms of CPU per process, and the cheap paths of a program
 * (echobell-send --queue) must not pay that. */
#ifndef ASCBELL_NET_H
#define ASCBELL_NET_H

#include <stddef.h>

#include "buf.h"

struct net;

struct net_options {
	long connect_timeout_ms;
	long timeout_ms;     /* the whole exchange */
	const char *cacert;  /* a private CA bundle, or NULL for the system's */
};

/* What came back: an HTTP answer, or why there was none. */
enum net_result {
	NET_ANSWERED,  /* status holds the HTTP status */
	NET_TRANSIENT, /* no answer, worth trying again: connection refused or reset, timeout */
	NET_FATAL      /* no answer, and trying again will not help: TLS verification, bad URL */
};

#define NET_BODY_KEEP 200 /* bytes of an answer kept for messages */

struct net_response {
	long status;
	char body[NET_BODY_KEEP + 1]; /* the start of the answer, NUL-terminated */
	size_t body_len;
	int body_cut;     /* the answer went on past body */
	long retry_after; /* seconds from Retry-After (number or HTTP date), -1 without */
	char error[256];  /* libcurl's explanation when there was no answer */
};

/* Loads libcurl and makes a handle; exits with EX_UNAVAILABLE when libcurl cannot be loaded. */
struct net *net_open(const struct net_options *options);
void net_close(struct net *net);

/* POSTs body as application/json, with the project's User-Agent. */
enum net_result net_post_json(struct net *net, const char *url, const char *body, size_t len,
			      struct net_response *response);

/* Any method (GET, POST, PATCH, DELETE), with extra header lines (NULL-terminated, or
 * NULL), a JSON body or none (NULL), and the whole answer kept in *answer when it is not
 * NULL (an answer over max bytes fails as NET_FATAL). */
enum net_result net_request(struct net *net, const char *method, const char *url,
			    const char *const *headers, const char *body, size_t len,
			    struct buf *answer, size_t max, struct net_response *response);

/* Changes the time one exchange may take, from the next request on. */
void net_set_timeout(struct net *net, long timeout_ms);

/* How many TCP connections the handle has opened so far (keep-alive shows as 1). */
long net_connections(struct net *net);

/* Whether url may be used: https anywhere, http only to a loopback host (local sinks and
 * tests). Returns 0, or -1 with the reason in why. Needs a handle (libcurl parses it). */
int net_url_allowed(struct net *net, const char *url, char *why, size_t why_size);

#endif
