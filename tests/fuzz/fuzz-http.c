/* fuzz-http: common/http.c, one HTTP/1.x request as asc-http reads it from the network.
 *
 * The first byte chooses how the bytes arrive (in pieces of 1 to 64 bytes, or all at
 * once) and whether the limits are the defaults or small ones, so the limit checks meet
 * input of every size; the rest is the request. Checks beyond "no memory error": every
 * call takes at least one byte or says why not, and what was collected stays within the
 * limits. */
#include "fuzz.h"

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits limits = {HTTP_DEFAULT_MAX_HEADER_BYTES, HTTP_DEFAULT_MAX_HEADERS,
				     HTTP_DEFAULT_MAX_BODY};
	struct http_request req;
	enum http_state state = HTTP_NEED_MORE;
	size_t piece, offset = 0, used, i;
	const char *text;

	if (size < 1)
		return 0;
	piece = data[0] & 0x3f ? (size_t)(data[0] & 0x3f) : size;
	if (data[0] & 0x40) {
		limits.max_header_bytes = 128;
		limits.max_headers = 4;
		limits.max_body = 16;
	}
	data++;
	size--;
	http_request_init(&req, &limits);
	while (offset < size) {
		size_t n = size - offset < piece ? size - offset : piece;
		state = http_request_feed(&req, (const char *)data + offset, n, &used);
		if (used > n)
			abort();
		offset += used;
		if (state == HTTP_NEED_MORE || state == HTTP_HEADERS_DONE) {
			/* Everything offered must be taken while the request goes on. */
			if (used == 0 && state == HTTP_NEED_MORE)
				abort();
			continue;
		}
		break;
	}
	if (offset >= size && (state == HTTP_NEED_MORE || state == HTTP_HEADERS_DONE))
		state = http_request_eof(&req);
	if (req.header_count > limits.max_headers || req.header_bytes > limits.max_header_bytes)
		abort();
	if (state == HTTP_DONE && req.body.len > limits.max_body)
		abort();
	text = http_state_text(&req);
	if (!text)
		abort();
	/* Lookups walk every header the parser kept. */
	(void)http_request_header(&req, "x-apple-signature");
	(void)http_request_header(&req, "content-length");
	for (i = 0; i < req.header_count; i++)
		if (req.headers[i].name.data &&
		    http_request_header(&req, req.headers[i].name.data) == NULL)
			abort();
	http_request_free(&req);
	return 0;
}
