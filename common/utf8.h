/* utf8: strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), because JSON text must be UTF-8 and jq would quietly patch it. */
#ifndef ASCBELL_UTF8_H
#define ASCBELL_UTF8_H

#include <stddef.h>

/* The offset of the first byte that does not start a valid sequence, or len when all of
 * s is valid. A sequence cut off by the end of s counts as invalid. */
size_t utf8_invalid_offset(const char *s, size_t len);

#endif
