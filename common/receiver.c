/* receiver: the receiver's pipeline in one process (see receiver.h; each step says which
 * step of scripts/asc-receiver it is). */
#include "receiver.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dedup.h"
#include "echobell.h"
#include "enrich.h"
#include "eventfilter.h"
#include "instant.h"
#include "jsonio.h"
#include "localtime.h"
#include "quiet.h"
#include "reqvars.h"
#include "routes.h"
#include "secrets.h"
#include "sender.h"
#include "signature.h"
#include "templates.h"
#include "timevars.h"
#include "util.h"

/* asc-receiver's echobell-send: 3 s to connect and for the whole exchange. */
static const struct net_options echobell_net = {3000, 3000, NULL};

/* asc-parse's and asc-render's default limit on one JSON value. */
#define EVENT_MAX (1024 * 1024)

const char *const receiver_config_names[] = {
	"ASC_WEBHOOK_SECRET_FILE", "ASC_WEBHOOK_SECRET", "ECHOBELL_URL_FILE", "ECHOBELL_WEBHOOK_URL",
	"ASC_APP_ID", "ASC_APP_NAME", "ASCBELL_EVENTS", "ASCBELL_TEMPLATES", "ASCBELL_TZ",
	"ASCBELL_OUTBOX", "ASCBELL_UNSENT", "ASCBELL_DEDUP_DIR", "ECHOBELL_ESCALATION_URL_FILE",
	"ASCBELL_APPS_DIR", "ASCBELL_DRY_RUN", "ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY_PATH",
	"ASC_PRIVATE_KEY", "ASC_API_BASE", "ASCBELL_QUIET_HOURS", "ASCBELL_QUIET_ZONE",
	"ASCBELL_QUIET_BELOW", "ASCBELL_ROUTES", NULL,
};

#define CONFIG_NAME_COUNT (sizeof receiver_config_names / sizeof receiver_config_names[0] - 1)

/* ---- configuration ---- */

/* The environment's own values of the names, before the first file changed them. */
static struct {
	int saved;
	char *value[CONFIG_NAME_COUNT]; /* NULL: unset */
} original;

void receiver_apply_config(const struct envfile *config)
{
	size_t i;

	for (i = 0; i < CONFIG_NAME_COUNT; i++) {
		const char *name = receiver_config_names[i], *value;
		if (!original.saved) {
			value = getenv(name);
			original.value[i] = value ? xstrdup(value) : NULL;
		} else if (original.value[i]) {
			setenv(name, original.value[i], 1);
		} else {
			unsetenv(name);
		}
		if ((value = envfile_get(config, name)))
			setenv(name, value, 1);
	}
	original.saved = 1;
}

/* One request's settings: the app's own file (ASCBELL_APPS_DIR/NAME.env) over the
 * environment, as asc-receiver sources the one after the other. */
struct settings {
	struct envfile app;
	int has_app;
};

/* A value set to "" is unset, in the shell's way of testing them; an app's "" still
 * hides the environment's value. */
static const char *setting(const struct settings *s, const char *name)
{
	const char *value = s->has_app ? envfile_get(&s->app, name) : NULL;

	if (!value)
		value = getenv(name);
	return value && *value ? value : NULL;
}

/* Step 0: the app named by the path. Returns 0 or 78. */
static int load_settings(struct settings *s, const struct receiver_request *req, const char **app_id)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	const char *apps_dir = req->apps_dir ? req->apps_dir : setting(s, "ASCBELL_APPS_DIR");
	const char *app = req->app ? req->app : "";
	char path[4096], why[512];

	*app_id = NULL;
	if (!apps_dir) {
		/* An all-digit first segment is the app's id, unless the configuration names one. */
		if (*app && strspn(app, "0123456789") == strlen(app))
			*app_id = app;
		return 0;
	}
	/* asc-http --apps-dir answered 404 for anything else already: the second lock. */
	if (!*app || !strcmp(app, ".") || !strcmp(app, "..") || strspn(app, allowed) != strlen(app)) {
		msg_error("no app named in the path");
		return EX_CONFIG;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s.env", apps_dir, app) >= sizeof path ||
	    access(path, R_OK) != 0) {
		msg_error("no configuration for app %s", app);
		return EX_CONFIG;
	}
	if (envfile_read(path, receiver_config_names, &s->app, why, sizeof why) != 0) {
		msg_error("%s", why);
		return EX_CONFIG;
	}
	s->has_app = 1;
	return 0;
}

/* ---- what is kept between requests ---- */

/* The secrets of one file, read again when the file changed (a rotation adds a line). */
struct secret_source {
	char *path; /* "" for $ASC_WEBHOOK_SECRET alone */
	char *value;
	struct stat st;
	struct secrets secrets;
};

struct template_source {
	char *path; /* "" for the built-in templates alone */
	struct renderer renderer;
};

/* A routes file as last read, kept while the file is the same (a long-running worker reads
 * and compiles it once, not per request). */
struct routes_source {
	char *path, *escalation; /* escalation: "" for none */
	struct stat st;
	struct routes routes;
};

