/* spool: Maildir-like directories of whole files. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

static const char *const subdirs[] = {"tmp", "new", "cur", "failed"};

static char why[PATH_MAX + 256];

const char *spool_why(void)
{
	return why;
}

/* Sets the explanation of the last failure; errno is kept for the caller. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

/* The group shares what lands in a group-writable directory (the web server's user and
 * the delivery agent in group ascbell); anywhere else it stays the owner's. */
static mode_t mode_in(const struct stat *parent, mode_t shared, mode_t private)
{
	return parent->st_mode & S_IWGRP ? shared : private;
}

/* Makes path unless it is there; the mode follows the parent's, whatever the umask. */
static int make_level(const char *path)
{
	char parent[PATH_MAX];
	struct stat st;
	char *slash;
	mode_t mode;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return fail("%s is not a directory", path);
	}
	snprintf(parent, sizeof parent, "%s", path);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(parent, sizeof parent, ".");
	if (stat(parent, &st) != 0)
		return fail("cannot make %s: %s", path, strerror(errno));
	mode = mode_in(&st, 02770, 0700);
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return fail("cannot make the directory %s: %s (as root: install -d -o ascbell -g "
			    "ascbell -m 2770 %s)",
			    path, strerror(errno), path);
	/* Only the maker may set the mode; a directory another process made is left as is. */
	if (stat(path, &st) == 0 && st.st_uid == geteuid())
		chmod(path, mode);
	return 0;
}

int spool_make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof path - 16) {
		errno = len ? ENAMETOOLONG : ENOENT;
		return fail("cannot use the directory \"%s\": %s", dir, strerror(errno));
	}
	/* mkdir -p: each missing level, from the top. */
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (path[i - 1] == '/')
			continue;
		path[i] = '\0';
		if (make_level(path) != 0)
			return -1;
		path[i] = dir[i];
	}
	return 0;
}

int spool_prepare(const char *dir)
{
	char path[PATH_MAX];
	size_t i;

	if (spool_make_dirs(dir) != 0)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
		if (make_level(path) != 0)
			return -1;
	}
	return 0;
}

mode_t spool_file_mode(const char *dir)
{
	struct stat where;

	return stat(dir, &where) == 0 ? mode_in(&where, 0660, 0600) : 0600;
}

/* A directory's entries are durable only once the directory itself is synced. */
static int sync_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* seconds.microseconds.pid.counter, zero-padded so that names sort by time. */
static void make_name(char name[SPOOL_NAME_SIZE])
{
	static unsigned counter;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(name, SPOOL_NAME_SIZE, "%011lld.%06ld.%010d.%06u", (long long)tv.tv_sec,
		 (long)tv.tv_usec, (int)getpid(), counter++ % 1000000);
}

/* Names for messages; the number when there is none. */
static void user_name(uid_t uid, char *out, size_t size)
{
	const struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "uid %ld", (long)uid);
}

static void group_name(gid_t gid, char *out, size_t size)
{
	const struct group *gr = getgrgid(gid);
	if (gr)
		snprintf(out, size, "%s", gr->gr_name);
	else
		snprintf(out, size, "gid %ld", (long)gid);
}

/* Whether the agent can read a file we wrote into dir: it runs as dir's owner, or in its
 * group. Checked before the file is put where the agent looks, so that a message nobody
 * can read is a failure now (an HTTP 503, replayed later), not a file in failed/ after a
 * 2xx. */
static int readable_by_agent(int fd, const char *dir, const char *name)
{
	struct stat file, top;
	char user[64], owner[64], group[64];

	if (fstat(fd, &file) != 0 || stat(dir, &top) != 0)
		return fail("cannot check %s/tmp/%s: %s", dir, name, strerror(errno));
	if (file.st_uid == top.st_uid || (file.st_gid == top.st_gid && (file.st_mode & S_IRGRP)))
		return 0;
	user_name(geteuid(), user, sizeof user);
	user_name(top.st_uid, owner, sizeof owner);
	group_name(top.st_gid, group, sizeof group);
	errno = EACCES;
	return fail("a file that %s writes in %s would be unreadable by the directory's owner %s "
		    "and group %s (run as %s, or share the directory: chmod 2770 %s %s/*, with %s "
		    "in group %s)",
		    user, dir, owner, group, owner, dir, dir, user, group);
}

