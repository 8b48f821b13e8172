/* lines: reading a stream a line at a time, with a cap on the line length. */
#include "lines.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

void line_reader_init(struct line_reader *r, int fd, size_t max_line)
{
	r->fd = fd;
	r->source = NULL;
	r->source_left = 0;
	r->max_line = max_line;
	r->pos = r->len = 0;
	r->line = (struct buf)BUF_INIT;
	r->number = 0;
	r->on_idle = NULL;
	r->idle_ctx = NULL;
}

void line_reader_init_buffer(struct line_reader *r, const char *data, size_t len, size_t max_line)
{
	line_reader_init(r, -1, max_line);
	r->source = data;
	r->source_left = len;
}

void line_reader_free(struct line_reader *r)
{
	buf_free(&r->line);
}

/* Refills the chunk: 1 with data, 0 at end of input, -1 on error. */
static int refill(struct line_reader *r)
{
	if (r->fd < 0) {
		size_t n = r->source_left < sizeof r->chunk ? r->source_left : sizeof r->chunk;
		memcpy(r->chunk, r->source, n);
		r->source += n;
		r->source_left -= n;
		r->pos = 0;
		r->len = n;
		return n > 0;
	}
	if (r->on_idle) {
		/* One poll per chunk, not per line: a stream that keeps coming costs nothing. */
		struct pollfd pfd = {r->fd, POLLIN, 0};
		if (poll(&pfd, 1, 0) == 0)
			r->on_idle(r->idle_ctx);
	}
	for (;;) {
		ssize_t got = read(r->fd, r->chunk, sizeof r->chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		r->pos = 0;
		r->len = (size_t)got;
		return got > 0;
	}
}

enum line_result line_read(struct line_reader *r)
{
	int too_long = 0;

	buf_clear(&r->line);
	for (;;) {
		const char *start, *nl;
		size_t n;

		if (r->pos == r->len) {
			int more = refill(r);
			if (more < 0)
				return LINE_ERROR;
			if (more == 0) {
				if (r->line.len == 0 && !too_long)
					return LINE_EOF;
				r->number++;
				return too_long ? LINE_TOO_LONG : LINE_OK;
			}
		}
		start = r->chunk + r->pos;
		nl = memchr(start, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - start) + 1 : r->len - r->pos;
		r->pos += n;
		/* Past the cap the line is only skipped, never stored. */
		if (!too_long && r->line.len + n > r->max_line) {
			too_long = 1;
			buf_clear(&r->line);
		}
		if (!too_long)
			buf_append(&r->line, start, n);
		if (nl) {
			r->number++;
			return too_long ? LINE_TOO_LONG : LINE_OK;
		}
	}
}
