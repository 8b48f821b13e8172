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

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ascapi.h"
#include "ascapi_pages.h"
#include "pingprobe.h"
#include "buf.h"
#include "event.h"
#include "instant.h"
#include "jsonget.h"
#include "jsonio.h"
#include "secretfile.h"
#include "secrets.h"
#include "uri.h"
#include "util.h"

#define SECRET_MAX 4096
#define DEFAULT_WINDOW (7 * 86400)
#define APPS_MAX 256
#define DEFAULT_NAME "ascbell"

struct options {
	const char *app, *name, *url, *events, *secret_file, *state, *since, *until;
	const char *apps[APPS_MAX]; /* every --app, for apply, check and deliveries */
	size_t napps;
	int enabled; /* 1 --enable, 0 --disable, -1 unchanged */
	int failed, summary, table, url_as_is, all_apps, dry_run, set_secret, retire_old, timeout_given;
	long limit;
	double timeout, wait; /* wait: check and rotate, for the ping's delivery */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s list --app ID\n"
		"       %s get WEBHOOK_ID\n"
		"       %s create --app ID --name NAME --url URL --events LIST|all --secret-file F [--disabled]\n"
		"                              [--url-as-is]\n"
		"       %s update WEBHOOK_ID [--name N] [--url U [--app ID] [--url-as-is]] [--events L]\n"
		"                              [--secret-file F] [--enable|--disable]\n"
		"       %s delete WEBHOOK_ID\n"
		"       %s ping WEBHOOK_ID\n"
		"       %s deliveries WEBHOOK_ID [--state S] [--since T] [--until T] [--limit N] [--summary]\n"
		"       %s deliveries --summary WEBHOOK_ID... | --app ID... | --all-apps [--since T] [--table]\n"
		"       %s redeliver DELIVERY_ID... | redeliver --failed WEBHOOK_ID [--since T]\n"
		"       %s apply (--app ID... | --all-apps) --url BASE --events LIST|all --secret-file F\n"
		"                              [--name NAME] [--url-as-is] [--set-secret] [--dry-run]\n"
		"       %s check WEBHOOK_ID... | check (--app ID... | --all-apps) [--name NAME] [--timeout S]\n"
		"                              [--failed]\n"
		"       %s rotate WEBHOOK_ID --secret-file F [--retire-old] [--timeout S]\n"
		"\n"
		"Credentials: ASC_KEY_ID, ASC_ISSUER_ID, ASC_PRIVATE_KEY_PATH (or ASC_PRIVATE_KEY).\n"
		"Times: 2026-03-01, 2026-03-01T12:00:00Z, or an age (90m, 24h, 7d). The window of\n"
		"deliveries defaults to the last 7 days. --table prints columns for people.\n"
		"The URL registered names the app: --url https://h.example/ --app 6447123456 registers\n"
		"https://h.example/6447123456 (the receiver reads the app id there); --url-as-is does not.\n",
		progname, progname, progname, progname, progname, progname, progname, progname, progname, progname,
		progname, progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { O_APP = 256, O_NAME, O_URL, O_EVENTS, O_SECRET_FILE, O_DISABLED, O_ENABLE, O_DISABLE,
	       O_STATE, O_SINCE, O_UNTIL, O_LIMIT, O_SUMMARY, O_FAILED, O_TABLE, O_TIMEOUT, O_URL_AS_IS,
	       O_ALL_APPS, O_DRY_RUN, O_SET_SECRET, O_RETIRE_OLD };
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
		{"url-as-is", no_argument, NULL, O_URL_AS_IS},
		{"all-apps", no_argument, NULL, O_ALL_APPS},
		{"dry-run", no_argument, NULL, O_DRY_RUN},
		{"set-secret", no_argument, NULL, O_SET_SECRET},
		{"retire-old", no_argument, NULL, O_RETIRE_OLD},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.enabled = -1, .limit = 200, .timeout = 30, .wait = -1};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case O_APP:
			if (!app_id_valid(optarg))
				die(EX_USAGE, "--app: not an App Store Connect app id (digits): %s", optarg);
			if (opt.napps == APPS_MAX)
				die(EX_USAGE, "--app: more than %d apps (use --all-apps)", APPS_MAX);
			opt.app = opt.apps[opt.napps++] = optarg;
			break;
		case O_ALL_APPS: opt.all_apps = 1; break;
		case O_DRY_RUN: opt.dry_run = 1; break;
		case O_SET_SECRET: opt.set_secret = 1; break;
		case O_RETIRE_OLD: opt.retire_old = 1; break;
		case O_NAME: opt.name = optarg; break;
		case O_URL: opt.url = optarg; break;
		case O_URL_AS_IS: opt.url_as_is = 1; break;
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
			if (*end || end == optarg || !(opt.timeout > 0) || opt.timeout > 86400)
				die(EX_USAGE, "--timeout: not a number of seconds: %s", optarg);
			opt.timeout_given = 1;
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
	char *end;
	double amount = strtod(text, &end);
	time_t t;

	if (end != text && end[0] && !end[1] && strchr("smhd", end[0]) && amount >= 0) {
		double unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : 86400;
		return time(NULL) - (time_t)(amount * unit);
	}
	if (date_or_instant_parse(text, &t) != 0)
		die(EX_USAGE, "%s: not a time: %s (2026-03-01, 2026-03-01T12:00:00Z, or 90m, 24h, 7d)",
		    option, text);
	return t;
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

