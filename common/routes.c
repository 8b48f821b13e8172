/* routes: the routes file, strictly read, and an event's match against a route. */
#include "routes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsondump.h"
#include "quiet.h"
#include "utf8.h"
#include "util.h"

static const char *const severities[] = {"info", "success", "warning", "error", NULL};

static void values_free(struct route_values *v)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->count = 0;
}

static void route_free(struct route *r)
{
	free(r->url_file);
	free(r->templates);
	values_free(&r->app);
	values_free(&r->category);
	values_free(&r->event);
	values_free(&r->severity);
	free(r->when_source);
	tmpl_free(r->when);
	jv_free(r->quiet);
}

void routes_free(struct routes *routes)
{
	size_t i;

	for (i = 0; i < routes->count; i++)
		route_free(&routes->items[i]);
	free(routes->items);
	routes->items = NULL;
	routes->count = 0;
}

static int name_valid(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= ROUTE_NAME_MAX && strcmp(name, ".") && strcmp(name, "..") &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

/* A path to a file: not empty, no control characters (asc-route prints it on a line of
 * tab-separated fields). */
static int path_valid(const char *path)
{
	const unsigned char *p;

	if (!*path)
		return 0;
	for (p = (const unsigned char *)path; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* A rule's value: a string, or a non-empty array of strings. */
static int read_values(jv value, struct route_values *out, const char *where, const char *key,
		       char *why, size_t why_size)
{
	int i, n;

	if (jv_get_kind(value) == JV_KIND_STRING) {
		out->items = xmalloc(sizeof *out->items);
		out->items[0] = xstrdup(jv_string_value(value));
		out->count = 1;
		jv_free(value);
		return 0;
	}
	if (jv_get_kind(value) != JV_KIND_ARRAY || (n = jv_array_length(jv_copy(value))) == 0) {
		snprintf(why, why_size, "%s: \"%s\" must be a string or a non-empty array of strings", where, key);
		jv_free(value);
		return -1;
	}
	out->items = xmalloc((size_t)n * sizeof *out->items);
	for (i = 0; i < n; i++) {
		jv item = jv_array_get(jv_copy(value), i);
		if (jv_get_kind(item) != JV_KIND_STRING) {
			snprintf(why, why_size, "%s: \"%s\" must be a string or a non-empty array of strings", where, key);
			jv_free(item);
			jv_free(value);
			return -1;
		}
		out->items[out->count++] = xstrdup(jv_string_value(item));
		jv_free(item);
	}
	jv_free(value);
	return 0;
}

static int readable(const char *path, const char *where, const char *key, char *why, size_t why_size)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(why, why_size, "%s: %s %s cannot be read: %s", where, key, path, strerror(errno));
	return -1;
}

static int read_string(jv value, char **out, const char *where, const char *key, char *why, size_t why_size)
{
	if (jv_get_kind(value) != JV_KIND_STRING || !path_valid(jv_string_value(value))) {
		snprintf(why, why_size, "%s: \"%s\" must be a file name (a string, no control characters)",
			 where, key);
		jv_free(value);
		return -1;
	}
	*out = xstrdup(jv_string_value(value));
	jv_free(value);
	return readable(*out, where, key, why, why_size);
}

static int read_when(jv value, struct route *r, const char *where, char *why, size_t why_size)
{
	struct tmpl_error err;
	const char *source;

	if (jv_get_kind(value) != JV_KIND_STRING) {
		snprintf(why, why_size, "%s: \"when\" must be a string (a condition)", where);
		jv_free(value);
		return -1;
	}
	source = jv_string_value(value);
	r->when_source = xstrdup(source);
	jv_free(value);
	/* A condition is one bare expression: braces would be read as an object literal or
	 * fail somewhere less clear. */
	if (strstr(r->when_source, "{{")) {
		snprintf(why, why_size, "%s: \"when\" is a condition, not a template: write it without {{ }}",
			 where);
		return -1;
	}
	r->when = tmpl_compile(r->when_source, strlen(r->when_source), TMPL_CONDITION, &err);
	if (!r->when) {
		snprintf(why, why_size, "%s: \"when\", column %d: %s", where, err.column, err.message);
		return -1;
	}
	return 0;
}

static int read_route(jv obj, struct route *r, int number, char *why, size_t why_size)
{
	char where[ROUTE_NAME_MAX + 64];
	jv name, keys;
	int i, n, status = 0;

	memset(r, 0, sizeof *r);
	r->quiet = jv_null();
	snprintf(where, sizeof where, "route %d", number);
	if (jv_get_kind(obj) != JV_KIND_OBJECT) {
		snprintf(why, why_size, "%s: not an object", where);
		jv_free(obj);
		return -1;
	}
	name = jv_object_get(jv_copy(obj), jv_string("name"));
	if (jv_get_kind(name) != JV_KIND_STRING || !name_valid(jv_string_value(name))) {
		snprintf(why, why_size, "%s: \"name\" must be 1 to %d letters, digits, '.', '_' or '-'",
			 where, ROUTE_NAME_MAX);
		jv_free(name);
		jv_free(obj);
		return -1;
	}
	snprintf(r->name, sizeof r->name, "%s", jv_string_value(name));
	snprintf(where, sizeof where, "route %s", r->name);
	jv_free(name);
	keys = jv_keys(jv_copy(obj));
	for (i = 0, n = jv_array_length(jv_copy(keys)); i < n && status == 0; i++) {
		jv key = jv_array_get(jv_copy(keys), i);
		const char *k = jv_string_value(key);
		jv value = jv_object_get(jv_copy(obj), jv_copy(key));

		if (!strcmp(k, "name")) {
			jv_free(value);
		} else if (!strcmp(k, "urlFile")) {
			status = read_string(value, &r->url_file, where, "urlFile", why, why_size);
		} else if (!strcmp(k, "templates")) {
			status = read_string(value, &r->templates, where, "templates", why, why_size);
		} else if (!strcmp(k, "app")) {
			status = read_values(value, &r->app, where, k, why, why_size);
		} else if (!strcmp(k, "category")) {
			status = read_values(value, &r->category, where, k, why, why_size);
		} else if (!strcmp(k, "event")) {
			status = read_values(value, &r->event, where, k, why, why_size);
		} else if (!strcmp(k, "severity")) {
			size_t v, s;
			status = read_values(value, &r->severity, where, k, why, why_size);
			for (v = 0; status == 0 && v < r->severity.count; v++) {
				for (s = 0; severities[s] && strcmp(severities[s], r->severity.items[v]); s++)
					;
				if (!severities[s]) {
					snprintf(why, why_size, "%s: severity %s is not info, success, warning or error",
						 where, r->severity.items[v]);
					status = -1;
				}
			}
		} else if (!strcmp(k, "when")) {
			status = read_when(value, r, where, why, why_size);
		} else if (!strcmp(k, "quiet")) {
			/* quiet.c judges what is inside, here already, so that asc-route and the
			 * receiver refuse a wrong window when the file is read. */
			struct quiet q;
			char reason[512];
			if (jv_get_kind(value) != JV_KIND_OBJECT) {
				snprintf(why, why_size, "%s: \"quiet\" must be an object", where);
				jv_free(value);
				status = -1;
			} else if (quiet_from_json(jv_copy(value), &q, reason, sizeof reason) != 0) {
				snprintf(why, why_size, "%s: %s", where, reason);
				jv_free(value);
				status = -1;
			} else {
				jv_free(r->quiet);
				r->quiet = value;
			}
		} else {
			snprintf(why, why_size, "%s: unknown key \"%.64s\" (name, urlFile, templates, app, "
				 "category, event, severity, when, quiet)", where, k);
			jv_free(value);
			status = -1;
		}
		jv_free(key);
	}
	jv_free(keys);
	jv_free(obj);
	if (status == 0 && !r->url_file) {
		snprintf(why, why_size, "%s: no \"urlFile\"", where);
		status = -1;
	}
	return status;
}

static void add_escalation(struct routes *out, const char *file)
{
	struct route *r;

	out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
	r = &out->items[out->count++];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "escalation");
	r->url_file = xstrdup(file);
	r->severity.items = xmalloc(sizeof *r->severity.items);
	r->severity.items[0] = xstrdup("error");
	r->severity.count = 1;
	r->quiet = jv_null();
}

static int parse_routes(const char *path, const struct buf *text, const char *escalation,
			struct routes *out, char *why, size_t why_size)
{
	size_t bad = utf8_invalid_offset(text->data ? text->data : "", text->len), i, k;
	jv doc, list, keys;
	int n, j;

	if (bad < text->len) {
		snprintf(why, why_size, "%s: not UTF-8 (byte %zu)", path, bad + 1);
		return -1;
	}
	doc = jv_parse_sized(text->data ? text->data : "", (int)text->len);
	if (!jv_is_valid(doc)) {
		jv msg = jv_invalid_get_msg(doc);
		const char *said = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "unreadable";
		/* jq quotes the whole text after its message: the position is enough. */
		const char *cut = strstr(said, " (while parsing");
		snprintf(why, why_size, "%s: not JSON: %.*s", path, cut ? (int)(cut - said) : (int)strlen(said), said);
		jv_free(msg);
		return -1;
	}
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		snprintf(why, why_size, "%s: not an object with \"routes\"", path);
		jv_free(doc);
		return -1;
	}
	keys = jv_keys(jv_copy(doc));
	for (j = 0, n = jv_array_length(jv_copy(keys)); j < n; j++) {
		jv key = jv_array_get(jv_copy(keys), j);
		if (strcmp(jv_string_value(key), "routes")) {
			snprintf(why, why_size, "%s: unknown key \"%.64s\" (only \"routes\")", path,
				 jv_string_value(key));
			jv_free(key);
			jv_free(keys);
			jv_free(doc);
			return -1;
		}
		jv_free(key);
	}
	jv_free(keys);
	list = jv_object_get(doc, jv_string("routes"));
	if (jv_get_kind(list) != JV_KIND_ARRAY || jv_array_length(jv_copy(list)) == 0) {
		snprintf(why, why_size, "%s: \"routes\" must be a non-empty array", path);
		jv_free(list);
		return -1;
	}
	n = jv_array_length(jv_copy(list));
	out->items = xmalloc((size_t)n * sizeof *out->items);
	for (j = 0; j < n; j++) {
		char inner[900];
		if (read_route(jv_array_get(jv_copy(list), j), &out->items[j], j + 1, inner, sizeof inner) != 0) {
			route_free(&out->items[j]);
			snprintf(why, why_size, "%s: %s", path, inner);
			jv_free(list);
			return -1;
		}
		out->count++;
	}
	jv_free(list);
	if (escalation) {
		char where[] = "ECHOBELL_ESCALATION_URL_FILE";
		if (!path_valid(escalation) || readable(escalation, where, "file", why, why_size) != 0) {
			if (!path_valid(escalation))
				snprintf(why, why_size, "%s: not a file name", where);
			return -1;
		}
		add_escalation(out, escalation);
	}
	for (i = 0; i < out->count; i++)
		for (k = i + 1; k < out->count; k++)
			if (!strcmp(out->items[i].name, out->items[k].name)) {
				snprintf(why, why_size, "%s: two routes named %s%s", path, out->items[i].name,
					 escalation && k == out->count - 1
						 ? " (ECHOBELL_ESCALATION_URL_FILE adds the route escalation)"
						 : "");
				return -1;
			}
	return 0;
}

