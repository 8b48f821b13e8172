/* http: one HTTP/1.x request read on http-parser, with limits on every part. */
#include "http.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

static struct http_request *request_of(http_parser *p)
{
	return p->data;
}

/* Stops the parser with our own reason; http-parser then reports a callback error. */
static int fail(struct http_request *req, enum http_state why)
{
	req->state = why;
	return -1;
}

/* The request line and headers share one byte budget. */
static int count_header_bytes(struct http_request *req, size_t len)
{
	if (len > req->limits.max_header_bytes - req->header_bytes)
		return fail(req, HTTP_ERR_HEADERS_TOO_LARGE);
	req->header_bytes += len;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http_request *req = request_of(p);
	if (count_header_bytes(req, len))
		return -1;
	buf_append(&req->url, at, len);
	return 0;
}

/* http-parser may hand over a name or a value in pieces (when it spans two reads), so a
 * new header starts only when a name follows a value. */
static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http_request *req = request_of(p);
	if (count_header_bytes(req, len))
		return -1;
	if (req->header_count == 0 || req->in_header_value) {
		if (req->header_count == req->limits.max_headers)
			return fail(req, HTTP_ERR_TOO_MANY_HEADERS);
		req->headers = xrealloc(req->headers, (req->header_count + 1) * sizeof *req->headers);
		req->headers[req->header_count++] = (struct http_header){BUF_INIT, BUF_INIT};
		req->in_header_value = 0;
	}
	buf_append(&req->headers[req->header_count - 1].name, at, len);
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_request *req = request_of(p);
	if (count_header_bytes(req, len))
		return -1;
	req->in_header_value = 1;
	buf_append(&req->headers[req->header_count - 1].value, at, len);
	return 0;
}

/* The transfer codings of every Transfer-Encoding line, in order, as RFC 9112 6.1 reads
 * them: chunked must come last (6.3: else the length cannot be known, 400), once, and is
 * the only one we decode (any other, gzip say, is 501). http-parser takes "chunked,
 * identity" as no framing at all, and "gzip, chunked" as chunked with gzip ignored. */
static int check_transfer_codings(struct http_request *req, int parser_chunked)
{
	size_t i, lines = 0, codings = 0, chunked_before = 0;
	int last_chunked = 0;

	for (i = 0; i < req->header_count; i++) {
		const struct buf *name = &req->headers[i].name, *value = &req->headers[i].value;
		size_t at = 0;

		if (name->len != 17 || strncasecmp(name->data, "transfer-encoding", 17) != 0)
			continue;
		lines++;
		while (at < value->len) {
			size_t start, end;
			while (at < value->len && (value->data[at] == ' ' || value->data[at] == '\t'))
				at++;
			start = at;
			while (at < value->len && value->data[at] != ',')
				at++;
			end = at++;
			while (end > start && (value->data[end - 1] == ' ' || value->data[end - 1] == '\t'))
				end--;
			if (end == start)
				continue; /* an empty list element: allowed, and nothing */
			chunked_before += last_chunked;
			codings++;
			last_chunked = end - start == 7 && strncasecmp(value->data + start, "chunked", 7) == 0;
		}
	}
	if (lines == 0)
		return 0;
	if (!last_chunked) {
		req->parse_error = "Transfer-Encoding does not end in chunked: the length is unknown";
		return fail(req, HTTP_ERR_MALFORMED);
	}
	if (chunked_before) {
		req->parse_error = "chunked applied more than once";
		return fail(req, HTTP_ERR_MALFORMED);
	}
	if (codings > 1)
		return fail(req, HTTP_ERR_NOT_IMPLEMENTED);
	/* Whatever http-parser frames the body by, it must be what was just read. */
	if (!parser_chunked) {
		req->parse_error = "Transfer-Encoding not understood";
		return fail(req, HTTP_ERR_MALFORMED);
	}
	return 0;
}

/* A chunk's size comes before its bytes: one over what is left of the budget is refused at
 * once (413), rather than waited for until the timeout (a size of 2^63 fits http-parser's
 * counter). */
static int on_chunk_header(http_parser *p)
{
	struct http_request *req = request_of(p);

	if (p->content_length > (uint64_t)(req->limits.max_body - req->body.len))
		return fail(req, HTTP_ERR_BODY_TOO_LARGE);
	return 0;
}

