/* batch: messages queued into a spool in groups, each group made durable at once (group
 * commit), for a stream of thousands (a replay) where one fsync of the file and one of
 * the directory per message would cap the rate at the disk's sync rate.
 *
 * A message added is written into tmp/ at once. The group is committed when it is full
 * (BATCH_MAX_COUNT messages or BATCH_MAX_BYTES), or when the caller says so (its input
 * has nothing more ready: a slow producer's message waits for no other): every file is
 * made durable (an fsync each, or one syncfs for a group of several), then renamed into
 * new/, then new/ is fsync'd once. Only then is a message reported queued (the on_queued
 * callback) and its de-duplication claim made done, so a marker never says "queued" for a
 * message that is not durably in new/. A group of one costs what spool_add costs. */
#ifndef ASCBELL_BATCH_H
#define ASCBELL_BATCH_H

#include <stddef.h>

#include "dedup.h"
#include "spool.h"

#define BATCH_MAX_COUNT 256
#define BATCH_MAX_BYTES (4u * 1024 * 1024)
/* From this many messages a group is synced with one syncfs(2) instead of an fsync per
 * file (batch.c says why and what it costs). */
#define BATCH_SYNCFS_MIN 8

struct batch_item {
	char name[SPOOL_NAME_SIZE];
	int fd;		      /* the file in tmp/, open until the commit syncs it */
	struct dedup *claim;  /* settled by the commit; NULL when none */
	long long not_before; /* held until then (spool_add_held); 0: not held */
};

struct batch {
	const char *dir;
	void (*on_queued)(const char *name, void *ctx);
	void *ctx;
	size_t max_count; /* BATCH_MAX_COUNT, or fewer when open files are scarce */
	size_t count, bytes;
	struct batch_item items[BATCH_MAX_COUNT];
};

/* dir is a spool made by spool_prepare. on_queued (may be NULL) is told each message's
 * name once it is durable in new/. */
void batch_init(struct batch *b, const char *dir, void (*on_queued)(const char *name, void *ctx),
		void *ctx);

/* Adds a message (written into tmp/ now) and commits the group when that fills it. claim,
 * when not NULL and holding a claim (fd >= 0), is taken over: made done ("queued") once
 * the message is durable, released if it is not. not_before: held until then, as
 * spool_add_held (0: not held). Returns 0, or the number of messages
 * that will never be queued (this one and the rest of its group: a write failure fails
 * the whole group), with batch_why() saying why. */
size_t batch_add(struct batch *b, const void *data, size_t len, struct dedup *claim,
		 long long not_before);

/* Makes the group durable now. Returns 0, or the number of messages not queued (all of
 * the group, or the ones after a rename that failed), batch_why() saying why. A message
 * that failed may still be in new/ (its rename done, the directory sync failed): it may be
 * delivered though reported failed, never the other way round. */
size_t batch_commit(struct batch *b);

/* Whether a message of the uncommitted group holds the claim on event id. */
int batch_holds_event(const struct batch *b, const char *id);

const char *batch_why(void);

#endif
