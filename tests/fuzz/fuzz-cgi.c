/* fuzz-cgi: common/cgi.c, a request from a CGI server (asc-http --cgi): the environment
 * and standard input rebuilt into the HTTP request asc-http would have read, then the
 * inherited HTTP_* variables cleared before the handler's are set.
 *
 * Input: the environment, one NAME=VALUE a line, then FUZZ_SEPARATOR, then standard input.
 * The process's environment is pointed at the input's own array (setenv would keep every
 * value it was ever given, and the fuzzer would run out of memory). Beyond memory errors:
 * a whole request keeps within the body limit, and after cgi_clear_environment no HTTP_*
 * variable is left. */
#include "fuzz.h"

#include <fcntl.h>

#include "cgi.h"
#include "known.h"

extern char **environ;

#define MAX_VARIABLES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits limits = {HTTP_DEFAULT_MAX_HEADER_BYTES, HTTP_DEFAULT_MAX_HEADERS,
				     HTTP_DEFAULT_MAX_BODY};
	struct fuzz_parts parts = {(const char *)data, (const char *)data + size};
	char *variables[MAX_VARIABLES + 1], **saved = environ, *text, *line, *save = NULL;
	const char *part, *body = "";
	size_t len, body_len = 0, count = 0, i;
	struct http_request req;
	struct buf raw = BUF_INIT;
	enum http_state state;
	int fd;

	if (!fuzz_next_part(&parts, &part, &len))
		return 0;
	text = fuzz_string((const uint8_t *)part, len);
	if (fuzz_next_part(&parts, &body, &body_len) == 0)
		body = "";
	for (line = strtok_r(text, "\n", &save); line && count < MAX_VARIABLES;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strchr(line, '='))
			continue;
		variables[count++] = line;
	}
	variables[count] = NULL;
	fd = fuzz_fd(body, body_len);
	if (dup2(fd, STDIN_FILENO) != STDIN_FILENO)
		abort();
	close(fd);

	environ = variables;
	http_request_init(&req, &limits);
	state = cgi_read_request(&req, &raw);
	if (state == HTTP_DONE && req.body.len > limits.max_body)
		abort();
	(void)http_request_header(&req, "x-apple-signature");
	cgi_clear_environment();
	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "HTTP_", 5) == 0)
			abort();
	environ = saved;

	http_request_free(&req);
	buf_free(&raw);
	free(text);
	return 0;
}