struct receiver {
	struct secret_source *secrets;
	size_t secret_count;
	struct routes_source *routes;
	size_t routes_count;
	struct template_source *templates;
	size_t template_count;
	struct enricher enricher;
	int enricher_ready; /* 0 not yet, 1 open, -1 no credentials */
	struct net *net;    /* to Echobell, kept alive across requests */
	/* The settings receiver_verify loaded, app file and all, for receiver_handle to use
	 * on the same request rather than read the file again. */
	struct settings checked;
	const char *checked_app_id;
	const struct http_request *checked_for;
	jv event; /* for receiver_event: the history's line */
	volatile sig_atomic_t stop;
};

static void forget_checked(struct receiver *r)
{
	if (r->checked_for && r->checked.has_app)
		envfile_free(&r->checked.app);
	r->checked_for = NULL;
}

struct receiver *receiver_open(void)
{
	struct receiver *r = xmalloc(sizeof *r);

	memset(r, 0, sizeof *r);
	r->event = jv_null();
	if (localtime_init() != 0)
		die(EX_CONFIG, "ASCBELL_TZ: not a time zone this machine knows: %s (an IANA name "
			       "such as Europe/Berlin, from /usr/share/zoneinfo)", getenv("ASCBELL_TZ"));
	if (timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a UTC time like 2026-03-02T14:05:19Z");
	return r;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The secrets asc-verify would use: the file's lines, then $ASC_WEBHOOK_SECRET. NULL (and
 * the reason logged) when there are none. */
static const struct secrets *secrets_for(struct receiver *r, const char *file, const char *value)
{
	struct secret_source *src = NULL;
	struct stat st;
	size_t i;

	memset(&st, 0, sizeof st);
	if (file && stat(file, &st) != 0) {
		msg_error("cannot read secret file %s (ASC_WEBHOOK_SECRET_FILE): %s", file, strerror(errno));
		return NULL;
	}
	for (i = 0; i < r->secret_count && !src; i++)
		if (!strcmp(r->secrets[i].path, file ? file : "") &&
		    !strcmp(r->secrets[i].value, value ? value : ""))
			src = &r->secrets[i];
	if (src && (!file || same_file(&src->st, &st))) {
		if (src->secrets.count)
			return &src->secrets;
		msg_error("no webhook secret (set ASC_WEBHOOK_SECRET_FILE or ASC_WEBHOOK_SECRET)");
		return NULL;
	}
	if (!src) {
		r->secrets = xrealloc(r->secrets, (r->secret_count + 1) * sizeof *r->secrets);
		src = &r->secrets[r->secret_count++];
		src->path = xstrdup(file ? file : "");
		src->value = xstrdup(value ? value : "");
		src->secrets = (struct secrets)SECRETS_INIT;
	}
	secrets_wipe(&src->secrets);
	src->st = st;
	if (file && secrets_add_file(&src->secrets, file) != 0) {
		msg_error("cannot read secret file %s (ASC_WEBHOOK_SECRET_FILE): %s", file, strerror(errno));
		src->st.st_ino = 0; /* read it again next time */
		return NULL;
	}
	if (value)
		secrets_add(&src->secrets, value, strlen(value));
	if (src->secrets.count == 0) {
		msg_error("no webhook secret (set ASC_WEBHOOK_SECRET_FILE or ASC_WEBHOOK_SECRET)");
		return NULL;
	}
	return &src->secrets;
}

/* The routes asc-route -f FILE would use, read again when the file changed (its inode,
 * size or mtime: an edit, or a new file moved into place). NULL with the reason in why. */
static const struct routes *routes_for(struct receiver *r, const char *file, const char *escalation,
				       char *why, size_t size)
{
	struct routes_source *src = NULL;
	struct stat st;
	size_t i;

	if (stat(file, &st) != 0) {
		snprintf(why, size, "cannot read the routes file %s: %s", file, strerror(errno));
		return NULL;
	}
	for (i = 0; i < r->routes_count && !src; i++)
		if (!strcmp(r->routes[i].path, file) && !strcmp(r->routes[i].escalation, escalation ? escalation : ""))
			src = &r->routes[i];
	if (src && same_file(&src->st, &st))
		return &src->routes;
	if (!src) {
		r->routes = xrealloc(r->routes, (r->routes_count + 1) * sizeof *r->routes);
		src = &r->routes[r->routes_count++];
		src->path = xstrdup(file);
		src->escalation = xstrdup(escalation ? escalation : "");
	} else {
		routes_free(&src->routes);
	}
	memset(&src->st, 0, sizeof src->st); /* not known good until it is read whole */
	if (routes_load(file, escalation, &src->routes, why, size) != 0)
		return NULL;
	src->st = st;
	return &src->routes;
}

/* The templates asc-render -f FILE would use (a file that cannot be used exits 64). */
static struct renderer *renderer_for(struct receiver *r, const char *file)
{
	struct template_source *src;
	size_t i;

