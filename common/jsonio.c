/* jsonio: JSON value streams in and JSON Lines out, with libjq's jv values. */
#include "jsonio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsondump.h"
#include "utf8.h"
#include "util.h"

void json_reader_init(struct json_reader *r, int fd, size_t max_value)
{
	/* A line may hold a whole value and its newline. */
	line_reader_init(&r->lines, fd, max_value + 1);
	r->parser = jv_parser_new(0);
	r->max_value = max_value;
	r->pending = 0;
	r->parser_busy = 0;
	r->resync = 0;
	r->at_eof = 0;
	r->values = 0;
	r->error[0] = '\0';
}

void json_reader_init_buffer(struct json_reader *r, const char *data, size_t len, size_t max_value)
{
	json_reader_init(r, -1, max_value);
	line_reader_init_buffer(&r->lines, data, len, max_value + 1);
}

void json_reader_free(struct json_reader *r)
{
	jv_parser_free(r->parser);
	line_reader_free(&r->lines);
}

void json_reader_on_idle(struct json_reader *r, void (*fn)(void *ctx), void *ctx)
{
	r->lines.on_idle = fn;
	r->lines.idle_ctx = ctx;
}

const char *json_reader_position(struct json_reader *r)
{
	snprintf(r->position, sizeof r->position, "line %lu (value %lu)", r->lines.number, r->values);
	return r->position;
}

/* Drops whatever the parser holds, after a value that had to be skipped. */
static enum json_result skip(struct json_reader *r)
{
	jv_parser_free(r->parser);
	r->parser = jv_parser_new(0);
	r->pending = 0;
	r->parser_busy = 0;
	r->resync = 1;
	return JSON_BAD;
}

/* jq says "MSG at line N, column M", counting from when its parser was made; we make a
 * new one after each skipped value, so the line comes from our own count instead. */
static enum json_result parse_error(struct json_reader *r, jv invalid)
{
	jv msg = jv_invalid_get_msg(invalid);
	const char *text = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error";
	const char *at = strstr(text, " at line ");
	const char *column = at ? strstr(at, ", column ") : NULL;
	int len = at ? (int)(at - text) : (int)strlen(text);

	if (r->at_eof)
		snprintf(r->error, sizeof r->error, "at end of input: %.*s", len, text);
	else if (column)
		snprintf(r->error, sizeof r->error, "line %lu, column %ld: %.*s", r->lines.number,
			 strtol(column + 9, NULL, 10), len, text);
	else
		snprintf(r->error, sizeof r->error, "line %lu: %.*s", r->lines.number, len, text);
	jv_free(msg);
	return skip(r);
}

/* Asks the parser for a value from what it holds: JSON_VALUE, JSON_BAD, or JSON_EOF when it
 * needs more input. */
static enum json_result next_parsed(struct json_reader *r, jv *out)
{
	jv value = jv_parser_next(r->parser);

	if (jv_is_valid(value)) {
		/* What is left of the line belongs to the next value. */
		r->pending = (size_t)jv_parser_remaining(r->parser);
		r->values++;
		*out = value;
		return JSON_VALUE;
	}
	if (jv_invalid_has_msg(jv_copy(value)))
		return parse_error(r, value);
	jv_free(value);
	r->parser_busy = 0;
	return JSON_EOF;
}

/* RFC 8259 allows no C0 control character but tab, LF and CR outside strings (white
 * space), and none at all unescaped inside them, so a line holding one cannot be JSON. It
 * is refused before libjq 1.6 sees it: RS (0x1e) makes libjq take it as a separator of
 * JSON text sequences (RFC 7464), leave the rest of its buffer unread and assert on the
 * next line; NUL and the others reach error paths of its parser that leak. */
static const char *const control_names[32] = {
	"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF",
	"VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
	"SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
};

/* The offset of the first control character that JSON never holds, or len. */
static size_t control_offset(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return i;
	}
	return len;
}

/* Gives the parser one more line. JSON_EOF means "go on", anything else is the result. */
static enum json_result feed_line(struct json_reader *r)
{
	const char *line = r->lines.line.data;
	size_t len = r->lines.line.len;
	size_t bad;

