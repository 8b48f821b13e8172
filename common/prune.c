/* prune: age-based removal in the state directories. */
#include "prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "instant.h"
#include "util.h"

/* Removes name from the directory dirfd (path for messages); 0 or EX_IOERR. */
static int remove_one(struct prune *p, int dirfd, const char *path, const char *name)
{
	if (p->dry_run) {
		printf("%s/%s\n", path, name);
		p->removed++;
		return 0;
	}
	if (unlinkat(dirfd, name, 0) != 0) {
		if (errno == ENOENT)
			return 0; /* gone meanwhile: someone else's prune or a replay */
		msg_error("%s/%s: %s", path, name, strerror(errno));
		return EX_IOERR;
	}
	msg_info("removed %s/%s", path, name);
	p->removed++;
	return 0;
}

/* Whether a live process holds the marker (a claim under way): then it is not ours. */
static int marker_held(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), held;
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

static int open_dir(const char *path, DIR **out)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	*out = NULL;
	if (fd < 0) {
		if (errno == ENOENT) {
			msg_info("%s: no such directory; nothing to prune", path);
			return 0;
		}
		msg_error("%s: %s", path, strerror(errno));
		return EX_IOERR;
	}
	if (!(*out = fdopendir(fd))) {
		msg_error("%s: %s", path, strerror(errno));
		close(fd);
		return EX_IOERR;
	}
	return 0;
}

int prune_by_mtime(struct prune *p, const char *path, int depth, int markers)
{
	DIR *dir;
	struct dirent *e;
	int status = open_dir(path, &dir);

	if (!dir)
		return status;
	while ((e = readdir(dir))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode) && depth > 0) {
			char sub[4096];
			if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
				status = worse_status(status, prune_by_mtime(p, sub, depth - 1, markers));
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if ((long long)st.st_mtime >= p->cutoff || (markers && marker_held(dirfd(dir), e->d_name))) {
			p->kept++;
			continue;
		}
		status = worse_status(status, remove_one(p, dirfd(dir), path, e->d_name));
	}
	closedir(dir);
	return status;
}

int prune_history(struct prune *p, const char *path)
{
	DIR *dir;
	struct dirent *e;
	int status = open_dir(path, &dir);

	if (!dir)
		return status;
	while ((e = readdir(dir))) {
		char date[11];
		struct stat st;
		time_t day;
		long long day_end;

		/* Only the day files' own names, YYYY-MM-DD.jsonl with a real date: a file named
		 * 2026-02-30.jsonl is not the history's, and is left alone. */
		if (strlen(e->d_name) != 16 || strcmp(e->d_name + 10, ".jsonl") != 0)
			continue;
		memcpy(date, e->d_name, 10);
		date[10] = '\0';
		if (date_parse(date, &day) != 0)
			continue;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		day_end = (long long)day + 86400;
		if (day_end > p->cutoff) {
			p->kept++;
			continue;
		}
		status = worse_status(status, remove_one(p, dirfd(dir), path, e->d_name));
	}
	closedir(dir);
	return status;
}