	for (i = 0; i < r->template_count; i++)
		if (!strcmp(r->templates[i].path, file ? file : ""))
			return &r->templates[i].renderer;
	r->templates = xrealloc(r->templates, (r->template_count + 1) * sizeof *r->templates);
	src = &r->templates[r->template_count];
	src->path = xstrdup(file ? file : "");
	renderer_init(&src->renderer);
	if (file)
		renderer_load_file(&src->renderer, file);
	renderer_load_defaults(&src->renderer);
	r->template_count++;
	return &src->renderer;
}

/* A routes file that cannot be used stops the receiver at start-up (78), as a template
 * file does (64); its templates are loaded now too. */
static void warm_routes(struct receiver *r)
{
	const char *file = getenv("ASCBELL_ROUTES"), *escalation = getenv("ECHOBELL_ESCALATION_URL_FILE");
	const struct routes *routes;
	char why[1024];
	size_t i;

	if (!file || !*file)
		return;
	if (!(routes = routes_for(r, file, escalation && *escalation ? escalation : NULL, why, sizeof why)))
		die(EX_CONFIG, "ASCBELL_ROUTES: %s", why);
	for (i = 0; i < routes->count; i++)
		if (routes->items[i].templates)
			renderer_for(r, routes->items[i].templates);
}

void receiver_warm(struct receiver *r)
{
	const char *templates = getenv("ASCBELL_TEMPLATES"), *key = getenv("ASC_KEY_ID");

	renderer_for(r, templates && *templates ? templates : NULL);
	if (key && *key && r->enricher_ready == 0)
		r->enricher_ready = enricher_open(&r->enricher, NULL, 5) == 0 ? 1 : -1;
	if (!r->net)
		r->net = net_open(&echobell_net);
	warm_routes(r);
}

void receiver_close(struct receiver *r)
{
	size_t i;

	if (!r)
		return;
	forget_checked(r);
	for (i = 0; i < r->secret_count; i++) {
		secrets_wipe(&r->secrets[i].secrets);
		free(r->secrets[i].path);
		explicit_bzero(r->secrets[i].value, strlen(r->secrets[i].value));
		free(r->secrets[i].value);
	}
	for (i = 0; i < r->template_count; i++) {
		renderer_free(&r->templates[i].renderer);
		free(r->templates[i].path);
	}
	for (i = 0; i < r->routes_count; i++) {
		routes_free(&r->routes[i].routes);
		free(r->routes[i].path);
		free(r->routes[i].escalation);
	}
	free(r->routes);
	if (r->enricher_ready > 0)
		enricher_close(&r->enricher);
	jv_free(r->event);
	net_close(r->net);
	free(r->secrets);
	free(r->templates);
	free(r);
}

/* ---- the steps ---- */

/* Step 2's collector: asc-parse's events, kept in order. */
struct parsed {
	const struct event_filter *filter;
	struct event_options options;
	jv events;
};

static int parse_one(jv payload, struct json_reader *reader, const char *label, void *ctx)
{
	struct parsed *p = ctx;
	char where[128];
	int status = 0;
	jv event;

	snprintf(where, sizeof where, "%s%s", label, json_reader_position(reader));
	event = event_filter_payload(p->filter, payload, &p->options, where, &status);
	if (jv_get_kind(event) == JV_KIND_OBJECT)
		p->events = jv_array_append(p->events, event);
	else
		jv_free(event);
	return status;
}

/* Step 2: the events of the verified body, as asc-parse makes them. Returns its status. */
static int parse_events(const struct settings *s, const struct receiver_request *req,
			const char *app_id, jv *events)
{
	const char *events_setting = setting(s, "ASCBELL_EVENTS"), *received = getenv("ASCBELL_RECEIVED");
	const struct http_request *http = req->http;
	struct event_filter filter = {0};
	struct parsed p;
	int status;

	memset(&p, 0, sizeof p);
	p.filter = &filter;
	p.options.app_id = setting(s, "ASC_APP_ID") ? setting(s, "ASC_APP_ID") : app_id;
	p.options.app_name = setting(s, "ASC_APP_NAME");
	p.options.received = req->received;
	p.options.history = req->history;
	if (p.options.app_id && !app_id_valid(p.options.app_id)) {
		msg_error("ASC_APP_ID: not an App Store Connect app id (digits)");
		return EX_CONFIG;
	}
	/* asc-replay's: the time the saved request first arrived. */
	if (received && *received && instant_parse(received, &p.options.received) != 0) {
		msg_error("ASCBELL_RECEIVED: not a time like 2026-03-02T14:05:19Z");
		return EX_CONFIG;
	}
	if (events_setting && event_filter_parse(&filter, events_setting, "ASCBELL_EVENTS") != 0) {
		msg_error("ASCBELL_EVENTS: the list is empty");
		return EX_USAGE;
	}
	p.events = jv_array();
	status = json_buffer_each(http->body.data ? http->body.data : "", http->body.len, "", EVENT_MAX,
				  parse_one, &p);
	event_filter_free(&filter);
	if (status != 0) {
		jv_free(p.events);
		return status;
	}
	*events = p.events;
	return 0;
}

static int blank(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)data[i]))
			return 0;
	return 1;
}

static jv event_field(jv event, const char *key)
{
	return jv_object_get(jv_copy(event), jv_string(key));
}

/* Step 3: a repeat of an event already notified costs neither the API nor the templates.
 * (The claim itself is made when the message goes out, step 6.) */
