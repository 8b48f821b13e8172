/* asc-report: the history of what the receiver handled, summed up for people: one digest
 * event per app and one for the portfolio, for asc-render and echobell-send. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "histread.h"
#include "instant.h"
#include "jsonio.h"
#include "timevars.h"
#include "util.h"

/* A history line holds one event (enriched, with its review): the receiver takes bodies
 * of 1 MiB at most by default, so 4 MiB is room enough and still a bound. */
#define DEFAULT_MAX_LINE (4 * 1024 * 1024)

struct options {
	const char *since;
	const char *app;
	const char *history;
	size_t max_line;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--since 24h|7d|DATE] [--app NAME] [--history DIR] [--max-line N]\n"
		"\n"
		"Sums up the receiver's history into digest events (one per app and one for the\n"
		"portfolio) for asc-render and echobell-send:\n"
		"  asc-report --since 24h | asc-render | echobell-send\n"
		"\n"
		"  -s, --since WHEN      the window's start: Nh or Nd before now, a date\n"
		"                        (YYYY-MM-DD, from its midnight UTC) or a time\n"
		"                        (YYYY-MM-DDTHH:MM:SSZ or +01:00); the window ends now\n"
		"                        (default 24h)\n"
		"  -a, --app NAME        only this app: the receiver's name for it (its env file)\n"
		"                        or its App Store Connect id\n"
		"  -d, --history DIR     the history directory (default $ASCBELL_HISTORY)\n"
		"      --max-line N      longest history line read, K/M/G suffixes (default 4M,\n"
		"                        at most 1G)\n"
		"  -q, --quiet           no warnings about skipped lines\n"
		"  -v, --verbose         say how many lines the window held\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Now is $ASCBELL_NOW when set (YYYY-MM-DDTHH:MM:SSZ), else the clock.\n"
		"Exit: 0 done, 64 bad command line, 65 done but lines were skipped,\n"
		"66 no history directory or an unreadable day file, 74 read or write error,\n"
		"78 no history directory given.\n",
		progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_MAX_LINE = 256 };
	static const struct option longopts[] = {
		{"since", required_argument, NULL, 's'},
		{"app", required_argument, NULL, 'a'},
		{"history", required_argument, NULL, 'd'},
		{"max-line", required_argument, NULL, OPT_MAX_LINE},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.since = "24h", .max_line = DEFAULT_MAX_LINE};
	int c;

	while ((c = getopt_long(argc, argv, "s:a:d:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.since = optarg; break;
		case 'a': opt.app = optarg; break;
		case 'd': opt.history = optarg; break;
		case OPT_MAX_LINE:
			/* Up to 1G: libjq's parser takes a length of type int. */
			if (parse_size(optarg, &opt.max_line) != 0 || opt.max_line == 0 ||
			    opt.max_line > 1024 * 1024 * 1024)
				die(EX_USAGE, "--max-line %s: not a size from 1 to 1G", optarg);
			break;
		default: standard_option(c, usage);
		}
	}
	if (optind < argc)
		die(EX_USAGE, "%s: no file arguments (the history is a directory: --history DIR)", argv[optind]);
	if (!opt.history) {
		opt.history = getenv("ASCBELL_HISTORY");
		if (!opt.history || !*opt.history)
			die(EX_CONFIG, "no history directory (set ASCBELL_HISTORY or give --history DIR)");
	}
	if (opt.app && !*opt.app)
		die(EX_USAGE, "--app: an empty name");
	return opt;
}

/* The window's start for --since, in epoch seconds, or -1 when the text is none of the
 * forms or not in the ten years before now. */
static long long window_start(const char *text, long long now)
{
	size_t len = strlen(text), digits = strspn(text, "0123456789");
	time_t t;

	/* Nh or Nd: at most ten years, a bound, not a policy (the history keeps 90 days). */
	if (digits > 0 && digits <= 6 && len == digits + 1 && (text[digits] == 'h' || text[digits] == 'd')) {
		long long n = atoll(text) * (text[digits] == 'h' ? 3600 : 86400);
		return n > 0 && n <= 3660LL * 86400 ? now - n : -1;
	}
	if (date_or_instant_parse(text, &t) != 0 || t >= now || now - t > 3660LL * 86400)
		return -1;
	return (long long)t;
}

static void add(jv line, long long at, void *ctx)
{
	digest_add(ctx, line, at);
}

int main(int argc, char **argv)
{
	struct options opt;
	struct history_read counts = {0, 0};
	struct digest *d;
	long long now, since;
	jv events;
	int status, i, n;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a time like 2026-11-27T15:00:00Z");
	now = timevars_clock_ms() / 1000;
	if ((since = window_start(opt.since, now)) < 0)
		die(EX_USAGE, "--since %s: not 24h, 7d, a date (2026-11-01) or a time "
			      "(2026-11-01T08:00:00Z, 2026-11-01T09:00:00+01:00) in the last ten years",
		    opt.since);

	d = digest_new();
	status = history_read(opt.history, since, now, opt.max_line, add, d, &counts);
	if (status != 0) {
		/* Nothing written: a report without a day in it would look complete. */
		digest_free(d);
		return status;
	}
	events = digest_events(d, since, now, opt.app);
	n = jv_array_length(jv_copy(events));
	for (i = 0; i < n && status == 0; i++)
		if (json_write_line(jv_array_get(jv_copy(events), i), stdout) != 0)
			status = EX_IOERR;
	jv_free(events);
	digest_free(d);
	msg_info("%lu history lines in the window, %lu skipped", counts.lines, counts.skipped);
	status = worse_status(status, finish_stdout());
	return status ? status : counts.skipped ? EX_DATAERR : 0;
}