int routes_load(const char *path, const char *escalation, struct routes *out, char *why,
		size_t why_size)
{
	struct buf text = BUF_INIT;
	FILE *f = fopen(path, "r");
	enum read_result result;
	int status;

	memset(out, 0, sizeof *out);
	if (!f) {
		snprintf(why, why_size, "cannot read the routes file %s: %s", path, strerror(errno));
		return -1;
	}
	result = buf_read_all(&text, f, ROUTES_MAX_BYTES);
	fclose(f);
	if (result != READ_OK) {
		snprintf(why, why_size, "%s: %s", path,
			 result == READ_TOO_LARGE ? "larger than 256 KiB: not a routes file"
						  : "cannot be read");
		buf_free(&text);
		return -1;
	}
	status = parse_routes(path, &text, escalation, out, why, why_size);
	buf_free(&text);
	if (status != 0)
		routes_free(out);
	return status;
}

/* ---- matching ---- */

static jv path_get(jv event, const char *a, const char *b)
{
	jv v = jv_object_get(jv_copy(event), jv_string(a));

	if (b) {
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			return jv_null();
		}
		v = jv_object_get(v, jv_string(b));
	}
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

/* v is consumed (json_dump borrows). */
static void append_json(struct buf *b, jv v)
{
	json_dump(v, b);
	jv_free(v);
}

