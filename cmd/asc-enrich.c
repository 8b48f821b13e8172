/* asc-enrich: events in, the same events out with what only the App Store Connect API knows:
 * the app's name, the version, the build, the tester's comment and device. The API failing
 * never costs an event: it goes through with "enrichError", on time. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ascapi.h"
#include "event.h"
#include "jsonget.h"
#include "jsonio.h"
#include "util.h"

#define CACHE_FRESH (24 * 3600) /* app names and bundle ids rarely change */

struct options {
	const char *cache;
	double timeout;
	size_t max_body;
};

struct enricher {
	struct ascapi *api;
	char cache[4096]; /* "" for none */
	double timeout;
	double deadline; /* of the event under way */
	jv error;        /* the first thing that went wrong for it, or null */
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

/* One GET within the event's time budget; the first failure is kept for enrichError. */
static jv fetch(struct enricher *e, const char *what)
{
	jv doc;

	if (e->deadline - monotonic_seconds() <= 0) {
		if (jv_get_kind(e->error) == JV_KIND_NULL)
			e->error = jv_string_fmt("timeout after %g s", e->timeout);
		return jv_invalid();
	}
	e->api->deadline = e->deadline;
	msg_info("GET %s", what);
	doc = ascapi_get(e->api, what);
	if (!jv_is_valid(doc)) {
		jv msg = jv_invalid_get_msg(doc);
		if (jv_get_kind(e->error) == JV_KIND_NULL)
			e->error = jv_get_kind(msg) == JV_KIND_STRING
					   ? jv_string_fmt("%s: %s", what, jv_string_value(msg))
					   : jv_string_fmt("%s: failed", what);
		jv_free(msg);
		return jv_invalid();
	}
	return doc;
}

/* The first resource of a type in a document's "included" (doc borrowed). */
static jv included(jv doc, const char *type)
{
	jv list = json_get(doc, "included");
	int i, n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;

	for (i = 0; i < n; i++) {
		jv item = jv_array_get(jv_copy(list), i), t = json_get(item, "type");
		int match = jv_get_kind(t) == JV_KIND_STRING && strcmp(jv_string_value(t), type) == 0;
		jv_free(t);
		if (match) {
			jv_free(list);
			return item;
		}
		jv_free(item);
	}
	jv_free(list);
	return jv_invalid();
}

/* Sets event[key] = value when value is a string (or array/object); consumes value. */
static jv put(jv event, const char *key, jv value)
{
	jv_kind k = jv_get_kind(value);
	if (k == JV_KIND_STRING || k == JV_KIND_ARRAY || k == JV_KIND_OBJECT || k == JV_KIND_NUMBER)
		return jv_object_set(event, jv_string(key), value);
	jv_free(value);
	return event;
}

static void cache_path(const struct enricher *e, const char *app_id, char *out, size_t size)
{
	snprintf(out, size, "%s/apps/%s.json", e->cache, app_id);
}

static jv cache_read(const struct enricher *e, const char *app_id)
{
	char file[4200];
	struct stat st;
	struct buf text = BUF_INIT;
	FILE *f;
	jv v = jv_invalid();

	if (!e->cache[0])
		return v;
	cache_path(e, app_id, file, sizeof file);
	if (stat(file, &st) != 0 || time(NULL) - st.st_mtime > CACHE_FRESH || !(f = fopen(file, "r")))
		return v;
	if (buf_read_all(&text, f, 65536) == READ_OK && text.len)
		v = jv_parse_sized(text.data, (int)text.len);
	fclose(f);
	buf_free(&text);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* Written whole (tmp file, rename), so a reader never sees half of one. Consumes app. */
static void cache_write(const struct enricher *e, const char *app_id, jv app)
{
	char dir[4200], file[4200], tmp[4300];
	jv text;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/apps", e->cache);
	cache_path(e, app_id, file, sizeof file);
	snprintf(tmp, sizeof tmp, "%s.%d", file, (int)getpid());
	if (!e->cache[0] || (mkdir(e->cache, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST) || !(f = fopen(tmp, "w"))) {
		jv_free(app);
		return;
	}
	text = jv_dump_string(app, 0);
	fputs(jv_string_value(text), f);
	jv_free(text);
	if (fclose(f) == 0)
		rename(tmp, file);
	else
		unlink(tmp);
}

/* {"name","bundleId"} of an app: from the cache, else the API (and then the cache). */
static jv app_details(struct enricher *e, const char *app_id)
{
	char what[200];
	jv cached = cache_read(e, app_id), doc, app;

	if (jv_is_valid(cached))
		return cached;
	snprintf(what, sizeof what, "/v1/apps/%s", app_id);
	doc = fetch(e, what);
	if (!jv_is_valid(doc))
		return doc;
	app = jv_object();
	app = jv_object_set(app, jv_string("name"), json_get_path(doc, "data", "attributes", "name", NULL));
	app = jv_object_set(app, jv_string("bundleId"), json_get_path(doc, "data", "attributes", "bundleId", NULL));
	jv_free(doc);
	cache_write(e, app_id, jv_copy(app));
	return app;
}

/* The fields of a resource the instance points at, for each kind we know. */
static jv from_instance(struct enricher *e, jv event, const char *type, const char *id,
			jv *app_id)
{
	char what[512];
	jv doc, attrs, thing;

	if (!strcmp(type, "appStoreVersions")) {
		snprintf(what, sizeof what, "/v1/appStoreVersions/%s?include=app", id);
		if (!jv_is_valid(doc = fetch(e, what)))
			return event;
		attrs = json_get_path(doc, "data", "attributes", NULL);
		event = put(event, "version", json_get(attrs, "versionString"));
		event = put(event, "platform", json_get(attrs, "platform"));
		jv_free(attrs);
		thing = included(doc, "apps");
		*app_id = json_get(thing, "id");
		if (jv_get_kind(*app_id) == JV_KIND_STRING && app_id_valid(jv_string_value(*app_id)))
			cache_write(e, jv_string_value(*app_id),
				    jv_object_set(jv_object_set(jv_object(), jv_string("name"),
								json_get_path(thing, "attributes", "name", NULL)),
						  jv_string("bundleId"), json_get_path(thing, "attributes", "bundleId", NULL)));
		jv_free(thing);
	} else if (!strcmp(type, "buildBetaDetails") || !strcmp(type, "buildUploads")) {
		snprintf(what, sizeof what, "/v1/%s/%s?include=build", type, id);
		if (!jv_is_valid(doc = fetch(e, what)))
			return event;
		attrs = json_get_path(doc, "data", "attributes", NULL);
		event = put(event, "version", json_get(attrs, "cfBundleShortVersionString"));
		event = put(event, "build", json_get(attrs, "cfBundleVersion"));
		event = put(event, "platform", json_get(attrs, "platform"));
		jv_free(attrs);
		thing = included(doc, "builds");
		event = put(event, "build", json_get_path(thing, "attributes", "version", NULL));
		*app_id = json_get_path(thing, "relationships", "app", "data", "id", NULL);
		if (jv_get_kind(*app_id) != JV_KIND_STRING) {
			jv_free(*app_id);
			*app_id = json_get_path(doc, "data", "relationships", "app", "data", "id", NULL);
		}
		jv_free(thing);
	} else if (!strcmp(type, "betaFeedbackScreenshotSubmissions") ||
		   !strcmp(type, "betaFeedbackCrashSubmissions")) {
		jv tester, first, last, screenshots, urls;
		int i, n;

		snprintf(what, sizeof what, "/v1/%s/%s?include=tester,build", type, id);
		if (!jv_is_valid(doc = fetch(e, what)))
			return event;
		attrs = json_get_path(doc, "data", "attributes", NULL);
		event = put(event, "feedback", json_get(attrs, "comment"));
		event = put(event, "device", json_get(attrs, "deviceModel"));
		event = put(event, "osVersion", json_get(attrs, "osVersion"));
		event = put(event, "platform", json_get(attrs, "appPlatform"));
		screenshots = json_get(attrs, "screenshots");
		urls = jv_array();
		n = jv_get_kind(screenshots) == JV_KIND_ARRAY ? jv_array_length(jv_copy(screenshots)) : 0;
		for (i = 0; i < n; i++) {
			jv shot = jv_array_get(jv_copy(screenshots), i), url = json_get(shot, "url");
			jv_free(shot);
			if (jv_get_kind(url) == JV_KIND_STRING)
				urls = jv_array_append(urls, url);
			else
				jv_free(url);
		}
		jv_free(screenshots);
		event = n ? jv_object_set(event, jv_string("screenshots"), urls) : (jv_free(urls), event);
		/* A tester is their name when the API has one, their email otherwise. */
		thing = included(doc, "betaTesters");
		first = json_get_path(thing, "attributes", "firstName", NULL);
		last = json_get_path(thing, "attributes", "lastName", NULL);
		tester = jv_object();
		if (jv_get_kind(first) == JV_KIND_STRING || jv_get_kind(last) == JV_KIND_STRING)
			tester = jv_object_set(tester, jv_string("name"),
					       jv_string_fmt("%s%s%s",
							     jv_get_kind(first) == JV_KIND_STRING ? jv_string_value(first) : "",
							     jv_get_kind(first) == JV_KIND_STRING && jv_get_kind(last) == JV_KIND_STRING ? " " : "",
							     jv_get_kind(last) == JV_KIND_STRING ? jv_string_value(last) : ""));
		tester = put(tester, "email", json_get(attrs, "email"));
		event = jv_object_set(event, jv_string("tester"), tester);
		jv_free(first);
		jv_free(last);
		jv_free(thing);
		jv_free(attrs);
		thing = included(doc, "builds");
		event = put(event, "build", json_get_path(thing, "attributes", "version", NULL));
		jv_free(thing);
		*app_id = json_get_path(doc, "data", "relationships", "app", "data", "id", NULL);
	} else {
		return event; /* nothing more to ask for this kind */
	}
	jv_free(doc);
	return event;
}

static jv enrich(struct enricher *e, jv event)
{
	jv type = json_get_path(event, "instance", "type", NULL), id = json_get_path(event, "instance", "id", NULL);
	jv app = json_get(event, "app"), app_id = json_get(app, "id"), found_id = jv_invalid();

	e->deadline = monotonic_seconds() + e->timeout;
	e->error = jv_null();
	if (jv_get_kind(type) == JV_KIND_STRING && jv_get_kind(id) == JV_KIND_STRING &&
	    strspn(jv_string_value(id), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
		    strlen(jv_string_value(id)))
		event = from_instance(e, event, jv_string_value(type), jv_string_value(id), &found_id);
	if (jv_get_kind(app_id) != JV_KIND_STRING && jv_get_kind(found_id) == JV_KIND_STRING) {
		jv_free(app_id);
		app_id = jv_copy(found_id);
	}
	if (jv_get_kind(app_id) == JV_KIND_STRING && app_id_valid(jv_string_value(app_id))) {
		const char *aid = jv_string_value(app_id);
		jv details = app_details(e, aid), name = json_get(app, "name");
		if (jv_get_kind(app) != JV_KIND_OBJECT) {
			jv_free(app);
			app = jv_object();
		}
		app = jv_object_set(app, jv_string("id"), jv_copy(app_id));
		if (jv_get_kind(name) != JV_KIND_STRING)
			app = jv_object_set(app, jv_string("name"), json_get(details, "name"));
		jv_free(name);
		app = jv_object_set(app, jv_string("bundleId"), json_get(details, "bundleId"));
		app = jv_object_set(app, jv_string("url"), app_store_connect_url(aid));
		jv_free(details);
		event = jv_object_set(event, jv_string("app"), jv_copy(app));
		if (!strncmp(jv_string_value(type), "betaFeedback", 12))
			event = jv_object_set(event, jv_string("feedbackUrl"),
					      jv_string_fmt("https://appstoreconnect.apple.com/apps/%s/testflight/ios", aid));
	}
	if (jv_get_kind(e->error) == JV_KIND_STRING) {
		msg_warn("%s (the event goes on without it)", jv_string_value(e->error));
		event = jv_object_set(event, jv_string("enrichError"), e->error);
	} else {
		jv_free(e->error);
	}
	jv_free(type);
	jv_free(id);
	jv_free(app);
	jv_free(app_id);
	jv_free(found_id);
	return event;
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
	struct net_options net_options;
	const struct retry_policy policy = {2, 10, 0.5, 2};
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int status;

	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	memset(&e, 0, sizeof e);
	e.timeout = opt.timeout;
	if (opt.cache)
		snprintf(e.cache, sizeof e.cache, "%s", opt.cache);
	else if (xdg && *xdg)
		snprintf(e.cache, sizeof e.cache, "%s/ascbell", xdg);
	else if (home && *home)
		snprintf(e.cache, sizeof e.cache, "%s/.cache/ascbell", home);
	net_options = (struct net_options){(long)(opt.timeout * 1000), (long)(opt.timeout * 1000), NULL};
	e.api = ascapi_from_environment(&net_options, &policy);
	if (!e.api)
		msg_warn("no App Store Connect API credentials (ASC_KEY_ID, ASC_ISSUER_ID, "
			 "ASC_PRIVATE_KEY_PATH): events pass through as they are");
	status = json_inputs_each(argv + optind, argc - optind, opt.max_body, enrich_one, &e);
	if (e.api)
		msg_info("%ld API requests", e.api->requests);
	ascapi_close(e.api);
	return worse_status(status, finish_stdout());
}
