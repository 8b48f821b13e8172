/* asc-enrich: events in, the same events out with what only the App Store Connect API knows:
 * the app's name, the version, the build, the tester's comment and device. The API failing
 * never costs an event: it goes through with "enrichError", on time. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascapi.h"
#include "enrich.h"
#include "jsonio.h"
#include "util.h"

struct options {
	const char *cache;
	double timeout;
	size_t max_body;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--cache DIR] [--timeout S] [--max-body N] [FILE...]\n"
		"\n"
		"Adds names from the App Store Connect API to each event (app, version, build,\n"
		"tester, feedback, device). Credentials: ASC_KEY_ID, ASC_ISSUER_ID and\n"
		"ASC_PRIVATE_KEY_PATH (or ASC_PRIVATE_KEY); ASC_API_BASE for another server.\n"
		"\n"
		"      --cache DIR     where app names are kept (default $XDG_CACHE_HOME/ascbell)\n"
		"      --timeout S     seconds the API may take per event (default 5)\n"
		"      --max-body N    largest event in bytes, K/M/G suffixes (default 1M)\n"
		"  -q, --quiet         no warnings\n"
		"  -v, --verbose       say what was fetched\n"
		"  -h, --help          this text\n"
		"  -V, --version       the version\n"
		"\n"
		"Exit: 0 (an API failure is not one: the event passes with enrichError), 65 input\n"
		"that is not a JSON object, 78 a key that cannot be used.\n",
		progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_CACHE = 256, OPT_TIMEOUT, OPT_MAX_BODY };
	static const struct option longopts[] = {
		{"cache", required_argument, NULL, OPT_CACHE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.timeout = 5, .max_body = 1024 * 1024};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CACHE: opt.cache = optarg; break;
		case OPT_TIMEOUT:
			opt.timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.timeout > 0) || opt.timeout > 600)
				die(EX_USAGE, "--timeout: not a number of seconds: %s", optarg);
			break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		default: standard_option(c, usage);
		}
	}
	return opt;
}

static int enrich_one(jv event, struct json_reader *reader, const char *label, void *ctx)
{
	struct enricher *e = ctx;

	if (jv_get_kind(event) != JV_KIND_OBJECT) {
		msg_error("%s%s: not a JSON object; skipped", label, json_reader_position(reader));
		jv_free(event);
		return EX_DATAERR;
	}
	if (e->api)
		event = enrich(e, event);
	return json_write_line(event, stdout) == 0 ? 0 : EX_IOERR;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct enricher e;
	int status;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (enricher_open(&e, opt.cache, opt.timeout) != 0)
		msg_warn("no App Store Connect API credentials (ASC_KEY_ID, ASC_ISSUER_ID, "
			 "ASC_PRIVATE_KEY_PATH): events pass through as they are");
	status = json_inputs_each(argv + optind, argc - optind, opt.max_body, enrich_one, &e);
	enricher_close(&e);
	return worse_status(status, finish_stdout());
}
