/* cgi: the request as a CGI handler sees it, in its environment (RFC 3875): REQUEST_METHOD,
 * PATH_INFO, QUERY_STRING, CONTENT_LENGTH, CONTENT_TYPE, REMOTE_ADDR, REMOTE_PORT and an
 * HTTP_<NAME> for every other header. */
#ifndef ASCBELL_CGI_H
#define ASCBELL_CGI_H

#include "http.h"

/* Removes every HTTP_* variable we inherited, so that nothing but the request itself can
 * pose as one of its headers (a stale HTTP_X_APPLE_SIGNATURE, say). */
void cgi_clear_environment(void);

/* Sets the variables for a request whose path after the prefix is path_info, with
 * reqenv_set (reqenv_restore takes them back: a long-running worker). Headers whose
 * names are not tokens are left out, and so is Proxy (HTTP_PROXY would steer the handler's
 * HTTP clients: "httpoxy"). */
void cgi_set_environment(const struct http_request *req, const char *path_info,
			 const char *query, const char *remote_addr, const char *remote_port);

/* Builds a request from a CGI server's environment and standard input (--cgi), as if it had
 * been read from the network; returns the state http_request_read would. */
enum http_state cgi_read_request(struct http_request *req, struct buf *raw);

#endif
