/* The HTTP request reader on its own: the limits and the stop after the headers, which
 * asc-verify's command line cannot show, and the piecewise callbacks of http-parser. */
#include <string.h>

#include "http.h"
#include "tap.h"

static const struct http_limits defaults = {HTTP_DEFAULT_MAX_HEADER_BYTES,
					    HTTP_DEFAULT_MAX_HEADERS, HTTP_DEFAULT_MAX_BODY};

/* Feeds text in pieces of `step` bytes (0: all at once), resuming after the headers. */
static enum http_state feed_all(struct http_request *req, const char *text, size_t step)
{
	size_t len = strlen(text), offset = 0;
	enum http_state state = HTTP_NEED_MORE;

	while (offset < len) {
		size_t piece = step && step < len - offset ? step : len - offset, used;
		state = http_request_feed(req, text + offset, piece, &used);
		if (state != HTTP_NEED_MORE && state != HTTP_HEADERS_DONE)
			return state;
		offset += used;
	}
	return http_request_eof(req);
}

static const char chunked[] =
	"POST /asc/hook?x=1 HTTP/1.1\r\n"
	"Host: example\r\n"
	"X-Empty:\r\n"
	"X-Apple-Signature: hmacsha256=ab\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n";

static void test_pieces(void)
{
	size_t step;
	int all_equal = 1;

	/* One byte at a time makes http-parser split every name and value. */
	for (step = 0; step <= 7; step++) {
		struct http_request req;
		http_request_init(&req, &defaults);
		if (feed_all(&req, chunked, step) != HTTP_DONE || req.header_count != 4 ||
		    strcmp(req.url.data, "/asc/hook?x=1") != 0 || strcmp(req.method, "POST") != 0 ||
		    strcmp(req.body.data, "Hello, World!") != 0 || !req.chunked ||
		    strcmp(http_request_header(&req, "x-apple-signature"), "hmacsha256=ab") != 0 ||
		    strcmp(http_request_header(&req, "X-EMPTY"), "") != 0 ||
		    strcmp(http_request_header(&req, "host"), "example") != 0)
			all_equal = 0;
		http_request_free(&req);
	}
	TAP_CHECK(all_equal, "the same request whether fed whole or 1 to 7 bytes at a time");
}

static void test_stops_after_headers(void)
{
	const char text[] = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
	struct http_request req;
	size_t used;
	enum http_state state;

	http_request_init(&req, &defaults);
	state = http_request_feed(&req, text, sizeof text - 1, &used);
	TAP_CHECK(state == HTTP_HEADERS_DONE, "the feed stops once the headers are in");
	TAP_CHECK(req.body.len == 0 && used < sizeof text - 1 - 4, "no body byte taken yet");
	state = http_request_feed(&req, text + used, sizeof text - 1 - used, &used);
	TAP_CHECK(state == HTTP_DONE && req.body.len == 5, "feeding the rest completes it");
	http_request_free(&req);
}

static void test_trailing_bytes_not_taken(void)
{
	const char text[] = "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\n\r\n";
	struct http_request req;
	size_t used, offset = 0;
	enum http_state state;

	http_request_init(&req, &defaults);
	do {
		state = http_request_feed(&req, text + offset, sizeof text - 1 - offset, &used);
		offset += used;
	} while (state == HTTP_HEADERS_DONE);
	TAP_CHECK(state == HTTP_DONE && offset == strlen("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"),
		  "bytes after the request are left for the caller");
	http_request_free(&req);
}

static void test_limits(void)
{
	struct http_request req;
	struct http_limits small = {64, 3, 4};

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nX-Long: 0123456789012345678901234567890123456789"
				 "012345678901234567890123456789\r\n\r\n", 0) == HTTP_ERR_HEADERS_TOO_LARGE,
		  "headers over max_header_bytes");
	http_request_free(&req);

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 0) ==
			  HTTP_ERR_TOO_MANY_HEADERS,
		  "more headers than max_headers");
	http_request_free(&req);

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 0) == HTTP_DONE,
		  "exactly max_headers is fine");
	http_request_free(&req);

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 0) ==
			  HTTP_ERR_BODY_TOO_LARGE,
		  "a declared length over max_body, before any body byte");
	http_request_free(&req);

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 0) == HTTP_ERR_BODY_TOO_LARGE,
		  "chunks adding up to more than max_body");
	http_request_free(&req);

	http_request_init(&req, &small);
	TAP_CHECK(feed_all(&req, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", 0) == HTTP_DONE &&
			  req.body.len == 4,
		  "a body exactly at max_body");
	http_request_free(&req);
}

static void test_bad_input(void)
{
	static const struct {
		const char *text;
		enum http_state expected;
		const char *what;
	} cases[] = {
		{"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", HTTP_ERR_TRUNCATED, "body cut short"},
		{"POST / HTTP/1.1\r\nHost: x", HTTP_ERR_TRUNCATED, "headers cut short"},
		{"", HTTP_ERR_TRUNCATED, "nothing at all"},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", HTTP_ERR_TRUNCATED,
		 "chunk cut short"},
		{"HELLO\r\n\r\n", HTTP_ERR_MALFORMED, "not a method"},
		{"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", HTTP_ERR_MALFORMED, "non-numeric length"},
		{"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", HTTP_ERR_MALFORMED,
		 "two lengths"},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", HTTP_ERR_MALFORMED,
		 "bad chunk size"},
		{"POST / HTTP/1.1\r\nNoColon\r\n\r\n", HTTP_ERR_MALFORMED, "a header line without a colon"},
		{"POST / HTTP/1.1\r\nA\x01: 1\r\n\r\n", HTTP_ERR_MALFORMED, "a control byte in a name"},
		{"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		 HTTP_ERR_MALFORMED, "both a length and chunked (request smuggling)"},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_request req;
		http_request_init(&req, &defaults);
		TAP_CHECK(feed_all(&req, cases[i].text, 0) == cases[i].expected, cases[i].what);
		http_request_free(&req);
	}
}

static void test_no_body(void)
{
	struct http_request req;

	http_request_init(&req, &defaults);
	TAP_CHECK(feed_all(&req, "GET /healthz HTTP/1.0\n\n", 0) == HTTP_DONE && req.body.len == 0 &&
			  strcmp(req.method, "GET") == 0 && !http_request_header(&req, "host"),
		  "a GET without headers, bare LF");
	http_request_free(&req);
}

int main(void)
{
	test_pieces();
	test_stops_after_headers();
	test_trailing_bytes_not_taken();
	test_limits();
	test_bad_input();
	test_no_body();
	return tap_done();
}
