/* timevars: Echobell's built-in UTC time variables (now, iso, epochMs, date, time, ...),
 * so templates that use them render here as there. $ASCBELL_NOW pins the clock, for tests
 * and for previews of a given moment. */
#ifndef ASCBELL_TIMEVARS_H
#define ASCBELL_TIMEVARS_H

#include <jv.h>

/* Reads $ASCBELL_NOW once: 0 when unset or valid, -1 when it is not
 * YYYY-MM-DDTHH:MM:SS[.fff]Z (the caller says so and exits). */
int timevars_init(void);

/* The clock every program reads: $ASCBELL_NOW when it is set (after timevars_init), else
 * the real time. Milliseconds since the epoch, UTC. Use it for any decision that a test
 * must be able to pin (quiet hours, review times, report windows). */
long long timevars_clock_ms(void);

/* The variables for this moment, as one object. */
jv timevars_now(void);

/* Whether a name is one of them. */
int timevars_has(const char *name);

#endif
