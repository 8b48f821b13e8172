/* http: one HTTP/1.x request read on http-parser, with limits on every part.
 *
 * The grammar (request line, header folding, chunked bodies, CRLF or bare LF) is
 * http-parser's; this file adds limits, collects the parts into a struct, and stops after
 * the headers so a server can answer (403, 413, 100 Continue) before reading the body. */
#ifndef ASCBELL_HTTP_H
#define ASCBELL_HTTP_H

#include <http_parser.h>

#include "buf.h"

struct http_limits {
	size_t max_header_bytes; /* request line and headers together */
	size_t max_headers;
	size_t max_body; /* after chunked decoding */
};

#define HTTP_DEFAULT_MAX_HEADER_BYTES 16384
#define HTTP_DEFAULT_MAX_HEADERS 100
#define HTTP_DEFAULT_MAX_BODY (1024 * 1024)

struct http_header {
	struct buf name;
	struct buf value;
};

enum http_state {
	HTTP_NEED_MORE,          /* feed more bytes */
	HTTP_HEADERS_DONE,       /* the headers are in; feed the rest for the body */
	HTTP_DONE,               /* the whole request is in */
	HTTP_ERR_MALFORMED,      /* not HTTP/1.x as http-parser reads it */
	HTTP_ERR_HEADERS_TOO_LARGE,
	HTTP_ERR_TOO_MANY_HEADERS,
	HTTP_ERR_BODY_TOO_LARGE, /* declared or received body over max_body */
	HTTP_ERR_TRUNCATED,      /* the input ended before the request did */
	HTTP_ERR_NOT_IMPLEMENTED /* a transfer coding other than chunked (RFC 9112 6.1: 501) */
};

struct http_request {
	http_parser parser;
	struct http_limits limits;
	enum http_state state;
	const char *method; /* "POST", ... (static strings) */
	struct buf url;
	struct http_header *headers;
	size_t header_count;
	struct buf body;
	int chunked;
	int has_length; /* a Content-Length header was given */
	size_t header_bytes;
	int in_header_value; /* the last header callback was a value */
	const char *parse_error; /* http-parser's description, for HTTP_ERR_MALFORMED */
};

void http_request_init(struct http_request *req, const struct http_limits *limits);
void http_request_free(struct http_request *req);

/* Parses the next bytes. *used says how many were taken: after HTTP_HEADERS_DONE the rest
 * must be fed again; after HTTP_DONE the rest does not belong to this request. */
enum http_state http_request_feed(struct http_request *req, const char *data, size_t len,
				  size_t *used);

/* Tells the parser the input ended: HTTP_DONE when a request without a declared length is
 * now complete, HTTP_ERR_TRUNCATED when the request was cut short. */
enum http_state http_request_eof(struct http_request *req);

/* Reads one whole request from fd, stopping at its end or at the first error (a body over
 * the limit is not read on). Sets errno and returns HTTP_ERR_TRUNCATED on a read error. */
enum http_state http_request_read(struct http_request *req, int fd);

/* The first header with this name (any case), NUL-terminated; NULL when absent. */
const char *http_request_header(const struct http_request *req, const char *name);

/* A short description of a state, for messages. */
const char *http_state_text(const struct http_request *req);

#endif
