/* asc-parse: App Store Connect webhook payloads in, one labelled event per payload out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "eventfilter.h"
#include "instant.h"
#include "jqprog.h"
#include "jsonio.h"
#include "localtime.h"
#include "timevars.h"
#include "util.h"

struct options {
	struct event_options event;
	int received_fixed; /* $ASCBELL_RECEIVED gave the arrival; else each payload's is now */
	struct event_filter events; /* --events */
	const char *jq_program;
	const char *jq_file;
	size_t max_body;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--app-id ID] [--app-name NAME] [--events LIST] [--jq FILTER | --jq-file F]\n"
		"                 [--raw] [--max-body N] [--history DIR] [FILE...]\n"
		"\n"
		"Turns App Store Connect webhook payloads into labelled events, one JSON line each.\n"
		"\n"
		"      --app-id ID       the app's App Store Connect id (default $ASC_APP_ID,\n"
		"                        then attributes.appId)\n"
		"      --app-name NAME   the app's name (default $ASC_APP_NAME)\n"
		"      --events LIST     keep only these events: subscription names, data.type\n"
		"                        names or categories, comma-separated\n"
		"      --jq FILTER       run a jq program on each event; its outputs replace it\n"
		"      --jq-file FILE    the same, with the program in FILE\n"
		"      --raw             keep the whole payload in \"raw\"\n"
		"      --max-body N      largest payload in bytes, K/M/G suffixes (default 1M)\n"
		"      --history DIR     review times (\"review\") for version and beta review\n"
		"                        events, from the receiver's history in DIR\n"
		"  -q, --quiet           no warnings\n"
		"  -v, --verbose         more detail\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Environment: ASCBELL_TZ, the zone of eventDate (IANA name, default UTC);\n"
		"ASCBELL_RECEIVED, when the request arrived (set by asc-http); ASCBELL_NOW, the\n"
		"present for review times (tests).\n"
		"\n"
		"Exit: 0 done, 65 some input was skipped (not JSON, not a payload), 64 bad usage,\n"
		"78 a bad ASCBELL_TZ, ASCBELL_RECEIVED, ASCBELL_NOW or ASC_APP_ID.\n",
		progname);
}

static const char *nonempty_env(const char *name)
{
	const char *value = getenv(name);
	return value && *value ? value : NULL;
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_APP_ID = 256, OPT_APP_NAME, OPT_EVENTS, OPT_JQ, OPT_JQ_FILE, OPT_RAW, OPT_MAX_BODY,
	       OPT_HISTORY };
	static const struct option longopts[] = {
		{"app-id", required_argument, NULL, OPT_APP_ID},
		{"app-name", required_argument, NULL, OPT_APP_NAME},
		{"events", required_argument, NULL, OPT_EVENTS},
		{"jq", required_argument, NULL, OPT_JQ},
		{"jq-file", required_argument, NULL, OPT_JQ_FILE},
		{"raw", no_argument, NULL, OPT_RAW},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"history", required_argument, NULL, OPT_HISTORY},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.max_body = 1024 * 1024};
	int c;

	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_APP_ID:
			if (!app_id_valid(optarg))
				die(EX_USAGE, "--app-id: not an App Store Connect app id (digits): %s", optarg);
			opt.event.app_id = optarg;
			break;
		case OPT_APP_NAME: opt.event.app_name = optarg; break;
		case OPT_EVENTS:
			if (event_filter_parse(&opt.events, optarg, "--events") != 0)
				die(EX_USAGE, "--events: the list is empty");
			break;
		case OPT_JQ: opt.jq_program = optarg; break;
		case OPT_JQ_FILE: opt.jq_file = optarg; break;
		case OPT_RAW: opt.event.raw = 1; break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		case OPT_HISTORY: opt.event.history = *optarg ? optarg : NULL; break;
		default: standard_option(c, usage);
		}
	}
	if (opt.jq_program && opt.jq_file)
		die(EX_USAGE, "--jq and --jq-file: give one program, not two");
	if (!opt.event.app_id && (opt.event.app_id = nonempty_env("ASC_APP_ID")) &&
	    !app_id_valid(opt.event.app_id))
		die(EX_CONFIG, "ASC_APP_ID: not an App Store Connect app id (digits)");
	if (!opt.event.app_name)
		opt.event.app_name = nonempty_env("ASC_APP_NAME");
	if (localtime_init() != 0)
		die(EX_CONFIG, "ASCBELL_TZ: not a time zone this machine knows: %s (an IANA name "
			       "such as Europe/Berlin, from /usr/share/zoneinfo)", getenv("ASCBELL_TZ"));
	if (opt.event.history && timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a UTC time like 2026-03-02T14:05:19Z");
	if (nonempty_env("ASCBELL_RECEIVED")) {
		if (instant_parse(getenv("ASCBELL_RECEIVED"), &opt.event.received) != 0)
			die(EX_CONFIG, "ASCBELL_RECEIVED: not a time like 2026-03-02T14:05:19Z");
		opt.received_fixed = 1;
	}
	return opt;
}

struct parse_run {
	const struct options *opt;
	jq_state *jq;
};

/* One payload: its event, filtered, through the jq program if any, out. */
static int parse_one(jv payload, struct json_reader *reader, const char *label, void *ctx)
{
	struct parse_run *run = ctx;
	struct event_options event_opt = run->opt->event;
	char where[4096];
	int status = 0;
	jv event;

	if (!run->opt->received_fixed)
		event_opt.received = time(NULL);
	snprintf(where, sizeof where, "%s%s", label, json_reader_position(reader));
	event = event_filter_payload(&run->opt->events, payload, &event_opt, where, &status);
	if (jv_get_kind(event) != JV_KIND_OBJECT) {
		jv_free(event);
		return status;
	}
	if (run->jq)
		return jqprog_run(run->jq, event, stdout);
	return json_write_line(event, stdout) == 0 ? 0 : EX_IOERR;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct parse_run run = {&opt, NULL};
	int status;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (opt.jq_program)
		run.jq = jqprog_compile(opt.jq_program);
	else if (opt.jq_file)
		run.jq = jqprog_compile_file(opt.jq_file);

	status = json_inputs_each(argv + optind, argc - optind, opt.max_body, parse_one, &run);
	if (run.jq)
		jqprog_free(run.jq);
	event_filter_free(&opt.events);
	return worse_status(status, finish_stdout());
}
