/* enrich: what only the App Store Connect API knows, added to an event: the app's name, the
 * version, the build, the tester's comment and device (asc-enrich, and the receiver in
 * asc-http). The API failing never costs an event: it goes on with "enrichError". */
#include "enrich.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "jsoncache.h"
#include "jsonget.h"
#include "links.h"
#include "util.h"

#define CACHE_FRESH (24 * 3600) /* app names and bundle ids rarely change */

/* One call of the table within the event's time budget; the first failure is kept for
 * enrichError. args fill the call's placeholders (NULL-terminated). */
static jv fetch(struct enricher *e, enum ascapi_call call, const char *const args[])
{
	char what[1024];
	jv doc;

	if (ascapi_call_path(call, args, what, sizeof what) != 0)
		return jv_invalid();
	if (e->deadline - monotonic_seconds() <= 0) {
		if (jv_get_kind(e->error) == JV_KIND_NULL)
			e->error = jv_string_fmt("timeout after %g s", e->timeout);
		return jv_invalid();
	}
	e->api->deadline = e->deadline;
	msg_info("GET %s", what);
	doc = ascapi_call(e->api, call, what, jv_invalid());
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

static int is_string(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING;
}

/* The resource in doc's "included" that resource's relationship rel points at, or null
 * (both borrowed). The live API sends relationship data only for what include named. */
static jv related(jv doc, jv resource, const char *rel)
{
	jv type = json_get_path(resource, "relationships", rel, "data", "type", NULL);
	jv id = json_get_path(resource, "relationships", rel, "data", "id", NULL);
	jv list = json_get(doc, "included"), found = jv_null();
	int i, n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;

	for (i = 0; i < n && is_string(type) && is_string(id) && jv_get_kind(found) == JV_KIND_NULL; i++) {
		jv item = jv_array_get(jv_copy(list), i);
		jv t = json_get(item, "type"), d = json_get(item, "id");
		if (is_string(t) && is_string(d) && !strcmp(jv_string_value(t), jv_string_value(type)) &&
		    !strcmp(jv_string_value(d), jv_string_value(id)))
			found = jv_copy(item);
		jv_free(t);
		jv_free(d);
		jv_free(item);
	}
	jv_free(list);
	jv_free(type);
	jv_free(id);
	return found;
}

/* Sets obj[key] = value when value is a string, number, array or object; consumes value. */
static jv put(jv obj, const char *key, jv value)
{
	jv_kind k = jv_get_kind(value);
	if (k == JV_KIND_STRING || k == JV_KIND_ARRAY || k == JV_KIND_OBJECT || k == JV_KIND_NUMBER)
		return jv_object_set(obj, jv_string(key), value);
	jv_free(value);
	return obj;
}

/* put, unless obj has a string there already (what the instance itself said wins). */
static jv put_new(jv obj, const char *key, jv value)
{
	jv old = json_get(obj, key);
	int keep = is_string(old);
	jv_free(old);
	if (keep) {
		jv_free(value);
		return obj;
	}
	return put(obj, key, value);
}

/* An app resource's name and bundle id, kept for a day; nothing is kept from an answer
 * without a name (a sparse one), so it cannot hide the name for a day. Borrows app. */
static void remember_app(struct enricher *e, jv app)
{
	jv id = json_get_string(app, "id"), name = json_get_path(app, "attributes", "name", NULL);

	if (is_string(id) && app_id_valid(jv_string_value(id)) && is_string(name))
		jsoncache_write(e->cache, "apps", jv_string_value(id),
				put(jv_object_set(jv_object(), jv_string("name"), jv_copy(name)), "bundleId",
				    json_get_path(app, "attributes", "bundleId", NULL)));
	jv_free(id);
	jv_free(name);
}

/* {"name","bundleId"} of an app: from the cache, else the API (and then the cache). */
static jv app_details(struct enricher *e, const char *app_id)
{
	const char *args[] = {app_id, NULL};
	jv cached = jsoncache_read(e->cache, "apps", app_id, CACHE_FRESH), doc, data, app;

	if (jv_is_valid(cached))
		return cached;
	doc = fetch(e, ASC_APP, args);
	if (!jv_is_valid(doc))
		return jv_null();
	data = json_get(doc, "data");
	remember_app(e, data);
	app = put(jv_object(), "name", json_get_path(data, "attributes", "name", NULL));
	app = put(app, "bundleId", json_get_path(data, "attributes", "bundleId", NULL));
	jv_free(data);
	jv_free(doc);
	return app;
}

/* What cannot change about a build, from a build document that included its app and
 * preReleaseVersion: {"build": number, "id", "app": app id, "version", "platform"}. Kept for good
 * (an answer that lacks the app is not kept). Borrows doc. */
static jv build_facts_from(struct enricher *e, jv doc)
{
	jv data = json_get(doc, "data"), id = json_get_string(data, "id");
	jv app = related(doc, data, "app"), prv = related(doc, data, "preReleaseVersion");
	jv facts = put(jv_object(), "build", json_get_path(data, "attributes", "version", NULL));

	facts = put(facts, "id", jv_copy(id)); /* for the build's page */
	facts = put(facts, "app", json_get_string(app, "id"));
	facts = put(facts, "version", json_get_path(prv, "attributes", "version", NULL));
	facts = put(facts, "platform", json_get_path(prv, "attributes", "platform", NULL));
	remember_app(e, app);
	if (is_string(id) && jv_object_has(jv_copy(facts), jv_string("app")) &&
	    jv_object_has(jv_copy(facts), jv_string("version")))
		jsoncache_write(e->cache, "builds", jv_string_value(id), jv_copy(facts));
	jv_free(data);
	jv_free(id);
	jv_free(app);
	jv_free(prv);
	return facts;
}

/* The facts of a build by its id: the cache, else one request. */
static jv build_facts(struct enricher *e, jv build_id)
{
	const char *args[] = {is_string(build_id) ? jv_string_value(build_id) : NULL, NULL};
	jv doc, facts;

	if (!args[0] || !jsoncache_id_ok(args[0]))
		return jv_object();
	facts = jsoncache_read(e->cache, "builds", args[0], 0);
	if (jv_is_valid(facts))
		return put_new(facts, "id", jv_copy(build_id)); /* kept before ids were */
	doc = fetch(e, ASC_BUILD, args);
	if (!jv_is_valid(doc))
		return jv_object();
	facts = build_facts_from(e, doc);
	jv_free(doc);
	return facts;
}

/* The event gains what a build says (its id, for its page; its number, version, platform);
 * its app id goes to *app_id. Consumes facts. */
static jv apply_build(jv event, jv facts, jv *app_id)
{
	event = put_new(event, "buildId", json_get(facts, "id"));
	event = put_new(event, "build", json_get(facts, "build"));
	event = put_new(event, "version", json_get(facts, "version"));
	event = put_new(event, "platform", json_get(facts, "platform"));
	jv_free(*app_id);
	*app_id = json_get_string(facts, "app");
	jv_free(facts);
	return event;
}

/* Apple's reasons for an upload's state (attributes.state.errors[], warnings[]) as
 * [{"code","description"}], only the string members kept. */
static jv state_details(jv list)
{
	jv out = jv_array();
	int i, n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;

	for (i = 0; i < n; i++) {
		jv item = jv_array_get(jv_copy(list), i);
		jv detail = put(jv_object(), "code", json_get_string(item, "code"));
		detail = put(detail, "description", json_get_string(item, "description"));
		jv_free(item);
		if (jv_object_length(jv_copy(detail)) > 0)
			out = jv_array_append(out, detail);
		else
			jv_free(detail);
	}
	jv_free(list);
	return out;
}

/* One line per detail, "CODE: description", for a notification: line breaks inside a
 * description become spaces, and past SUMMARY_MAX details the rest are counted. */
#define SUMMARY_MAX 10
static jv state_summary(jv details)
{
	int i, n = jv_array_length(jv_copy(details));
	jv text = jv_string("");

	for (i = 0; i < n && i < SUMMARY_MAX; i++) {
		jv item = jv_array_get(jv_copy(details), i);
		jv code = json_get_string(item, "code"), description = json_get_string(item, "description");
		jv line = jv_string_fmt("%s%s%s%s", i ? "\n" : "", is_string(code) ? jv_string_value(code) : "",
					is_string(code) && is_string(description) ? ": " : "",
					is_string(description) ? jv_string_value(description) : "");
		char *c;
		for (c = (char *)jv_string_value(line) + (i ? 1 : 0); *c; c++)
			if (*c == '\n' || *c == '\r' || *c == '\t')
				*c = ' ';
		text = jv_string_concat(text, line);
		jv_free(item);
		jv_free(code);
		jv_free(description);
	}
	if (n > SUMMARY_MAX)
		text = jv_string_concat(text, jv_string_fmt("\n… and %d more", n - SUMMARY_MAX));
	jv_free(details);
	return text;
}

static jv feedback(jv event, jv doc, jv *build_id)
{
	jv data = json_get(doc, "data"), attrs = json_get(data, "attributes");
	jv tester_resource = related(doc, data, "tester"), build = related(doc, data, "build");
	jv first, last, tester, screenshots, urls;
	int i, n;

	event = put(event, "feedback", json_get(attrs, "comment"));
	event = put(event, "device", json_get(attrs, "deviceModel"));
	event = put(event, "osVersion", json_get(attrs, "osVersion"));
	event = put(event, "platform", json_get(attrs, "appPlatform"));
	screenshots = json_get(attrs, "screenshots");
	urls = jv_array();
	n = jv_get_kind(screenshots) == JV_KIND_ARRAY ? jv_array_length(jv_copy(screenshots)) : 0;
	for (i = 0; i < n; i++) {
		jv shot = jv_array_get(jv_copy(screenshots), i), url = json_get_string(shot, "url");
		jv_free(shot);
		urls = is_string(url) ? jv_array_append(urls, url) : (jv_free(url), urls);
	}
	jv_free(screenshots);
	event = jv_array_length(jv_copy(urls)) ? jv_object_set(event, jv_string("screenshots"), urls)
					       : (jv_free(urls), event);
	/* A tester is their name when the API has one, their email otherwise. */
	first = json_get_path(tester_resource, "attributes", "firstName", NULL);
	last = json_get_path(tester_resource, "attributes", "lastName", NULL);
	tester = jv_object();
	if (is_string(first) || is_string(last))
		tester = jv_object_set(tester, jv_string("name"),
				       jv_string_fmt("%s%s%s", is_string(first) ? jv_string_value(first) : "",
						     is_string(first) && is_string(last) ? " " : "",
						     is_string(last) ? jv_string_value(last) : ""));
	tester = put(tester, "email", json_get_string(attrs, "email"));
	event = jv_object_set(event, jv_string("tester"), tester);
	event = put(event, "build", json_get_path(build, "attributes", "version", NULL));
	*build_id = json_get_path(data, "relationships", "build", "data", "id", NULL);
	jv_free(first);
	jv_free(last);
	jv_free(tester_resource);
	jv_free(build);
	jv_free(attrs);
	jv_free(data);
	return event;
}

static jv upload(jv event, jv doc, jv *build_id)
{
	jv data = json_get(doc, "data"), attrs = json_get(data, "attributes");
	jv build = related(doc, data, "build"), errors, warnings;

	event = put(event, "version", json_get(attrs, "cfBundleShortVersionString"));
	event = put(event, "build", json_get(attrs, "cfBundleVersion"));
	event = put(event, "platform", json_get(attrs, "platform"));
	event = put_new(event, "build", json_get_path(build, "attributes", "version", NULL));
	errors = state_details(json_get_path(attrs, "state", "errors", NULL));
	warnings = state_details(json_get_path(attrs, "state", "warnings", NULL));
	if (jv_array_length(jv_copy(errors)))
		event = jv_object_set(jv_object_set(event, jv_string("errors"), jv_copy(errors)),
				      jv_string("errorSummary"), state_summary(jv_copy(errors)));
	if (jv_array_length(jv_copy(warnings)))
		event = jv_object_set(jv_object_set(event, jv_string("warnings"), jv_copy(warnings)),
				      jv_string("warningSummary"), state_summary(jv_copy(warnings)));
	/* A failed upload may have no build at all: then its app stays unknown here. */
	*build_id = json_get_path(data, "relationships", "build", "data", "id", NULL);
	jv_free(errors);
	jv_free(warnings);
	jv_free(build);
	jv_free(attrs);
	jv_free(data);
	return event;
}

/* What the instance points at, following the spec's relationships: feedback and uploads have
 * a build (not an app), whose app and version are one more request (or the cache); a beta
 * detail's build comes with both; a version comes with its app. */
static jv from_instance(struct enricher *e, jv event, const char *type, const char *id, jv *app_id)
{
	const char *args[] = {id, NULL};
	jv doc, data, build_id = jv_null();

	if (!strcmp(type, "appStoreVersions")) {
		jv app;
		if (!jv_is_valid(doc = fetch(e, ASC_APP_STORE_VERSION, args)))
			return event;
		data = json_get(doc, "data");
		event = put(event, "version", json_get_path(data, "attributes", "versionString", NULL));
		event = put(event, "platform", json_get_path(data, "attributes", "platform", NULL));
		app = related(doc, data, "app");
		remember_app(e, app);
		jv_free(*app_id);
		*app_id = json_get_string(app, "id");
		jv_free(app);
		jv_free(data);
	} else if (!strcmp(type, "buildBetaDetails")) {
		if (!jv_is_valid(doc = fetch(e, ASC_BUILD_OF_BETA_DETAIL, args)))
			return event;
		event = apply_build(event, build_facts_from(e, doc), app_id);
	} else if (!strcmp(type, "buildUploads")) {
		if (!jv_is_valid(doc = fetch(e, ASC_BUILD_UPLOAD, args)))
			return event;
		event = upload(event, doc, &build_id);
	} else if (!strcmp(type, "betaFeedbackScreenshotSubmissions") ||
		   !strcmp(type, "betaFeedbackCrashSubmissions")) {
		enum ascapi_call call = type[12] == 'S' ? ASC_SCREENSHOT_FEEDBACK : ASC_CRASH_FEEDBACK;
		if (!jv_is_valid(doc = fetch(e, call, args)))
			return event;
		event = feedback(event, doc, &build_id);
	} else {
		return event; /* nothing more to ask for this kind */
	}
	jv_free(doc);
	if (is_string(build_id))
		event = apply_build(event, build_facts(e, build_id), app_id);
	jv_free(build_id);
	return event;
}

jv enrich(struct enricher *e, jv event)
{
	jv type = json_get_path(event, "instance", "type", NULL), id = json_get_path(event, "instance", "id", NULL);
	jv app = json_get(event, "app"), app_id = json_get_string(app, "id"), found_id = jv_null();

	e->deadline = monotonic_seconds() + e->timeout;
	e->error = jv_null();
	if (is_string(type) && is_string(id) && jsoncache_id_ok(jv_string_value(id)))
		event = from_instance(e, event, jv_string_value(type), jv_string_value(id), &found_id);
	if (!is_string(app_id) && is_string(found_id)) {
		jv_free(app_id);
		app_id = jv_copy(found_id);
	}
	if (is_string(app_id) && app_id_valid(jv_string_value(app_id))) {
		const char *aid = jv_string_value(app_id);
		jv details = app_details(e, aid), name = json_get(app, "name");
		if (jv_get_kind(app) != JV_KIND_OBJECT) {
			jv_free(app);
			app = jv_object();
		}
		app = jv_object_set(app, jv_string("id"), jv_copy(app_id));
		if (!is_string(name))
			app = jv_object_set(app, jv_string("name"), json_get(details, "name"));
		jv_free(name);
		app = jv_object_set(app, jv_string("bundleId"), json_get(details, "bundleId"));
		app = jv_object_set(app, jv_string("url"), app_store_connect_url(aid));
		jv_free(details);
		event = jv_object_set(event, jv_string("app"), jv_copy(app));
	}
	/* Now that the app, platform and build are known, the pages of the thing itself. */
	event = links_add(event);
	if (is_string(e->error)) {
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

int enricher_open(struct enricher *e, const char *cache, double timeout)
{
	const struct retry_policy policy = {2, 10, 0.5, 2};
	struct net_options net_options = {(long)(timeout * 1000), (long)(timeout * 1000), NULL};
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	memset(e, 0, sizeof *e);
	e->timeout = timeout;
	if (cache)
		snprintf(e->cache, sizeof e->cache, "%s", cache);
	else if (xdg && *xdg)
		snprintf(e->cache, sizeof e->cache, "%s/ascbell", xdg);
	else if (home && *home)
		snprintf(e->cache, sizeof e->cache, "%s/.cache/ascbell", home);
	e->api = ascapi_from_environment(&net_options, &policy);
	return e->api ? 0 : -1;
}

void enricher_close(struct enricher *e)
{
	if (e->api)
		msg_info("%ld API requests", e->api->requests);
	ascapi_close(e->api);
	e->api = NULL;
}
