/* asc-prune: housekeeping by age. Delivered requests (the spool's cur/), de-duplication
 * markers and history day files older than the limit go; what still waits for delivery
 * (the spool's new/, the outbox, the unsent spool) is never looked at. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prune.h"
#include "timevars.h"
#include "util.h"

struct options {
	long long days;
	const char *spool, *dedup, *history;
	int dry_run;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--days N] [--spool DIR] [--dedup DIR] [--history DIR] [--dry-run]\n"
		"\n"
		"Removes what is older than N days: delivered requests (the spool's cur/, by\n"
		"mtime), de-duplication markers (by mtime) and history day files (by the date in\n"
		"their names). Never the spool's new/, the outbox or the unsent spool.\n"
		"\n"
		"  -d, --days N         keep N days (default $ASCBELL_KEEP_DAYS, else 90)\n"
		"      --spool DIR      the receiver's spool: DIR/cur is pruned\n"
		"      --dedup DIR      de-duplication markers (default $ASCBELL_DEDUP_DIR)\n"
		"      --history DIR    history day files (default $ASCBELL_HISTORY)\n"
		"  -n, --dry-run        list what would be removed, remove nothing\n"
		"  -v, --verbose        say each file removed\n"
		"  -h, --help           this text\n"
		"  -V, --version        the version\n"
		"\n"
		"Now is $ASCBELL_NOW when set (YYYY-MM-DDTHH:MM:SSZ), else the clock. A directory\n"
		"that does not exist has nothing to prune.\n"
		"Exit: 0 done, 64 bad command line, 74 a file or directory could not be removed or\n"
		"read, 78 a bad ASCBELL_KEEP_DAYS or nothing to prune given.\n",
		progname);
}

/* A number of days, 1 to 36500, or -1. */
static long long parse_days(const char *text)
{
	size_t digits = strspn(text, "0123456789");
	long long n;
	if (digits == 0 || digits > 5 || text[digits] != '\0')
		return -1;
	n = atoll(text);
	return n >= 1 && n <= 36500 ? n : -1;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_SPOOL = 256, OPT_DEDUP, OPT_HISTORY };
	static const struct option longopts[] = {
		{"days", required_argument, NULL, 'd'},
		{"spool", required_argument, NULL, OPT_SPOOL},
		{"dedup", required_argument, NULL, OPT_DEDUP},
		{"history", required_argument, NULL, OPT_HISTORY},
		{"dry-run", no_argument, NULL, 'n'},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.days = 0};
	const char *keep;
	int c;

	while ((c = getopt_long(argc, argv, "d:nqvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if ((opt.days = parse_days(optarg)) < 0)
				die(EX_USAGE, "--days %s: not a number of days (1 to 36500)", optarg);
			break;
		case OPT_SPOOL: opt.spool = optarg; break;
		case OPT_DEDUP: opt.dedup = optarg; break;
		case OPT_HISTORY: opt.history = optarg; break;
		case 'n': opt.dry_run = 1; break;
		default: standard_option(c, usage);
		}
	}
	if (optind < argc)
		die(EX_USAGE, "%s: no arguments besides the options", argv[optind]);
	if (!opt.days) {
		keep = env_or("ASCBELL_KEEP_DAYS", "90");
		/* Said before anything is removed: a typo must not become "keep nothing". */
		if ((opt.days = parse_days(keep)) < 0)
			die(EX_CONFIG, "ASCBELL_KEEP_DAYS=%s is not a number of days (1 to 36500)", keep);
	}
	if (!opt.dedup)
		opt.dedup = env_or("ASCBELL_DEDUP_DIR", NULL);
	if (!opt.history)
		opt.history = env_or("ASCBELL_HISTORY", NULL);
	if (!opt.spool && !opt.dedup && !opt.history)
		die(EX_CONFIG, "nothing to prune (give --spool, --dedup or --history, or set "
			       "ASCBELL_DEDUP_DIR or ASCBELL_HISTORY)");
	return opt;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct prune p = {0};
	int status = 0;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a time like 2026-11-27T15:00:00Z");
	p.cutoff = timevars_clock_ms() / 1000 - opt.days * 86400;
	p.dry_run = opt.dry_run;

	if (opt.spool) {
		char cur[4096];
		if (snprintf(cur, sizeof cur, "%s/cur", opt.spool) >= (int)sizeof cur)
			die(EX_USAGE, "--spool: path too long");
		status = worse_status(status, prune_by_mtime(&p, cur, 0, 0));
	}
	/* Markers may sit one level down (one directory per channel). */
	if (opt.dedup)
		status = worse_status(status, prune_by_mtime(&p, opt.dedup, 1, 1));
	if (opt.history)
		status = worse_status(status, prune_history(&p, opt.history));
	msg_info("%lu %s, %lu kept", p.removed, opt.dry_run ? "would be removed" : "removed", p.kept);
	return worse_status(status, finish_stdout());
}
