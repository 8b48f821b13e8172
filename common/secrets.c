/* secrets: the webhook secrets a signature may have been made with. */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void secrets_add(struct secrets *s, const char *bytes, size_t len)
{
	struct secret *item;

	s->list = xrealloc(s->list, (s->count + 1) * sizeof *s->list);
	item = &s->list[s->count++];
	item->bytes = xmalloc(len + 1);
	memcpy(item->bytes, bytes, len);
	item->bytes[len] = '\0';
	item->len = len;
}

static void add_lines(struct secrets *s, const char *text, size_t len)
{
	const char *end = text + len;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		const char *line_end = nl ? nl : end;
		size_t n = (size_t)(line_end - text);

		if (n && text[n - 1] == '\r')
			n--;
		if (n)
			secrets_add(s, text, n);
		text = nl ? nl + 1 : end;
	}
}

/* Closes fd and fails with err, so every early return of secrets_add_file reads the same. */
static int fail_closing(int fd, int err)
{
	close(fd);
	errno = err;
	return -1;
}

int secrets_add_file(struct secrets *s, const char *path)
{
	char content[SECRET_FILE_MAX + 1];
	size_t len = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		return fail_closing(fd, errno);
	if (S_ISDIR(st.st_mode))
		return fail_closing(fd, EISDIR);
	/* A pipe (-k <(pass show ...)) is fine and has no permissions worth checking. */
	if (S_ISREG(st.st_mode) && (st.st_mode & S_IROTH))
		msg_warn("secret file %s is readable by everyone (chmod 600 %s)", path, path);

	for (;;) {
		ssize_t got = read(fd, content + len, sizeof content - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (len += (size_t)got) > SECRET_FILE_MAX) {
			int err = got < 0 ? errno : EFBIG;
			explicit_bzero(content, sizeof content);
			return fail_closing(fd, err);
		}
		if (got == 0)
			break;
	}
	close(fd);
	add_lines(s, content, len);
	explicit_bzero(content, len);
	return 0;
}

void secrets_load(struct secrets *s, char *const *files, size_t nfiles)
{
	const char *env_file = getenv("ASC_WEBHOOK_SECRET_FILE");
	const char *env_secret = getenv("ASC_WEBHOOK_SECRET");
	size_t i;

	for (i = 0; i < nfiles; i++)
		if (secrets_add_file(s, files[i]) != 0)
			die(EX_CONFIG, "cannot read secret file %s: %s", files[i], strerror(errno));
	if (env_file && *env_file && secrets_add_file(s, env_file) != 0)
		die(EX_CONFIG, "cannot read secret file %s (ASC_WEBHOOK_SECRET_FILE): %s", env_file,
		    strerror(errno));
	if (env_secret && *env_secret)
		secrets_add(s, env_secret, strlen(env_secret));
	if (s->count == 0)
		die(EX_CONFIG, "no webhook secret (give -k FILE, or set ASC_WEBHOOK_SECRET_FILE or "
			       "ASC_WEBHOOK_SECRET)");
}

void secrets_wipe(struct secrets *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		explicit_bzero(s->list[i].bytes, s->list[i].len);
		free(s->list[i].bytes);
	}
	free(s->list);
	s->list = NULL;
	s->count = 0;
}