static int already_notified(const struct settings *s, jv events)
{
	const char *dir = setting(s, "ASCBELL_DEDUP_DIR");
	jv first, id;
	int done = 0;

	if (!dir)
		return 0;
	first = jv_array_get(jv_copy(events), 0);
	id = event_field(first, "id");
	jv_free(first);
	if (jv_get_kind(id) == JV_KIND_STRING && dedup_is_done(dir, jv_string_value(id))) {
		msg_warn("event %s was already notified: not again", jv_string_value(id));
		done = 1;
	}
	jv_free(id);
	return done;
}

/* Step 4: names from the App Store Connect API, when there are credentials for it (a
 * failure leaves the event as it was, with enrichError). */
static jv enriched(struct receiver *r, const struct settings *s, jv event)
{
	if (!setting(s, "ASC_KEY_ID"))
		return event;
	if (r->enricher_ready == 0)
		r->enricher_ready = enricher_open(&r->enricher, NULL, 5) == 0 ? 1 : -1;
	return r->enricher_ready > 0 ? enrich(&r->enricher, event) : event;
}

/* Echobell's header variable: the request's headers with lower-case names, as the CGI
 * variables asc-http would have set carry them to asc-render (cgi.c): the first of a
 * repeated header, names that are plain tokens, the body's own length and type. */
static jv header_variable(const struct http_request *http)
{
	const char *type = http_request_header(http, "content-type");
	jv header = jv_object();
	size_t i, k;

	if (type)
		header = jv_object_set(header, jv_string("content-type"), jv_string(type));
	header = jv_object_set(header, jv_string("content-length"), jv_string_fmt("%zu", http->body.len));
	for (i = 0; i < http->header_count; i++) {
		const struct http_header *h = &http->headers[i];
		char name[256];

		if (h->name.len == 0 || h->name.len >= sizeof name)
			continue;
		for (k = 0; k < h->name.len; k++) {
			unsigned char c = (unsigned char)h->name.data[k];
			if (c != '-' && !isalnum(c))
				break;
			name[k] = (char)tolower(c);
		}
		name[k] = '\0';
		if (k < h->name.len || !strcmp(name, "proxy") || !strcmp(name, "content-length") ||
		    !strcmp(name, "content-type"))
			continue;
		if (!jv_object_has(jv_copy(header), jv_string(name)))
			header = jv_object_set(header, jv_string(name),
					       jv_string(h->value.data ? h->value.data : ""));
	}
	return header;
}

/* Step 5: each event's message, by the templates; a condition may drop one. */
static jv render_messages(struct renderer *renderer, const struct http_request *http, jv events)
{
	jv messages = jv_array();
	int i, n = jv_array_length(jv_copy(events));

	renderer_set_request(renderer, reqvars_make(header_variable(http),
						    http->body.data ? http->body.data : "", http->body.len));
	for (i = 0; i < n; i++) {
		jv event = jv_array_get(jv_copy(events), i), fields[RENDERED_FIELDS];
		if (renderer_render(renderer, event, fields) == RENDER_DROP) {
			msg_info("value %d: dropped by its condition", i + 1);
			jv_free(event);
			continue;
		}
		messages = jv_array_append(messages, rendered_message(event, fields));
	}
	renderer_set_request(renderer, jv_null());
	jv_free(events);
	return messages;
}

/* A sender for Echobell as asc-receiver's echobell-send lines set it up. Returns 0, or 78
 * when the URL cannot be had or used. */
static int direct_sender(struct receiver *r, const struct settings *s, const char *url_file,
			 struct sender *out)
{
	const char *url_value = url_file ? NULL : setting(s, "ECHOBELL_WEBHOOK_URL");
	char why[4200], masked[MASKED_URL_SIZE];
	char *url;

	if (!url_file)
		url_file = setting(s, "ECHOBELL_URL_FILE");
	url = echobell_url_find(url_value, url_file, url_value ? "" : "ECHOBELL_URL_FILE", why, sizeof why);
	if (!url) {
		msg_error("%s", why);
		return EX_CONFIG;
	}
	if (!r->net)
		r->net = net_open(&echobell_net);
	if (net_url_allowed(r->net, url, why, sizeof why) != 0) {
		echobell_url_mask(url, masked);
		msg_error("Echobell URL %s refused: %s", masked, why);
		echobell_url_free(url);
		return EX_CONFIG;
	}
	*out = (struct sender){
		.spool = setting(s, "ASCBELL_UNSENT"),
		.dry_run = setting(s, "ASCBELL_DRY_RUN") && !strcmp(setting(s, "ASCBELL_DRY_RUN"), "1"),
		.dry_out = stderr, /* standard output is the answer */
		.policy = {2, 5, 1, 30},
		.stop = &r->stop,
		.url = url,
		.net = r->net,
	};
	return 0;
}

static const char *setting_ctx(const char *name, void *ctx)
{
	return setting(ctx, name);
}

/* Step 6's quiet hours (ASCBELL_QUIET_*, the app's file over the environment), as
 * asc-receiver gives them to echobell-send --queue --quiet-hours. Only the agent can send
 * a held message when the window ends: without an outbox they are a configuration error.
 * Returns 0 or 78. */
