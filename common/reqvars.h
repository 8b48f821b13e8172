/* reqvars: the variables Echobell makes of the request itself, rebuilt from what asc-http
 * (or a CGI server) hands its handler, so that a template written for App Store Connect
 * pointed straight at Echobell renders the same here. Echobell's documentation: "Built-in
 * variables: header (request headers, lowercase keys), bodyAsText", and for a POST with
 * Content-Type: application/json, "top-level JSON keys become template variables". */
#ifndef ASCBELL_REQVARS_H
#define ASCBELL_REQVARS_H

#include <jv.h>
#include <stddef.h>

/* The request's headers from the CGI environment, as an object with lower-case names
 * ("x-apple-signature" from HTTP_X_APPLE_SIGNATURE, "content-type" from CONTENT_TYPE,
 * "content-length" from CONTENT_LENGTH), or jv_invalid() when there is no request: only
 * when GATEWAY_INTERFACE is set (RFC 3875: the server sets it for its script) are the
 * HTTP_* variables a request's, not a shell's own (HTTP_PROXY, say). */
jv reqvars_header(void);

/* The variables of one request: header (when there is one), and, when body_path is not
 * NULL, bodyAsText (that file's bytes) and the top-level keys of the body when it is a
 * JSON object. Exits 66 when the file cannot be opened, 65 when it is over max_body bytes,
 * 74 on a read error. */
jv reqvars_load(const char *body_path, size_t max_body);

/* The same from values at hand: header (consumed; invalid for none) and the body's len
 * bytes (NULL: no bodyAsText). */
jv reqvars_make(jv header, const char *body, size_t len);

#endif
