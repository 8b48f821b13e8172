/* secretfile: rewriting a receiver's secret file (one secret a line, see secrets.h) so that
 * a reader at any moment finds either the whole old content or the whole new one: for
 * asc-webhooks rotate, which must never leave the receiver without the secret App Store
 * Connect signs with. */
#ifndef ASCBELL_SECRETFILE_H
#define ASCBELL_SECRETFILE_H

#include <stddef.h>

#include "secrets.h"

/* Replaces the file at path (a symbolic link is followed: its target is replaced) with the
 * secrets given, one a line, in that order: a temporary file in the same directory, with the
 * old file's owner and mode, written and fsync'd, renamed over the old one, and the directory
 * fsync'd. Returns 0, or -1 with errno set and the step that failed in why (never a secret);
 * the old file is then untouched and the temporary one removed. */
int secretfile_replace(const char *path, const struct secrets *lines, char *why, size_t why_size);

#endif
