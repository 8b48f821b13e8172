/* net: HTTP POSTs of JSON through libcurl, loaded on first use. */
#include "net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

/* The libcurl functions we call, looked up once by name. */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
	void (*free)(void *);
	time_t (*getdate)(const char *, const time_t *);
} curl;

#define CURL_SYMBOL(field, name) {(void **)&curl.field, name}

static void load_libcurl(void)
{
	static const struct {
		void **slot;
		const char *name;
	} symbols[] = {
		CURL_SYMBOL(global_init, "curl_global_init"),
		CURL_SYMBOL(easy_init, "curl_easy_init"),
		CURL_SYMBOL(easy_setopt, "curl_easy_setopt"),
		CURL_SYMBOL(easy_perform, "curl_easy_perform"),
		CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo"),
		CURL_SYMBOL(easy_strerror, "curl_easy_strerror"),
		CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup"),
		CURL_SYMBOL(slist_append, "curl_slist_append"),
		CURL_SYMBOL(slist_free_all, "curl_slist_free_all"),
		CURL_SYMBOL(url, "curl_url"),
		CURL_SYMBOL(url_set, "curl_url_set"),
		CURL_SYMBOL(url_get, "curl_url_get"),
		CURL_SYMBOL(url_cleanup, "curl_url_cleanup"),
		CURL_SYMBOL(free, "curl_free"),
		CURL_SYMBOL(getdate, "curl_getdate"),
	};
	void *lib;
	size_t i;

	if (curl.easy_init)
		return;
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		die(EX_UNAVAILABLE, "cannot load libcurl: %s (install libcurl4)", dlerror());
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		/* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
		void *address = dlsym(lib, symbols[i].name);
		if (!address)
			die(EX_UNAVAILABLE, "libcurl has no %s: too old (7.85 or newer needed)",
			    symbols[i].name);
		memcpy(symbols[i].slot, &address, sizeof address);
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die(EX_SOFTWARE, "cannot initialise libcurl");
}

struct net {
	CURL *easy;
	struct curl_slist *headers;
	struct net_response *response; /* being filled by the callbacks */
	struct buf *answer;            /* the whole body, when the caller wants it */
	size_t answer_max;
	int answer_too_large;
	char errbuf[CURL_ERROR_SIZE];
	long connections;
};

/* The answer's body is kept only up to NET_BODY_KEEP bytes, for messages; nothing of it
 * ever reaches our standard output. */
static size_t on_body(char *data, size_t size, size_t count, void *user)
{
	struct net *net = user;
	struct net_response *r = net->response;
	size_t n = size * count, room = NET_BODY_KEEP - r->body_len;

	if (net->answer) {
		if (n > net->answer_max - net->answer->len) {
			net->answer_too_large = 1;
			return 0; /* libcurl stops with a write error */
		}
		buf_append(net->answer, data, n);
	}
	if (n > room)
		r->body_cut = 1;
	if (room) {
		size_t take = n < room ? n : room;
		memcpy(r->body + r->body_len, data, take);
		r->body_len += take;
		r->body[r->body_len] = '\0';
	}
	return n;
}

/* Retry-After: a number of seconds, or an HTTP date. */
static size_t on_header(char *data, size_t size, size_t count, void *user)
{
	struct net_response *r = ((struct net *)user)->response;
	size_t n = size * count;
	static const char name[] = "retry-after:";
	char value[128];
	size_t len;

	if (n <= sizeof name - 1 || strncasecmp(data, name, sizeof name - 1) != 0)
		return n;
	len = n - (sizeof name - 1);
	if (len >= sizeof value)
		return n;
	memcpy(value, data + sizeof name - 1, len);
	value[len] = '\0';
	value[strcspn(value, "\r\n")] = '\0';
	{
		char *p = value + strspn(value, " \t"), *end;
		long seconds = strtol(p, &end, 10);
		if (end != p && *end == '\0' && seconds >= 0) {
			r->retry_after = seconds;
		} else {
			time_t when = curl.getdate(p, NULL);
			if (when != (time_t)-1)
				r->retry_after = when > time(NULL) ? (long)(when - time(NULL)) : 0;
		}
	}
	return n;
}

struct net *net_open(const struct net_options *o)
{
	struct net *net;

	load_libcurl();
	net = xmalloc(sizeof *net);
	memset(net, 0, sizeof *net);
	net->easy = curl.easy_init();
	if (!net->easy)
		die(EX_SOFTWARE, "cannot start libcurl");
	net->headers = curl.slist_append(NULL, "Content-Type: application/json");
	net->headers = curl.slist_append(net->headers, "User-Agent: ascbell/" ASCBELL_VERSION);
	/* No "Expect: 100-continue" round trip before larger bodies. */
	net->headers = curl.slist_append(net->headers, "Expect:");

