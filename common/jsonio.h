/* jsonio: JSON value streams in and JSON Lines out, with libjq's jv values.
 *
 * The reader takes any whitespace-separated sequence of JSON values, like jq, but is
 * stricter than jq where input comes from outside: text must be valid UTF-8 (jq would
 * quietly replace bad bytes), and one value may not exceed a byte limit. A bad value is
 * reported with its position and skipped; reading goes on at the next line that starts
 * with '{' or '[' in its first column, so the rest of a pretty-printed value that had to
 * be skipped is not reported line by line. */
#ifndef ASCBELL_JSONIO_H
#define ASCBELL_JSONIO_H

#include <jv.h>
#include <stdio.h>

#include "lines.h"

enum json_result {
	JSON_VALUE,     /* *out holds the next value */
	JSON_BAD,       /* a value was skipped; json_reader.error says where and why */
	JSON_EOF,
	JSON_READ_ERROR /* errno says why */
};

struct json_reader {
	struct line_reader lines;
	jv_parser *parser;
	size_t max_value;
	size_t pending;  /* bytes given to the parser since the last whole value */
	int parser_busy; /* the parser still holds unread bytes of the current line */
	int resync;      /* after a skipped value: drop lines until one starts a new value */
	int at_eof;
	unsigned long values; /* good values returned so far */
	char error[256];
	char position[64];
};

void json_reader_init(struct json_reader *r, int fd, size_t max_value);

/* The same over len bytes in memory (borrowed), read exactly as a stream would be. */
void json_reader_init_buffer(struct json_reader *r, const char *data, size_t len, size_t max_value);
void json_reader_free(struct json_reader *r);
enum json_result json_read(struct json_reader *r, jv *out);

/* fn(ctx) is called whenever the reader is about to wait for input that has not arrived
 * yet (a slow producer, an interactive one), never while more is ready: the moment to
 * finish work held back for a group (batch.h). */
void json_reader_on_idle(struct json_reader *r, void (*fn)(void *ctx), void *ctx);

/* "line L (value N)": where the last value returned ended, for messages about it. */
const char *json_reader_position(struct json_reader *r);

/* What to do with each value of a stream: return 0 or a sysexits status (EX_IOERR stops
 * the stream). The value is the handler's to free. */
typedef int (*json_value_fn)(jv value, struct json_reader *r, const char *label, void *ctx);

/* Reads every value from fd and hands each to fn; a bad value is reported as
 * "prog: error: LABELwhere: why; skipped" and counts as EX_DATAERR. Returns the worst
 * status seen. label is "" or "FILE: ". */
int json_stream_each(int fd, const char *label, size_t max_value, json_value_fn fn, void *ctx);

/* Runs json_stream_each on stdin when paths is empty, else on each path in turn ("-" is
 * stdin); a path that cannot be opened is reported (EX_NOINPUT) and skipped. */
/* json_stream_each over len bytes in memory. */
int json_buffer_each(const char *data, size_t len, const char *label, size_t max_value,
		     json_value_fn fn, void *ctx);

int json_inputs_each(char *const *paths, int count, size_t max_value, json_value_fn fn,
		     void *ctx);

/* Writes v (consumed) as one compact line and flushes. Returns 0, or -1 on a write error. */
int json_write_line(jv v, FILE *out);

#endif
