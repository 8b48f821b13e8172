/* histread: reading the receiver's history (ASCBELL_HISTORY: one JSON Lines file a UTC
 * day, YYYY-MM-DD.jsonl, one object per answered request; the format is fixed in
 * ascbell(7)) for a window of time. Only the day files the window touches are opened. A
 * line that is not a history line is reported with its file and line number and skipped:
 * one torn or forged line never hides the rest. */
#ifndef ASCBELL_HISTREAD_H
#define ASCBELL_HISTREAD_H

#include <jv.h>
#include <stddef.h>

/* One line that passed the checks: an object whose "at" is a time in the window,
 * "answer" an HTTP status (100-599), "app" a string or null, "event" an object or null.
 * line is the callback's to free; at is its "at" in epoch seconds. */
typedef void (*history_fn)(jv line, long long at, void *ctx);

struct history_read {
	unsigned long lines;   /* lines handed to the callback */
	unsigned long skipped; /* lines reported and skipped */
};

/* Reads dir's day files from since's UTC date to until's, and hands each line with
 * since <= at < until (epoch seconds) to fn. A day without a file had no requests. A line
 * over max_line bytes is skipped unread. Returns 0, EX_NOINPUT (no such directory, or a
 * day file that cannot be opened: the report would be silently short) or EX_IOERR, with
 * the message said. */
int history_read(const char *dir, long long since, long long until, size_t max_line,
		 history_fn fn, void *ctx, struct history_read *counts);

#endif
