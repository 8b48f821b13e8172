/* sender: one message's way out, shared by echobell-send and the receiver in asc-http: the
 * event's de-duplication claim, the body Echobell gets, then sent now (with retries, kept
 * in a spool when that fails) or written into the outbox for the delivery agent. */
#ifndef ASCBELL_SENDER_H
#define ASCBELL_SENDER_H

#include <jv.h>
#include <signal.h>
#include <stdio.h>

#include "buf.h"
#include "dedup.h"
#include "deliver.h"
#include "net.h"
#include "quiet.h"
#include "spool.h"

struct sender {
	/* Settings. */
	const char *spool; /* direct mode: keep here what could not be delivered */
	const char *dedup; /* one notification per event id, or NULL */
	const char *type;  /* notificationType for messages without their own, or NULL */
	int dry_run;       /* print "POST URL" and the body instead of sending */
	FILE *dry_out;     /* where to print it (NULL: standard output) */
	struct retry_policy policy;
	volatile sig_atomic_t *stop; /* a wait between retries ends when this is set */
	const struct quiet *quiet;   /* sender_queue: hold by the quiet hours, or NULL */
	/* The connection (direct mode). */
	const char *url;
	struct net *net;
	/* What happened so far. */
	int outage; /* a message was still unavailable: the next get one attempt each */
	unsigned long count;      /* messages seen */
	unsigned long kept;       /* put in the spool instead of sent */
	unsigned long done;       /* sent or queued */
	unsigned long duplicates; /* not sent: their event was notified already */
	unsigned long held;       /* queued with a hold (quiet hours) */
};

/* The line for one message (consumed): the object as compact JSON, with its own
 * notificationType when Echobell accepts it, else type's, else none, and a newline; in out
 * (emptied first). Without its newline it is the body to POST; with it, a file of the
 * outbox or the spool (JSON Lines, cat-able). */
void sender_line(jv message, const char *type, unsigned long number, struct buf *out);

/* Claims the message's event under s->dedup. Returns -1 when the message may go out (*d
 * holds the claim, or d->fd is -1 when there is nothing to claim), else the exit status
 * for it (0 for a duplicate, 75 when another process holds it or the directory fails). */
int sender_claim(struct sender *s, jv message, struct dedup *d);

/* Settles the claim: final when status is 0 (what: "sent", "kept", "queued"), else
 * released so that a retry is notified. */
void sender_settle(struct dedup *d, int status, const char *what);

/* Sends one message (consumed, an object), claim to settle. Returns 0 (sent, kept or a
 * duplicate), or the exit status: 65 refused by Echobell, 69 unusable, 75 not delivered
 * and not kept. */
int sender_send(struct sender *s, jv message);

/* Writes one message (consumed, an object) into the outbox dir, claim to settle, held
 * until the end of s->quiet's window when it holds the message now (timevars_clock_ms).
 * Returns 0 (queued or a duplicate) or 75. */
int sender_queue(struct sender *s, const char *dir, jv message);

#endif
