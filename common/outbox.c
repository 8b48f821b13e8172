/* outbox: emptying a spool directory into Echobell, once or for as long as it runs. */
#include "outbox.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "spool.h"
#include "timevars.h"
#include "util.h"

/* A message name and what the outbox has noted in it. */
struct entry {
	char base[SPOOL_NAME_SIZE]; /* the name spool_add gave it */
	int attempts;               /* tries already made */
	long long not_before;       /* epoch seconds; 0 when it may go now */
	long claimed_by;            /* pid, in cur/ */
	int sent;                   /* in cur/: Echobell took it; only the removal is left */
};

static void parse_entry(const char *name, struct entry *e)
{
	const char *comma = strchr(name, ',');
	size_t len = comma ? (size_t)(comma - name) : strlen(name);

	memset(e, 0, sizeof *e);
	if (len >= sizeof e->base)
		len = sizeof e->base - 1;
	memcpy(e->base, name, len);
	while (comma) {
		const char *field = comma + 1;
		if (strncmp(field, "a=", 2) == 0)
			e->attempts = atoi(field + 2);
		else if (strncmp(field, "t=", 2) == 0)
			e->not_before = atoll(field + 2);
		else if (strncmp(field, "p=", 2) == 0)
			e->claimed_by = atol(field + 2);
		else if (strncmp(field, "sent", 4) == 0 && (field[4] == ',' || field[4] == '\0'))
			e->sent = 1;
		comma = strchr(field, ',');
	}
}

static void entry_name(const struct entry *e, char out[SPOOL_NAME_SIZE + 64], int with_claim)
{
	int n = snprintf(out, SPOOL_NAME_SIZE + 64, "%s", e->base);
	if (e->attempts)
		n += snprintf(out + n, (size_t)(SPOOL_NAME_SIZE + 64 - n), ",a=%d,t=%lld", e->attempts,
			      e->not_before);
	if (with_claim)
		snprintf(out + n, (size_t)(SPOOL_NAME_SIZE + 64 - n), ",p=%ld", (long)getpid());
}

static double epoch_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A message held by its writer (quiet hours: a ,t= without an ,a=, never tried) waits for
 * a moment of the calendar, read on the one clock a test can pin ($ASCBELL_NOW,
 * timevars.h); a retry waits for a span of real time, which a pinned clock would stop
 * for ever. Under a pinned clock a held message is due, or not, for the agent's whole
 * run. */
static int held(const struct entry *e)
{
	return e->not_before > 0 && e->attempts == 0;
}

/* Seconds of real time until e is due (0 or less: due now). */
static double wait_for(const struct entry *e, double now)
{
	if (held(e))
		return (double)e->not_before - (double)timevars_clock_ms() / 1000;
	return (double)e->not_before - now;
}

/* Reads a message; the trailing newline kept on disk is not part of the POST. */
static int read_message(struct outbox *o, const char *sub, const char *name, struct buf *body)
{
	buf_clear(body);
	if (spool_read(o->dir, sub, name, body, OUTBOX_MESSAGE_MAX) != 0)
		return -1;
	if (body->len && body->data[body->len - 1] == '\n')
		body->data[--body->len] = '\0';
	return 0;
}

/* Echobell answered 2xx: first a durable record of it (the rename into cur/NAME,sent and
 * the sync of cur/), then the removal. An agent killed between the two finds the record
 * on its next start and removes the message instead of sending it again; only a kill
 * between the 2xx and the record sends it twice. */
static void sent(struct outbox *o, const char *sub, const char *name, const struct entry *e)
{
	char record[SPOOL_NAME_SIZE + 64];

	snprintf(record, sizeof record, "%s,sent", e->base);
	if (spool_move(o->dir, sub, name, "cur", record) == 0) {
		sub = "cur";
		name = record;
	} else {
		msg_warn("%s: cannot record it as sent (%s): removing it at once", e->base,
			 strerror(errno));
	}
	if (spool_remove(o->dir, sub, name) != 0 && errno != ENOENT)
		msg_error("%s: sent, but cannot be removed: %s", e->base, strerror(errno));
}

/* What an earlier run left: messages recorded as sent but not yet removed (they are not
 * sent again), and in tmp/ the files of writers that died before their rename (a writer
 * whose process is gone, or any file older than a writer can take, as Maildir does). */
#define STALE_TMP_SECONDS (36 * 3600)

