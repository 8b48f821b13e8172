/* jsoncache: small JSON objects kept on disk by kind and id. */
#include "jsoncache.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

#define ENTRY_MAX 65536

int jsoncache_id_ok(const char *id)
{
	size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	return n > 0 && n <= 128 && id[n] == '\0';
}

static int entry_path(const char *dir, const char *kind, const char *id, char *out, size_t size)
{
	int n;
	if (!dir[0] || !jsoncache_id_ok(kind) || !jsoncache_id_ok(id))
		return -1;
	n = snprintf(out, size, "%s/%s/%s.json", dir, kind, id);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

jv jsoncache_read(const char *dir, const char *kind, const char *id, long max_age)
{
	char file[4400];
	struct stat st;
	struct buf text = BUF_INIT;
	FILE *f;
	jv v = jv_invalid();

	if (entry_path(dir, kind, id, file, sizeof file) != 0 || stat(file, &st) != 0 ||
	    (max_age > 0 && time(NULL) - st.st_mtime > max_age) || !(f = fopen(file, "r")))
		return v;
	if (buf_read_all(&text, f, ENTRY_MAX) == READ_OK && text.len)
		v = jv_parse_sized(text.data, (int)text.len);
	fclose(f);
	buf_free(&text);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

void jsoncache_write(const char *dir, const char *kind, const char *id, jv value)
{
	char sub[4400], file[4400], tmp[4500];
	jv text;
	FILE *f;

	if (entry_path(dir, kind, id, file, sizeof file) != 0) {
		jv_free(value);
		return;
	}
	snprintf(sub, sizeof sub, "%s/%s", dir, kind);
	snprintf(tmp, sizeof tmp, "%s.%d", file, (int)getpid());
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || (mkdir(sub, 0700) != 0 && errno != EEXIST) ||
	    !(f = fopen(tmp, "w"))) {
		jv_free(value);
		return;
	}
	text = jv_dump_string(value, 0);
	fputs(jv_string_value(text), f);
	jv_free(text);
	if (fclose(f) == 0)
		rename(tmp, file);
	else
		unlink(tmp);
}