/* What an answer left out, or sent as another kind, named in one warning per resource: the
 * spec requires none of these members, so their absence is no reason to stop. */
static jv take(jv out, jv from, const char *key, jv_kind kind, struct buf *missing)
{
	jv v = json_get(from, key);
	jv_kind k = jv_get_kind(v);

	if (k == kind || (kind == JV_KIND_TRUE && k == JV_KIND_FALSE))
		return jv_object_set(out, jv_string(key), v);
	jv_free(v);
	if (missing->len)
		buf_append(missing, ", ", 2);
	buf_append(missing, key, strlen(key));
	return jv_object_set(out, jv_string(key), jv_null());
}

static void say_missing(const char *what, jv id, struct buf *missing)
{
	if (missing->len)
		msg_warn("%s %s: the answer has no %s (shown as null)", what,
			 jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id) : "without an id", missing->data);
	buf_free(missing);
}

/* A webhook as printed: id, name, url, enabled, eventTypes. Consumes resource. */
static jv webhook_summary(jv resource)
{
	jv attrs = json_get(resource, "attributes"), id = json_get_string(resource, "id");
	jv out = jv_object_set(jv_object(), jv_string("id"), jv_copy(id));
	struct buf missing = BUF_INIT;

	if (jv_get_kind(id) != JV_KIND_STRING)
		buf_append(&missing, "id", 2);
	out = take(out, attrs, "name", JV_KIND_STRING, &missing);
	out = take(out, attrs, "url", JV_KIND_STRING, &missing);
	out = take(out, attrs, "enabled", JV_KIND_TRUE, &missing);
	out = take(out, attrs, "eventTypes", JV_KIND_ARRAY, &missing);
	say_missing("webhook", id, &missing);
	jv_free(id);
	jv_free(attrs);
	jv_free(resource);
	return out;
}

