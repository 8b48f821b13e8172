/* lines: reading a stream a line at a time, with a cap on the line length, using read(2)
 * so a line is handed over as soon as it arrives (a pipe from a live receiver). */
#ifndef ASCBELL_LINES_H
#define ASCBELL_LINES_H

#include <stddef.h>

#include "buf.h"

enum line_result {
	LINE_OK,       /* a line (with its newline, unless it is the last one and has none) */
	LINE_TOO_LONG, /* longer than the cap; the rest of it was read and thrown away */
	LINE_EOF,
	LINE_ERROR     /* errno says why */
};

struct line_reader {
	int fd;            /* -1: the lines come from source instead */
	const char *source;
	size_t source_left;
	size_t max_line;
	char chunk[65536];
	size_t pos, len; /* the unread part of chunk */
	struct buf line;
	unsigned long number; /* of the line last returned, from 1 */
	/* Called (when set) before a read that would wait: nothing more has arrived yet. */
	void (*on_idle)(void *ctx);
	void *idle_ctx;
};

void line_reader_init(struct line_reader *r, int fd, size_t max_line);

/* The same over len bytes in memory (borrowed: they must outlive the reader). */
void line_reader_init_buffer(struct line_reader *r, const char *data, size_t len, size_t max_line);
void line_reader_free(struct line_reader *r);

/* The next line in r->line. */
enum line_result line_read(struct line_reader *r);

#endif
