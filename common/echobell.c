/* echobell: the Echobell URL, its sources and its masking. */
#include "echobell.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define URL_FILE_MAX 4096

/* The first line of path, or NULL with why filled in. */
static char *first_line_of(const char *path, const char *what, char *why, size_t why_size)
{
	char line[URL_FILE_MAX];
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f) {
		snprintf(why, why_size, "cannot read %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (len == 0) {
		snprintf(why, why_size, "%s %s is empty (it holds the Echobell webhook URL)", what, path);
		return NULL;
	}
	return xstrdup(line);
}

char *echobell_url_find(const char *url, const char *file, const char *file_what, char *why,
			size_t why_size)
{
	if (url && *url)
		return xstrdup(url);
	if (file && *file)
		return first_line_of(file, file_what, why, why_size);
	snprintf(why, why_size, "no Echobell URL (give --url-file FILE, or set ECHOBELL_WEBHOOK_URL "
				"or ECHOBELL_URL_FILE)");
	return NULL;
}

char *echobell_url(const char *option_url, const char *option_file)
{
	const char *env_url = getenv("ECHOBELL_WEBHOOK_URL");
	char why[4200], *url;

	if (option_url && *option_url)
		url = xstrdup(option_url);
	else if (option_file)
		url = echobell_url_find(NULL, option_file, "--url-file", why, sizeof why);
	else if (env_url && *env_url)
		url = xstrdup(env_url);
	else
		url = echobell_url_find(NULL, getenv("ECHOBELL_URL_FILE"), "ECHOBELL_URL_FILE", why, sizeof why);
	if (!url)
		die(EX_CONFIG, "%s", why);
	return url;
}

void echobell_url_free(char *url)
{
	if (url) {
		explicit_bzero(url, strlen(url));
		free(url);
	}
}

/* Where the secret part starts: after the first path segment ("/t/" or "/d/"), or the
 * query when there is no second segment. */
static const char *secret_start(const char *url)
{
	const char *host = strstr(url, "://");
	const char *path, *second;

	host = host ? host + 3 : url;
	path = host + strcspn(host, "/?#");
	if (*path != '/')
		return *path ? path : NULL;
	second = strchr(path + 1, '/');
	if (second && (!strpbrk(path + 1, "?#") || second < strpbrk(path + 1, "?#")))
		return second + 1;
	/* One segment only: it is the secret itself. */
	return path + 1;
}

void echobell_url_mask(const char *url, char out[MASKED_URL_SIZE])
{
	const char *secret = secret_start(url);
	size_t keep = secret ? (size_t)(secret - url) : strlen(url);

	if (keep > MASKED_URL_SIZE - 5)
		keep = MASKED_URL_SIZE - 5;
	snprintf(out, MASKED_URL_SIZE, "%.*s%s", (int)keep, url, secret && *secret ? "****" : "");
}

void echobell_redact(char *text, const char *url)
{
	const char *secret = secret_start(url);
	size_t len;
	char *hit;

	if (!secret || !*secret)
		return;
	len = strlen(secret);
	while ((hit = strstr(text, secret)) != NULL) {
		/* "****" is never longer than what it hides when the secret has 4 bytes or more;
		 * a shorter one is blanked out to its own length. */
		size_t stars = len < 4 ? len : 4;
		memset(hit, '*', stars);
		memmove(hit + stars, hit + len, strlen(hit + len) + 1);
	}
}

void echobell_redact_cut(char *text, const char *url)
{
	const char *secret = secret_start(url);
	size_t len, text_len, k;

	echobell_redact(text, url);
	if (!secret || !*secret)
		return;
	len = strlen(secret);
	text_len = strlen(text);
	/* The longest end of text that is a beginning of the secret. */
	for (k = len - 1 < text_len ? len - 1 : text_len; k > 0; k--) {
		if (memcmp(text + text_len - k, secret, k) == 0) {
			size_t stars = k < 4 ? k : 4;
			memset(text + text_len - k, '*', stars);
			text[text_len - k + stars] = '\0';
			return;
		}
	}
}