static int quiet_settings(const struct settings *s, int queued, int dry_run, struct quiet *q)
{
	char why[512];

	memset(q, 0, sizeof *q);
	if (!queued) {
		if (setting(s, "ASCBELL_QUIET_HOURS") && !dry_run) {
			msg_error("ASCBELL_QUIET_HOURS: quiet hours need the outbox (set ASCBELL_OUTBOX, "
				  "with echobell-send --watch delivering it)");
			return EX_CONFIG;
		}
		return 0;
	}
	if (quiet_env_set(setting_ctx, (void *)s) &&
	    quiet_from_env(setting_ctx, (void *)s, q, why, sizeof why) != 0) {
		msg_error("%s", why);
		return EX_CONFIG;
	}
	return 0;
}

/* Step 6: out they go; queued (the agent delivers) or direct (a short retry budget; what
 * fails is kept in ASCBELL_UNSENT). Returns echobell-send's status, and its word. */
static int send_messages(struct receiver *r, const struct settings *s, jv messages, char outcome[])
{
	const char *outbox = setting(s, "ASCBELL_OUTBOX"), *dry = setting(s, "ASCBELL_DRY_RUN");
	struct sender sender = {0};
	struct quiet quiet;
	int i, n = jv_array_length(jv_copy(messages)), status = 0;
	int queued = outbox && !(dry && !strcmp(dry, "1"));

	if ((status = quiet_settings(s, queued, dry && !strcmp(dry, "1"), &quiet)) != 0) {
		jv_free(messages);
		return status;
	}

	/* Queued, the agent alone needs the URL. */
	if (!queued && (status = direct_sender(r, s, NULL, &sender)) != 0) {
		jv_free(messages);
		return status;
	}
	if (queued && spool_prepare(outbox) != 0) {
		msg_error("cannot use the outbox: %s", spool_why());
		jv_free(messages);
		return EX_TEMPFAIL;
	}
	sender.dedup = setting(s, "ASCBELL_DEDUP_DIR");
	sender.quiet = &quiet;
	for (i = 0; i < n; i++) {
		jv message = jv_array_get(jv_copy(messages), i);
		status = worse_status(status, queued ? sender_queue(&sender, outbox, message)
						     : sender_send(&sender, message));
	}
	if (status == 0 && !sender.dry_run)
		snprintf(outcome, RECEIVER_OUTCOME_SIZE, "%s",
			 sender.duplicates && !sender.done	    ? "duplicate"
			 : queued && sender.held && sender.held == sender.done ? "held"
			 : queued					    ? "queued"
			 : sender.kept			   ? "kept"
							   : "delivered");
	echobell_url_free((char *)sender.url);
	jv_free(messages);
	return status;
}

/* Step 7: errors also reach the escalation channel; the main notification is out already,
 * so a failure here is a warning. */
static void escalate(struct receiver *r, const struct settings *s, jv first_event, jv messages)
{
	const char *file = setting(s, "ECHOBELL_ESCALATION_URL_FILE");
	jv severity = event_field(first_event, "severity");
	struct sender sender = {0};
	int i, n, status;

	if (!file || jv_get_kind(severity) != JV_KIND_STRING || strcmp(jv_string_value(severity), "error")) {
		jv_free(severity);
		return;
	}
	jv_free(severity);
	status = direct_sender(r, s, file, &sender);
	for (i = 0, n = jv_array_length(jv_copy(messages)); i < n && status == 0; i++)
		status = sender_send(&sender, jv_array_get(jv_copy(messages), i));
	if (status != 0)
		msg_warn("the escalation channel was not reached");
	echobell_url_free((char *)sender.url);
}

/* ---- routes (ASCBELL_ROUTES) ---- */

/* One route's share of a request: its messages, rendered with its templates, and how far
 * they got. */
struct routed {
	const struct route *route;
	jv messages;
	int next;   /* the first message not yet settled */
	int status; /* the worst status of those settled */
};

struct route_tally {
	unsigned long done, kept, duplicates, held;
};

/* Sends (or queues) t's messages from t->next on. Direct, with spool NULL: one attempt
 * each, and a message still unavailable (75) stops the route there, for the second pass;
 * any other answer settles the message. A URL that cannot be used settles them all (78). */
static void route_send(struct receiver *r, const struct settings *s, struct routed *t, const char *outbox,
		      const struct retry_policy *policy, const char *spool, struct route_tally *tally,
		      const struct quiet *quiet)
{
	char *dedup = route_dir(setting(s, "ASCBELL_DEDUP_DIR"), t->route), *dir = route_dir(outbox, t->route);
	struct sender sender = {0};
	int n = jv_array_length(jv_copy(t->messages)), status = 0;

	if (!outbox && (status = direct_sender(r, s, t->route->url_file, &sender)) != 0) {
		t->status = worse_status(t->status, status);
		t->next = n;
	} else if (outbox && spool_prepare(dir) != 0) {
		msg_error("route %s: cannot use the outbox: %s", t->route->name, spool_why());
		t->status = worse_status(t->status, EX_TEMPFAIL);
		t->next = n;
	}
	if (!outbox) {
		sender.policy = *policy;
		sender.spool = spool;
	}
	sender.dedup = dedup;
	sender.quiet = quiet;
	while (t->next < n) {
		jv message = jv_array_get(jv_copy(t->messages), t->next);
		status = outbox ? sender_queue(&sender, dir, message) : sender_send(&sender, message);
		if (status == EX_TEMPFAIL && !outbox && !spool)
			break;
		t->status = worse_status(t->status, status);
		t->next++;
	}
	if (status != 0 && t->next == n)
		msg_warn("route %s: not every message reached its channel", t->route->name);
	tally->done += sender.done;
	tally->kept += sender.kept;
	tally->duplicates += sender.duplicates;
	tally->held += sender.held;
	echobell_url_free((char *)sender.url);
	free(dedup);
	free(dir);
}

