/* util: messages, exit codes and small helpers every program shares. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

const char *progname = "ascbell";
int msg_quiet;
int log_quiet;
int msg_verbose;

void set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	if (argv0 && *argv0)
		progname = slash ? slash + 1 : argv0;
}

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	/* One fprintf per part is fine: stderr is unbuffered, but a line is short and
	 * composing it first keeps concurrent writers from interleaving mid-line. */
	char line[2048];
	int n = snprintf(line, sizeof line, "%s: %s", progname, kind);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void msg_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;
	if (msg_quiet)
		return;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;
	if (!msg_verbose)
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void (*die_hook)(int status);

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("error: ", fmt, ap);
	va_end(ap);
	exit_failed(status);
}

void exit_failed(int status)
{
	if (die_hook)
		die_hook(status);
	exit(status);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EX_SOFTWARE, "out of memory (%zu bytes)", n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(EX_SOFTWARE, "out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

int parse_size(const char *text, size_t *out)
{
	char *end;
	unsigned long long value;
	unsigned shift = 0;

	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -1;
	}
	if (*end != '\0' || value > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)value << shift;
	return 0;
}

int finish_stdout(void)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		failed = 1;
	if (failed) {
		msg_error("cannot write output: %s", strerror(errno ? errno : EIO));
		return EX_IOERR;
	}
	return 0;
}

void print_version(void)
{
	printf("%s ascbell %s\n", progname, ASCBELL_VERSION);
}

double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int worse_status(int a, int b)
{
	return a > b ? a : b;
}

void standard_option(int c, void (*usage)(FILE *out))
{
	switch (c) {
	case 'q': msg_quiet = 1; return;
	case 'v': msg_verbose++; return;
	case 'h': usage(stdout); exit(finish_stdout());
	case 'V': print_version(); exit(finish_stdout());
	default: usage(stderr); exit(EX_USAGE);
	}
}

size_t parse_max_body(const char *text)
{
	size_t value;

	if (parse_size(text, &value) != 0 || value == 0)
		die(EX_USAGE, "--max-body: not a size: %s (bytes, or with K, M, G)", text);
	return value;
}

void no_core_dumps(void)
{
	const struct rlimit none = {0, 0};

	/* Both, because each misses a case of the other: the kernel does not apply
	 * RLIMIT_CORE to a core_pattern pipe, and dumpable resets at execve while the limit carries over to the
	 * handler and the programs it runs, whose environment holds the same secrets. */
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