static void clean_leftovers(struct outbox *o)
{
	size_t count, i;
	char **names = spool_list(o->dir, "cur", &count);
	double now = epoch_now();

	for (i = 0; i < count; i++) {
		struct entry e;
		parse_entry(names[i], &e);
		if (e.sent && spool_remove(o->dir, "cur", names[i]) == 0)
			msg_warn("%s: was sent before a restart; removed, not sent again", e.base);
	}
	spool_list_free(names, count);
	names = spool_list(o->dir, "tmp", &count);
	for (i = 0; i < count; i++) {
		char path[PATH_MAX];
		struct stat st;
		long pid = 0;
		int gone;

		/* spool names: seconds.microseconds.pid.counter */
		if (sscanf(names[i], "%*[0-9].%*[0-9].%ld.", &pid) != 1)
			pid = 0;
		snprintf(path, sizeof path, "%s/tmp/%s", o->dir, names[i]);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		gone = pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
		if (!gone && now - (double)st.st_mtime < STALE_TMP_SECONDS)
			continue;
		/* A writer we took for dead only sees its rename fail, and reports it. */
		if (unlink(path) == 0)
			msg_warn("tmp/%s: left by a writer that %s; removed", names[i],
				 gone ? "is gone" : "never finished");
	}
	spool_list_free(names, count);
}

static void give_up(struct outbox *o, const char *sub, const char *name, const struct entry *e,
		    const char *reason)
{
	if (spool_move(o->dir, sub, name, "failed", e->base) != 0)
		msg_error("%s: cannot move to failed/: %s", e->base, strerror(errno));
	spool_write_reason(o->dir, e->base, reason);
	msg_error("%s: %s; moved to failed/", e->base, reason);
}

int outbox_flush(struct outbox *o)
{
	struct buf body = BUF_INIT;
	size_t count, i;
	char **names;
	int status = 0;

	clean_leftovers(o);
	names = spool_list(o->dir, "new", &count);
	for (i = 0; i < count && !*o->stop; i++) {
		struct delivery_report report;
		char why[512];
		struct entry e;
		enum delivery result;

		parse_entry(names[i], &e);
		/* A flush by hand sends what waits for a retry at once, but not what its writer
		 * held for later (quiet hours): that is a choice, not a failure. */
		if (held(&e) && wait_for(&e, 0) > 0) {
			msg_info("%s: held until %lld; not sent yet", e.base, e.not_before);
			continue;
		}
		if (read_message(o, "new", names[i], &body) != 0) {
			snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
			give_up(o, "new", names[i], &e, why);
			status = worse_status(status, EX_DATAERR);
			continue;
		}
		result = deliver(o->net, o->url, body.data, body.len, &o->policy, o->stop, &report);
		delivery_describe(&report, o->url, why, sizeof why);
		if (result == DELIVERED) {
			sent(o, "new", names[i], &e);
			msg_info("sent %s (%s, %d attempt%s)", e.base, why, report.attempts,
				 report.attempts == 1 ? "" : "s");
		} else if (result == REJECTED) {
			give_up(o, "new", names[i], &e, why);
			status = worse_status(status, EX_DATAERR);
		} else {
			msg_error("%s: %s; left in the spool, and the %zu after it", e.base, why,
				  count - i - 1);
			status = worse_status(status, EX_TEMPFAIL);
			break;
		}
	}
	spool_list_free(names, count);
	buf_free(&body);
	return status;
}

/* Claims left in cur/ by an agent that is gone go back to new/ for another try. */
static void recover_claims(struct outbox *o)
{
	size_t count, i;
	char **names = spool_list(o->dir, "cur", &count);

	for (i = 0; i < count; i++) {
		struct entry e;
		char back[SPOOL_NAME_SIZE + 64];

		parse_entry(names[i], &e);
		if (e.sent)
			continue; /* clean_leftovers removes it */
		if (e.claimed_by && e.claimed_by != (long)getpid() && kill((pid_t)e.claimed_by, 0) == 0)
			continue; /* a live agent is sending it */
		entry_name(&e, back, 0);
		if (spool_move(o->dir, "cur", names[i], "new", back) == 0)
			msg_warn("%s: taken back from an agent that stopped while sending it", e.base);
	}
	spool_list_free(names, count);
}

/* One pass over what is due. Returns when the next message falls due (epoch seconds), or
 * HUGE_VAL when nothing waits. */