static int on_headers_complete(http_parser *p)
{
	struct http_request *req = request_of(p);

	req->method = http_method_str((enum http_method)p->method);
	if (check_transfer_codings(req, (p->flags & F_CHUNKED) != 0))
		return -1;
	req->chunked = (p->flags & F_CHUNKED) != 0;
	req->has_length = p->content_length != ULLONG_MAX;
	/* A declared length over the limit is refused before a byte of the body is read.
	 * http-parser sets content_length to ULLONG_MAX when there is none. */
	if (!req->chunked && p->content_length != ULLONG_MAX &&
	    p->content_length > (uint64_t)req->limits.max_body)
		return fail(req, HTTP_ERR_BODY_TOO_LARGE);
	req->state = HTTP_HEADERS_DONE;
	http_parser_pause(p, 1);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http_request *req = request_of(p);
	if (len > req->limits.max_body - req->body.len)
		return fail(req, HTTP_ERR_BODY_TOO_LARGE);
	buf_append(&req->body, at, len);
	return 0;
}

static int on_message_complete(http_parser *p)
{
	request_of(p)->state = HTTP_DONE;
	/* Whatever follows is not this request's. */
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_chunk_header = on_chunk_header,
	.on_message_complete = on_message_complete,
};

void http_request_init(struct http_request *req, const struct http_limits *limits)
{
	memset(req, 0, sizeof *req);
	req->limits = *limits;
	req->state = HTTP_NEED_MORE;
	http_parser_init(&req->parser, HTTP_REQUEST);
	req->parser.data = req;
}

void http_request_free(struct http_request *req)
{
	size_t i;

	for (i = 0; i < req->header_count; i++) {
		buf_free(&req->headers[i].name);
		buf_free(&req->headers[i].value);
	}
	free(req->headers);
	buf_free(&req->url);
	buf_free(&req->body);
	req->headers = NULL;
	req->header_count = 0;
}

static int is_error(enum http_state state)
{
	return state >= HTTP_ERR_MALFORMED;
}

enum http_state http_request_feed(struct http_request *req, const char *data, size_t len,
				  size_t *used)
{
	enum http_errno err;

	*used = 0;
	if (is_error(req->state) || req->state == HTTP_DONE)
		return req->state;
	/* Coming back after HTTP_HEADERS_DONE: the parser is still paused there. */
	http_parser_pause(&req->parser, 0);
	if (req->state == HTTP_HEADERS_DONE)
		req->state = HTTP_NEED_MORE;

	*used = http_parser_execute(&req->parser, &settings, data, len);
	err = HTTP_PARSER_ERRNO(&req->parser);
	if (err == HPE_OK || err == HPE_PAUSED)
		return req->state;
	if (!is_error(req->state)) {
		req->state = HTTP_ERR_MALFORMED;
		req->parse_error = http_errno_description(err);
	}
	return req->state;
}

enum http_state http_request_eof(struct http_request *req)
{
	size_t used;

	if (is_error(req->state) || req->state == HTTP_DONE)
		return req->state;
	/* A zero-length execute tells http-parser the input ended. It completes nothing for a
	 * request (no body without a declared length), so anything unfinished is cut short. */
	http_request_feed(req, NULL, 0, &used);
	if (req->state != HTTP_DONE)
		req->state = HTTP_ERR_TRUNCATED;
	return req->state;
}

enum http_state http_request_read(struct http_request *req, int fd)
{
	char chunk[16384];

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof chunk);
		size_t offset = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return req->state = HTTP_ERR_TRUNCATED;
		if (got == 0)
			return http_request_eof(req);
		while (offset < (size_t)got) {
			size_t used;
			enum http_state state = http_request_feed(req, chunk + offset,
								  (size_t)got - offset, &used);
			if (state != HTTP_NEED_MORE && state != HTTP_HEADERS_DONE)
				return state;
			offset += used;
		}
	}
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	size_t i, name_len = strlen(name);

	for (i = 0; i < req->header_count; i++) {
		const struct http_header *h = &req->headers[i];
		if (h->name.len == name_len && strncasecmp(h->name.data, name, name_len) == 0)
			return h->value.data ? h->value.data : "";
	}
	return NULL;
}

const char *http_state_text(const struct http_request *req)
{
	switch (req->state) {
	case HTTP_NEED_MORE: return "request incomplete";
	case HTTP_HEADERS_DONE: return "headers read";
	case HTTP_DONE: return "request complete";
	case HTTP_ERR_MALFORMED: return req->parse_error ? req->parse_error : "malformed request";
	case HTTP_ERR_HEADERS_TOO_LARGE: return "request headers too large";
	case HTTP_ERR_TOO_MANY_HEADERS: return "too many request headers";
	case HTTP_ERR_BODY_TOO_LARGE: return "request body too large";
	case HTTP_ERR_TRUNCATED: return "request cut short";
	case HTTP_ERR_NOT_IMPLEMENTED: return "a transfer coding other than chunked";
	}
	return "unknown state";
}
