/* localtime: instants in the team's own zone. */
#include "localtime.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *zone = "UTC";

/* A zone name is a relative path under the zone directory: letters, digits and _+-
 * between slashes, never "." or ".." (so $ASCBELL_TZ cannot name another file). */
int zone_name_ok(const char *name)
{
	const char *p = name;
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '/' || name[n - 1] == '/')
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-/", *p))
			return 0;
	return !strstr(name, "//") && strncmp(name, "-", 1) != 0;
}

/* Whether the zone's file exists and is a compiled zone (it starts with "TZif"). */
static int zone_file_ok(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	int fd;
	ssize_t got;

	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, magic, sizeof magic);
	close(fd);
	return got == (ssize_t)sizeof magic && memcmp(magic, "TZif", 4) == 0;
}

int zone_known(const char *name)
{
	return !strcmp(name, "UTC") || (zone_name_ok(name) && zone_file_ok(name));
}

int localtime_init(void)
{
	const char *name = getenv("ASCBELL_TZ");

	if (!name || !*name || strcmp(name, "UTC") == 0) {
		/* UTC needs no zone file: POSIX spells it out. */
		zone = "UTC";
		setenv("TZ", "UTC0", 1);
	} else {
		if (!zone_name_ok(name) || !zone_file_ok(name))
			return -1;
		zone = name;
		setenv("TZ", name, 1);
	}
	tzset();
	return 0;
}

const char *localtime_zone(void)
{
	return zone;
}

jv instant_format(time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return jv_null();
	return jv_string_fmt("%s %d %s %02d:%02d %s", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
			     tm.tm_hour, tm.tm_min, tm.tm_zone && *tm.tm_zone ? tm.tm_zone : zone);
}
