/* histread: the history's day files, line by line, checked. */
#include "histread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "instant.h"
#include "jsonget.h"
#include "lines.h"
#include "utf8.h"
#include "util.h"

/* Why a parsed line is not a history line, or NULL when it is one (and *at is set). */
static const char *check_line(jv line, long long *at)
{
	jv v;
	double answer;
	int kind;
	time_t t;

	if (jv_get_kind(line) != JV_KIND_OBJECT)
		return "not a JSON object";
	v = json_get_string(line, "at");
	if (jv_get_kind(v) != JV_KIND_STRING || instant_parse(jv_string_value(v), &t) != 0) {
		jv_free(v);
		return "\"at\" is not a time like 2026-11-27T15:00:00Z";
	}
	jv_free(v);
	*at = (long long)t;
	v = json_get(line, "answer");
	answer = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;
	jv_free(v);
	if (!(answer >= 100 && answer <= 599 && answer == (int)answer))
		return "\"answer\" is not an HTTP status";
	v = json_get(line, "app");
	kind = jv_get_kind(v);
	jv_free(v);
	if (kind != JV_KIND_STRING && kind != JV_KIND_NULL)
		return "\"app\" is neither a string nor null";
	v = json_get(line, "event");
	kind = jv_get_kind(v);
	jv_free(v);
	if (kind != JV_KIND_OBJECT && kind != JV_KIND_NULL)
		return "\"event\" is neither an object nor null";
	return NULL;
}

/* One day file; 0, EX_NOINPUT or EX_IOERR. */
static int read_day(const char *path, long long since, long long until, size_t max_line,
		    history_fn fn, void *ctx, struct history_read *counts)
{
	struct line_reader r;
	enum line_result got;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), status = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* nothing was answered that day */
		msg_error("%s: %s (the report would leave that day out)", path, strerror(errno));
		return EX_NOINPUT;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		msg_error("%s: not a regular file (the report would leave that day out)", path);
		close(fd);
		return EX_NOINPUT;
	}
	line_reader_init(&r, fd, max_line);
	while ((got = line_read(&r)) != LINE_EOF) {
		const char *data = r.line.data, *why = NULL;
		size_t len = r.line.len;
		long long at = 0;
		jv line = jv_invalid();

		if (got == LINE_ERROR) {
			msg_error("%s: %s", path, strerror(errno));
			status = EX_IOERR;
			break;
		}
		if (got == LINE_TOO_LONG) {
			why = "longer than the line limit (--max-line)";
		} else {
			while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
				len--;
			if (len == 0)
				continue; /* a blank line holds nothing to count or to report */
			if (utf8_invalid_offset(data, len) != len) {
				why = "not valid UTF-8";
			} else {
				line = jv_parse_sized(data, (int)len);
				if (!jv_is_valid(line))
					why = "not JSON";
				else
					why = check_line(line, &at);
			}
		}
		if (why) {
			msg_warn("%s: line %lu: %s; skipped", path, r.number, why);
			counts->skipped++;
			jv_free(line);
			continue;
		}
		if (at < since || at >= until) {
			jv_free(line);
			continue;
		}
		counts->lines++;
		fn(line, at, ctx);
	}
	line_reader_free(&r);
	close(fd);
	return status;
}

int history_read(const char *dir, long long since, long long until, size_t max_line,
		 history_fn fn, void *ctx, struct history_read *counts)
{
	struct stat st;
	long long day;
	int err = stat(dir, &st) != 0 ? errno : 0;

	if (err || !S_ISDIR(st.st_mode)) {
		msg_error("history directory %s: %s (ASCBELL_HISTORY or --history)", dir,
			  err ? strerror(err) : "not a directory");
		return EX_NOINPUT;
	}
	/* Day by day from since's midnight: the files are named by the UTC date of "at". */
	for (day = since - ((since % 86400) + 86400) % 86400; day < until; day += 86400) {
		char path[4096];
		int status;

		if (strlen(dir) + sizeof "/YYYY-MM-DD.jsonl" > sizeof path) {
			msg_error("history directory %s: path too long", dir);
			return EX_NOINPUT;
		}
		history_path(path, sizeof path, dir, (time_t)day);
		if ((status = read_day(path, since, until, max_line, fn, ctx, counts)) != 0)
			return status;
	}
	return 0;
}