/* A delivery as printed; the members the spec does not require are null when left out. */
static jv delivery_summary(jv resource)
{
	jv attrs = json_get(resource, "attributes"), out = jv_object();

	out = jv_object_set(out, jv_string("id"), json_get_string(resource, "id"));
	out = jv_object_set(out, jv_string("state"), json_get_string(attrs, "deliveryState"));
	out = jv_object_set(out, jv_string("createdDate"), json_get_string(attrs, "createdDate"));
	out = jv_object_set(out, jv_string("sentDate"), json_get_string(attrs, "sentDate"));
	out = jv_object_set(out, jv_string("httpStatus"), json_get_path(attrs, "response", "httpStatusCode", NULL));
	out = jv_object_set(out, jv_string("errorMessage"), json_get_string(attrs, "errorMessage"));
	out = jv_object_set(out, jv_string("redelivery"), json_get(attrs, "redelivery"));
	jv_free(attrs);
	jv_free(resource);
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

/* The URL registered for an app. The receiver (asc-receiver) takes an all-digit first path
 * segment after its prefix as the app's id, and one webhook serves one app, so the id goes
 * at the end of the path given (the receiver's URL, ending at its prefix):
 * https://hooks.example.com/ and https://hooks.example.com become
 * https://hooks.example.com/6447123456, https://h.example/asc?x=1 becomes
 * https://h.example/asc/6447123456?x=1. A URL whose last segment is the id already is kept;
 * one whose last segment is another number (another app's id) or with a fragment is
 * refused. */
static jv url_for_app(const char *url, const char *app)
{
	size_t origin = uri_origin_length(url), path_len, end, last;
	const char *query;

	if (!origin || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		die(EX_USAGE, "--url: not an http(s) URL: %s", url);
	if (strchr(url, '#'))
		die(EX_USAGE, "--url: a fragment (#...) never reaches the receiver: %s", url);
	query = url + origin + strcspn(url + origin, "?");
	path_len = (size_t)(query - url);
	end = path_len;
	while (end > origin && url[end - 1] == '/')
		end--;
	last = end;
	while (last > origin && url[last - 1] != '/')
		last--;
	if (end > last && strspn(url + last, "0123456789") >= end - last) {
		if (end - last == strlen(app) && !strncmp(url + last, app, end - last))
			return jv_string(url);
		die(EX_USAGE, "--url already ends with app id %.*s, not %s (--url-as-is registers it as it is)",
		    (int)(end - last), url + last, app);
	}
	return jv_string_fmt("%.*s/%s%s", (int)end, url, app, query);
}

static jv webhook_document(const struct options *opt, const char *id)
{
	jv attrs = jv_object(), data = jv_object();

	if (opt->name)
		attrs = jv_object_set(attrs, jv_string("name"), jv_string(opt->name));
	if (opt->url)
		attrs = jv_object_set(attrs, jv_string("url"), opt->app && !opt->url_as_is ? url_for_app(opt->url, opt->app)
											    : jv_string(opt->url));
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

	char limit[24];
	const char *args[] = {webhook, from, to, limit, NULL};

	format_time(since, from);
	format_time(until, to);
	snprintf(limit, sizeof limit, "%ld", opt->limit);
	if (ascapi_call_path(ASC_WEBHOOK_DELIVERIES, args, out, size) != 0)
		die(EX_USAGE, "deliveries: the webhook id is too long");
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
	char path[256];
	jv result;

	ascapi_call_path(ASC_WEBHOOK_REDELIVER, NULL, path, sizeof path);
	result = ascapi_call(run->api, ASC_WEBHOOK_REDELIVER, path, redeliver_document(delivery_id));

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
			if (jv_get_kind(id) == JV_KIND_STRING) {
				status = redeliver_one(run, jv_string_value(id));
			} else {
				msg_error("a failed delivery without an id cannot be sent again");
				status = EX_UNAVAILABLE;
			}
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

/* One call of the table with one id (or none) in its path; exits 69 with Apple's reason when
 * it fails. */
static jv call(struct run *run, enum ascapi_call which, const char *id, jv body, const char *what)
{
	char path[1024];
	const char *args[] = {id, NULL};

	if (ascapi_call_path(which, args, path, sizeof path) != 0)
		die(EX_USAGE, "%s: the id is too long", what);
	return must(ascapi_call(run->api, which, path, body), what);
}

/* The webhook of an answer, printed. Consumes doc. */
static int print_answer(jv doc, const struct options *opt)
{
	jv data = json_get(doc, "data");
	jv_free(doc);
	return print(webhook_summary(data), opt);
}

/* ---- apply: one webhook named NAME per app, with that URL and those events, enabled ---- */

struct named {
	const char *name;
	jv found; /* the webhooks of the app named so */
	int status;
};

static int collect_named(jv resource, void *ctx)
{
	struct named *named = ctx;
	jv name = json_get_path(resource, "attributes", "name", NULL);
	jv id = json_get_string(resource, "id");

	/* Without a name (the spec requires none) it may be ours or not: no write on a guess. */
	if (jv_get_kind(name) != JV_KIND_STRING || jv_get_kind(id) != JV_KIND_STRING) {
		msg_error("a webhook in the answer has no %s: cannot tell whether it is the one named %s",
			  jv_get_kind(id) != JV_KIND_STRING ? "id" : "name", named->name);
		named->status = EX_UNAVAILABLE;
		jv_free(resource);
	} else if (!strcmp(jv_string_value(name), named->name)) {
		named->found = jv_array_append(named->found, resource);
	} else {
		jv_free(resource);
	}
	jv_free(name);
	jv_free(id);
	return 0;
}

/* Whether two lists of event names hold the same names (Apple keeps no order). Consumes
 * both. */
static int same_events(jv a, jv b)
{
	int i, j, n = jv_array_length(jv_copy(a)), m = jv_array_length(jv_copy(b)), same = n == m;

	for (i = 0; same && i < n; i++) {
		jv x = jv_array_get(jv_copy(a), i);
		int hit = 0;
		for (j = 0; !hit && j < m; j++)
			hit = jv_equal(jv_copy(x), jv_array_get(jv_copy(b), j));
		same = hit;
		jv_free(x);
	}
	jv_free(a);
	jv_free(b);
	return same;
}

/* The attributes that differ from what is declared, and their names for the message.
 * Consumes its arguments. */
static jv differences(jv webhook, jv url, jv events, struct buf *what)
{
	jv attrs = json_get(webhook, "attributes"), changes = jv_object();
	jv have_url = json_get(attrs, "url"), have_events = json_get(attrs, "eventTypes");
	jv enabled = json_get(attrs, "enabled");

	jv_free(attrs);
	jv_free(webhook);
	if (!jv_equal(have_url, jv_copy(url))) {
		changes = jv_object_set(changes, jv_string("url"), jv_copy(url));
		buf_append(what, "url, ", 5);
	}
	if (jv_get_kind(have_events) != JV_KIND_ARRAY || !same_events(jv_copy(have_events), jv_copy(events))) {
		changes = jv_object_set(changes, jv_string("eventTypes"), jv_copy(events));
		buf_append(what, "events, ", 8);
	}
	if (jv_get_kind(enabled) != JV_KIND_TRUE) {
		changes = jv_object_set(changes, jv_string("enabled"), jv_true());
		buf_append(what, "enabled, ", 9);
	}
	jv_free(have_events);
	jv_free(enabled);
	jv_free(url);
	jv_free(events);
	return changes;
}

/* The webhook's id in a create or update answer, for the line printed; "?" when the answer
 * has none (the change was made all the same). */
static jv answered_id(jv doc)
{
	jv id = json_get_path(doc, "data", "id", NULL);

	jv_free(doc);
	if (jv_get_kind(id) != JV_KIND_STRING) {
		jv_free(id);
		msg_warn("the answer names no webhook id");
		return jv_string("?");
	}
	return id;
}

static int apply_line(const char *app, const char *id, const char *state, const struct buf *what)
{
	if (what && what->len)
		printf("%s %s %s (%.*s)\n", app, id, state, (int)what->len - 2, what->data);
	else
		printf("%s %s %s\n", app, id, state);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

static int apply_app(struct run *run, const char *app, jv secret)
{
	const struct options *opt = run->opt;
	struct named named = {opt->name ? opt->name : DEFAULT_NAME, jv_array(), 0};
	const char *args[] = {app, NULL};
	char path[1024];
	jv url = opt->url_as_is ? jv_string(opt->url) : url_for_app(opt->url, app), events = event_list(opt->events);
	int status, n;

	ascapi_call_path(ASC_APP_WEBHOOKS, args, path, sizeof path);
	status = ascapi_each_page(run->api, ASC_APP_WEBHOOKS, path, collect_named, &named);
	status = worse_status(status, named.status); /* after the listing, which sets it */
	n = jv_array_length(jv_copy(named.found));
	if (status) {
		msg_error("app %s: its webhooks could not all be read; nothing changed", app);
	} else if (n > 1) {
		msg_error("app %s: %d webhooks are named %s; delete all but one (asc-webhooks delete)", app, n,
			  named.name);
		status = EX_DATAERR;
	} else if (n == 0) {
		jv attrs = jv_object_set(jv_object(), jv_string("name"), jv_string(named.name));
		jv doc = jv_parse("{\"data\":{\"type\":\"webhooks\",\"relationships\":{\"app\":"
				  "{\"data\":{\"type\":\"apps\"}}}}}");
		attrs = jv_object_set(attrs, jv_string("url"), jv_copy(url));
		attrs = jv_object_set(attrs, jv_string("eventTypes"), jv_copy(events));
		attrs = jv_object_set(attrs, jv_string("secret"), jv_copy(secret));
		attrs = jv_object_set(attrs, jv_string("enabled"), jv_true());
		doc = jv_setpath(doc, jv_parse("[\"data\",\"relationships\",\"app\",\"data\",\"id\"]"), jv_string(app));
		doc = jv_setpath(doc, jv_parse("[\"data\",\"attributes\"]"), attrs);
		if (opt->dry_run) {
			jv_free(doc);
			status = apply_line(app, "-", "would be created", NULL);
		} else {
			jv answer;
			ascapi_call_path(ASC_WEBHOOK_CREATE, NULL, path, sizeof path);
			answer = ascapi_call(run->api, ASC_WEBHOOK_CREATE, path, doc);
			if (!jv_is_valid(answer)) {
				jv msg = jv_invalid_get_msg(answer);
				msg_error("app %s: create: %s", app, jv_string_value(msg));
				jv_free(msg);
				status = EX_UNAVAILABLE;
			} else {
				jv id = answered_id(answer);
				status = apply_line(app, jv_string_value(id), "created", NULL);
				jv_free(id);
			}
		}
	} else {
		jv webhook = jv_array_get(jv_copy(named.found), 0), id = json_get_string(webhook, "id");
		struct buf what = BUF_INIT;
		jv changes = differences(webhook, jv_copy(url), jv_copy(events), &what);

		/* Apple never shows a secret, so it cannot be compared: sent only when asked. */
		if (opt->set_secret) {
			changes = jv_object_set(changes, jv_string("secret"), jv_copy(secret));
			buf_append(&what, "secret, ", 8);
		}
		if (!what.len) {
			jv_free(changes);
			status = apply_line(app, jv_string_value(id), "in order", NULL);
		} else if (opt->dry_run) {
			jv_free(changes);
			status = apply_line(app, jv_string_value(id), "would be updated", &what);
		} else {
			const char *pargs[] = {jv_string_value(id), NULL};
			jv doc = jv_object_set(jv_object(), jv_string("type"), jv_string("webhooks")), answer;
			doc = jv_object_set(doc, jv_string("id"), jv_copy(id));
			doc = jv_object_set(doc, jv_string("attributes"), changes);
			doc = jv_object_set(jv_object(), jv_string("data"), doc);
			if (ascapi_call_path(ASC_WEBHOOK_UPDATE, pargs, path, sizeof path) != 0) {
				jv_free(doc);
				msg_error("app %s: the webhook id in the answer is too long", app);
				status = EX_UNAVAILABLE;
			} else if (!jv_is_valid(answer = ascapi_call(run->api, ASC_WEBHOOK_UPDATE, path, doc))) {
				jv msg = jv_invalid_get_msg(answer);
				msg_error("app %s: update %s: %s", app, jv_string_value(id), jv_string_value(msg));
				jv_free(msg);
				status = EX_UNAVAILABLE;
			} else {
				jv_free(answer);
				status = apply_line(app, jv_string_value(id), "updated", &what);
			}
		}
		buf_free(&what);
		jv_free(id);
	}
	jv_free(named.found);
	jv_free(url);
	jv_free(events);
	return status;
}

struct app_ids {
	jv ids;
	int status;
};

static int collect_app(jv resource, void *ctx)
{
	struct app_ids *apps = ctx;
	jv id = json_get_string(resource, "id");

	jv_free(resource);
	if (jv_get_kind(id) != JV_KIND_STRING || !app_id_valid(jv_string_value(id))) {
		msg_error("an app in the answer to GET /v1/apps has no usable id");
		apps->status = EX_UNAVAILABLE;
		jv_free(id);
		return 0;
	}
	apps->ids = jv_array_append(apps->ids, id);
	return 0;
}

/* The apps named by --app, or with --all-apps every app the key can see (all pages). */
static jv chosen_apps(struct run *run, const char *command, int *status)
{
	const struct options *opt = run->opt;
	struct app_ids apps = {jv_array(), 0};
	char path[256];
	size_t i;

	if (!opt->all_apps) {
		for (i = 0; i < opt->napps; i++)
			apps.ids = jv_array_append(apps.ids, jv_string(opt->apps[i]));
		return apps.ids;
	}
	ascapi_call_path(ASC_APPS, NULL, path, sizeof path);
	*status = ascapi_each_page(run->api, ASC_APPS, path, collect_app, &apps);
	*status = worse_status(*status, apps.status);
	if (*status)
		msg_error("%s: the list of apps could not all be read", command);
	return apps.ids;
}

static int run_apply(struct run *run)
{
	const struct options *opt = run->opt;
	int status = 0, i, n;
	jv apps, secret;

	if ((opt->napps > 0) == opt->all_apps)
		die(EX_USAGE, "apply: which apps? (--app ID... or --all-apps, not both)");
	if (!opt->url || !opt->events || !opt->secret_file)
		die(EX_USAGE, "apply needs --url, --events and --secret-file");
	if (opt->enabled >= 0)
		die(EX_USAGE, "apply: a webhook it keeps is always enabled (pause one with update --disable)");
	/* Everything the command line says is checked before the first request. */
	jv_free(event_list(opt->events));
	secret = read_secret(opt->secret_file);
	apps = chosen_apps(run, "apply", &status);
	n = jv_array_length(jv_copy(apps));
	for (i = 0; i < n; i++) {
		jv app = jv_array_get(jv_copy(apps), i);
		status = worse_status(status, apply_app(run, jv_string_value(app), secret));
		jv_free(app);
	}
	jv_free(apps);
	jv_free(secret);
	return status;
}

/* ---- check: ping, and wait for App Store Connect's record of that ping's delivery ---- */

enum { PRINT_NONE, PRINT_FAILED, PRINT_ALL };

/* ping_probes_run (common/pingprobe.c), then each probe's line as asked. */
static int run_probes(struct run *run, struct ping_probe *probes, size_t n, double wait, int printing)
{
	int status = ping_probes_run(run->api, probes, n, wait);
	size_t i;

	for (i = 0; i < n; i++)
		if (printing == PRINT_ALL || (printing == PRINT_FAILED && probes[i].status))
			status = worse_status(status, print(jv_copy(probes[i].line), run->opt));
	return status;
}

struct app_webhooks {
	const char *app, *name;
	jv found; /* [[id, app], ...] */
	int status, with_disabled;
};

static int collect_webhook(jv resource, void *ctx)
{
	struct app_webhooks *list = ctx;
	jv id = json_get_string(resource, "id"), name = json_get_path(resource, "attributes", "name", NULL);
	jv enabled = json_get_path(resource, "attributes", "enabled", NULL);

	if (jv_get_kind(id) != JV_KIND_STRING) {
		msg_error("app %s: a webhook in the answer has no id", list->app);
		list->status = EX_UNAVAILABLE;
	} else if (list->name && (jv_get_kind(name) != JV_KIND_STRING || strcmp(jv_string_value(name), list->name))) {
		/* not the one asked for */
	} else if (jv_get_kind(enabled) == JV_KIND_FALSE && !list->with_disabled) {
		msg_warn("app %s: webhook %s is disabled: not checked", list->app, jv_string_value(id));
	} else {
		jv pair = jv_array_append(jv_array_append(jv_array(), jv_copy(id)), jv_string(list->app));
		list->found = jv_array_append(list->found, pair);
	}
	jv_free(id);
	jv_free(name);
	jv_free(enabled);
	jv_free(resource);
	return 0;
}

/* The webhooks a command is about: the ids given, or the webhooks of --app/--all-apps (only
 * those named --name; disabled ones unless with_disabled is 0), as [[id, app], ...]. */
static jv chosen_webhooks(struct run *run, const char *command, int argc, char **argv, int with_disabled,
			  int *status_out)
{
	const struct options *opt = run->opt;
	struct app_webhooks list = {NULL, opt->name, jv_array(), 0, with_disabled};
	int status = 0, i, n;

	if ((optind < argc) + (opt->napps > 0) + opt->all_apps != 1)
		die(EX_USAGE, "%s: which webhooks? (WEBHOOK_ID..., --app ID... or --all-apps)", command);
	if (optind < argc) {
		for (; optind < argc; optind++)
			list.found = jv_array_append(list.found, jv_array_append(jv_array(), jv_string(argv[optind])));
	} else {
		jv apps = chosen_apps(run, command, &status);
		n = jv_array_length(jv_copy(apps));
		for (i = 0; i < n; i++) {
			jv app = jv_array_get(jv_copy(apps), i);
			const char *args[] = {jv_string_value(app), NULL};
			char path[1024];
			int listed;
			list.app = jv_string_value(app);
			ascapi_call_path(ASC_APP_WEBHOOKS, args, path, sizeof path);
			listed = ascapi_each_page(run->api, ASC_APP_WEBHOOKS, path, collect_webhook, &list);
			status = worse_status(status, listed);
			/* the app id lives on in the list, which copies it */
			jv_free(app);
		}
		jv_free(apps);
		status = worse_status(status, list.status);
		if (jv_array_length(jv_copy(list.found)) == 0 && !status) {
			msg_error("%s: no webhook%s%s", command, opt->name ? " named " : "", opt->name ? opt->name : "");
			status = EX_UNAVAILABLE;
		}
	}
	*status_out = status;
	return list.found;
}

static int run_check(struct run *run, int argc, char **argv)
{
	const struct options *opt = run->opt;
	struct ping_probe *probes;
	int status = 0, i, n;
	jv found = chosen_webhooks(run, "check", argc, argv, 0, &status);

	n = jv_array_length(jv_copy(found));
	probes = xmalloc(sizeof *probes * (size_t)(n ? n : 1));
	for (i = 0; i < n; i++) {
		jv pair = jv_array_get(jv_copy(found), i);
		jv id = jv_array_get(jv_copy(pair), 0), app = jv_array_get(jv_copy(pair), 1);
		ping_probe_init(&probes[i], jv_string_value(id), jv_is_valid(app) ? jv_string_value(app) : NULL);
		/* found keeps the strings alive for the probes */
		jv_free(id);
		jv_free(app);
		jv_free(pair);
	}
	status = worse_status(status, run_probes(run, probes, (size_t)n, opt->wait, opt->failed ? PRINT_FAILED : PRINT_ALL));
	for (i = 0; i < n; i++)
		ping_probe_free(&probes[i]);
	free(probes);
	jv_free(found);
	return status;
}

/* ---- deliveries --summary across webhooks ---- */

static jv summary_of(const long counts[3])
{
	long total = counts[0] + counts[1] + counts[2];
	jv s = jv_object();

	s = jv_object_set(s, jv_string("total"), jv_number((double)total));
	s = jv_object_set(s, jv_string("SUCCEEDED"), jv_number((double)counts[0]));
	s = jv_object_set(s, jv_string("FAILED"), jv_number((double)counts[1]));
	s = jv_object_set(s, jv_string("PENDING"), jv_number((double)counts[2]));
	return jv_object_set(s, jv_string("successRate"), total ? jv_number((double)counts[0] / (double)total) : jv_null());
}

/* One line per webhook, {"webhook","app",counts...}, then the portfolio's, "webhook":"all";
 * a webhook whose deliveries cannot all be read gets no line, and then there is no total
 * line either (a sum that leaves one out must not look whole). */
static int run_summaries(struct run *run, int argc, char **argv)
{
	const struct options *opt = run->opt;
	long all[3] = {0, 0, 0};
	char path[1024];
	int status = 0, i, n, k;
	jv found = chosen_webhooks(run, "deliveries --summary", argc, argv, 1, &status);

	n = jv_array_length(jv_copy(found));
	if (opt->table && n)
		printf("%-20s  %-20s  %-20s  %-20s  %-20s  %-20s  %-20s\n", "webhook", "app", "total", "SUCCEEDED",
		       "FAILED", "PENDING", "successRate");
	for (i = 0; i < n; i++) {
		jv pair = jv_array_get(jv_copy(found), i);
		jv id = jv_array_get(jv_copy(pair), 0), app = jv_array_get(jv_copy(pair), 1);
		jv line = jv_object_set(jv_object(), jv_string("webhook"), jv_copy(id));
		int listed;

		memset(run->counts, 0, sizeof run->counts);
		deliveries_path(jv_string_value(id), opt, path, sizeof path);
		listed = ascapi_each_page(run->api, ASC_WEBHOOK_DELIVERIES, path, on_delivery, run);
		if (listed) {
			msg_error("deliveries of %s could not all be read: no summary of them", jv_string_value(id));
			status = worse_status(status, listed);
			jv_free(line);
		} else {
			line = jv_object_set(line, jv_string("app"), jv_is_valid(app) ? jv_copy(app) : jv_null());
			line = jv_object_merge(line, summary_of(run->counts));
			for (k = 0; k < 3; k++)
				all[k] += run->counts[k];
			status = worse_status(status, print(line, opt));
		}
		jv_free(app);
		jv_free(id);
		jv_free(pair);
	}
	if (!status) {
		jv line = jv_object_set(jv_object_set(jv_object(), jv_string("webhook"), jv_string("all")),
					jv_string("app"), jv_null());
		status = print(jv_object_merge(line, summary_of(all)), opt);
	}
	jv_free(found);
	return status;
}

/* ---- rotate: a new secret, without a delivery refused on the way ---- */

/* The steps, in order; a failure names its step, and by then the file holds a secret the
 * webhook signs with (the old one until step 4 has been answered, both from step 3 on). */
static const char *const rotate_steps[] = {
	"", "read the secret file", "find the webhook", "add the new secret to the file",
	"give the webhook the new secret", "ping and wait for SUCCEEDED", "retire the old secrets",
};

static int rotate_failed(int step, int status, const char *webhook, const char *file, const char *why)
{
	static const char *const state[] = {
		"", "nothing changed", "nothing changed", "nothing changed (the file is as it was)",
		"the file holds the new and the old secrets; the webhook may have either: both verify",
		"the webhook has the new secret; the file holds it beside the old ones: both verify",
		"the webhook has the new secret; the file still holds it beside the old ones: both verify",
	};
	msg_error("rotate %s: step %d of 6 (%s) failed: %s; %s (%s)", webhook, step, rotate_steps[step], why,
		  state[step], file);
	return status;
}

static int run_rotate(struct run *run, int argc, char **argv)
{
	const struct options *opt = run->opt;
	struct secrets lines = SECRETS_INIT, only_new = SECRETS_INIT;
	unsigned char bytes[32];
	char secret[65], why[512], path[1024];
	const char *webhook, *args[2];
	struct ping_probe probe;
	jv answer, doc;
	size_t i;
	int status;

	webhook = need_id(argc, argv, "rotate");
	if (optind < argc)
		die(EX_USAGE, "rotate: one webhook at a time");
	if (!opt->secret_file)
		die(EX_USAGE, "rotate needs --secret-file: the receiver's secret file, which gets the new secret");
	args[0] = webhook;
	args[1] = NULL;
	if (ascapi_call_path(ASC_WEBHOOK, args, path, sizeof path) != 0)
		die(EX_USAGE, "rotate: the webhook id is too long");

	/* 1. What the receiver holds now, kept whole beside the new secret. */
	if (secrets_add_file(&lines, opt->secret_file) != 0) {
		int err = errno;
		snprintf(why, sizeof why, "%s", strerror(err));
		return rotate_failed(1, err == ENOENT ? EX_NOINPUT : EX_IOERR, webhook, opt->secret_file, why);
	}
	if (lines.count == 0) {
		secrets_wipe(&lines);
		return rotate_failed(1, EX_USAGE, webhook, opt->secret_file,
				     "it holds no secret, so no delivery can verify now (asc-webhooks update --secret-file)");
	}
	/* 2. The webhook exists and the key may see it: no secret is made for a typo. */
	answer = ascapi_call(run->api, ASC_WEBHOOK, path, jv_invalid());
	if (!jv_is_valid(answer)) {
		jv msg = jv_invalid_get_msg(answer);
		snprintf(why, sizeof why, "%s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "refused");
		jv_free(msg);
		secrets_wipe(&lines);
		return rotate_failed(2, EX_UNAVAILABLE, webhook, opt->secret_file, why);
	}
	jv_free(answer);

	/* 3. The new secret first (signing tries it first), then every one the file held. */
	if (RAND_bytes(bytes, sizeof bytes) != 1)
		die(EX_SOFTWARE, "rotate %s: OpenSSL could not make random bytes; nothing changed", webhook);
	for (i = 0; i < sizeof bytes; i++)
		snprintf(secret + 2 * i, 3, "%02x", bytes[i]);
	OPENSSL_cleanse(bytes, sizeof bytes);
	secrets_add(&only_new, secret, 64);
	for (i = 0; i < lines.count; i++)
		if (lines.list[i].len != 64 || CRYPTO_memcmp(lines.list[i].bytes, secret, 64))
			secrets_add(&only_new, lines.list[i].bytes, lines.list[i].len);
	secrets_wipe(&lines);
	if (secretfile_replace(opt->secret_file, &only_new, why, sizeof why) != 0) {
		status = rotate_failed(3, EX_IOERR, webhook, opt->secret_file, why);
		goto out;
	}

	/* 4. Apple signs with the new one from here on; the file has had it since step 3. */
	doc = jv_object_set(jv_object(), jv_string("type"), jv_string("webhooks"));
	doc = jv_object_set(doc, jv_string("id"), jv_string(webhook));
	doc = jv_object_set(doc, jv_string("attributes"),
			    jv_object_set(jv_object(), jv_string("secret"), jv_string_sized(secret, 64)));
	ascapi_call_path(ASC_WEBHOOK_UPDATE, args, path, sizeof path);
	answer = ascapi_call(run->api, ASC_WEBHOOK_UPDATE, path, jv_object_set(jv_object(), jv_string("data"), doc));
	if (!jv_is_valid(answer)) {
		jv msg = jv_invalid_get_msg(answer);
		snprintf(why, sizeof why, "%s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "refused");
		jv_free(msg);
		status = rotate_failed(4, EX_UNAVAILABLE, webhook, opt->secret_file, why);
		goto out;
	}
	jv_free(answer);

	/* 5. Proof that a delivery signed with it reached the receiver and verified. */
	ping_probe_init(&probe, webhook, NULL);
	status = run_probes(run, &probe, 1, opt->wait, PRINT_NONE);
	if (status) {
		jv result = json_get(probe.line, "result");
		snprintf(why, sizeof why, "the ping's delivery: %s",
			 jv_get_kind(result) == JV_KIND_STRING ? jv_string_value(result) : "unknown");
		jv_free(result);
		ping_probe_free(&probe);
		status = rotate_failed(5, status, webhook, opt->secret_file, why);
		goto out;
	}
	ping_probe_free(&probe);

	/* 6. Only now, and only when asked, may the old secrets go. */
	if (opt->retire_old) {
		size_t kept = only_new.count;
		only_new.count = 1;
		if (secretfile_replace(opt->secret_file, &only_new, why, sizeof why) != 0) {
			only_new.count = kept;
			status = rotate_failed(6, EX_IOERR, webhook, opt->secret_file, why);
			goto out;
		}
		only_new.count = kept;
	}
	status = print(jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("rotated"), jv_string(webhook)),
						   jv_string("secretFile"), jv_string(opt->secret_file)),
				     jv_string("oldRetired"), jv_bool(opt->retire_old)),
		       opt);
out:
	OPENSSL_cleanse(secret, sizeof secret);
	secrets_wipe(&only_new);
	return status;
}

static int run_command(struct run *run, const char *command, int argc, char **argv)
{
	const struct options *opt = run->opt;
	char path[1024];
	const char *id;

	int several = !strcmp(command, "apply") || !strcmp(command, "check") ||
		      (!strcmp(command, "deliveries") && opt->summary);

	if (opt->napps > 1 && !several)
		die(EX_USAGE, "%s: one --app at a time", command);
	if (opt->all_apps && !several)
		die(EX_USAGE, "%s: --all-apps is for apply, check and deliveries --summary", command);
	if (opt->retire_old && strcmp(command, "rotate"))
		die(EX_USAGE, "%s: --retire-old is for rotate", command);
	if ((opt->dry_run || opt->set_secret) && strcmp(command, "apply"))
		die(EX_USAGE, "%s: --dry-run and --set-secret are for apply", command);
	if (!strcmp(command, "apply"))
		return run_apply(run);
	if (!strcmp(command, "check"))
		return run_check(run, argc, argv);
	if (!strcmp(command, "rotate"))
		return run_rotate(run, argc, argv);
	if (!strcmp(command, "list")) {
		const char *args[] = {opt->app, NULL};
		if (!opt->app)
			die(EX_USAGE, "list: which app? (--app ID)");
		ascapi_call_path(ASC_APP_WEBHOOKS, args, path, sizeof path);
		return ascapi_each_page(run->api, ASC_APP_WEBHOOKS, path, print_webhook, run);
	}
	if (!strcmp(command, "get"))
		return print_answer(call(run, ASC_WEBHOOK, need_id(argc, argv, command), jv_invalid(), "get"), opt);
	if (!strcmp(command, "create")) {
		if (!opt->app || !opt->name || !opt->url || !opt->events || !opt->secret_file)
			die(EX_USAGE, "create needs --app, --name, --url, --events and --secret-file");
		return print_answer(call(run, ASC_WEBHOOK_CREATE, NULL, webhook_document(opt, NULL), "create"), opt);
	}
	if (!strcmp(command, "update")) {
		id = need_id(argc, argv, command);
		return print_answer(call(run, ASC_WEBHOOK_UPDATE, id, webhook_document(opt, id), "update"), opt);
	}
	if (!strcmp(command, "delete")) {
		id = need_id(argc, argv, command);
		jv_free(call(run, ASC_WEBHOOK_DELETE, id, jv_invalid(), "delete"));
		return print(jv_object_set(jv_object(), jv_string("deleted"), jv_string(id)), opt);
	}
	if (!strcmp(command, "ping")) {
		jv doc = jv_parse("{\"data\":{\"type\":\"webhookPings\",\"relationships\":{\"webhook\":"
				  "{\"data\":{\"type\":\"webhooks\"}}}}}");
		jv where = jv_parse("[\"data\",\"relationships\",\"webhook\",\"data\",\"id\"]");
		doc = jv_setpath(doc, where, jv_string(need_id(argc, argv, command)));
		doc = call(run, ASC_WEBHOOK_PING, NULL, doc, "ping");
		{
			jv data = json_get(doc, "data");
			jv ping = jv_object_set(jv_object(), jv_string("ping"), json_get_string(data, "id"));
			jv_free(data);
			jv_free(doc);
			return print(ping, opt);
		}
	}
	if (!strcmp(command, "deliveries") && opt->summary && (argc - optind != 1 || opt->napps || opt->all_apps))
		return run_summaries(run, argc, argv);
	if (!strcmp(command, "deliveries") || (!strcmp(command, "redeliver") && opt->failed)) {
		int status;
		deliveries_path(need_id(argc, argv, command), opt, path, sizeof path);
		if (optind < argc)
			die(EX_USAGE, "%s: one webhook at a time (deliveries --summary takes several)", command);
		status = ascapi_each_page(run->api, ASC_WEBHOOK_DELIVERIES, path, on_delivery, run);
		if (opt->summary && status == 0)
			status = print(summary_of(run->counts), opt);
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
		      "redeliver, apply, check, rotate)", command);
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run;
	struct net_options net_options;
	const struct retry_policy policy = {3, 60, 1, 30};
	const char *command;
	int status;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* getopt_long moved the options, wherever they were, before the command and its ids. */
	command = argv[optind++];
	/* For check and rotate --timeout is the whole wait for the ping's delivery (default 60
	 * seconds); each request keeps the default bound of 30. */
	if (!strcmp(command, "check") || !strcmp(command, "rotate")) {
		opt.wait = opt.timeout_given ? opt.timeout : 60;
		opt.timeout = opt.timeout_given && opt.timeout < 30 ? opt.timeout : 30;
	}
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
