/* echobell: the Echobell URL, its sources and its masking. */
#include "echobell.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define URL_FILE_MAX 4096

static char *first_line_of(const char *path, const char *what)
{
	char line[URL_FILE_MAX];
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		die(EX_CONFIG, "cannot read %s %s: %s", what, path, strerror(errno));
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (len == 0)
		die(EX_CONFIG, "%s %s is empty (it holds the Echobell webhook URL)", what, path);
	return xstrdup(line);
}

char *echobell_url(const char *option_url, const char *option_file)
{
	const char *env_url = getenv("ECHOBELL_WEBHOOK_URL");
	const char *env_file = getenv("ECHOBELL_URL_FILE");

	if (option_url && *option_url)
		return xstrdup(option_url);
	if (option_file)
		return first_line_of(option_file, "--url-file");
	if (env_url && *env_url)
		return xstrdup(env_url);
	if (env_file && *env_file)
		return first_line_of(env_file, "ECHOBELL_URL_FILE");
	die(EX_CONFIG, "no Echobell URL (give --url-file FILE, or set ECHOBELL_WEBHOOK_URL or "
		       "ECHOBELL_URL_FILE)");
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
