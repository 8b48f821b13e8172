/* history: the receiver's record of what it answered ($ASCBELL_HISTORY), one JSON line per
 * request in DIR/YYYY-MM-DD.jsonl (the UTC day of "at"), read back for review times and
 * reports (ascbell(7), HISTORY). The record is not the delivery: a line that cannot be
 * written is the caller's warning, never a different answer. */
#ifndef ASCBELL_HISTORY_H
#define ASCBELL_HISTORY_H

#include <stddef.h>
#include <time.h>

#include <jv.h>

#include "buf.h"

/* The line (without its newline) for a request answered at at_ms (whole seconds kept):
 * {"at":..,"answer":..,"outcome":..,"app":..,"event":..}. app and outcome may be NULL
 * (null); event is borrowed (null when none was parsed). */
void history_format(struct buf *out, long long at_ms, int answer, const char *outcome,
		    const char *app, jv event);

/* Appends the line to its day's file in dir with one write(2) on an O_APPEND descriptor
 * (concurrent receivers never interleave), then fsync. The file is made 0660 when dir is
 * group-writable (the setgid state directories), else 0600, whatever the umask; dir itself
 * is made when missing, as the spool's are. Returns 0, or -1 with the reason in why. */
int history_append(const char *dir, long long at_ms, int answer, const char *outcome,
		   const char *app, jv event, char *why, size_t size);

/* A history line made ready in advance, for a moment when nothing may be allocated or
 * formatted: the signal handler that answers a request whose deadline passed. */
struct history_pending {
	char path[4200];
	char line[2048];
	size_t len; /* 0: nothing to write */
	int group;  /* the file is made 0660 (the directory is the group's), else 0600 */
};

/* Makes the line history_append would write (with no event: none is known yet), and
 * makes dir when missing. Returns 0, or -1 with the reason in why (p then writes nothing). */
int history_prepare(struct history_pending *p, const char *dir, long long at_ms, int answer,
		    const char *outcome, const char *app, char *why, size_t size);

/* Appends a prepared line as history_append does, with async-signal-safe calls only.
 * Returns 0, or -1 with errno set. */
int history_write_pending(const struct history_pending *p);

/* The path of the day's file holding the instant t. */
void history_path(char *out, size_t size, const char *dir, time_t t);

/* Calls fn(line, ctx) with each line of the file that is a JSON object (consumed by fn),
 * in order; fn returns non-zero to stop. With a needle, only the lines that contain it are
 * parsed (the cost of reading back a month: a few memmem passes, not a JSON parse of
 * every line). A line that is not a JSON object is skipped with a warning naming the file
 * and the line. Returns 0, or -1 when the file cannot be read (errno set; ENOENT: no such
 * day). */
int history_scan(const char *path, const char *needle, int (*fn)(jv line, void *ctx), void *ctx);

#endif
