/* known.h: defects the fuzzers found that are not ours to fix, kept out of the fuzzers' way
 * so a run can look for new ones. Each has a regression test in the normal suite or is
 * listed in tests/fuzz/README.md. (The RS byte abort and the long HTTP_* name, found here
 * too, are fixed: their filters are gone, and the targets reach those inputs again.) */
#ifndef ASCBELL_FUZZ_KNOWN_H
#define ASCBELL_FUZZ_KNOWN_H

#include <stddef.h>
#include <string.h>

#include "fuzz.h"

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
	return fuzz_jq_separator_leak_stream(data, size);
}

#endif
