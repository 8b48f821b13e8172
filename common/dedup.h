/* dedup: one notification per event id, across processes, crashes and replays.
 *
 * A marker DIR/ID says one of two things:
 *
 *   "pending PID"  someone is notifying the event now, or was and died. The claimant holds
 *                  an exclusive flock(2) on the marker for as long as it lives: the kernel
 *                  drops it when the process dies, whatever killed it (SIGKILL, a timeout, a
 *                  crash). A pending marker nobody holds was left by a dead claimant, and the
 *                  next claim takes it over.
 *   "done WHAT"    the notification was sent (Echobell answered 2xx), queued in the outbox,
 *                  or kept in the unsent spool, durably, before this was written. An empty
 *                  marker (written by earlier versions, which meant the same) counts as done.
 *
 * So a marker means "notified or durably queued", or "being notified by a live process",
 * never "someone started once". The one window left: killed between Echobell's 2xx and
 * the fsync of "done", the event is notified again by the next delivery or replay.
 *
 * Markers and the directory follow spool.h's mode rule (group-shared 0660/2770 in a
 * group-writable parent, else 0600/0700). */
#ifndef ASCBELL_DEDUP_H
#define ASCBELL_DEDUP_H

#include <limits.h>

enum dedup_claim {
	DEDUP_CLAIMED, /* ours: notify, then dedup_done or dedup_release */
	DEDUP_DONE,    /* already notified or queued: do nothing */
	DEDUP_BUSY,    /* a live process is notifying it now: try again later */
	DEDUP_ERROR,   /* the directory cannot be used; errno set, dedup_why() says what */
};

struct dedup {
	int fd; /* the locked marker, -1 when none */
	int taken_over; /* the claim was a dead claimant's */
	char dir[3072]; /* longer directories are refused (ENAMETOOLONG) */
	char id[129];
};

/* Whether id may name a marker: 1 to 128 letters, digits and dashes (App Store Connect's
 * ids are UUIDs). */
int dedup_valid_id(const char *id);

enum dedup_claim dedup_claim(const char *dir, const char *id, struct dedup *d);

/* The notification is out or safe on disk: the marker says "done WHAT", durably. Returns
 * 0, or -1 with errno set (the claim is then dropped as by dedup_release, without
 * removing the marker: a later claim takes it over). */
int dedup_done(struct dedup *d, const char *what);

/* The notification could be neither sent nor kept: the marker goes, so the next delivery
 * of the event is notified. */
void dedup_release(struct dedup *d);

const char *dedup_why(void);

/* Whether the event's marker says done (a look, no claim: a repeat is told apart before
 * any work is spent on it; the claim itself comes when the message goes out). */
int dedup_is_done(const char *dir, const char *id);

#endif
