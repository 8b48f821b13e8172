/* history: writing and scanning the receiver's JSON Lines record (see history.h). */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsondump.h"
#include "util.h"

void history_path(char *out, size_t size, const char *dir, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(out, size, "%s/%04d-%02d-%02d.jsonl", dir, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void history_format(struct buf *out, long long at_ms, int answer, const char *outcome,
		    const char *app, jv event)
{
	time_t at = (time_t)(at_ms / 1000);
	struct tm tm;
	char when[32];
	jv line;

	if (!gmtime_r(&at, &tm) || !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(when, sizeof when, "1970-01-01T00:00:00Z");
	/* Built as a jv and written by the one dumper, so that a hostile string from the
	 * payload (quotes, newlines, "{{") is escaped as every other JSON ascbell writes. */
	line = jv_object_set(jv_object(), jv_string("at"), jv_string(when));
	line = jv_object_set(line, jv_string("answer"), jv_number(answer));
	line = jv_object_set(line, jv_string("outcome"), outcome && *outcome ? jv_string(outcome) : jv_null());
	line = jv_object_set(line, jv_string("app"), app && *app ? jv_string(app) : jv_null());
	line = jv_object_set(line, jv_string("event"),
			     jv_get_kind(event) == JV_KIND_OBJECT ? jv_copy(event) : jv_null());
	json_dump(line, out);
	jv_free(line);
}

static int fail(char *why, size_t size, const char *what, const char *path)
{
	int saved = errno;

	snprintf(why, size, "%s %s: %s", what, path, strerror(saved));
	errno = saved;
	return -1;
}

/* The directory, made when missing with its parent's sharing (setgid and group-writable
 * under /var/lib/ascbell, private elsewhere), whatever the umask. */
static int make_dir(const char *dir, struct stat *st, char *why, size_t size)
{
	char parent[4096];
	struct stat up;
	char *slash;

	if (stat(dir, st) == 0)
		return S_ISDIR(st->st_mode) ? 0 : (errno = ENOTDIR, fail(why, size, "cannot use", dir));
	if (errno != ENOENT)
		return fail(why, size, "cannot use", dir);
	snprintf(parent, sizeof parent, "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		snprintf(parent, sizeof parent, "%s", slash ? "/" : ".");
	if (stat(parent, &up) != 0)
		return fail(why, size, "cannot use", parent);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fail(why, size, "cannot make", dir);
	if (up.st_mode & S_IWGRP)
		chmod(dir, 02770); /* the group's, like the directory it is in */
	return stat(dir, st) == 0 ? 0 : fail(why, size, "cannot use", dir);
}

/* The line appended to path: open (made 0660 when group, else 0600), one write, fsync,
 * close. Only async-signal-safe calls: history_write_pending runs in a signal handler.
 * 0, or -1 with errno and *step the step that failed. */
static int append_line(const char *path, const char *data, size_t len, int group, const char **step)
{
	ssize_t n;
	int fd, made = 1, saved;

	*step = "cannot open";
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST) {
		made = 0;
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -1;
	/* The mode is set, not left to the umask: the reports and the pruning run as other
	 * users of the group. Only the maker may (and needs to). */
	*step = "cannot set the mode of";
	if (made && fchmod(fd, group ? 0660 : 0600) != 0)
		goto failed;
	/* One write: O_APPEND puts it whole at the end, between other receivers' lines. */
	*step = "cannot write";
	n = write(fd, data, len);
	if (n < 0 || (size_t)n != len) {
		if (n >= 0)
			errno = ENOSPC;
		goto failed;
	}
	*step = "cannot sync";
	if (fsync(fd) != 0)
		goto failed;
	*step = "cannot close";
	return close(fd);
failed:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int history_append(const char *dir, long long at_ms, int answer, const char *outcome,
		   const char *app, jv event, char *why, size_t size)
{
	static struct buf line = BUF_INIT;
	char path[4200];
	const char *step;
	struct stat st;

	if (make_dir(dir, &st, why, size) != 0)
		return -1;
	history_path(path, sizeof path, dir, (time_t)(at_ms / 1000));
	buf_clear(&line);
	history_format(&line, at_ms, answer, outcome, app, event);
	buf_append(&line, "\n", 1);
	if (append_line(path, line.data, line.len, (st.st_mode & S_IWGRP) != 0, &step) != 0)
		return fail(why, size, step, path);
	return 0;
}

int history_prepare(struct history_pending *p, const char *dir, long long at_ms, int answer,
		    const char *outcome, const char *app, char *why, size_t size)
{
	struct buf line = BUF_INIT;
	struct stat st;
	int status = -1;

	p->len = 0;
	if (make_dir(dir, &st, why, size) != 0)
		return -1;
	history_path(p->path, sizeof p->path, dir, (time_t)(at_ms / 1000));
	history_format(&line, at_ms, answer, outcome, app, jv_null());
	buf_append(&line, "\n", 1);
	if (line.len <= sizeof p->line) {
		memcpy(p->line, line.data, line.len);
		p->len = line.len;
		p->group = (st.st_mode & S_IWGRP) != 0;
		status = 0;
	} else {
		snprintf(why, size, "a history line of %zu bytes is too long to keep ready", line.len);
	}
	buf_free(&line);
	return status;
}

int history_write_pending(const struct history_pending *p)
{
	const char *step;

	return p->len ? append_line(p->path, p->line, p->len, p->group, &step) : 0;
}

int history_scan(const char *path, const char *needle, int (*fn)(jv line, void *ctx), void *ctx)
{
	size_t needle_len = needle ? strlen(needle) : 0, pos = 0, counted = 0, lineno = 1;
	struct stat st;
	const char *data;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	/* Mapped, not read: the pages the needle search skips cost no copy. */
	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return -1;
	while (pos < (size_t)st.st_size) {
		size_t size = (size_t)st.st_size, start, end;
		const char *hit, *nl;
		jv value;

		if (needle_len) {
			hit = memmem(data + pos, size - pos, needle, needle_len);
			if (!hit)
				break;
		} else {
			hit = data + pos;
		}
		/* The line holding the hit. */
		start = (size_t)(hit - data);
		while (start > pos && data[start - 1] != '\n')
			start--;
		nl = memchr(data + start, '\n', size - start);
		end = nl ? (size_t)(nl - data) : size;
		pos = end + 1;
		if (end == start)
			continue;
		value = jv_parse_sized(data + start, (int)(end - start));
		if (jv_get_kind(value) != JV_KIND_OBJECT) {
			/* Lines are counted only for a warning: a scan that finds its line at the
			 * end of a day's file costs no byte-by-byte pass. */
			for (; counted < start; counted++)
				if (data[counted] == '\n')
					lineno++;
			msg_warn("%s:%zu: not a JSON object; skipped", path, lineno);
			jv_free(value);
			continue;
		}
		if (fn(value, ctx))
			break;
	}
	munmap((void *)data, (size_t)st.st_size);
	return 0;
}
