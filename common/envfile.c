/* envfile: NAME=VALUE lines, read the way sh would read them, or refused. */
#include "envfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

enum value_result { VALUE_OK, VALUE_NEEDS_SHELL, VALUE_OPEN_QUOTE, VALUE_CONTINUED };

/* One word of sh, from p up to an unquoted blank or the end of the line, unquoted into
 * out. *end is left after the word. Anything the shell would expand or treat as syntax
 * ($, `, ~ where the shell expands it, ; & | < > ( )) is VALUE_NEEDS_SHELL. */
static enum value_result read_value(const char *p, struct buf *out, const char **end)
{
	const char *start = p;

	buf_clear(out);
	buf_append(out, "", 0);
	for (;;) {
		char c = *p;
		if (c == '\0' || c == ' ' || c == '\t')
			break;
		if (c == '\\') {
			if (p[1] == '\0')
				return VALUE_CONTINUED;
			buf_append(out, p + 1, 1);
			p += 2;
		} else if (c == '\'') {
			const char *close = strchr(p + 1, '\'');
			if (!close)
				return VALUE_OPEN_QUOTE;
			buf_append(out, p + 1, (size_t)(close - p - 1));
			p = close + 1;
		} else if (c == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return VALUE_OPEN_QUOTE;
				if (*p == '$' || *p == '`')
					return VALUE_NEEDS_SHELL;
				/* Inside double quotes a backslash escapes only these. */
				if (*p == '\\' && p[1] && strchr("$`\"\\", p[1]))
					p++;
				buf_append(out, p, 1);
			}
			p++;
		} else if (strchr("$`;&|<>()", c) || (c == '~' && (p == start || p[-1] == ':'))) {
			return VALUE_NEEDS_SHELL;
		} else {
			buf_append(out, p, 1);
			p++;
		}
	}
	*end = p;
	return VALUE_OK;
}

static int is_wanted(const char *name, size_t len, const char *const *wanted)
{
	for (; *wanted; wanted++)
		if (strlen(*wanted) == len && memcmp(*wanted, name, len) == 0)
			return 1;
	return 0;
}

static void set_value(struct envfile *env, const char *name, size_t len, const char *value)
{
	size_t i;

	for (i = 0; i < env->count; i++)
		if (strlen(env->names[i]) == len && memcmp(env->names[i], name, len) == 0) {
			free(env->values[i]);
			env->values[i] = xstrdup(value);
			return;
		}
	env->names = xrealloc(env->names, (env->count + 1) * sizeof *env->names);
	env->values = xrealloc(env->values, (env->count + 1) * sizeof *env->values);
	env->names[env->count] = xmalloc(len + 1);
	memcpy(env->names[env->count], name, len);
	env->names[env->count][len] = '\0';
	env->values[env->count++] = xstrdup(value);
}

/* One line (NUL-terminated, no newline). 0, or -1 with err set. */
static int read_line(char *line, size_t number, const char *path, const char *const *wanted,
		     struct envfile *env, struct buf *value, char *err, size_t err_size)
{
	const char *p = line + strspn(line, " \t"), *name, *end = NULL;
	size_t name_len;
	enum value_result result;

	if (*p == '\0' || *p == '#')
		return 0;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
		p += 6 + strspn(p + 6, " \t");
	name = p;
	name_len = 0;
	if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_')
		name_len = 1 + strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (name_len == 0 || name[name_len] != '=') {
		snprintf(err, err_size, "%s line %zu: not a NAME=VALUE line (only assignments can be read without a shell)",
			 path, number);
		return -1;
	}
	result = read_value(name + name_len + 1, value, &end);
	switch (result) {
	case VALUE_OPEN_QUOTE:
		snprintf(err, err_size, "%s line %zu: a quote is not closed on its line", path, number);
		return -1;
	case VALUE_CONTINUED:
		snprintf(err, err_size, "%s line %zu: a value continued on the next line cannot be read", path,
			 number);
		return -1;
	case VALUE_NEEDS_SHELL:
		if (!is_wanted(name, name_len, wanted))
			return 0; /* not ours: asc-receiver's shell reads it */
		snprintf(err, err_size,
			 "%s line %zu: %.*s's value needs a shell ($, `, ~ or a special character): "
			 "write the value itself",
			 path, number, (int)name_len, name);
		return -1;
	case VALUE_OK: break;
	}
	end += strspn(end, " \t");
	if (*end != '\0' && *end != '#') {
		snprintf(err, err_size, "%s line %zu: more than one word (quote a value with blanks)", path,
			 number);
		return -1;
	}
	if (is_wanted(name, name_len, wanted))
		set_value(env, name, name_len, value->data);
	return 0;
}

int envfile_read(const char *path, const char *const *wanted, struct envfile *out, char *err,
		 size_t err_size)
{
	struct buf text = BUF_INIT, value = BUF_INIT;
	struct stat st;
	char *line, *next;
	size_t number = 0;
	int fd, rc = 0;
	FILE *f;

	memset(out, 0, sizeof *out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		snprintf(err, err_size, "cannot read %s: not a regular file", path);
		close(fd);
		return -1;
	}
	switch (buf_read_all(&text, f, ENVFILE_MAX_BYTES)) {
	case READ_OK: break;
	case READ_TOO_LARGE:
		snprintf(err, err_size, "%s: larger than %d bytes", path, ENVFILE_MAX_BYTES);
		rc = -1;
		break;
	case READ_ERROR:
		snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
		rc = -1;
		break;
	}
	fclose(f);
	buf_append(&text, "", 0);
	if (rc == 0 && memchr(text.data, '\0', text.len)) {
		snprintf(err, err_size, "%s: holds a NUL byte: not a text file", path);
		rc = -1;
	}
	for (line = text.data; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		rc = read_line(line, ++number, path, wanted, out, &value, err, err_size);
	}
	buf_free(&text);
	buf_free(&value);
	if (rc != 0)
		envfile_free(out);
	return rc;
}

const char *envfile_get(const struct envfile *env, const char *name)
{
	size_t i;

	for (i = 0; i < env->count; i++)
		if (strcmp(env->names[i], name) == 0)
			return env->values[i];
	return NULL;
}

void envfile_free(struct envfile *env)
{
	size_t i;

	for (i = 0; i < env->count; i++) {
		free(env->names[i]);
		free(env->values[i]);
	}
	free(env->names);
	free(env->values);
	memset(env, 0, sizeof *env);
}
