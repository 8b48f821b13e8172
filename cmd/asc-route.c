/* asc-route: which routes (ascbell(7), ROUTES) each event goes to. One line per event and
 * matching route, for a shell loop that renders and sends each; with --explain, why each
 * route matched or not, for people. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsondump.h"
#include "jsonio.h"
#include "routes.h"
#include "util.h"

struct options {
	const char *file;
	int explain;
	size_t max_body;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [-f ROUTES] [--explain] [--max-body N] [FILE...]\n"
		"\n"
		"Reads events (asc-parse's output) and writes, for each event and each route it\n"
		"matches, one line of four tab-separated fields: the route's name, its URL file,\n"
		"its template file (- when it has none) and the event as one line of JSON.\n"
		"\n"
		"  -f, --routes FILE     the routes file (default $ASCBELL_ROUTES)\n"
		"      --explain         instead: each event and, for every route, whether it\n"
		"                        matches and which rule decided\n"
		"      --max-body N      largest event in bytes, K/M/G suffixes (default 1M)\n"
		"  -q, --quiet           no warnings\n"
		"  -v, --verbose         more detail\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n"
		"\n"
		"Environment: ECHOBELL_ESCALATION_URL_FILE adds the route escalation (severity\n"
		"error, that URL file).\n"
		"\n"
		"Exit: 0 done, 65 some input was not an event object, 64 bad usage, 78 no or a bad\n"
		"routes file.\n",
		progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_EXPLAIN = 256, OPT_MAX_BODY };
	static const struct option longopts[] = {
		{"routes", required_argument, NULL, 'f'},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.max_body = 1024 * 1024};
	int c;

	while ((c = getopt_long(argc, argv, "f:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': opt.file = optarg; break;
		case OPT_EXPLAIN: opt.explain = 1; break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		default: standard_option(c, usage);
		}
	}
	if (!opt.file && getenv("ASCBELL_ROUTES") && *getenv("ASCBELL_ROUTES"))
		opt.file = getenv("ASCBELL_ROUTES");
	if (!opt.file)
		die(EX_USAGE, "no routes file: give -f FILE or set ASCBELL_ROUTES");
	return opt;
}

struct run {
	const struct options *opt;
	struct routes routes;
	unsigned long count;
};

/* The event's field key for the --explain heading: as it is when every byte is printable,
 * JSON-quoted when not (a newline in an event's id must not start a line of its own), "?"
 * when it is not a string. Appended to out. */
static void heading_field(jv event, const char *key, struct buf *out)
{
	jv v = jv_object_get(jv_copy(event), jv_string(key));
	const char *s;

	if (jv_get_kind(v) != JV_KIND_STRING) {
		buf_append(out, "?", 1);
	} else {
		for (s = jv_string_value(v); *s && (unsigned char)*s >= 0x20 && *s != 0x7f; s++)
			;
		if (*s || (size_t)(s - jv_string_value(v)) != (size_t)jv_string_length_bytes(jv_copy(v)))
			json_dump(v, out); /* borrowed */
		else
			buf_append(out, jv_string_value(v), (size_t)(s - jv_string_value(v)));
	}
	jv_free(v);
}

static int route_one(jv event, struct json_reader *reader, const char *label, void *ctx)
{
	struct run *run = ctx;
	struct buf line = BUF_INIT, line_event = BUF_INIT;
	size_t i;

	run->count++;
	if (jv_get_kind(event) != JV_KIND_OBJECT) {
		msg_error("%s%s: not an event (a JSON object); skipped", label, json_reader_position(reader));
		jv_free(event);
		return EX_DATAERR;
	}
	if (run->opt->explain) {
		heading_field(event, "event", &line);
		buf_append(&line, " ", 1);
		heading_field(event, "id", &line);
		printf("event %lu %.*s:\n", run->count, (int)line.len, line.data);
	} else {
		json_dump(event, &line_event); /* borrowed */
	}
	for (i = 0; i < run->routes.count; i++) {
		const struct route *r = &run->routes.items[i];
		buf_clear(&line);
		if (run->opt->explain) {
			route_matches(r, event, &line);
			printf("  %s: %.*s\n", r->name, (int)line.len, line.data);
		} else if (route_matches(r, event, NULL)) {
			printf("%s\t%s\t%s\t%.*s\n", r->name, r->url_file, r->templates ? r->templates : "-",
			       (int)line_event.len, line_event.data);
		}
	}
	buf_free(&line);
	buf_free(&line_event);
	jv_free(event);
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run = {0};
	const char *escalation = getenv("ECHOBELL_ESCALATION_URL_FILE");
	char why[1024];
	int status;

	no_core_dumps(); /* its environment may hold the receiver's secrets */
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	run.opt = &opt;
	if (routes_load(opt.file, escalation && *escalation ? escalation : NULL, &run.routes, why,
			sizeof why) != 0)
		die(EX_CONFIG, "%s", why);
	status = json_inputs_each(argv + optind, argc - optind, opt.max_body, route_one, &run);
	routes_free(&run.routes);
	return worse_status(status, finish_stdout());
}
