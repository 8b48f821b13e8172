/* jsondump: compact JSON as libjq 1.6 prints it (jv_print.c, jv_dump_term without flags). */
#include "jsondump.h"

#include <stdio.h>
#include <string.h>

/* jvp_dump_string: '"' and '\' escaped, \b \t \r \n \f by name, the other C0 characters and
 * DEL as \u00XX, everything else (a jv string is valid UTF-8) as it is. */
static void dump_string(jv s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)jv_string_value(s);
	size_t len = (size_t)jv_string_length_bytes(jv_copy(s)), i, run = 0;
	char escape[8];

	buf_append(out, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		const char *named = NULL;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		buf_append(out, p + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': named = "\\\""; break;
		case '\\': named = "\\\\"; break;
		case '\b': named = "\\b"; break;
		case '\t': named = "\\t"; break;
		case '\r': named = "\\r"; break;
		case '\n': named = "\\n"; break;
		case '\f': named = "\\f"; break;
		default:
			snprintf(escape, sizeof escape, "\\u%04x", c);
			named = escape;
		}
		buf_append(out, named, strlen(named));
	}
	buf_append(out, p + run, len - run);
	buf_append(out, "\"", 1);
}

void json_dump(jv v, struct buf *out)
{
	int i, n, first = 1;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL: buf_append(out, "null", 4); break;
	case JV_KIND_TRUE: buf_append(out, "true", 4); break;
	case JV_KIND_FALSE: buf_append(out, "false", 5); break;
	case JV_KIND_STRING: dump_string(v, out); break;
	case JV_KIND_NUMBER: {
		jv text = jv_dump_string(jv_copy(v), 0);
		buf_append(out, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
		jv_free(text);
		break;
	}
	case JV_KIND_ARRAY:
		buf_append(out, "[", 1);
		for (i = 0, n = jv_array_length(jv_copy(v)); i < n; i++) {
			jv item = jv_array_get(jv_copy(v), i);
			if (i)
				buf_append(out, ",", 1);
			json_dump(item, out);
			jv_free(item);
		}
		buf_append(out, "]", 1);
		break;
	case JV_KIND_OBJECT:
		/* In libjq's own order: its iterator's, as jv_dump_term without sorting. */
		buf_append(out, "{", 1);
		for (i = jv_object_iter(v); jv_object_iter_valid(v, i); i = jv_object_iter_next(v, i)) {
			jv key = jv_object_iter_key(v, i), value = jv_object_iter_value(v, i);
			if (!first)
				buf_append(out, ",", 1);
			first = 0;
			dump_string(key, out);
			buf_append(out, ":", 1);
			json_dump(value, out);
			jv_free(key);
			jv_free(value);
		}
		buf_append(out, "}", 1);
		break;
	default: {
		/* An invalid value: what libjq prints for it. */
		jv text = jv_dump_string(jv_copy(v), 0);
		buf_append(out, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
		jv_free(text);
	}
	}
}
