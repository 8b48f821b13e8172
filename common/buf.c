/* buf: a growable byte buffer, and bounded reads into one. */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		die(EX_SOFTWARE, "buffer size overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const void *bytes, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap, again;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

enum read_result buf_read_all(struct buf *b, FILE *f, size_t limit)
{
	size_t start = b->len;
	char chunk[65536];

	for (;;) {
		size_t room = limit - (b->len - start);
		/* Ask for one byte beyond the limit, so "exactly at the limit" and "over it"
		 * can be told apart without reading any further. */
		size_t want = room < sizeof chunk ? room + 1 : sizeof chunk;
		size_t got = fread(chunk, 1, want, f);
		if (got > room) {
			buf_append(b, chunk, room);
			return READ_TOO_LARGE;
		}
		buf_append(b, chunk, got);
		if (got < want) {
			if (ferror(f))
				return READ_ERROR;
			return READ_OK;
		}
	}
}

void buf_read_config(struct buf *b, const char *path, size_t limit, const char *what)
{
	FILE *f = fopen(path, "r");
	enum read_result result;

	if (!f)
		die(EX_NOINPUT, "cannot open %s %s: %s", what, path, strerror(errno));
	result = buf_read_all(b, f, limit);
	fclose(f);
	if (result == READ_TOO_LARGE)
		die(EX_USAGE, "cannot read %s %s: larger than %zu bytes", what, path, limit);
	if (result == READ_ERROR)
		die(EX_IOERR, "cannot read %s %s: %s", what, path, strerror(errno));
	buf_append(b, "", 0); /* text.data is a string even for an empty file */
}
