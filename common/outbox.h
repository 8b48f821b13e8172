/* outbox: emptying a spool directory into Echobell. `flush` does it once, in order, and
 * stops at the first failure; `watch` is the long-running delivery agent.
 *
 * A message's life in the outbox:
 *
 *   tmp/NAME ──rename──▶ new/NAME ──claim (rename)──▶ cur/NAME,p=PID ──2xx──▶ cur/NAME,sent
 *      │                    ▲                             │                 ──▶ (removed)
 *      │                    │                             │
 *      │                    └── new/NAME,a=N,t=WHEN ◀─────┤ 5xx, 429, timeout: later
 *      │                                                  └──▶ failed/NAME + NAME.reason
 *      │                                                       (4xx, or schedule spent)
 *      └──rename──▶ new/NAME,t=WHEN  held by its writer (quiet hours): claimed like the
 *                                    others once WHEN has come, in its turn
 *
 * WHEN is in epoch seconds. A retry's WHEN is a span of real time; a held message's (no
 * ,a=) is a moment of the calendar, read on timevars_clock_ms(), so $ASCBELL_NOW pins it.
 * --flush sends what waits for a retry at once, never a held message before its WHEN.
 *
 * The attempt count and the time before which a message is not tried again live in its
 * name, so they survive a restart; the claim by rename means two agents never send one
 * message twice; a claim left by an agent that died goes back to new/. A 2xx is recorded
 * durably (the rename to ,sent) before the removal, so an agent killed in between does not
 * send the message again on its next start, which also removes what dead writers left in
 * tmp/. */
#ifndef ASCBELL_OUTBOX_H
#define ASCBELL_OUTBOX_H

#include <signal.h>

#include "deliver.h"
#include "net.h"

#define OUTBOX_MESSAGE_MAX (1024 * 1024)

struct outbox {
	const char *dir;
	const char *url;
	struct net *net;
	struct retry_policy policy; /* the first, quick retries of each message */
	const double *schedule;     /* then: seconds to wait before each later try */
	size_t schedule_len;
	double rescan;              /* seconds between scans when nothing wakes us */
	volatile sig_atomic_t *stop;
	double outage_until; /* Echobell looked down: nothing is tried before this time */
};

/* Resends every message in dir/new oldest first, removing each one delivered; a final
 * rejection moves it to failed/. Stops at the first that is still unavailable.
 * Returns 0, EX_TEMPFAIL when something is left, EX_DATAERR when something was rejected. */
int outbox_flush(struct outbox *o);

/* Delivers until *stop is set; returns 0, or an exit status when it cannot run at all. */
int outbox_watch(struct outbox *o);

#endif
