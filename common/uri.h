/* uri: resolving a URI reference against the URL it came from (RFC 3986, section 5.2), for
 * JSON:API links, which the App Store Connect spec types as uri-reference: "next" may be a
 * whole URL, an absolute path, "?cursor=..." or a relative path. */
#ifndef ASCBELL_URI_H
#define ASCBELL_URI_H

#include <stddef.h>

/* Writes the absolute URL that ref names, read against the absolute URL base (scheme and
 * authority required), without its fragment. Returns 0, or -1 when base is not absolute
 * or the result does not fit. */
int uri_resolve(const char *base, const char *ref, char *out, size_t size);

/* The length of "scheme://authority" at the start of an absolute URL, 0 when there is none. */
size_t uri_origin_length(const char *url);

#endif
