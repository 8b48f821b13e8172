/* health: a delivery's first steps, tried without a delivery. */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "routes.h"
#include "spool.h"

/* What spool_add does first: the directories, then a new file in tmp/. */
static int probe_spool(const char *dir)
{
	char path[4096];
	int fd;

	if (spool_prepare(dir) != 0)
		return -1;
	if (snprintf(path, sizeof path, "%s/tmp/.healthz.%ld", dir, (long)getpid()) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return unlink(path);
}

int health_check(const struct health_config *config, char *reason, size_t reason_size, char *detail,
		 size_t detail_size)
{
	const char *const *file;

	if (config->spool && probe_spool(config->spool) != 0) {
		snprintf(reason, reason_size, "spool not writable (%s)", strerror(errno));
		snprintf(detail, detail_size, "spool %s not writable: %s", config->spool, strerror(errno));
		return -1;
	}
	if (config->outbox && probe_spool(config->outbox) != 0) {
		snprintf(reason, reason_size, "outbox not writable (%s)", strerror(errno));
		snprintf(detail, detail_size, "outbox %s not writable: %s", config->outbox, strerror(errno));
		return -1;
	}
	for (file = config->files; file && file[0]; file += 2) {
		int fd = open(file[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(reason, reason_size, "%s not readable (%s)", file[0], strerror(errno));
			snprintf(detail, detail_size, "%s %s not readable: %s", file[0], file[1], strerror(errno));
			return -1;
		}
		close(fd);
	}
	/* Read and checked as each delivery reads it: every route's URL file there, every
	 * rule valid. */
	if (config->routes) {
		struct routes routes;
		if (routes_load(config->routes, config->escalation, &routes, detail, detail_size) != 0) {
			snprintf(reason, reason_size, "routes file unusable (see the log)");
			return -1;
		}
		routes_free(&routes);
	}
	return 0;
}
