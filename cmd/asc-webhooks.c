/* asc-webhooks: manage an app's App Store Connect webhooks from the command line: list,
 * create, update (rotate the secret, pause), delete, ping, watch deliveries and resend the
 * failed ones. JSON Lines out, or --table for people. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ascapi.h"
#include "buf.h"
#include "event.h"
#include "jsonget.h"
#include "jsonio.h"
#include "util.h"

#define SECRET_MAX 4096
#define DEFAULT_WINDOW (7 * 86400)

struct options {
	const char *app, *name, *url, *events, *secret_file, *state, *since, *until;
	int enabled; /* 1 --enable, 0 --disable, -1 unchanged */
	int failed, summary, table;
	long limit;
	double timeout;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s list --app ID\n"
		"       %s get WEBHOOK_ID\n"
		"       %s create --app ID --name NAME --url URL --events LIST|all --secret-file F [--disabled]\n"
		"       %s update WEBHOOK_ID [--name N] [--url U] [--events L] [--secret-file F]\n"
		"                              [--enable|--disable]\n"
		"       %s delete WEBHOOK_ID\n"
		"       %s ping WEBHOOK_ID\n"
		"       %s deliveries WEBHOOK_ID [--state S] [--since T] [--until T] [--limit N] [--summary]\n"
		"       %s redeliver DELIVERY_ID... | redeliver --failed WEBHOOK_ID [--since T]\n"
		"\n"
		"Credentials: ASC_KEY_ID, ASC_ISSUER_ID, ASC_PRIVATE_KEY_PATH (or ASC_PRIVATE_KEY).\n"
		"Times: 2026-03-01, 2026-03-01T12:00:00Z, or an age (90m, 24h, 7d). The window of\n"
		"deliveries defaults to the last 7 days. --table prints columns for people.\n",
		progname, progname, progname, progname, progname, progname, progname, progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { O_APP = 256, O_NAME, O_URL, O_EVENTS, O_SECRET_FILE, O_DISABLED, O_ENABLE, O_DISABLE,
	       O_STATE, O_SINCE, O_UNTIL, O_LIMIT, O_SUMMARY, O_FAILED, O_TABLE, O_TIMEOUT };
	static const struct option longopts[] = {
		{"app", required_argument, NULL, O_APP},
		{"name", required_argument, NULL, O_NAME},
		{"url", required_argument, NULL, O_URL},
		{"events", required_argument, NULL, O_EVENTS},
		{"secret-file", required_argument, NULL, O_SECRET_FILE},
		{"disabled", no_argument, NULL, O_DISABLED},
		{"enable", no_argument, NULL, O_ENABLE},
		{"disable", no_argument, NULL, O_DISABLE},
		{"state", required_argument, NULL, O_STATE},
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"limit", required_argument, NULL, O_LIMIT},
		{"summary", no_argument, NULL, O_SUMMARY},
		{"failed", no_argument, NULL, O_FAILED},
		{"table", no_argument, NULL, O_TABLE},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.enabled = -1, .limit = 200, .timeout = 30};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case O_APP:
			if (!app_id_valid(optarg))
				die(EX_USAGE, "--app: not an App Store Connect app id (digits): %s", optarg);
			opt.app = optarg;
			break;
		case O_NAME: opt.name = optarg; break;
		case O_URL: opt.url = optarg; break;
		case O_EVENTS: opt.events = optarg; break;
		case O_SECRET_FILE: opt.secret_file = optarg; break;
		case O_DISABLED:
		case O_DISABLE: opt.enabled = 0; break;
		case O_ENABLE: opt.enabled = 1; break;
		case O_STATE: opt.state = optarg; break;
		case O_SINCE: opt.since = optarg; break;
		case O_UNTIL: opt.until = optarg; break;
		case O_LIMIT:
			opt.limit = strtol(optarg, &end, 10);
			if (*end || end == optarg || opt.limit < 1 || opt.limit > 200)
				die(EX_USAGE, "--limit: a number from 1 to 200: %s", optarg);
			break;
		case O_SUMMARY: opt.summary = 1; break;
		case O_FAILED: opt.failed = 1; break;
		case O_TABLE: opt.table = 1; break;
		case O_TIMEOUT:
			opt.timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(opt.timeout > 0))
				die(EX_USAGE, "--timeout: not a number of seconds: %s", optarg);
			break;
		default: standard_option(c, usage);
		}
	}
	return opt;
}

