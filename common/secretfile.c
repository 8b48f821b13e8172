/* secretfile: rewriting a receiver's secret file atomically. */
#include "secretfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Fails with the step named, keeping errno for the caller. */
static int fail(char *why, size_t size, const char *step)
{
	int err = errno;
	snprintf(why, size, "%s: %s", step, strerror(err));
	errno = err;
	return -1;
}

int secretfile_replace(const char *path, const struct secrets *lines, char *why, size_t why_size)
{
	char target[PATH_MAX], tmp[PATH_MAX + 32], *slash;
	struct stat st;
	size_t i, dir_len;
	int fd, dir, err;

	/* The receiver reads the path it was given; through a link that is the target. */
	if (!realpath(path, target))
		return fail(why, why_size, "cannot resolve the path");
	if (stat(target, &st) != 0)
		return fail(why, why_size, "cannot stat the file");
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return fail(why, why_size, "not a regular file");
	}
	slash = strrchr(target, '/');
	dir_len = slash ? (size_t)(slash - target) : 0;
	/* In the same directory (so the rename is atomic), hidden, never a name of the caller's. */
	snprintf(tmp, sizeof tmp, "%.*s/.%s.rotate.XXXXXX", (int)dir_len, target, slash ? slash + 1 : target);
	fd = mkstemp(tmp);
	if (fd < 0)
		return fail(why, why_size, "cannot create a temporary file beside it");
	/* The same owner and mode, so whoever could read the old file can read the new one. */
	if (fchown(fd, st.st_uid, st.st_gid) != 0 || fchmod(fd, st.st_mode & 07777) != 0) {
		fail(why, why_size, "cannot give the new file the old one's owner and mode");
		goto undo;
	}
	for (i = 0; i < lines->count; i++)
		if (write_all(fd, lines->list[i].bytes, lines->list[i].len) != 0 || write_all(fd, "\n", 1) != 0) {
			fail(why, why_size, "cannot write the new file");
			goto undo;
		}
	if (fsync(fd) != 0) {
		fail(why, why_size, "cannot fsync the new file");
		goto undo;
	}
	if (close(fd) != 0) {
		fd = -1;
		fail(why, why_size, "cannot write the new file");
		goto undo;
	}
	fd = -1;
	if (rename(tmp, target) != 0) {
		fail(why, why_size, "cannot rename the new file into place");
		goto undo;
	}
	/* The rename itself must survive a crash, or the old file could come back. */
	tmp[dir_len ? dir_len : 1] = '\0';
	if (!dir_len)
		tmp[0] = '/';
	dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || fsync(dir) != 0) {
		err = errno;
		if (dir >= 0)
			close(dir);
		errno = err;
		return fail(why, why_size, "renamed, but cannot fsync the directory");
	}
	close(dir);
	return 0;
undo:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}