/* Each route's quiet hours: its own "quiet" object, else those of the configuration or the
 * app's file (ASCBELL_QUIET_*), as for the main channel. An array of routes->count, or NULL
 * (78, said) when the configuration's are wrong, or there without an outbox. */
static struct quiet *route_quiet_hours(const struct settings *s, const struct routes *routes, int queued,
				       int dry_run)
{
	struct quiet common, *quiet;
	char why[512];
	size_t k;

	if (quiet_settings(s, queued, dry_run, &common) != 0)
		return NULL;
	quiet = xmalloc((routes->count ? routes->count : 1) * sizeof *quiet);
	for (k = 0; k < routes->count; k++) {
		const struct route *route = &routes->items[k];

		quiet[k] = common;
		if (jv_get_kind(route->quiet) != JV_KIND_OBJECT)
			continue;
		/* routes_load checked the object already. */
		if (quiet_from_json(jv_copy(route->quiet), &quiet[k], why, sizeof why) != 0) {
			msg_error("ASCBELL_ROUTES: route %s: %s", route->name, why);
			free(quiet);
			return NULL;
		}
	}
	return quiet;
}

/* What a route's first attempts came to, from the process that made them. */
struct first_attempts {
	int status, next;
	struct route_tally tally;
};

/* Direct mode's first attempts, one process per route, all at once: a channel that does not
 * answer (an attempt waits up to its timeout) holds back no other route's message. Each
 * process has a connection of its own (never the receiver's kept-alive one, which the
 * parent goes on using) and ends with _exit, so nothing of the parent's is cleaned up
 * twice. A route whose process could not start is tried here; one whose process died
 * without a word is left as it was, for the second pass. */
