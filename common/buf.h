/* buf: a growable byte buffer, and bounded reads into one. */
#ifndef ASCBELL_BUF_H
#define ASCBELL_BUF_H

#include <stddef.h>
#include <stdio.h>

struct buf {
	char *data; /* always NUL-terminated after the first append, for convenience */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_append(struct buf *b, const void *bytes, size_t n);
/* printf into the buffer, whole (no truncation). */
void buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(struct buf *b);
void buf_free(struct buf *b);

enum read_result {
	READ_OK,        /* all of the input is in the buffer */
	READ_TOO_LARGE, /* more than the limit was offered; reading stopped at limit + 1 */
	READ_ERROR      /* errno says why */
};

/* Appends everything from f to b, but never more than limit bytes: a stream that goes on
 * past the limit is left unread beyond one extra byte. */
enum read_result buf_read_all(struct buf *b, FILE *f, size_t limit);

/* Reads a whole file of configuration (a jq program, templates) into b, or exits: 66 when
 * it cannot be opened, 64 when it is over limit bytes, 74 on a read error. what names it in
 * the message ("template file"). */
void buf_read_config(struct buf *b, const char *path, size_t limit, const char *what);

#endif