static void append_values(struct buf *b, const struct route_values *v)
{
	size_t i;

	for (i = 0; i < v->count; i++) {
		if (i)
			buf_append(b, i + 1 == v->count ? " or " : ", ", i + 1 == v->count ? 4 : 2);
		append_json(b, jv_string(v->items[i]));
	}
}

/* One rule: whether the event's value (consumed) is one of the rule's. */
static int rule_matches(const char *what, jv value, const struct route_values *v, struct buf *explain,
			int *first)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < v->count && jv_get_kind(value) == JV_KIND_STRING; i++)
		if (!strcmp(jv_string_value(value), v->items[i]))
			hit = 1;
	if (explain) {
		if (!*first)
			buf_append(explain, "; ", 2);
		*first = 0;
		buf_appendf(explain, "%s ", what);
		append_json(explain, jv_copy(value));
		buf_appendf(explain, " is %s", hit ? "" : "not ");
		append_values(explain, v);
	}
	jv_free(value);
	return hit;
}

static int app_matches(const struct route *route, jv event, struct buf *explain, int *first)
{
	/* All digits: the app's id; anything else: its name. */
	struct route_values ids = {0}, names = {0};
	size_t i;
	int hit = 0;

	ids.items = xmalloc(route->app.count * sizeof *ids.items);
	names.items = xmalloc(route->app.count * sizeof *names.items);
	for (i = 0; i < route->app.count; i++) {
		const char *v = route->app.items[i];
		if (*v && strspn(v, "0123456789") == strlen(v))
			ids.items[ids.count++] = (char *)v;
		else
			names.items[names.count++] = (char *)v;
	}
	if (ids.count)
		hit = rule_matches("app id", path_get(event, "app", "id"), &ids, explain, first);
	if (!hit && names.count)
		hit = rule_matches("app name", path_get(event, "app", "name"), &names, explain, first);
	free(ids.items);
	free(names.items);
	return hit;
}