	if (r->resync) {
		if (line[0] != '{' && line[0] != '[')
			return JSON_EOF;
		r->resync = 0;
	}
	bad = utf8_invalid_offset(line, len);
	if (bad < len) {
		snprintf(r->error, sizeof r->error, "line %lu, column %zu: invalid UTF-8",
			 r->lines.number, bad + 1);
		return skip(r);
	}
	bad = control_offset(line, len);
	if (bad < len) {
		snprintf(r->error, sizeof r->error, "line %lu, column %zu: control character %s (0x%02x) is not JSON",
			 r->lines.number, bad + 1, control_names[(unsigned char)line[bad]],
			 (unsigned)(unsigned char)line[bad]);
		return skip(r);
	}
	r->pending += len;
	if (r->pending > r->max_value) {
		snprintf(r->error, sizeof r->error, "line %lu: JSON value larger than %zu bytes",
			 r->lines.number, r->max_value);
		return skip(r);
	}
	jv_parser_set_buf(r->parser, line, (int)len, 1);
	r->parser_busy = 1;
	return JSON_EOF;
}

enum json_result json_read(struct json_reader *r, jv *out)
{
	for (;;) {
		enum json_result result;

		if (r->parser_busy && (result = next_parsed(r, out)) != JSON_EOF)
			return result;
		if (r->at_eof)
			return JSON_EOF;

		switch (line_read(&r->lines)) {
		case LINE_OK:
			if ((result = feed_line(r)) != JSON_EOF)
				return result;
			break;
		case LINE_TOO_LONG:
			snprintf(r->error, sizeof r->error, "line %lu: JSON value larger than %zu bytes",
				 r->lines.number, r->max_value);
			return skip(r);
		case LINE_EOF:
			/* The last value may be complete only now ("1" with no newline). */
			r->at_eof = 1;
			jv_parser_set_buf(r->parser, "", 0, 0);
			r->parser_busy = 1;
			break;
		case LINE_ERROR:
			return JSON_READ_ERROR;
		}
	}
}

int json_write_line(jv v, FILE *out)
{
	/* One write of the whole line: libjq's jv_dumpf makes one fwrite per token, each
	 * taking the stream's lock. */
	static struct buf line = BUF_INIT;

	buf_clear(&line);
	json_dump(v, &line);
	jv_free(v);
	buf_append(&line, "\n", 1);
	fwrite(line.data, 1, line.len, out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* Every value of an open reader to fn; the reader is freed. */
static int each_value(struct json_reader *reader, const char *label, json_value_fn fn, void *ctx)
{
	enum json_result result;
	int status = 0;
	jv value;

	while (status != EX_IOERR && (result = json_read(reader, &value)) != JSON_EOF) {
		if (result == JSON_READ_ERROR) {
			msg_error("%scannot read: %s", label, strerror(errno));
			status = EX_IOERR;
		} else if (result == JSON_BAD) {
			msg_error("%s%s; skipped", label, reader->error);
			status = worse_status(status, EX_DATAERR);
		} else {
			status = worse_status(status, fn(value, reader, label, ctx));
		}
	}
	json_reader_free(reader);
	return status;
}

int json_stream_each(int fd, const char *label, size_t max_value, json_value_fn fn, void *ctx)
{
	struct json_reader reader;

	json_reader_init(&reader, fd, max_value);
	return each_value(&reader, label, fn, ctx);
}

int json_buffer_each(const char *data, size_t len, const char *label, size_t max_value,
		     json_value_fn fn, void *ctx)
{
	struct json_reader reader;

	json_reader_init_buffer(&reader, data, len, max_value);
	return each_value(&reader, label, fn, ctx);
}

int json_inputs_each(char *const *paths, int count, size_t max_value, json_value_fn fn,
		     void *ctx)
{
	int status = 0, i;

	if (count == 0)
		return json_stream_each(STDIN_FILENO, "", max_value, fn, ctx);
	for (i = 0; i < count && status != EX_IOERR; i++) {
		char label[4096];
		int fd = strcmp(paths[i], "-") ? open(paths[i], O_RDONLY | O_CLOEXEC) : STDIN_FILENO;

		if (fd < 0) {
			msg_error("cannot open %s: %s", paths[i], strerror(errno));
			status = worse_status(status, EX_NOINPUT);
			continue;
		}
		snprintf(label, sizeof label, "%s: ", paths[i]);
		status = worse_status(status, json_stream_each(fd, label, max_value, fn, ctx));
		if (fd != STDIN_FILENO)
			close(fd);
	}
	return status;
}
