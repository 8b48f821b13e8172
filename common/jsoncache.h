/* jsoncache: small JSON objects kept on disk by kind and id (DIR/KIND/ID.json), so that what
 * the App Store Connect API said once is not asked again: an app's name for a day, what a
 * build belongs to for good (it cannot change). Written whole (temporary file, rename), so
 * a reader never sees half of one; any failure only means asking the API again. */
#ifndef ASCBELL_JSONCACHE_H
#define ASCBELL_JSONCACHE_H

#include <jv.h>

/* An id fit to be a file name: letters, digits, '-' and '_', 1 to 128 of them. */
int jsoncache_id_ok(const char *id);

/* The object kept for kind/id if it is younger than max_age seconds (0: any age), else an
 * invalid jv. dir "" means no cache. */
jv jsoncache_read(const char *dir, const char *kind, const char *id, long max_age);

/* Keeps value (consumed) for kind/id; quietly does nothing when it cannot. */
void jsoncache_write(const char *dir, const char *kind, const char *id, jv value);

#endif