int route_matches(const struct route *route, jv event, struct buf *explain)
{
	int first = 1, hit = 1;
	struct buf why = BUF_INIT;
	struct buf *w = explain ? &why : NULL;

	if (route->app.count && !app_matches(route, event, w, &first))
		hit = 0;
	if (hit && route->category.count)
		hit = rule_matches("category", path_get(event, "category", NULL), &route->category, w, &first);
	if (hit && route->event.count)
		hit = rule_matches("event", path_get(event, "event", NULL), &route->event, w, &first);
	if (hit && route->severity.count)
		hit = rule_matches("severity", path_get(event, "severity", NULL), &route->severity, w, &first);
	if (hit && route->when) {
		char reason[200];
		jv builtins = jv_object();
		int t = tmpl_test(route->when, event, builtins, reason, sizeof reason);
		jv_free(builtins);
		if (w) {
			if (!first)
				buf_append(w, "; ", 2);
			first = 0;
			if (t < 0)
				buf_appendf(w, "when %s cannot be evaluated (%s): taken as true, so that nothing is lost",
					route->when_source, reason);
			else
				buf_appendf(w, "when %s is %s", route->when_source, t ? "true" : "false");
		}
		/* As a template's condition: one that cannot be evaluated notifies. */
		hit = t != 0;
	}
	if (explain) {
		buf_appendf(explain, "%s (", hit ? "yes" : "no");
		if (first)
			buf_appendf(explain, "no rules: every event");
		else
			buf_append(explain, why.data, why.len);
		buf_append(explain, ")", 1);
	}
	buf_free(&why);
	return hit;
}

char *route_dir(const char *dir, const struct route *route)
{
	size_t size;
	char *out;

	if (!dir)
		return NULL;
	size = strlen(dir) + strlen(route->name) + 8;
	out = xmalloc(size);
	snprintf(out, size, "%s/route.%s", dir, route->name);
	return out;
}