	curl.easy_setopt(net->easy, CURLOPT_HTTPHEADER, net->headers);
	curl.easy_setopt(net->easy, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(net->easy, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl.easy_setopt(net->easy, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl.easy_setopt(net->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl.easy_setopt(net->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(net->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl.easy_setopt(net->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl.easy_setopt(net->easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (o->cacert)
		curl.easy_setopt(net->easy, CURLOPT_CAINFO, o->cacert);
	/* A proxy from the environment must not see local sinks, nor the token of anything. */
	curl.easy_setopt(net->easy, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl.easy_setopt(net->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl.easy_setopt(net->easy, CURLOPT_ERRORBUFFER, net->errbuf);
	curl.easy_setopt(net->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(net->easy, CURLOPT_WRITEDATA, net);
	curl.easy_setopt(net->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(net->easy, CURLOPT_HEADERDATA, net);
	return net;
}

void net_close(struct net *net)
{
	if (!net)
		return;
	curl.easy_cleanup(net->easy);
	curl.slist_free_all(net->headers);
	free(net);
}

/* Errors after which a new attempt cannot succeed. */
static int is_fatal(CURLcode code)
{
	switch (code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_OUT_OF_MEMORY:
		return 1;
	default:
		return 0;
	}
}

enum net_result net_request(struct net *net, const char *method, const char *url,
			    const char *const *headers, const char *body, size_t len,
			    struct buf *answer, size_t max, struct net_response *r)
{
	struct curl_slist *request_headers = NULL, *h;
	CURLcode code;
	long new_connections = 0;

	memset(r, 0, sizeof *r);
	r->retry_after = -1;
	net->response = r;
	net->answer = answer;
	net->answer_max = max;
	net->answer_too_large = 0;
	net->errbuf[0] = '\0';
	/* This request's headers: ours, then the caller's. */
	for (h = net->headers; h; h = h->next)
		request_headers = curl.slist_append(request_headers, h->data);
	for (; headers && *headers; headers++)
		request_headers = curl.slist_append(request_headers, *headers);
	curl.easy_setopt(net->easy, CURLOPT_HTTPHEADER, request_headers);
	curl.easy_setopt(net->easy, CURLOPT_URL, url);
	/* Plain http only ever goes to loopback (net_url_allowed), and no proxy from the
	 * environment may see it: NOPROXY lists names, not every spelling of 127.0.0.0/8. */
	curl.easy_setopt(net->easy, CURLOPT_PROXY, strncasecmp(url, "https://", 8) ? "" : (char *)NULL);
	/* The handle is reused: every request sets its method from scratch. */
	curl.easy_setopt(net->easy, CURLOPT_HTTPGET, 1L);
	curl.easy_setopt(net->easy, CURLOPT_CUSTOMREQUEST, (char *)NULL);
	if (body) {
		curl.easy_setopt(net->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl.easy_setopt(net->easy, CURLOPT_POSTFIELDS, body);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl.easy_setopt(net->easy, CURLOPT_CUSTOMREQUEST, method);
	code = curl.easy_perform(net->easy);
	if (curl.easy_getinfo(net->easy, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK)
		net->connections += new_connections;
	curl.easy_setopt(net->easy, CURLOPT_HTTPHEADER, net->headers);
	curl.slist_free_all(request_headers);
	net->response = NULL;
	net->answer = NULL;
	if (code == CURLE_OK) {
		curl.easy_getinfo(net->easy, CURLINFO_RESPONSE_CODE, &r->status);
		return NET_ANSWERED;
	}
	if (net->answer_too_large) {
		snprintf(r->error, sizeof r->error, "answer larger than %zu bytes", max);
		return NET_FATAL;
	}
	snprintf(r->error, sizeof r->error, "%s",
		 net->errbuf[0] ? net->errbuf : curl.easy_strerror(code));
	return is_fatal(code) ? NET_FATAL : NET_TRANSIENT;
}

enum net_result net_post_json(struct net *net, const char *url, const char *body, size_t len,
			      struct net_response *r)
{
	return net_request(net, "POST", url, NULL, body, len, NULL, 0, r);
}

void net_set_timeout(struct net *net, long timeout_ms)
{
	curl.easy_setopt(net->easy, CURLOPT_TIMEOUT_MS, timeout_ms > 1 ? timeout_ms : 1L);
}

long net_connections(struct net *net)
{
	return net->connections;
}

/* Whether plain http to host keeps the request on this machine. The name is not enough
 * ("127.attacker.example" is anyone's): only what can only mean a loopback address passes,
 * an IPv4 literal in 127.0.0.0/8 (libcurl has already turned "127.1" and "0x7f.1" into
 * dotted quads, and connects to exactly that), the IPv6 literal ::1, and "localhost",
 * which libcurl (7.78 and later) resolves to 127.0.0.1 and ::1 itself, without asking DNS
 * or /etc/hosts. Every other name could resolve anywhere, so it is refused before any
 * lookup rather than checked after one. */
static int is_loopback(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;
	char literal[INET6_ADDRSTRLEN + 1];
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	/* "[::1]", with a zone ("[::1%25lo]") cut off. */
	if (len < 3 || host[0] != '[' || host[len - 1] != ']')
		return 0;
	len = strcspn(host + 1, "%]");
	if (len >= sizeof literal)
		return 0;
	memcpy(literal, host + 1, len);
	literal[len] = '\0';
	return inet_pton(AF_INET6, literal, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

int net_url_allowed(struct net *net, const char *url, char *why, size_t why_size)
{
	CURLU *u = curl.url();
	char *scheme = NULL, *host = NULL;
	int ok = -1;

	(void)net;
	if (!u)
		die(EX_SOFTWARE, "out of memory");
	if (curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		snprintf(why, why_size, "not a URL");
	else if (strcmp(scheme, "https") == 0)
		ok = 0;
	else if (strcmp(scheme, "http") == 0 && is_loopback(host))
		ok = 0;
	else if (strcmp(scheme, "http") == 0)
		snprintf(why, why_size, "plain http only to a loopback host; use https");
	else
		snprintf(why, why_size, "only https (and http to loopback) URLs");
	curl.free(scheme);
	curl.free(host);
	curl.url_cleanup(u);
	return ok;
}
