/* known.h: defects the fuzzers found that are being fixed elsewhere (issue 11), kept out of
 * the fuzzers' way meanwhile so a run can look for new ones. Each has a regression test in
 * the normal suite or is listed in tests/fuzz/README.md; when its fix is merged, delete its
 * block here and the targets reach the input again. To see a target find one, build it with
 * -DFUZZ_KNOWN_...=0 (tests/fuzz/README.md). */
#ifndef ASCBELL_FUZZ_KNOWN_H
#define ASCBELL_FUZZ_KNOWN_H

#include <stddef.h>
#include <string.h>

#include "fuzz.h"

/* Issue 11, item 4: an RS byte (0x1e) in JSON input makes libjq assert in
 * jv_parser_set_buf, through common/jsonio.c (helper "harden" fixes it). */
#ifndef FUZZ_KNOWN_RS_ABORT
#define FUZZ_KNOWN_RS_ABORT 1
#endif

/* Issue 11, item 10: cgi_clear_environment keeps an HTTP_* variable whose name is 256
 * bytes or longer (helper "harden" fixes common/cgi.c). */
#ifndef FUZZ_KNOWN_CGI_LONG_NAME
#define FUZZ_KNOWN_CGI_LONG_NAME 1
#endif

/* Not ours: libjq 1.6 leaks one string when its parser meets a string where it expected a
 * separator inside an array or object ({"a":"x""y"}), see tests/valgrind/libjq-1.6.supp.
 * LeakSanitizer cannot be told about it here: libjq has no frame pointers, so the fast
 * unwinder sees no further than jv_mem_alloc for any jv, ours included, and the slow one
 * made the JSON targets 10 to 40 times slower here. So the targets leave such input alone: a
 * conservative scan (strings, nesting, and whether a value has just ended) that may pass
 * over a little more than the exact case. */
static inline int fuzz_jq_separator_leak(const char *s, size_t n)
{
	int depth = 0, in_string = 0, after_value = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0, after_value = 1;
			continue;
		}
		switch (c) {
		case '"':
			if (depth > 0 && after_value)
				return 1;
			in_string = 1;
			break;
		case ' ': case '\t': case '\n': case '\r': break;
		case '[': case '{': depth++, after_value = 0; break;
		case ']': case '}': depth -= depth > 0, after_value = 1; break;
		case ',': case ':': after_value = 0; break;
		default: after_value = 1;
		}
	}
	return 0;
}

/* The same for a stream read by common/jsonio.c, which starts a new parser after a value it
 * had to skip, at a line that starts with '{' or '[': scanned from each such line too. */
static inline int fuzz_jq_separator_leak_stream(const char *s, size_t n)
{
	size_t i;

	if (fuzz_jq_separator_leak(s, n))
		return 1;
	for (i = 1; i < n; i++)
		if (s[i - 1] == '\n' && (s[i] == '{' || s[i] == '[') && fuzz_jq_separator_leak(s + i, n - i))
			return 1;
	return 0;
}

/* The same for many-part inputs (fuzz-enrich, fuzz-webhooks), whose parts libjq parses one
 * by one. */
static inline int fuzz_jq_separator_leak_parts(const char *s, size_t n)
{
	struct fuzz_parts parts = {s, s + n};
	const char *part;
	size_t len;

	while (fuzz_next_part(&parts, &part, &len))
		if (fuzz_jq_separator_leak(part, len))
			return 1;
	return 0;
}

static inline int fuzz_known_defect(const void *data, size_t size)
{
#if FUZZ_KNOWN_RS_ABORT
	if (memchr(data, 0x1e, size))
		return 1;
#endif
	return fuzz_jq_separator_leak_stream(data, size);
}

#endif