static void first_attempts_at_once(struct receiver *r, const struct settings *s, struct routed *todo,
				   size_t count, const struct retry_policy *once, struct route_tally *tally)
{
	pid_t *pids = xmalloc(count * sizeof *pids);
	int *fds = xmalloc(count * sizeof *fds);
	size_t k;

	for (k = 0; k < count; k++) {
		int p[2];

		pids[k] = 0;
		if (todo[k].next >= jv_array_length(jv_copy(todo[k].messages)))
			continue;
		if (pipe(p) != 0) {
			route_send(r, s, &todo[k], NULL, once, NULL, tally, NULL);
			continue;
		}
		if ((pids[k] = fork()) < 0) {
			close(p[0]);
			close(p[1]);
			pids[k] = 0;
			route_send(r, s, &todo[k], NULL, once, NULL, tally, NULL);
			continue;
		}
		if (pids[k] == 0) {
			struct first_attempts mine = {0, 0, {0, 0, 0, 0}};
			close(p[0]);
			r->net = NULL;
			route_send(r, s, &todo[k], NULL, once, NULL, &mine.tally, NULL);
			mine.status = todo[k].status;
			mine.next = todo[k].next;
			fflush(stderr);
			_exit(write_all(p[1], &mine, sizeof mine) == 0 ? 0 : 1);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	for (k = 0; k < count; k++) {
		struct first_attempts got;
		size_t have = 0;
		ssize_t n;

		if (!pids[k])
			continue;
		while (have < sizeof got && ((n = read(fds[k], (char *)&got + have, sizeof got - have)) > 0 ||
					     (n < 0 && errno == EINTR)))
			have += n > 0 ? (size_t)n : 0;
		close(fds[k]);
		while (waitpid(pids[k], NULL, 0) < 0 && errno == EINTR)
			;
		if (have != sizeof got) {
			msg_warn("route %s: the first attempt's process ended without a word", todo[k].route->name);
			continue;
		}
		todo[k].status = got.status;
		todo[k].next = got.next;
		tally->done += got.tally.done;
		tally->kept += got.tally.kept;
		tally->duplicates += got.tally.duplicates;
		tally->held += got.tally.held;
	}
	free(pids);
	free(fds);
}

/* With ASCBELL_ROUTES, steps 5 to 7: each route renders the events it matches with its own
 * templates and gets its messages on its own. Queued: into its part of the outbox
 * (OUTBOX/route.NAME), which the agent delivers on its own. Direct: first one attempt for
 * every route, so that no channel waits behind another's retries; then the routes still
 * failing get their retries, and what still fails is kept in ASCBELL_UNSENT/route.NAME.
 * The answer is 2xx only when every route's messages are delivered, queued or kept
 * (DESIGN.md: never lose a delivery); else the worst status, and a replay of the request
 * sends only what is missing, by the markers in ASCBELL_DEDUP_DIR/route.NAME. */
static int send_routes(struct receiver *r, const struct settings *s, const struct http_request *http,
		       jv events, char outcome[])
{
	static const struct retry_policy once = {0, 5, 1, 30}, retries = {2, 5, 1, 30};
	const char *file = setting(s, "ASCBELL_ROUTES"), *dry = setting(s, "ASCBELL_DRY_RUN");
	const char *outbox = dry && !strcmp(dry, "1") ? NULL : setting(s, "ASCBELL_OUTBOX");
	struct route_tally tally = {0, 0, 0, 0};
	const struct routes *routes;
	struct routed *todo;
	struct quiet *quiet;
	char why[1024];
	int status = 0, any = 0, n = jv_array_length(jv_copy(events)), i, sending = 0;
	int dry_run = dry && !strcmp(dry, "1");
	size_t k;

	/* The agent knows the routes of the configuration, not of each app's file: an app's
	 * own routes file would queue parts nobody delivers. */
	if (outbox && (!getenv("ASCBELL_ROUTES") || strcmp(file, getenv("ASCBELL_ROUTES")))) {
		msg_error("ASCBELL_ROUTES: an app's own routes file (%s) works in direct mode only: the "
			  "delivery agent delivers the routes of the configuration's file", file);
		jv_free(events);
		return EX_CONFIG;
	}
	if (!(routes = routes_for(r, file, setting(s, "ECHOBELL_ESCALATION_URL_FILE"), why, sizeof why))) {
		msg_error("ASCBELL_ROUTES: %s", why);
		jv_free(events);
		return EX_CONFIG;
	}
	todo = xmalloc(routes->count * sizeof *todo);
	for (k = 0; k < routes->count; k++) {
		const struct route *route = &routes->items[k];
		const char *templates = route->templates ? route->templates : setting(s, "ASCBELL_TEMPLATES");
		jv mine = jv_array();

		for (i = 0; i < n; i++) {
			jv event = jv_array_get(jv_copy(events), i);
			if (route_matches(route, event, NULL))
				mine = jv_array_append(mine, event);
			else
				jv_free(event);
		}
		todo[k] = (struct routed){route, jv_array(), 0, 0};
		if (jv_array_length(jv_copy(mine)) > 0) {
			jv_free(todo[k].messages);
			todo[k].messages = render_messages(renderer_for(r, templates), http, mine);
		} else {
			jv_free(mine);
		}
		any |= jv_array_length(jv_copy(todo[k].messages)) > 0;
	}
	jv_free(events);
	if (!any)
		snprintf(outcome, RECEIVER_OUTCOME_SIZE, "filtered");
	/* Checked when something is to be sent, as for the main channel (step 6). */
	quiet = any ? route_quiet_hours(s, routes, outbox != NULL, dry_run) : NULL;
	if (any && !quiet) {
		for (k = 0; k < routes->count; k++)
			jv_free(todo[k].messages);
		free(todo);
		return EX_CONFIG;
	}
	for (k = 0; k < routes->count && any; k++) {
		int has_messages = jv_array_length(jv_copy(todo[k].messages)) > 0;
		if (has_messages)
			sending++;
		/* A route's own quiet hours need the outbox, as the main channel's do; the route is
		 * not sent (78, the request kept for a replay), the others are. */
		if (has_messages && !outbox && !dry_run &&
		    jv_get_kind(todo[k].route->quiet) == JV_KIND_OBJECT) {
			msg_error("route %s: quiet hours need the outbox (set ASCBELL_OUTBOX, with "
				  "echobell-send --watch delivering it)", todo[k].route->name);
			todo[k].status = EX_CONFIG;
			todo[k].next = jv_array_length(jv_copy(todo[k].messages));
			sending--;
			continue;
		}
		/* Direct, with more than one channel to reach: all at once, below. Queued and dry
		 * runs only write, here, in order. */
		if (outbox || dry_run || routes->count < 2)
			route_send(r, s, &todo[k], outbox, &once, NULL, &tally, &quiet[k]);
	}
	if (any && !outbox && !dry_run && routes->count >= 2) {
		if (sending > 1)
			first_attempts_at_once(r, s, todo, routes->count, &once, &tally);
		else
			for (k = 0; k < routes->count; k++)
				if (todo[k].next < jv_array_length(jv_copy(todo[k].messages)))
					route_send(r, s, &todo[k], NULL, &once, NULL, &tally, NULL);
	}
	for (k = 0; k < routes->count && any && !outbox; k++) {
		char *unsent = route_dir(setting(s, "ASCBELL_UNSENT"), todo[k].route);
		/* Still failing: the retries, and what still fails is kept when it can be. */
		if (todo[k].next < jv_array_length(jv_copy(todo[k].messages)))
			route_send(r, s, &todo[k], NULL, &retries, unsent, &tally, NULL);
		free(unsent);
	}
	for (k = 0; k < routes->count; k++) {
		if (todo[k].next < jv_array_length(jv_copy(todo[k].messages)))
			todo[k].status = worse_status(todo[k].status, EX_TEMPFAIL);
		status = worse_status(status, todo[k].status);
		jv_free(todo[k].messages);
	}
	if (status == 0 && any && !dry_run)
		snprintf(outcome, RECEIVER_OUTCOME_SIZE, "%s",
			 tally.duplicates && !tally.done ? "duplicate"
			 : outbox && tally.held && tally.held == tally.done ? "held"
			 : outbox			 ? "queued"
			 : tally.kept			 ? "kept"
							 : "delivered");
	free(todo);
	free(quiet);
	return status;
}

/* Step 1: the signature, with the secrets of the request's settings. */
static int verify(struct receiver *r, const struct settings *s, const struct http_request *http)
{
	const struct secrets *secrets =
		secrets_for(r, setting(s, "ASC_WEBHOOK_SECRET_FILE"), setting(s, "ASC_WEBHOOK_SECRET"));

	if (!secrets)
		return EX_CONFIG;
	return signature_verdict(signature_check(http_request_header(http, "x-apple-signature"), secrets,
						 http->body.data ? http->body.data : "", http->body.len),
				 "", http->body.len, "no x-apple-signature header");
}

int receiver_verify(struct receiver *r, const struct receiver_request *req)
{
	struct settings s;
	const char *app_id;
	int status;

	forget_checked(r);
	memset(&s, 0, sizeof s);
	status = load_settings(&s, req, &app_id);
	if (status == 0)
		status = verify(r, &s, req->http);
	if (status == 0) {
		r->checked = s;
		r->checked_app_id = app_id;
		r->checked_for = req->http;
	} else if (s.has_app) {
		envfile_free(&s.app);
	}
	return status;
}

int receiver_handle(struct receiver *r, const struct receiver_request *req,
		    char outcome[RECEIVER_OUTCOME_SIZE])
{
	const struct http_request *http = req->http;
	struct settings s;
	const char *app_id;
	jv events, messages, first;
	int status, i, n;

	outcome[0] = '\0';
	memset(&s, 0, sizeof s);
	jv_free(r->event);
	r->event = jv_null();
	if (r->checked_for == http && req->verified) {
		s = r->checked;
		app_id = r->checked_app_id;
		r->checked_for = NULL; /* ours now, freed below */
	} else if ((status = load_settings(&s, req, &app_id)) != 0) {
		goto done;
	}

	/* 1. The signature, before anything else looks at the body. */
	if (!req->verified && (status = verify(r, &s, http)) != 0)
		goto done;

	/* 2. The events of those very bytes; nothing to do when ASCBELL_EVENTS left them out. */
	if ((status = parse_events(&s, req, app_id, &events)) != 0)
		goto done;
	if (jv_array_length(jv_copy(events)) == 0) {
		jv_free(events);
		/* An empty (or blank) signed body is not a delivery: 400, and nothing is sent. */
		if (blank(http->body.data ? http->body.data : "", http->body.len)) {
			msg_error("the signed body holds no payload");
			status = EX_DATAERR;
		} else {
			snprintf(outcome, RECEIVER_OUTCOME_SIZE, "filtered");
		}
		goto done;
	}

	/* The history records the event as parsed, and as enriched once it is (below): the
	 * same stages at which asc-receiver writes it to $ASCBELL_EVENT_FD. */
	jv_free(r->event);
	r->event = jv_array_get(jv_copy(events), 0);

	/* With routes, steps 3 to 7 are each route's own (send_routes). */
	if (setting(&s, "ASCBELL_ROUTES")) {
		for (i = 0, n = jv_array_length(jv_copy(events)); i < n; i++)
			events = jv_array_set(events, i, enriched(r, &s, jv_array_get(jv_copy(events), i)));
		jv_free(r->event);
		r->event = jv_array_get(jv_copy(events), 0);
		status = send_routes(r, &s, http, events, outcome);
		goto done;
	}

	/* 3. One notification per event id. */
	if (already_notified(&s, events)) {
		jv_free(events);
		snprintf(outcome, RECEIVER_OUTCOME_SIZE, "duplicate");
		goto done;
	}

	/* 4. Names from the App Store Connect API. */
	for (i = 0, n = jv_array_length(jv_copy(events)); i < n; i++)
		events = jv_array_set(events, i, enriched(r, &s, jv_array_get(jv_copy(events), i)));
	first = jv_array_get(jv_copy(events), 0);
	jv_free(r->event);
	r->event = jv_copy(first);

	/* 5. The notifications' text. */
	messages = render_messages(renderer_for(r, setting(&s, "ASCBELL_TEMPLATES")), http, events);
	if (jv_array_length(jv_copy(messages)) == 0) {
		snprintf(outcome, RECEIVER_OUTCOME_SIZE, "filtered");
	} else {
		/* 6. and 7. */
		status = send_messages(r, &s, jv_copy(messages), outcome);
		if (status == 0)
			escalate(r, &s, first, messages);
	}
	jv_free(first);
	jv_free(messages);
done:
	if (s.has_app)
		envfile_free(&s.app);
	return status;
}

jv receiver_event(struct receiver *r)
{
	jv event = r->event;

	r->event = jv_null();
	return event;
}
