/* spool: Maildir-like directories of whole files. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

static const char *const subdirs[] = {"tmp", "new", "cur", "failed"};

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

int spool_prepare(const char *dir)
{
	char path[PATH_MAX];
	size_t i;

	if (make_dir(dir) != 0)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		if (snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]) >= (int)sizeof path) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (make_dir(path) != 0)
			return -1;
	}
	return 0;
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

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
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

int spool_add(const char *dir, const void *data, size_t len, char name[SPOOL_NAME_SIZE])
{
	char tmp[PATH_MAX], final[PATH_MAX];
	int fd, saved;

	make_name(name);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(final, sizeof final, "%s/new/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, final) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return sync_dir(dir, "new");
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

int spool_move(const char *dir, const char *from_sub, const char *from, const char *to_sub,
	       const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof src, "%s/%s/%s", dir, from_sub, from);
	snprintf(dst, sizeof dst, "%s/%s/%s", dir, to_sub, to);
	if (rename(src, dst) != 0)
		return -1;
	return sync_dir(dir, to_sub);
}

int spool_remove(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	if (unlink(path) != 0)
		return -1;
	return sync_dir(dir, sub);
}

int spool_write_reason(const char *dir, const char *name, const char *reason)
{
	char path[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(path, sizeof path, "%s/failed/%s.reason", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", reason);
	rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}
