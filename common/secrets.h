/* secrets: the webhook secrets a signature may have been made with (old and new during a
 * rotation), loaded from files or the environment, never from the command line. */
#ifndef ASCBELL_SECRETS_H
#define ASCBELL_SECRETS_H

#include <stddef.h>

struct secret {
	char *bytes;
	size_t len;
};

struct secrets {
	struct secret *list;
	size_t count;
};

#define SECRETS_INIT {NULL, 0}

/* Largest secret file read; a real one holds a few lines. */
#define SECRET_FILE_MAX 65536

/* Adds every non-empty line of the file (a trailing CR is not part of a secret).
 * Warns when others may read the file. Returns 0, or -1 with errno set. */
int secrets_add_file(struct secrets *s, const char *path);

/* Adds one secret (copied). */
void secrets_add(struct secrets *s, const char *bytes, size_t len);

/* The usual sources in order: each of the files, then $ASC_WEBHOOK_SECRET_FILE, then
 * $ASC_WEBHOOK_SECRET. Exits with EX_CONFIG when a file cannot be read or nothing was found. */
void secrets_load(struct secrets *s, char *const *files, size_t nfiles);

/* Overwrites and frees every secret. */
void secrets_wipe(struct secrets *s);

#endif
