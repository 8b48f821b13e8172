/* uri: resolving a URI reference against the URL it came from (RFC 3986, 5.2). */
#include "uri.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PATH_MAX_LEN 4096

size_t uri_origin_length(const char *url)
{
	size_t i = 0;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
		i++;
	if (strncmp(url + i, "://", 3) != 0)
		return 0;
	i += 3;
	return i + strcspn(url + i, "/?#");
}

/* RFC 3986 5.2.4, in place: "/a/b/../c/./d" becomes "/a/c/d". The output is never longer
 * than the input. */
static void remove_dot_segments(char *path)
{
	char out[PATH_MAX_LEN];
	const char *in = path;
	size_t o = 0;

	while (*in) {
		if (!strncmp(in, "../", 3)) {
			in += 3;
		} else if (!strncmp(in, "./", 2) || !strncmp(in, "/./", 3)) {
			in += 2;
		} else if (!strcmp(in, "/.")) {
			out[o++] = '/';
			in += 2;
		} else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
			/* Drop the last segment written, with its slash. */
			while (o > 0 && out[--o] != '/')
				;
			if (!in[3])
				out[o++] = '/';
			in += 3;
		} else if (!strcmp(in, ".") || !strcmp(in, "..")) {
			in += strlen(in);
		} else {
			size_t n = (*in == '/') + strcspn(in + (*in == '/'), "/");
			memcpy(out + o, in, n);
			o += n;
			in += n;
		}
	}
	memcpy(path, out, o);
	path[o] = '\0';
}

int uri_resolve(const char *base, const char *ref, char *out, size_t size)
{
	size_t origin = uri_origin_length(base), ref_origin = uri_origin_length(ref);
	size_t ref_len = strcspn(ref, "#"), ref_path, base_path, n;
	const char *from = base, *query, *slash = NULL;
	char path[PATH_MAX_LEN];

	if (!origin || size == 0)
		return -1;
	if (ref_origin) {
		/* A whole URL: its own origin, its path with the dot segments removed. */
		from = ref;
		origin = ref_origin;
		ref += ref_origin;
		ref_len -= ref_origin;
	} else if (ref[0] == '/' && ref[1] == '/') {
		/* Network-path reference: the base's scheme, everything else from the reference. */
		n = (size_t)snprintf(out, size, "%.*s%.*s", (int)(strchr(base, ':') - base + 1), base,
				     (int)ref_len, ref);
		return n < size ? 0 : -1;
	}
	query = memchr(ref, '?', ref_len);
	ref_path = query ? (size_t)(query - ref) : ref_len;
	base_path = strcspn(base + origin, "?#");
	if (from == base && ref_path == 0) {
		/* "" or "?query": the base's path; the reference's query, or else the base's. */
		n = (size_t)snprintf(path, sizeof path, "%.*s", (int)base_path, base + origin);
		if (!query) {
			query = base + origin + base_path;
			ref_len = ref_path + strcspn(query, "#");
			ref = query - ref_path;
		}
	} else if (from != base || ref[0] == '/') {
		n = (size_t)snprintf(path, sizeof path, "%.*s", (int)ref_path, ref);
	} else {
		/* A relative path: beside the base's last segment. */
		const char *p;
		for (p = base + origin; p < base + origin + base_path; p++)
			if (*p == '/')
				slash = p;
		n = slash ? (size_t)snprintf(path, sizeof path, "%.*s%.*s", (int)(slash - (base + origin) + 1),
					     base + origin, (int)ref_path, ref)
			  : (size_t)snprintf(path, sizeof path, "/%.*s", (int)ref_path, ref);
	}
	if (n >= sizeof path)
		return -1;
	remove_dot_segments(path);
	n = (size_t)snprintf(out, size, "%.*s%s%.*s", (int)origin, from, path,
			     query ? (int)(ref_len - ref_path) : 0, query ? query : "");
	return n < size ? 0 : -1;
}
