/* cgi: the request in a CGI handler's environment, and a request from a CGI server. */
#include "cgi.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reqenv.h"
#include "util.h"

extern char **environ;

void cgi_clear_environment(void)
{
	size_t from, to = 0;

	/* The entries are dropped from environ itself rather than by name with unsetenv: a
	 * fixed name buffer let a long name stay, and unsetenv cannot remove an inherited
	 * entry without '=' (execve allows one). Only pointers move; the strings stay. */
	for (from = 0; environ[from]; from++)
		if (strncmp(environ[from], "HTTP_", 5) != 0)
			environ[to++] = environ[from];
	environ[to] = NULL;
}

/* "X-Apple-Signature" -> "HTTP_X_APPLE_SIGNATURE"; 0 when the name is not a plain token. */
static int variable_name(const char *header, size_t len, char *out, size_t size)
{
	size_t i;

	if (len == 0 || len + 6 > size)
		return 0;
	memcpy(out, "HTTP_", 5);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)header[i];
		if (c == '-')
			out[5 + i] = '_';
		else if (isalnum(c))
			out[5 + i] = (char)toupper(c);
		else
			return 0;
	}
	out[5 + len] = '\0';
	return 1;
}

void cgi_set_environment(const struct http_request *req, const char *path_info,
			 const char *query, const char *remote_addr, const char *remote_port)
{
	const char *type = http_request_header(req, "content-type");
	char length[32], name[300];
	size_t i;

	snprintf(length, sizeof length, "%zu", req->body.len);
	reqenv_set("GATEWAY_INTERFACE", "CGI/1.1");
	reqenv_set("REQUEST_METHOD", req->method ? req->method : "");
	reqenv_set("PATH_INFO", path_info);
	reqenv_set("QUERY_STRING", query);
	reqenv_set("CONTENT_LENGTH", length);
	if (type)
		reqenv_set("CONTENT_TYPE", type);
	else
		reqenv_unset("CONTENT_TYPE");
	reqenv_set("REMOTE_ADDR", remote_addr);
	reqenv_set("REMOTE_PORT", remote_port);
	for (i = 0; i < req->header_count; i++) {
		const struct http_header *h = &req->headers[i];
		if (!variable_name(h->name.data, h->name.len, name, sizeof name))
			continue;
		if (!strcmp(name, "HTTP_PROXY") || !strcmp(name, "HTTP_CONTENT_LENGTH") ||
		    !strcmp(name, "HTTP_CONTENT_TYPE"))
			continue;
		/* The first of repeated headers wins, as http_request_header does. */
		if (!getenv(name))
			reqenv_set(name, h->value.data ? h->value.data : "");
	}
}

/* Variables a CGI server sets from headers it has already acted on: it read the body by
 * its own framing (decoding a chunked one) and passes the result as CONTENT_LENGTH and
 * CONTENT_TYPE. nginx and lighttpd pass HTTP_CONTENT_LENGTH as well, nginx
 * HTTP_CONTENT_TYPE and HTTP_TRANSFER_ENCODING too: rebuilt as headers beside ours they
 * would make a request with two lengths, or a "chunked" body that is not. */
