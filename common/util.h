/* util: messages, exit codes and small helpers every program shares. */
#ifndef ASCBELL_UTIL_H
#define ASCBELL_UTIL_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <sysexits.h>

#define ASCBELL_VERSION "0.1.0"

/* Set once from argv[0]; prefixes every message. */
extern const char *progname;
/* -q silences warnings, -v raises this for detail. */
extern int msg_quiet;
/* A server's -q: no log line per request (asc-http), warnings still said. */
extern int log_quiet;
extern int msg_verbose;

void set_progname(const char *argv0);

/* "prog: error: ..." on stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: warning: ..." on stderr unless -q. */
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." on stderr only with -v. */
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg_error, then exit with a sysexits code. */
/* Called by die() before it exits, when set: asc-http's built-in receiver answers the
 * request (a 500 for a configuration error) rather than leave the client without one. */
extern void (*die_hook)(int status);

/* die() without a message, for when the reason was printed already. */
_Noreturn void exit_failed(int status);

_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Parses a byte count: digits with an optional K, M or G suffix (powers of 1024).
 * Returns 0 on success, -1 for anything else or an overflow. */
int parse_size(const char *text, size_t *out);

/* Flushes and closes stdout; a failed write (full disk, closed pipe) becomes EX_IOERR
 * with a message, so output that looks complete always is. Returns 0 or EX_IOERR. */
int finish_stdout(void);

/* The long options every program has, to end its getopt_long table with. */
#define STANDARD_LONGOPTS                                                               \
	{"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},         \
	{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},          \
	{NULL, 0, NULL, 0}

/* What every program's getopt loop does with -q, -v, -h, -V, and with an option it does
 * not know (usage on stderr, exit EX_USAGE). Call it for the cases a program has no
 * handling of its own for. */
void standard_option(int c, void (*usage)(FILE *out));

/* --max-body's value (a size over 0), or exit EX_USAGE saying why. */
size_t parse_max_body(const char *text);

/* "--version" output: "NAME ascbell X.Y.Z". */
void print_version(void);

/* Seconds on CLOCK_MONOTONIC: for timeouts and deadlines, which wall-clock changes must
 * not stretch or cut. */
double monotonic_seconds(void);

/* Keeps secrets out of core files: no core at all (RLIMIT_CORE 0, inherited by the
 * programs we start) and not dumpable (no core through a core_pattern pipe either, and no
 * ptrace or /proc/PID/mem by other processes of the same user). Call first in main. */
void no_core_dumps(void);

/* Of two exit statuses, the one that says more went wrong (the larger sysexits code). */
int worse_status(int a, int b);

/* Writes all of data to fd, again after a short write or EINTR. 0, or -1 with errno set. */
int write_all(int fd, const void *data, size_t len);

#endif
