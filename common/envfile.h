/* envfile: the receiver's configuration file (/etc/ascbell/env, $ASCBELL_ENV) as a C
 * program can read it. asc-receiver sources the file with sh; asc-http reads the same file
 * without a shell, so it takes only what needs no shell to understand: one NAME=VALUE per
 * line, "export " before it allowed, blank lines and # comments, values plain or quoted
 * ('...' literally, "..." with \ escapes), and a trailing # comment. A value that needs
 * the shell ($VAR, `cmd`, ~) cannot be known here: reading it is an error, never a guess. */
#ifndef ASCBELL_ENVFILE_H
#define ASCBELL_ENVFILE_H

#include <stddef.h>

struct envfile {
	char **names;
	char **values;
	size_t count;
};

#define ENVFILE_MAX_BYTES (64 * 1024)

/* Reads path, keeping the values of the names in wanted (NULL-terminated); the last
 * assignment of a name wins, as in the shell. A file that does not exist is an empty
 * configuration (0). Returns 0, or -1 with one line in err saying what and where: the file
 * cannot be read, a line is not an assignment, a quote is left open, or a wanted name's
 * value needs the shell. Values of other names are not judged beyond their quoting. */
int envfile_read(const char *path, const char *const *wanted, struct envfile *out, char *err,
		 size_t err_size);

/* The value of name, or NULL when the file did not set it. */
const char *envfile_get(const struct envfile *env, const char *name);

void envfile_free(struct envfile *env);

#endif