static int framing_variable(const char *entry)
{
	static const char *const names[] = {"HTTP_CONTENT_LENGTH=", "HTTP_CONTENT_TYPE=",
					    "HTTP_TRANSFER_ENCODING="};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(entry, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

/* Appends "Name: value\r\n" for a CGI variable HTTP_X_NAME. */
static void append_header_from(struct buf *raw, const char *entry)
{
	const char *eq = strchr(entry, '=');
	const char *p;

	if (!eq || framing_variable(entry))
		return;
	for (p = entry + 5; p < eq; p++) {
		char c = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
		buf_append(raw, &c, 1);
	}
	buf_append(raw, ": ", 2);
	buf_append(raw, eq + 1, strlen(eq + 1));
	buf_append(raw, "\r\n", 2);
}

/* A byte that may stand as it is in a request target (RFC 3986 pchar, "/" and "?"). */
static int target_byte(unsigned char c)
{
	return isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/?", c));
}

/* REQUEST_URI is the target as the client sent it, still percent-encoded: nginx,
 * lighttpd and Apache set it. Used only when it is one. */
static int usable_request_uri(const char *uri)
{
	const unsigned char *p = (const unsigned char *)uri;

	if (!uri || *uri != '/')
		return 0;
	for (; *p; p++)
		if (!target_byte(*p) && *p != '%')
			return 0;
	return 1;
}

/* PATH_INFO and SCRIPT_NAME come decoded ("/a b"): encoded again, they make a target. */
static void append_encoded(struct buf *raw, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[4];

	for (; *p; p++) {
		if (target_byte(*p) && *p != '?') {
			buf_append(raw, (const char *)p, 1);
		} else {
			snprintf(hex, sizeof hex, "%%%02X", *p);
			buf_append(raw, hex, 3);
		}
	}
}

/* The request target. RFC 3875 makes it SCRIPT_NAME + PATH_INFO, and that is what we use
 * when there is no REQUEST_URI; but servers differ in how they split the two (nginx's
 * fastcgi_params with "PATH_INFO $uri" gives the whole path in both), while REQUEST_URI
 * is the same everywhere and is what asc-http would have read from the network. */
static void append_target(struct buf *raw)
{
	const char *uri = getenv("REQUEST_URI");
	const char *path = getenv("PATH_INFO");
	const char *script = getenv("SCRIPT_NAME");
	const char *query = getenv("QUERY_STRING");

	if (usable_request_uri(uri)) {
		buf_append(raw, uri, strlen(uri));
		return;
	}
	if (script)
		append_encoded(raw, script);
	if (path)
		append_encoded(raw, path);
	if ((!script || !*script) && (!path || !*path))
		buf_append(raw, "/", 1);
	if (query && *query) {
		buf_append(raw, "?", 1);
		append_encoded(raw, query);
	}
}

enum http_state cgi_read_request(struct http_request *req, struct buf *raw)
{
	const char *method = getenv("REQUEST_METHOD");
	const char *length = getenv("CONTENT_LENGTH");
	const char *type = getenv("CONTENT_TYPE");
	char line[64];
	size_t i, used, offset = 0;
	enum http_state state;

	if (!method || !*method)
		return req->state = HTTP_ERR_MALFORMED;
	/* Rebuild the request as it came, so one parser (and its limits) serves both paths,
	 * and the spool holds a request that asc-verify --http and asc-replay can read. */
	buf_append(raw, method, strlen(method));
	buf_append(raw, " ", 1);
	append_target(raw);
	buf_append(raw, " HTTP/1.1\r\n", 11);
	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "HTTP_", 5) == 0)
			append_header_from(raw, environ[i]);
	if (type) {
		buf_append(raw, "Content-Type: ", 14);
		buf_append(raw, type, strlen(type));
		buf_append(raw, "\r\n", 2);
	}
	if (length && *length) {
		snprintf(line, sizeof line, "Content-Length: %s\r\n", length);
		buf_append(raw, line, strlen(line));
	}
	buf_append(raw, "\r\n", 2);

	/* Headers first: their limits and the declared length are checked before the body
	 * is read. */
	while (offset < raw->len) {
		state = http_request_feed(req, raw->data + offset, raw->len - offset, &used);
		offset += used;
		if (state != HTTP_NEED_MORE && state != HTTP_HEADERS_DONE)
			return state;
	}
	for (;;) {
		char chunk[16384];
		ssize_t n;

		if (req->state == HTTP_DONE)
			return HTTP_DONE;
		n = read(STDIN_FILENO, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return http_request_eof(req);
		buf_append(raw, chunk, (size_t)n);
		for (offset = 0; offset < (size_t)n;) {
			state = http_request_feed(req, chunk + offset, (size_t)n - offset, &used);
			offset += used;
			if (state != HTTP_NEED_MORE && state != HTTP_HEADERS_DONE)
				return state;
		}
	}
}
