/* batch: group commit of messages into a spool (see batch.h). */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

static char why[PATH_MAX + 512];

const char *batch_why(void)
{
	return why;
}

void batch_init(struct batch *b, const char *dir, void (*on_queued)(const char *name, void *ctx),
		void *ctx)
{
	struct rlimit files;

	b->dir = dir;
	b->on_queued = on_queued;
	b->ctx = ctx;
	b->count = b->bytes = 0;
	b->max_count = BATCH_MAX_COUNT;
	/* Each message of a group holds its file open until the commit, and a claim holds
	 * its marker: two descriptors each, and some left for everything else. */
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
	    files.rlim_cur < 2 * BATCH_MAX_COUNT + 64)
		b->max_count = files.rlim_cur > 66 ? (size_t)(files.rlim_cur - 64) / 2 : 1;
}

/* The message is out of the group: its claim made done (durable) or released. */
static void settle(struct batch_item *item, int queued)
{
	if (!item->claim)
		return;
	if (!queued)
		dedup_release(item->claim);
	else if (dedup_done(item->claim, "queued") != 0)
		msg_warn("%s (it may be notified again)", dedup_why());
	free(item->claim);
	item->claim = NULL;
}

/* Gives up items from..count-1: files removed from tmp/ (or left in new/ when renamed
 * already: see batch_commit), claims released. */
static void drop(struct batch *b, size_t from)
{
	size_t i;

	for (i = from; i < b->count; i++) {
		if (b->items[i].fd >= 0)
			close(b->items[i].fd);
		spool_discard_tmp(b->dir, b->items[i].name);
		settle(&b->items[i], 0);
	}
}

static void reset(struct batch *b)
{
	b->count = b->bytes = 0;
}

/* Makes the data and inode of every file of the group durable; every descriptor is
 * closed (-1), even on failure. 0, or -1 with why set. */
static int sync_group(struct batch *b)
{
	size_t i;
	int rc = 0;

	if (b->count < BATCH_SYNCFS_MIN) {
		for (i = 0; i < b->count; i++) {
			int fd = b->items[i].fd;
			b->items[i].fd = -1;
			if (rc == 0 && spool_sync_file(b->dir, b->items[i].name, fd) != 0) {
				snprintf(why, sizeof why, "%s", spool_why());
				rc = -1;
			} else if (rc != 0) {
				close(fd);
			}
		}
		return rc;
	}
	/* Each fsync of a new file writes its inode and its tmp/ entry and flushes the
	 * disk's cache (a host fsync under a VM): 120 us or more each, the whole cost of a
	 * stream. One syncfs writes all of them in one pass with one flush (here 10,000
	 * messages in 1.5 s instead of 2.2 s with writeback started for the whole group and
	 * an fsync each; 3.8 s with only the fsyncs). Since Linux 5.8 it reports any
	 * writeback error on the filesystem since the group's first file was opened, ours
	 * among them; someone else's makes the group fail, the safe way. Its cost is also
	 * whatever else is dirty on that filesystem, which is why one message alone (a live
	 * receiver's) keeps its own fsync. */
	if (syncfs(b->items[0].fd) != 0) {
		snprintf(why, sizeof why, "cannot sync the files written in %s/tmp: %s", b->dir,
			 strerror(errno));
		rc = -1;
	}
	for (i = 0; i < b->count; i++) {
		if (close(b->items[i].fd) != 0 && rc == 0) {
			snprintf(why, sizeof why, "cannot write %s/tmp/%s: %s", b->dir,
				 b->items[i].name, strerror(errno));
			rc = -1;
		}
		b->items[i].fd = -1;
	}
	return rc;
}

size_t batch_commit(struct batch *b)
{
	size_t i, renamed, lost;

	if (b->count == 0)
		return 0;
	if (sync_group(b) != 0) {
		lost = b->count;
		drop(b, 0);
		reset(b);
		return lost;
	}
	for (renamed = 0; renamed < b->count; renamed++)
		if (spool_publish_held(b->dir, b->items[renamed].name, b->items[renamed].not_before) != 0)
			break;
	if (renamed < b->count)
		snprintf(why, sizeof why, "%s", spool_why());
	/* One directory sync makes every rename before it durable. */
	if (renamed > 0 && spool_sync_new(b->dir) != 0) {
		snprintf(why, sizeof why, "%s", spool_why());
		renamed = 0;
	}
	/* A rename that failed (a full directory) leaves the ones before it queued and
	 * durable: they are reported so, as they would be one message at a time. */
	for (i = 0; i < renamed; i++) {
		settle(&b->items[i], 1);
		if (b->on_queued)
			b->on_queued(b->items[i].name, b->ctx);
	}
	drop(b, renamed);
	lost = b->count - renamed;
	reset(b);
	return lost;
}

size_t batch_add(struct batch *b, const void *data, size_t len, struct dedup *claim,
		 long long not_before)
{
	struct batch_item *item = &b->items[b->count];
	size_t lost;

	item->fd = spool_write_tmp(b->dir, data, len, item->name);
	if (item->fd < 0) {
		snprintf(why, sizeof why, "%s", spool_why());
		if (claim && claim->fd >= 0)
			dedup_release(claim);
		/* Nothing of a group with a failed write is queued: the same disk fault may have
		 * hit the files before it. */
		lost = b->count + 1;
		drop(b, 0);
		reset(b);
		return lost;
	}
	item->claim = NULL;
	item->not_before = not_before;
	if (claim && claim->fd >= 0) {
		item->claim = xmalloc(sizeof *item->claim);
		*item->claim = *claim;
		claim->fd = -1;
	}
	b->count++;
	b->bytes += len;
	if (b->count >= b->max_count || b->bytes >= BATCH_MAX_BYTES)
		return batch_commit(b);
	return 0;
}

int batch_holds_event(const struct batch *b, const char *id)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		if (b->items[i].claim && strcmp(b->items[i].claim->id, id) == 0)
			return 1;
	return 0;
}
