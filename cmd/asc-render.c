/* asc-render: events in, notifications out: title, body, externalLink (and a
 * notificationType when asked for) rendered from Echobell templates, so Echobell's own
 * channel templates can stay {{title}} and {{body}}. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "reqvars.h"
#include "templates.h"
#include "timevars.h"
#include "util.h"

enum output { OUTPUT_EVENT, OUTPUT_ONLY, OUTPUT_TEXT };

struct options {
	const char *file;
	const char *overrides[FIELD_COUNT]; /* -t, -b, -l, -n, -c */
	const char *body_file;              /* the request's body: bodyAsText */
	enum output output;
	size_t max_body;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [-f TEMPLATES.json] [-t TITLE] [-b BODY] [-l LINK] [-n TYPE]\n"
		"                  [-c CONDITION] [--body-file FILE] [--text | --only]\n"
		"                  [--max-body N] [FILE...]\n"
		"\n"
		"Renders each event's title, body and externalLink with Echobell templates.\n"
		"\n"
		"  -f, --templates FILE   template sets: {\"<type, event, category or default>\":\n"
		"                         {\"title\", \"body\", \"externalLink\",\n"
		"                          \"notificationType\", \"condition\"}}\n"
		"  -t, --title TEMPLATE   the title for every event\n"
		"  -b, --body TEMPLATE    the body for every event\n"
		"  -l, --link TEMPLATE    the externalLink for every event\n"
		"  -n, --notification-type TEMPLATE\n"
		"                         active, time-sensitive or calling, for every event\n"
		"  -c, --condition EXPR   keep only events for which EXPR is true\n"
		"      --body-file FILE   the request's body, for bodyAsText and its keys\n"
		"      --only             write just title, body, externalLink, notificationType\n"
		"      --text             write a preview for people instead of JSON\n"
		"      --max-body N       largest event in bytes, K/M/G suffixes (default 1M)\n"
		"  -q, --quiet            no warnings\n"
		"  -v, --verbose          say which events a condition dropped\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"Exit: 0 done, 64 template syntax error, 65 input that is not a JSON object.\n",
		progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_ONLY = 256, OPT_TEXT, OPT_MAX_BODY, OPT_BODY_FILE };
	static const struct option longopts[] = {
		{"templates", required_argument, NULL, 'f'},
		{"title", required_argument, NULL, 't'},
		{"body", required_argument, NULL, 'b'},
		{"link", required_argument, NULL, 'l'},
		{"notification-type", required_argument, NULL, 'n'},
		{"condition", required_argument, NULL, 'c'},
		{"only", no_argument, NULL, OPT_ONLY},
		{"text", no_argument, NULL, OPT_TEXT},
		{"body-file", required_argument, NULL, OPT_BODY_FILE},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.max_body = 1024 * 1024};
	int c;

	while ((c = getopt_long(argc, argv, "f:t:b:l:n:c:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': opt.file = optarg; break;
		case 't': opt.overrides[FIELD_TITLE] = optarg; break;
		case 'b': opt.overrides[FIELD_BODY] = optarg; break;
		case 'l': opt.overrides[FIELD_LINK] = optarg; break;
		case 'n': opt.overrides[FIELD_TYPE] = optarg; break;
		case 'c': opt.overrides[FIELD_CONDITION] = optarg; break;
		case OPT_ONLY:
		case OPT_TEXT:
			if (opt.output != OUTPUT_EVENT)
				die(EX_USAGE, "--only and --text: choose one");
			opt.output = c == OPT_ONLY ? OUTPUT_ONLY : OUTPUT_TEXT;
			break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		case OPT_BODY_FILE: opt.body_file = optarg; break;
		default: standard_option(c, usage);
		}
	}
	return opt;
}

/* For --text: control characters shown as ^X (as cat -v does), so a hostile value cannot
 * move the cursor or recolour the terminal. Newlines are kept where lines are allowed. */
static void print_visible(const char *s, size_t len, int keep_newlines, const char *indent)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' && keep_newlines)
			printf("\n%s", indent);
		else if (c == '\t')
			putchar('\t');
		else if (c < 0x20 || c == 0x7F)
			printf("^%c", c == 0x7F ? '?' : c + '@');
		else
			putchar(c);
	}
}

static void print_text(jv fields[RENDERED_FIELDS])
{
	static const char *const labels[] = {"Title: ", "Body:  ", "Link:  ", "Type:  "};
	int f;

	for (f = 0; f < RENDERED_FIELDS; f++) {
		/* A line for the type only when there is one: most messages have none. */
		if (jv_get_kind(fields[f]) != JV_KIND_STRING)
			continue;
		fputs(labels[f], stdout);
		print_visible(jv_string_value(fields[f]), (size_t)jv_string_length_bytes(jv_copy(fields[f])),
			      f == FIELD_BODY, "       ");
		putchar('\n');
	}
	putchar('\n');
}

struct render_run {
	struct renderer *renderer;
	enum output output;
};

static int render_one(jv event, struct json_reader *reader, const char *label, void *ctx)
{
	struct render_run *run = ctx;
	jv fields[RENDERED_FIELDS], out;
	int f;

	if (jv_get_kind(event) != JV_KIND_OBJECT) {
		msg_error("%s%s: not a JSON object; skipped", label, json_reader_position(reader));
		jv_free(event);
		return EX_DATAERR;
	}
	if (renderer_render(run->renderer, event, fields) == RENDER_DROP) {
		msg_info("%s%s: dropped by its condition", label, json_reader_position(reader));
		jv_free(event);
		return 0;
	}
	if (run->output == OUTPUT_TEXT) {
		print_text(fields);
		for (f = 0; f < RENDERED_FIELDS; f++)
			jv_free(fields[f]);
		jv_free(event);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	out = run->output == OUTPUT_ONLY ? (jv_free(event), jv_object()) : event;
	return json_write_line(rendered_message(out, fields), stdout) == 0 ? 0 : EX_IOERR;
}

int main(int argc, char **argv)
{
	struct renderer renderer;
	struct render_run run = {&renderer, OUTPUT_EVENT};
	struct options opt;
	int f, status;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a UTC time like 2026-03-02T14:05:19Z");

	renderer_init(&renderer);
	for (f = 0; f < FIELD_COUNT; f++)
		if (opt.overrides[f])
			renderer_add(&renderer, 0, TEMPLATE_ANY_KEY, (enum template_field)f,
				     opt.overrides[f], strlen(opt.overrides[f]));
	if (opt.file)
		renderer_load_file(&renderer, opt.file);
	renderer_load_defaults(&renderer);
	renderer_set_request(&renderer, reqvars_load(opt.body_file, opt.max_body));

	run.output = opt.output;
	status = json_inputs_each(argv + optind, argc - optind, opt.max_body, render_one, &run);
	renderer_free(&renderer);
	return worse_status(status, finish_stdout());
}