int spool_write_tmp(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE])
{
	char tmp[PATH_MAX];
	struct stat where;
	int fd;

	make_name(name);
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	if (stat(tmp, &where) != 0)
		return fail("cannot write in %s: %s", tmp, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("cannot write in %s/tmp: %s", dir, strerror(errno));
	/* The mode is set, not left to the umask: 0660 in a shared directory, else 0600. */
	if (fchmod(fd, mode_in(&where, 0660, 0600)) != 0 || write_all(fd, data, len) != 0) {
		fail("cannot write %s: %s", tmp, strerror(errno));
		goto undo;
	}
	if (readable_by_agent(fd, dir, name) != 0)
		goto undo;
	return fd;
undo:
	close(fd);
	{
		int saved = errno;
		unlink(tmp);
		errno = saved;
	}
	return -1;
}

int spool_sync_file(const char *dir, const char *name, int fd)
{
	int rc = fsync(fd);

	if (close(fd) != 0)
		rc = -1;
	return rc == 0 ? 0 : fail("cannot write %s/tmp/%s: %s", dir, name, strerror(errno));
}

int spool_publish(const char *dir, const char *name)
{
	return spool_publish_held(dir, name, 0);
}

int spool_publish_held(const char *dir, const char *name, long long not_before)
{
	char tmp[PATH_MAX], final[PATH_MAX];

	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	if (not_before > 0)
		snprintf(final, sizeof final, "%s/new/%s,t=%lld", dir, name, not_before);
	else
		snprintf(final, sizeof final, "%s/new/%s", dir, name);
	if (rename(tmp, final) != 0)
		return fail("cannot move %s into %s/new: %s", tmp, dir, strerror(errno));
	return 0;
}

int spool_sync_new(const char *dir)
{
	return sync_dir(dir, "new") == 0 ? 0
					 : fail("cannot sync %s/new: %s", dir, strerror(errno));
}

void spool_discard_tmp(const char *dir, const char *name)
{
	char tmp[PATH_MAX];
	int saved = errno;

	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	unlink(tmp);
	errno = saved;
}

int spool_add(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE])
{
	return spool_add_held(dir, data, len, 0, name);
}

int spool_add_held(const char *dir, const void *data, size_t len, long long not_before,
		   char name[SPOOL_NAME_SIZE])
{
	int fd = spool_write_tmp(dir, data, len, name);

	if (fd < 0)
		return -1;
	if (spool_sync_file(dir, name, fd) != 0 || spool_publish_held(dir, name, not_before) != 0) {
		spool_discard_tmp(dir, name);
		return -1;
	}
	return spool_sync_new(dir);
}

int spool_add_unsynced(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE])
{
	int fd = spool_write_tmp(dir, data, len, name);

	if (fd < 0)
		return -1;
	if (close(fd) != 0) {
		fail("cannot write %s/tmp/%s: %s", dir, name, strerror(errno));
		spool_discard_tmp(dir, name);
		return -1;
	}
	if (spool_publish(dir, name) != 0) {
		spool_discard_tmp(dir, name);
		return -1;
	}
	return 0;
}

int spool_sync(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) != 0)
		rc = -1;
	return rc == 0 ? sync_dir(dir, sub) : -1;
}

/* Oldest first: by the time part of the name, whatever suffix the outbox added. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **spool_list(const char *dir, const char *sub, size_t *count)
{
	char path[PATH_MAX];
	char **names = NULL;
	struct dirent *entry;
	DIR *d;

	*count = 0;
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	d = opendir(path);
	if (!d)
		return NULL;
	while ((entry = readdir(d)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		names = xrealloc(names, (*count + 1) * sizeof *names);
		names[(*count)++] = xstrdup(entry->d_name);
	}
	closedir(d);
	if (*count)
		qsort(names, *count, sizeof *names, by_name);
	return names;
}

void spool_list_free(char **names, size_t count)
{
	size_t i;
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int spool_read(const char *dir, const char *sub, const char *name, struct buf *out, size_t max)
{
	char path[PATH_MAX];
	enum read_result result;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	result = buf_read_all(out, f, max);
	fclose(f);
	if (result == READ_TOO_LARGE)
		errno = EFBIG;
	return result == READ_OK ? 0 : -1;
}

int spool_rename(const char *dir, const char *from_sub, const char *from, const char *to_sub,
		 const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof src, "%s/%s/%s", dir, from_sub, from);
	snprintf(dst, sizeof dst, "%s/%s/%s", dir, to_sub, to);
	return rename(src, dst);
}

int spool_move(const char *dir, const char *from_sub, const char *from, const char *to_sub,
	       const char *to)
{
	if (spool_rename(dir, from_sub, from, to_sub, to) != 0)
		return -1;
	return sync_dir(dir, to_sub);
}

int spool_unlink(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	return unlink(path);
}

int spool_remove(const char *dir, const char *sub, const char *name)
{
	if (spool_unlink(dir, sub, name) != 0)
		return -1;
	return sync_dir(dir, sub);
}

int spool_write_reason(const char *dir, const char *name, const char *reason)
{
	char path[PATH_MAX];
	struct stat where;
	FILE *f;
	int fd, rc;

	snprintf(path, sizeof path, "%s/failed", dir);
	if (stat(path, &where) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/failed/%s.reason", dir, name);
	/* Readable by whoever shares the failed/ directory, as the message beside it. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode_in(&where, 0660, 0600)) != 0 || !(f = fdopen(fd, "w"))) {
		close(fd);
		return -1;
	}
	fprintf(f, "%s\n", reason);
	rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}