static double deliver_due(struct outbox *o)
{
	static const struct retry_policy probe = {0, 60, 0, 0};
	struct buf body = BUF_INIT;
	size_t count, i;
	char **names = spool_list(o->dir, "new", &count);
	double next = HUGE_VAL;
	long long failed_until = -1; /* set when a message just failed in this pass */

	for (i = 0; i < count && !*o->stop; i++) {
		char claimed[SPOOL_NAME_SIZE + 64], back[SPOOL_NAME_SIZE + 64], why[512];
		struct delivery_report report;
		enum delivery result;
		struct entry e;
		double now = epoch_now();

		parse_entry(names[i], &e);
		if (wait_for(&e, now) > 0) {
			if (now + wait_for(&e, now) < next)
				next = now + wait_for(&e, now);
			continue;
		}
		entry_name(&e, claimed, 1);
		if (spool_move(o->dir, "new", names[i], "cur", claimed) != 0)
			continue; /* another agent claimed it first */
		if (read_message(o, "cur", claimed, &body) != 0) {
			snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
			give_up(o, "cur", claimed, &e, why);
			continue;
		}
		/* Right after a failure, one plain attempt tells an outage from a bad message. */
		result = deliver(o->net, o->url, body.data, body.len,
				 failed_until >= 0 ? &probe : &o->policy, o->stop, &report);
		delivery_describe(&report, o->url, why, sizeof why);
		e.attempts++;
		if (result == DELIVERED) {
			sent(o, "cur", claimed, &e);
			fprintf(stderr, "%s: sent %s (%s, %d attempt%s, %.0f ms)\n", progname, e.base, why,
				report.attempts, report.attempts == 1 ? "" : "s", report.seconds * 1000);
			failed_until = -1;
			continue;
		}
		if (result == REJECTED) {
			give_up(o, "cur", claimed, &e, why);
			continue;
		}
		if (result == INTERRUPTED) {
			e.attempts--;
			entry_name(&e, back, 0);
			spool_move(o->dir, "cur", claimed, "new", back);
			break;
		}
		if ((size_t)e.attempts > o->schedule_len) {
			char reason[600];
			snprintf(reason, sizeof reason, "%s; gave up after %d tries", why, e.attempts);
			give_up(o, "cur", claimed, &e, reason);
			continue;
		}
		/* Two failures in a row: Echobell is down, not this message. Both wait for the
		 * same moment, so they are tried again in their order, and the pass ends. */
		e.not_before = failed_until >= 0 ? failed_until
						 : (long long)ceil(now + o->schedule[e.attempts - 1]);
		entry_name(&e, back, 0);
		spool_move(o->dir, "cur", claimed, "new", back);
		msg_warn("%s: %s; next try in %lld s", e.base, why, e.not_before - (long long)now);
		if ((double)e.not_before < next)
			next = (double)e.not_before;
		if (failed_until >= 0) {
			o->outage_until = (double)failed_until;
			break;
		}
		failed_until = e.not_before;
	}
	spool_list_free(names, count);
	buf_free(&body);
	return next;
}

/* Whether the inotify events waiting on fd include a message put into new/ by someone
 * else (held ones too: the pass they start learns when they fall due): our own deferrals
 * (names with ",a=") are not news. */
static int new_message_arrived(int fd)
{
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int arrived = 0;
	ssize_t len;

	while ((len = read(fd, events, sizeof events)) > 0) {
		char *p = events;
		while (p < events + len) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->len && !strstr(ev->name, ",a="))
				arrived = 1;
			p += sizeof *ev + ev->len;
		}
	}
	return arrived;
}

int outbox_watch(struct outbox *o)
{
	char path[PATH_MAX];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	double last_recovery = epoch_now();

	snprintf(path, sizeof path, "%s/new", o->dir);
	/* Without inotify the periodic rescan still delivers everything, only later. */
	if (fd < 0 || inotify_add_watch(fd, path, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
		msg_warn("cannot watch %s (%s): scanning every %.0f s instead", path, strerror(errno),
			 o->rescan);
	clean_leftovers(o);
	recover_claims(o);
	o->outage_until = 0;
	while (!*o->stop) {
		double next = epoch_now() >= o->outage_until ? deliver_due(o) : o->outage_until;
		double wake_at = next < epoch_now() + o->rescan ? next : epoch_now() + o->rescan;

		/* Sleep until something is due, a rescan, or a new message (unless Echobell is
		 * down: then new messages wait behind the older ones). poll() ends early with
		 * EINTR on SIGTERM. */
		while (!*o->stop) {
			struct pollfd pfd = {fd, POLLIN, 0};
			double left = wake_at - epoch_now();
			if (left <= 0)
				break;
			if (poll(&pfd, fd >= 0 ? 1 : 0, (int)(left * 1000) + 1) > 0 &&
			    new_message_arrived(fd) && epoch_now() >= o->outage_until)
				break;
		}
		if (epoch_now() - last_recovery >= o->rescan) {
			recover_claims(o);
			last_recovery = epoch_now();
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