/* ---- arguments ---- */

/* "2026-03-01", "2026-03-01T12:00:00Z" or an age ("90m", "24h", "7d") as epoch seconds. */
static time_t parse_time(const char *text, const char *option)
{
	struct tm tm = {0};
	char *rest, *end;
	double amount = strtod(text, &end);

	if (end != text && end[0] && !end[1] && strchr("smhd", end[0]) && amount >= 0) {
		double unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;
		return time(NULL) - (time_t)(amount * unit);
	}
	rest = strptime(text, "%Y-%m-%d", &tm);
	if (rest && *rest == 'T')
		rest = strptime(rest, "T%H:%M:%S", &tm);
	if (rest && *rest == 'Z')
		rest++;
	if (!rest || *rest)
		die(EX_USAGE, "%s: not a time: %s (2026-03-01, 2026-03-01T12:00:00Z, or 90m, 24h, 7d)",
		    option, text);
	return timegm(&tm);
}

static void format_time(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The subscription names a webhook may ask for (every kind but the ping). */
static jv event_list(const char *text)
{
	char *copy = xstrdup(text), *item, *save = NULL;
	jv list = jv_array();
	size_t k;

	if (strcmp(text, "all") == 0) {
		for (k = 0; k < event_kind_count; k++)
			if (strcmp(event_kinds[k].category, "ping") != 0)
				list = jv_array_append(list, jv_string(event_kinds[k].event));
		free(copy);
		return list;
	}
	for (item = strtok_r(copy, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		const struct event_kind *found = NULL;
		for (k = 0; k < event_kind_count && !found; k++)
			if (!strcmp(item, event_kinds[k].event) && strcmp(event_kinds[k].category, "ping"))
				found = &event_kinds[k];
		if (!found) {
			/* The data.type spelling is the common mistake: Apple answers it with a 409. */
			const struct event_kind *by_type = event_kind_find(item);
			if (by_type)
				die(EX_USAGE, "--events: %s is a payload type; the subscription name is %s",
				    item, by_type->event);
			die(EX_USAGE, "--events: unknown event %s (see `man asc-webhooks` for the list, "
				      "or use all)", item);
		}
		list = jv_array_append(list, jv_string(found->event));
	}
	free(copy);
	if (jv_array_length(jv_copy(list)) == 0)
		die(EX_USAGE, "--events: the list is empty");
	return list;
}

/* The webhook secret: the first line of the file, never shown anywhere. */
static jv read_secret(const char *path)
{
	struct buf text = BUF_INIT;
	size_t len;
	jv secret;

	buf_read_config(&text, path, SECRET_MAX, "secret file");
	len = strcspn(text.data, "\r\n");
	if (len == 0)
		die(EX_USAGE, "secret file %s is empty", path);
	secret = jv_string_sized(text.data, (int)len);
	explicit_bzero(text.data, text.len);
	buf_free(&text);
	return secret;
}

/* ---- output ---- */

static jv webhook_summary(jv resource)
{
	jv attrs = jv_object_get(jv_copy(resource), jv_string("attributes")), out = jv_object();
	static const char *const keys[] = {"name", "url", "enabled", "eventTypes"};
	size_t i;

	out = jv_object_set(out, jv_string("id"), jv_object_get(resource, jv_string("id")));
	for (i = 0; i < 4; i++)
		out = jv_object_set(out, jv_string(keys[i]),
				    jv_get_kind(attrs) == JV_KIND_OBJECT
					    ? jv_object_get(jv_copy(attrs), jv_string(keys[i]))
					    : jv_null());
	jv_free(attrs);
	return out;
}

static jv delivery_summary(jv resource)
{
	jv attrs = jv_object_get(jv_copy(resource), jv_string("attributes")), out = jv_object();

	out = jv_object_set(out, jv_string("id"), jv_object_get(resource, jv_string("id")));
	out = jv_object_set(out, jv_string("state"), json_get(attrs, "deliveryState"));
	out = jv_object_set(out, jv_string("createdDate"), json_get(attrs, "createdDate"));
	out = jv_object_set(out, jv_string("sentDate"), json_get(attrs, "sentDate"));
	out = jv_object_set(out, jv_string("httpStatus"), json_get_path(attrs, "response", "httpStatusCode", NULL));
	out = jv_object_set(out, jv_string("errorMessage"), json_get(attrs, "errorMessage"));
	out = jv_object_set(out, jv_string("redelivery"), json_get(attrs, "redelivery"));
	jv_free(attrs);
	return out;
}

/* One value per line, or for --table its fields in columns (strings as they are). */
static int print(jv value, const struct options *opt)
{
	int it, first = 1;

	if (!opt->table || jv_get_kind(value) != JV_KIND_OBJECT)
		return json_write_line(value, stdout) == 0 ? 0 : EX_IOERR;
	for (it = jv_object_iter(value); jv_object_iter_valid(value, it); it = jv_object_iter_next(value, it)) {
		jv v = jv_object_iter_value(value, it);
		if (jv_get_kind(v) != JV_KIND_STRING)
			v = jv_dump_string(v, 0);
		printf("%s%-20s", first ? "" : "  ", jv_string_value(v));
		first = 0;
		jv_free(v);
	}
	putchar('\n');
	jv_free(value);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

static jv must(jv result, const char *what)
{
	if (!jv_is_valid(result)) {
		jv msg = jv_invalid_get_msg(result);
		die(EX_UNAVAILABLE, "%s: %s", what, jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "failed");
	}
	return result;
}

/* Calls fn for every resource of a listing, following links.next. Returns the worst status. */
static int each_page(struct ascapi *api, const char *first, int (*fn)(jv, void *), void *ctx)
{
	char *next = xstrdup(first);
	int status = 0, pages = 0;

	while (next && pages++ < 1000) {
		jv doc = must(ascapi_get(api, next), "listing");
		jv data = jv_object_get(jv_copy(doc), jv_string("data"));
		jv link = json_get_path(doc, "links", "next", NULL);
		int i, n = jv_get_kind(data) == JV_KIND_ARRAY ? jv_array_length(jv_copy(data)) : 0;

		for (i = 0; i < n; i++)
			status = worse_status(status, fn(jv_array_get(jv_copy(data), i), ctx));
		free(next);
		next = jv_get_kind(link) == JV_KIND_STRING ? xstrdup(jv_string_value(link)) : NULL;
		jv_free(link);
		jv_free(data);
		jv_free(doc);
	}
	free(next);
	return status;
}

/* ---- commands ---- */

struct run {
	struct ascapi *api;
	const struct options *opt;
	long counts[3]; /* SUCCEEDED, FAILED, PENDING */
	long redelivered;
	int status;
};

static int print_webhook(jv resource, void *ctx)
{
	return print(webhook_summary(resource), ((struct run *)ctx)->opt);
}

static jv webhook_document(const struct options *opt, const char *id)
{
	jv attrs = jv_object(), data = jv_object();

	if (opt->name)
		attrs = jv_object_set(attrs, jv_string("name"), jv_string(opt->name));
	if (opt->url)
		attrs = jv_object_set(attrs, jv_string("url"), jv_string(opt->url));
	if (opt->events)
		attrs = jv_object_set(attrs, jv_string("eventTypes"), event_list(opt->events));
	if (opt->secret_file)
		attrs = jv_object_set(attrs, jv_string("secret"), read_secret(opt->secret_file));
	if (opt->enabled >= 0 || !id)
		attrs = jv_object_set(attrs, jv_string("enabled"), jv_bool(opt->enabled != 0));
	data = jv_object_set(data, jv_string("type"), jv_string("webhooks"));
	if (id)
		data = jv_object_set(data, jv_string("id"), jv_string(id));
	data = jv_object_set(data, jv_string("attributes"), attrs);
	if (!id)
		data = jv_setpath(data, jv_parse("[\"relationships\",\"app\",\"data\"]"),
				  jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_string("apps")),
						jv_string("id"), jv_string(opt->app)));
	return jv_object_set(jv_object(), jv_string("data"), data);
}

/* Deliveries are listed in a created-date window, always (the live API wants one), and
 * filtered by state here (the live API has refused filter[deliveryState]). */
static void deliveries_path(const char *webhook, const struct options *opt, char *out, size_t size)
{
	time_t until = opt->until ? parse_time(opt->until, "--until") : time(NULL) + 60;
	time_t since = opt->since ? parse_time(opt->since, "--since") : until - DEFAULT_WINDOW;
	char from[32], to[32];

	format_time(since, from);
	format_time(until, to);
	snprintf(out, size,
		 "/v1/webhooks/%s/deliveries?filter%%5BcreatedDateGreaterThanOrEqualTo%%5D=%s"
		 "&filter%%5BcreatedDateLessThan%%5D=%s&limit=%ld",
		 webhook, from, to, opt->limit);
}

static int state_index(jv state)
{
	static const char *const names[] = {"SUCCEEDED", "FAILED", "PENDING"};
	int i;
	for (i = 0; i < 3 && jv_get_kind(state) == JV_KIND_STRING; i++)
		if (!strcmp(jv_string_value(state), names[i]))
			return i;
	return -1;
}

static jv redeliver_document(const char *delivery_id)
{
	jv doc = jv_parse("{\"data\":{\"type\":\"webhookDeliveries\",\"relationships\":{\"template\":"
			  "{\"data\":{\"type\":\"webhookDeliveries\"}}}}}");
	jv path = jv_parse("[\"data\",\"relationships\",\"template\",\"data\",\"id\"]");
	return jv_setpath(doc, path, jv_string(delivery_id));
}

static int redeliver_one(struct run *run, const char *delivery_id)
{
	jv result = ascapi_send(run->api, "POST", "/v1/webhookDeliveries", redeliver_document(delivery_id));

	if (!jv_is_valid(result)) {
		jv msg = jv_invalid_get_msg(result);
		msg_error("redeliver %s: %s", delivery_id, jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "failed");
		jv_free(msg);
		return EX_UNAVAILABLE;
	}
	run->redelivered++;
	jv_free(result);
	return print(jv_object_set(jv_object(), jv_string("redelivered"), jv_string(delivery_id)), run->opt);
}

static int on_delivery(jv resource, void *ctx)
{
	struct run *run = ctx;
	jv summary = delivery_summary(resource), state = jv_object_get(jv_copy(summary), jv_string("state"));
	int index = state_index(state), status = 0;

	if (index >= 0)
		run->counts[index]++;
	if (run->opt->failed) {
		if (index == 1) {
			jv id = jv_object_get(jv_copy(summary), jv_string("id"));
			status = redeliver_one(run, jv_string_value(id));
			jv_free(id);
		}
		jv_free(summary);
	} else if (run->opt->summary ||
		   (run->opt->state && (jv_get_kind(state) != JV_KIND_STRING ||
					strcasecmp(jv_string_value(state), run->opt->state)))) {
		jv_free(summary);
	} else {
		status = print(summary, run->opt);
	}
	jv_free(state);
	return status;
}

static const char *need_id(int argc, char **argv, const char *command)
{
	if (optind >= argc)
		die(EX_USAGE, "%s: which webhook? (%s %s WEBHOOK_ID)", command, progname, command);
	return argv[optind++];
}

static int run_command(struct run *run, const char *command, int argc, char **argv)
{
	const struct options *opt = run->opt;
	char path[1024];
	const char *id;

	if (!strcmp(command, "list")) {
		if (!opt->app)
			die(EX_USAGE, "list: which app? (--app ID)");
		snprintf(path, sizeof path, "/v1/apps/%s/webhooks", opt->app);
		return each_page(run->api, path, print_webhook, run);
	}
	if (!strcmp(command, "get")) {
		jv doc;
		snprintf(path, sizeof path, "/v1/webhooks/%s", need_id(argc, argv, command));
		doc = must(ascapi_get(run->api, path), "get");
		return print(webhook_summary(jv_object_get(doc, jv_string("data"))), opt);
	}
	if (!strcmp(command, "create")) {
		jv doc;
		if (!opt->app || !opt->name || !opt->url || !opt->events || !opt->secret_file)
			die(EX_USAGE, "create needs --app, --name, --url, --events and --secret-file");
		doc = must(ascapi_send(run->api, "POST", "/v1/webhooks", webhook_document(opt, NULL)), "create");
		return print(webhook_summary(jv_object_get(doc, jv_string("data"))), opt);
	}
	if (!strcmp(command, "update")) {
		jv doc;
		id = need_id(argc, argv, command);
		snprintf(path, sizeof path, "/v1/webhooks/%s", id);
		doc = must(ascapi_send(run->api, "PATCH", path, webhook_document(opt, id)), "update");
		return print(webhook_summary(jv_object_get(doc, jv_string("data"))), opt);
	}
	if (!strcmp(command, "delete")) {
		id = need_id(argc, argv, command);
		snprintf(path, sizeof path, "/v1/webhooks/%s", id);
		jv_free(must(ascapi_send(run->api, "DELETE", path, jv_invalid()), "delete"));
		return print(jv_object_set(jv_object(), jv_string("deleted"), jv_string(id)), opt);
	}
	if (!strcmp(command, "ping")) {
		jv doc = jv_parse("{\"data\":{\"type\":\"webhookPings\",\"relationships\":{\"webhook\":"
				  "{\"data\":{\"type\":\"webhooks\"}}}}}");
		jv where = jv_parse("[\"data\",\"relationships\",\"webhook\",\"data\",\"id\"]");
		doc = jv_setpath(doc, where, jv_string(need_id(argc, argv, command)));
		doc = must(ascapi_send(run->api, "POST", "/v1/webhookPings", doc), "ping");

		{
			jv ping = jv_object_set(jv_object(), jv_string("ping"), json_get_path(doc, "data", "id", NULL));
			jv_free(doc);
			return print(ping, opt);
		}
	}
	if (!strcmp(command, "deliveries") || (!strcmp(command, "redeliver") && opt->failed)) {
		int status;
		deliveries_path(need_id(argc, argv, command), opt, path, sizeof path);
		status = each_page(run->api, path, on_delivery, run);
		if (opt->summary) {
			long total = run->counts[0] + run->counts[1] + run->counts[2];
			jv s = jv_object();
			s = jv_object_set(s, jv_string("total"), jv_number((double)total));
			s = jv_object_set(s, jv_string("SUCCEEDED"), jv_number((double)run->counts[0]));
			s = jv_object_set(s, jv_string("FAILED"), jv_number((double)run->counts[1]));
			s = jv_object_set(s, jv_string("PENDING"), jv_number((double)run->counts[2]));
			s = jv_object_set(s, jv_string("successRate"),
					  total ? jv_number((double)run->counts[0] / (double)total) : jv_null());
			status = worse_status(status, print(s, opt));
		}
		if (opt->failed)
			msg_info("%ld failed deliveries sent again", run->redelivered);
		return status;
	}
	if (!strcmp(command, "redeliver")) {
		int status = 0;
		if (optind >= argc)
			die(EX_USAGE, "redeliver: which deliveries? (DELIVERY_ID..., or --failed WEBHOOK_ID)");
		while (optind < argc)
			status = worse_status(status, redeliver_one(run, argv[optind++]));
		return status;
	}
	die(EX_USAGE, "unknown command %s (list, get, create, update, delete, ping, deliveries, "
		      "redeliver)", command);
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run;
	struct net_options net_options;
	const struct retry_policy policy = {3, 60, 1, 30};
	const char *command;
	int status;

	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* getopt_long moved the options, wherever they were, before the command and its ids. */
	command = argv[optind++];
	net_options = (struct net_options){10000, (long)(opt.timeout * 1000), NULL};
	memset(&run, 0, sizeof run);
	run.opt = &opt;
	run.api = ascapi_from_environment(&net_options, &policy);
	if (!run.api)
		die(EX_CONFIG, "no App Store Connect API credentials (set ASC_KEY_ID, ASC_ISSUER_ID "
			       "and ASC_PRIVATE_KEY_PATH)");
	status = run_command(&run, command, argc, argv);
	ascapi_close(run.api);
	return worse_status(status, finish_stdout());
}
