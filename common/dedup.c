/* dedup: markers that mean "notified or durably queued" (see dedup.h). */
#include "dedup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

/* A claim meets a marker that changes under it (released, made done) at most a few
 * times in a row; beyond that, someone else is busy with the event. */
#define CLAIM_TRIES 8

static char why[2 * PATH_MAX + 256];

const char *dedup_why(void)
{
	return why;
}

int dedup_valid_id(const char *id)
{
	size_t len = strlen(id);

	return len > 0 && len <= 128 &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Whether the marker read through fd is pending (else done: "done ..." or empty). */
static int is_pending(int fd)
{
	char head[8];
	ssize_t n = pread(fd, head, sizeof head, 0);

	return n >= 7 && memcmp(head, "pending", 7) == 0;
}

/* Whether fd is still the file at path (a released marker is unlinked, a done one
 * replaced). */
static int still_there(int fd, const char *path)
{
	struct stat open_st, path_st;

	return fstat(fd, &open_st) == 0 && stat(path, &path_st) == 0 &&
	       open_st.st_ino == path_st.st_ino && open_st.st_dev == path_st.st_dev;
}

/* A new file in d->dir holding text, locked, not yet under its final name. Returns its fd
 * and its name in tmp, or -1. */
static int make_file(struct dedup *d, const char *text, char tmp[PATH_MAX])
{
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, PATH_MAX, "%s/.%s.%ld", d->dir, d->id, (long)getpid());
	unlink(tmp); /* our own leftover: the pid is ours */
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, spool_file_mode(d->dir)) != 0 || write(fd, text, len) != (ssize_t)len ||
	    flock(fd, LOCK_EX) != 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return fd;
}

static enum dedup_claim error(const char *what, const char *path)
{
	int saved = errno;

	snprintf(why, sizeof why, "%s %s: %s", what, path, strerror(errno));
	errno = saved;
	return DEDUP_ERROR;
}

enum dedup_claim dedup_claim(const char *dir, const char *id, struct dedup *d)
{
	char path[PATH_MAX], tmp[PATH_MAX], pending[64];
	int tries;

	memset(d, 0, sizeof *d);
	d->fd = -1;
	if (strlen(dir) >= sizeof d->dir || !dedup_valid_id(id)) {
		errno = strlen(dir) >= sizeof d->dir ? ENAMETOOLONG : EINVAL;
		return error("cannot use", dir);
	}
	snprintf(d->dir, sizeof d->dir, "%s", dir);
	snprintf(d->id, sizeof d->id, "%s", id);
	if (spool_make_dirs(dir) != 0) {
		snprintf(why, sizeof why, "%s", spool_why());
		return DEDUP_ERROR;
	}
	snprintf(path, sizeof path, "%s/%s", dir, id);
	snprintf(pending, sizeof pending, "pending %ld\n", (long)getpid());
	for (tries = 0; tries < CLAIM_TRIES; tries++) {
		/* A marker already there: done, held by a live claimant, or a dead one's. */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (!is_pending(fd)) {
				close(fd);
				return DEDUP_DONE;
			}
			if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
				close(fd);
				if (errno != EWOULDBLOCK)
					return error("cannot lock", path);
				return DEDUP_BUSY;
			}
			/* Ours now, unless it was released or made done while we waited. */
			if (!still_there(fd, path)) {
				close(fd);
				continue;
			}
			d->fd = fd;
			d->taken_over = 1;
			return DEDUP_CLAIMED;
		}
		if (errno != ENOENT)
			return error("cannot read", path);
		/* None: a new one, locked before it gets its name, so nobody ever sees it
		 * pending and free; link() gives it the name only if nobody else did. */
		fd = make_file(d, pending, tmp);
		if (fd < 0)
			return error("cannot write", tmp);
		if (link(tmp, path) == 0) {
			unlink(tmp);
			d->fd = fd;
			return DEDUP_CLAIMED;
		}
		{
			int saved = errno;
			unlink(tmp);
			close(fd);
			errno = saved;
		}
		if (errno != EEXIST)
			return error("cannot make", path);
	}
	return DEDUP_BUSY;
}

int dedup_done(struct dedup *d, const char *what)
{
	char path[PATH_MAX], tmp[PATH_MAX], text[128];
	int fd, rc = 0, saved;

	snprintf(path, sizeof path, "%s/%s", d->dir, d->id);
	snprintf(text, sizeof text, "done %s\n", what);
	/* A whole new file renamed over the pending one: a reader sees one or the other. */
	fd = make_file(d, text, tmp);
	if (fd < 0 || fsync(fd) != 0 || rename(tmp, path) != 0 || sync_dir(d->dir) != 0) {
		rc = -1;
		saved = errno;
		snprintf(why, sizeof why, "cannot record %s as notified in %s: %s", d->id, d->dir,
			 strerror(saved));
		if (fd >= 0)
			unlink(tmp);
		errno = saved;
	}
	if (fd >= 0)
		close(fd);
	close(d->fd);
	d->fd = -1;
	return rc;
}

void dedup_release(struct dedup *d)
{
	char path[PATH_MAX];

	if (d->fd < 0)
		return;
	snprintf(path, sizeof path, "%s/%s", d->dir, d->id);
	/* Removed while still locked: whoever waits on it sees it gone and starts afresh. */
	if (still_there(d->fd, path))
		unlink(path);
	close(d->fd);
	d->fd = -1;
}

int dedup_is_done(const char *dir, const char *id)
{
	char path[PATH_MAX];
	int fd, done;

	if (!dedup_valid_id(id) || (size_t)snprintf(path, sizeof path, "%s/%s", dir, id) >= sizeof path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	done = !is_pending(fd);
	close(fd);
	return done;
}
