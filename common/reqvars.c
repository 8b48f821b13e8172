/* reqvars: header and bodyAsText, and the body's top-level keys. */
#include "reqvars.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

extern char **environ;

/* "HTTP_X_APPLE_SIGNATURE" -> "x-apple-signature" (asc-http makes HTTP_ names from header
 * names of letters, digits and '-' only, so the way back is exact). */
static jv header_name(const char *name, size_t len)
{
	char out[256];
	size_t i;

	if (len >= sizeof out)
		return jv_invalid();
	for (i = 0; i < len; i++)
		out[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
	return jv_string_sized(out, (int)len);
}

jv reqvars_header(void)
{
	const char *type = getenv("CONTENT_TYPE"), *length = getenv("CONTENT_LENGTH");
	jv header;
	size_t i;

	if (!getenv("GATEWAY_INTERFACE"))
		return jv_invalid();
	header = jv_object();
	/* CGI keeps these two out of HTTP_*: they describe the body the script reads. */
	if (type)
		header = jv_object_set(header, jv_string("content-type"), jv_string(type));
	if (length)
		header = jv_object_set(header, jv_string("content-length"), jv_string(length));
	for (i = 0; environ[i]; i++) {
		const char *entry = environ[i], *eq = strchr(entry, '=');
		jv name;

		if (!eq || strncmp(entry, "HTTP_", 5) != 0 || eq == entry + 5)
			continue;
		name = header_name(entry + 5, (size_t)(eq - entry - 5));
		if (jv_is_valid(name))
			header = jv_object_set(header, name, jv_string(eq + 1));
	}
	return header;
}

/* The body file's bytes; exits when it cannot be read whole. */
static void read_body(const char *path, size_t max_body, struct buf *body)
{
	enum read_result result;
	FILE *f = fopen(path, "rb");

	if (!f)
		die(EX_NOINPUT, "cannot open the body file %s: %s", path, strerror(errno));
	/* /dev/fd/N is a copy of a descriptor on some systems: from the first byte, whatever
	 * was read through it before (a pipe cannot seek, and need not). */
	(void)fseek(f, 0, SEEK_SET);
	result = buf_read_all(body, f, max_body);
	fclose(f);
	if (result == READ_TOO_LARGE)
		die(EX_DATAERR, "the body file %s is larger than %zu bytes (--max-body)", path, max_body);
	if (result == READ_ERROR)
		die(EX_IOERR, "cannot read the body file %s: %s", path, strerror(errno));
	buf_append(body, "", 0); /* data is a string even for an empty body */
}

jv reqvars_make(jv header, const char *body, size_t len)
{
	jv vars = jv_object(), payload = jv_null();

	if (jv_is_valid(header))
		vars = jv_object_set(vars, jv_string("header"), header);
	else
		jv_free(header);
	if (body) {
		vars = jv_object_set(vars, jv_string("bodyAsText"), jv_string_sized(body, (int)len));
		payload = jv_parse_sized(body, (int)len);
	}
	/* Echobell: "top-level JSON keys become template variables". They win over the
	 * built-in names, as the event's own fields do. */
	if (jv_get_kind(payload) == JV_KIND_OBJECT)
		return jv_object_merge(vars, payload);
	jv_free(payload);
	return vars;
}

jv reqvars_load(const char *body_path, size_t max_body)
{
	struct buf body = BUF_INIT;
	jv vars;

	if (!body_path)
		return reqvars_make(reqvars_header(), NULL, 0);
	read_body(body_path, max_body, &body);
	vars = reqvars_make(reqvars_header(), body.data, body.len);
	buf_free(&body);
	return vars;
}
