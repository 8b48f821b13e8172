/* echobell: where Echobell is (a trigger URL whose path holds the channel's only secret),
 * and how that URL is shown in messages: never whole. */
#ifndef ASCBELL_ECHOBELL_H
#define ASCBELL_ECHOBELL_H

#include <stddef.h>

/* The URL itself when url is set, else the first line of file (named file_what in
 * messages); NULL with why filled in when there is none to be had. To free with
 * echobell_url_free. */
char *echobell_url_find(const char *url, const char *file, const char *file_what, char *why,
			size_t why_size);

/* The URL from, in this order: the -u value, the --url-file file, $ECHOBELL_WEBHOOK_URL,
 * $ECHOBELL_URL_FILE (first line of the file). Exits EX_CONFIG when there is none or a
 * file cannot be read. The result is the caller's, to free with echobell_url_free. */
char *echobell_url(const char *option_url, const char *option_file);
void echobell_url_free(char *url);

#define MASKED_URL_SIZE 512

/* "https://hook.echobell.one/t/" and four stars: scheme, host and the first path segment, the rest
 * (token, query) masked. */
void echobell_url_mask(const char *url, char out[MASKED_URL_SIZE]);

/* Masks, in place, every occurrence of the URL's secret part in a message from elsewhere
 * (libcurl's error texts can quote the URL). */
void echobell_redact(char *text, const char *url);

/* The same for a text that was cut short: the end of text is also masked when it holds the
 * start of the secret, as it would have been masked before the cut. */
void echobell_redact_cut(char *text, const char *url);

#endif
