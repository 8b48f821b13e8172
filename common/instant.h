/* instant: the one reader of ISO 8601 times and dates, for every program (Apple's
 * timestamps, the history's lines, $ASCBELL_NOW, --since, --not-before, the history's day
 * file names). One reader, so a time one program takes no other refuses. */
#ifndef ASCBELL_INSTANT_H
#define ASCBELL_INSTANT_H

#include <time.h>

/* An instant as App Store Connect writes it: YYYY-MM-DDTHH:MM:SS, every field its full
 * number of digits and a real calendar date and time (no 30 February, no hour 24), any
 * number of fraction digits, then Z or an offset (+HH:MM or +HHMM). 0 and *out set, or -1. */
int instant_parse(const char *text, time_t *out);

/* The same, in milliseconds: the fraction's first three digits count, more are ignored. */
int instant_parse_ms(const char *text, long long *out);

/* A calendar date YYYY-MM-DD (exactly that, a real date): the instant its day begins in UTC.
 * 0 and *out set, or -1. */
int date_parse(const char *text, time_t *out);

/* A date or an instant, told apart by length: --since 2026-11-01 and --since
 * 2026-11-01T08:00:00+01:00. */
int date_or_instant_parse(const char *text, time_t *out);

#endif
