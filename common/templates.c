/* templates: template sets, their layers, and rendering an event with them. */
#include "templates.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "notification.h"
#include "timevars.h"
#include "util.h"

#define TEMPLATE_FILE_MAX (1024 * 1024)

const char *const template_field_names[FIELD_COUNT] = {"title", "body", "externalLink",
						       "notificationType", "condition"};

/* The layers, in the order they are searched. */
enum { LAYER_COMMAND_LINE, LAYER_FILE, LAYER_DEFAULTS };

void renderer_init(struct renderer *r)
{
	static const char event_link[] = "{{externalLink}}";
	struct tmpl_error err;

	memset(r, 0, sizeof *r);
	r->layers[LAYER_COMMAND_LINE].origin = "the command line";
	r->layers[LAYER_FILE].origin = "the template file";
	r->layers[LAYER_DEFAULTS].origin = "the built-in defaults";
	r->event_link = tmpl_compile(event_link, sizeof event_link - 1, TMPL_TEXT, &err);
	if (!r->event_link)
		die(EX_SOFTWARE, "{{externalLink}} does not compile: %s", err.message);
	r->request = jv_null();
}

void renderer_set_request(struct renderer *r, jv request)
{
	jv_free(r->request);
	r->request = request;
}

void renderer_free(struct renderer *r)
{
	int layer;
	size_t i;
	int f;

	for (layer = 0; layer < TEMPLATE_LAYERS; layer++) {
		struct template_set *set = &r->layers[layer];
		for (i = 0; i < set->count; i++) {
			for (f = 0; f < FIELD_COUNT; f++) {
				free(set->entries[i].source[f]);
				tmpl_free(set->entries[i].compiled[f]);
			}
			free(set->entries[i].key);
		}
		free(set->entries);
	}
	tmpl_free(r->event_link);
	jv_free(r->request);
}

static struct template_entry *entry_for(struct template_set *set, const char *key)
{
	struct template_entry *e;
	size_t i;

	for (i = 0; i < set->count; i++)
		if (strcmp(set->entries[i].key, key) == 0)
			return &set->entries[i];
	set->entries = xrealloc(set->entries, (set->count + 1) * sizeof *set->entries);
	e = &set->entries[set->count++];
	memset(e, 0, sizeof *e);
	e->key = xstrdup(key);
	return e;
}

void renderer_add(struct renderer *r, int layer, const char *key, enum template_field field,
		  const char *source, size_t len)
{
	struct template_entry *e = entry_for(&r->layers[layer], key);
	struct tmpl_error err;
	struct tmpl *t = tmpl_compile(source, len, field == FIELD_CONDITION ? TMPL_CONDITION : TMPL_TEXT,
				      &err);

	if (!t) {
		if (strcmp(key, TEMPLATE_ANY_KEY) == 0 && layer == 0)
			msg_error("%s template: line %d, column %d: %s", template_field_names[field],
				  err.line, err.column, err.message);
		else
			msg_error("%s: \"%s\".%s: line %d, column %d: %s", r->layers[layer].origin, key,
				  template_field_names[field], err.line, err.column, err.message);
		tmpl_print_caret(stderr, source, len, &err);
		exit_failed(EX_USAGE);
	}
	free(e->source[field]);
	tmpl_free(e->compiled[field]);
	e->source[field] = xmalloc(len + 1);
	memcpy(e->source[field], source, len);
	e->source[field][len] = '\0';
	e->compiled[field] = t;
	if (tmpl_uses(t, timevars_has))
		r->needs_time = 1;
}

/* A field's value in a file: a string, or an array of strings joined into lines (long
 * bodies read better that way in JSON). NULL when it is neither. */
static char *field_text(jv value, size_t *len)
{
	struct buf text = BUF_INIT;
	int i, n;

	if (jv_get_kind(value) == JV_KIND_STRING) {
		buf_append(&text, jv_string_value(value), (size_t)jv_string_length_bytes(jv_copy(value)));
	} else if (jv_get_kind(value) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(value));
		for (i = 0; i < n; i++) {
			jv line = jv_array_get(jv_copy(value), i);
			if (jv_get_kind(line) != JV_KIND_STRING) {
				jv_free(line);
				buf_free(&text);
				return NULL;
			}
			if (i)
				buf_append(&text, "\n", 1);
			buf_append(&text, jv_string_value(line), (size_t)jv_string_length_bytes(jv_copy(line)));
			jv_free(line);
		}
	} else {
		return NULL;
	}
	buf_append(&text, "", 0); /* a NUL even when empty */
	*len = text.len;
	return text.data;
}

static int field_index(const char *name)
{
	int f;
	for (f = 0; f < FIELD_COUNT; f++)
		if (strcmp(template_field_names[f], name) == 0)
			return f;
	return -1;
}

static void load_entry(struct renderer *r, const char *path, const char *key, jv fields)
{
	int it;

	if (jv_get_kind(fields) != JV_KIND_OBJECT)
		die(EX_USAGE, "%s: \"%s\" is not an object of title, body, externalLink, "
			      "notificationType, condition",
		    path, key);
	for (it = jv_object_iter(fields); jv_object_iter_valid(fields, it);
	     it = jv_object_iter_next(fields, it)) {
		jv name = jv_object_iter_key(fields, it);
		jv value = jv_object_iter_value(fields, it);
		int f = field_index(jv_string_value(name));
		size_t len;
		char *text;

		if (f < 0)
			die(EX_USAGE, "%s: \"%s\": unknown field \"%s\" (title, body, externalLink, "
				      "notificationType, condition)", path, key, jv_string_value(name));
		text = field_text(value, &len);
		if (!text)
			die(EX_USAGE, "%s: \"%s\".%s: not a string or an array of strings", path, key,
			    jv_string_value(name));
		renderer_add(r, LAYER_FILE, key, (enum template_field)f, text, len);
		free(text);
		jv_free(name);
		jv_free(value);
	}
	jv_free(fields);
}

void renderer_load_file(struct renderer *r, const char *path)
{
	struct buf text = BUF_INIT;
	jv sets;
	int it;

	buf_read_config(&text, path, TEMPLATE_FILE_MAX, "template file");
	r->layers[LAYER_FILE].origin = path;
	sets = jv_parse_sized(text.data, (int)text.len);
	buf_free(&text);
	if (!jv_is_valid(sets)) {
		jv msg = jv_invalid_get_msg(sets);
		die(EX_USAGE, "%s: not JSON: %s", path,
		    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error");
	}
	if (jv_get_kind(sets) != JV_KIND_OBJECT)
		die(EX_USAGE, "%s: not a JSON object of template sets", path);
	for (it = jv_object_iter(sets); jv_object_iter_valid(sets, it);
	     it = jv_object_iter_next(sets, it)) {
		jv key = jv_object_iter_key(sets, it);
		load_entry(r, path, jv_string_value(key), jv_object_iter_value(sets, it));
		jv_free(key);
	}
	jv_free(sets);
}

void renderer_load_defaults(struct renderer *r)
{
	size_t i;

	for (i = 0; i < default_template_count; i++) {
		const struct default_template *d = &default_templates[i];
		renderer_add(r, LAYER_DEFAULTS, d->key, FIELD_TITLE, d->title, strlen(d->title));
		renderer_add(r, LAYER_DEFAULTS, d->key, FIELD_BODY, d->body, strlen(d->body));
		renderer_add(r, LAYER_DEFAULTS, d->key, FIELD_LINK, d->link, strlen(d->link));
	}
}

/* The template for a field: the first layer from `from` to `to` with one, within it the
 * most specific key. */
/* The keys a template set is searched by, most specific last but one: "*", the event's
 * type, event and category, then "default". Looked up once per render, not per field. */
struct lookup {
	jv held[3]; /* the event's strings the keys point into */
	const char *key[5];
};

static void lookup_init(struct lookup *l, jv event)
{
	static const char *const specific[] = {"type", "event", "category"};
	size_t k;

	l->key[0] = TEMPLATE_ANY_KEY;
	l->key[4] = "default";
	for (k = 0; k < 3; k++) {
		l->held[k] = jv_object_get(jv_copy(event), jv_string(specific[k]));
		l->key[k + 1] = jv_get_kind(l->held[k]) == JV_KIND_STRING ? jv_string_value(l->held[k]) : NULL;
	}
}

static void lookup_free(struct lookup *l)
{
	size_t k;

	for (k = 0; k < 3; k++)
		jv_free(l->held[k]);
}

static struct template_entry *find_in(struct renderer *r, const struct lookup *l,
				      enum template_field field, int from, int to)
{
	int layer;
	size_t k, i;

	for (layer = from; layer <= to; layer++) {
		struct template_set *set = &r->layers[layer];
		for (k = 0; k < 5; k++)
			for (i = 0; l->key[k] && i < set->count; i++)
				if (set->entries[i].compiled[field] &&
				    strcmp(set->entries[i].key, l->key[k]) == 0)
					return &set->entries[i];
	}
	return NULL;
}

static struct template_entry *find(struct renderer *r, const struct lookup *l,
				   enum template_field field)
{
	return find_in(r, l, field, LAYER_COMMAND_LINE, LAYER_DEFAULTS);
}

static void warn_once(struct template_entry *e, enum template_field field, const char *why)
{
	const char *what = field == FIELD_CONDITION ? "the event is kept"
			   : field == FIELD_TYPE    ? "left out"
						    : "rendered empty";

	if (e->warned[field])
		return;
	e->warned[field] = 1;
	if (strcmp(e->key, TEMPLATE_ANY_KEY) == 0)
		msg_warn("%s template: %s (%s; warned once)", template_field_names[field], why, what);
	else
		msg_warn("\"%s\".%s: %s (%s; warned once)", e->key, template_field_names[field], why,
			 what);
}

/* Whether the event has the variable name, with a value (null is no value). */
static int event_has(jv event, const char *name)
{
	jv value = jv_object_get(jv_copy(event), jv_string(name));
	int has = jv_is_valid(value) && jv_get_kind(value) != JV_KIND_NULL;

	jv_free(value);
	return has;
}

/* What a template sees besides the event: the request's variables, then the time. */
static jv builtins_for(struct renderer *r)
{
	if (!r->needs_time)
		return jv_copy(r->request);
	if (jv_get_kind(r->request) != JV_KIND_OBJECT)
		return timevars_now();
	return jv_object_merge(timevars_now(), jv_copy(r->request));
}

static jv render_with(struct template_entry *e, const struct tmpl *t, enum template_field f,
		      jv event, jv builtins, struct buf *out)
{
	char why[200];

	buf_clear(out);
	if (t && tmpl_render(t, event, builtins, out, why, sizeof why) != 0 && e)
		warn_once(e, f, why);
	return jv_string_sized(out->data ? out->data : "", (int)out->len);
}

/* The link. Echobell: "When no Link template is set, the value of the externalLink
 * variable is used". A Link template is the user's: -l or the template file. The
 * built-in defaults only stand in for a link nobody gave, so an event that carries its
 * own externalLink keeps it. */
static jv render_link(struct renderer *r, const struct lookup *l, jv event, jv builtins,
		      struct buf *out)
{
	struct template_entry *e = find_in(r, l, FIELD_LINK, LAYER_COMMAND_LINE, LAYER_FILE);

	if (e)
		return render_with(e, e->compiled[FIELD_LINK], FIELD_LINK, event, builtins, out);
	if (event_has(event, "externalLink"))
		return render_with(NULL, r->event_link, FIELD_LINK, event, builtins, out);
	e = find_in(r, l, FIELD_LINK, LAYER_DEFAULTS, LAYER_DEFAULTS);
	return render_with(e, e ? e->compiled[FIELD_LINK] : NULL, FIELD_LINK, event, builtins, out);
}

/* The notification type: a template's, else the event's own notificationType, when it is
 * one Echobell allows. Empty means none (the channel's, or echobell-send --type); anything
 * else is left out with a warning. */
static jv render_type(struct renderer *r, const struct lookup *l, jv event, jv builtins,
		      struct buf *out)
{
	struct template_entry *e = find(r, l, FIELD_TYPE);
	char quoted[80];
	jv type;

	if (e) {
		type = render_with(e, e->compiled[FIELD_TYPE], FIELD_TYPE, event, builtins, out);
	} else {
		type = jv_object_get(jv_copy(event), jv_string("notificationType"));
		if (!jv_is_valid(type) || jv_get_kind(type) == JV_KIND_NULL) {
			jv_free(type);
			return jv_null();
		}
		if (jv_get_kind(type) != JV_KIND_STRING) {
			msg_warn("the event's notificationType is a%s %s, not " NOTIFICATION_TYPES_TEXT
				 ": left out",
				 jv_get_kind(type) == JV_KIND_OBJECT || jv_get_kind(type) == JV_KIND_ARRAY ? "n" : "",
				 jv_kind_name(jv_get_kind(type)));
			jv_free(type);
			return jv_null();
		}
	}
	if (jv_string_length_bytes(jv_copy(type)) == 0) {
		jv_free(type);
		return jv_null();
	}
	if (notification_type_valid(jv_string_value(type),
				    (size_t)jv_string_length_bytes(jv_copy(type))))
		return type;
	notification_type_quote(jv_string_value(type), (size_t)jv_string_length_bytes(jv_copy(type)),
				quoted, sizeof quoted);
	if (!e)
		msg_warn("the event's notificationType %s is not " NOTIFICATION_TYPES_TEXT
			 ": left out", quoted);
	else if (!e->warned[FIELD_TYPE]) {
		char why[160];
		snprintf(why, sizeof why, "%s is not " NOTIFICATION_TYPES_TEXT, quoted);
		warn_once(e, FIELD_TYPE, why);
	}
	jv_free(type);
	return jv_null();
}

enum render_result renderer_render(struct renderer *r, jv event, jv fields[RENDERED_FIELDS])
{
	jv builtins = builtins_for(r);
	struct lookup l;
	struct template_entry *e;
	struct buf out = BUF_INIT;
	char why[200];
	int f;

	lookup_init(&l, event);
	e = find(r, &l, FIELD_CONDITION);
	if (e) {
		int keep = tmpl_test(e->compiled[FIELD_CONDITION], event, builtins, why, sizeof why);
		/* A condition that cannot be evaluated notifies: better an extra notification
		 * than a lost one. */
		if (keep < 0)
			warn_once(e, FIELD_CONDITION, why);
		if (keep == 0) {
			lookup_free(&l);
			jv_free(builtins);
			return RENDER_DROP;
		}
	}
	for (f = FIELD_TITLE; f <= FIELD_BODY; f++) {
		e = find(r, &l, (enum template_field)f);
		fields[f] = render_with(e, e ? e->compiled[f] : NULL, (enum template_field)f, event,
					builtins, &out);
	}
	fields[FIELD_LINK] = render_link(r, &l, event, builtins, &out);
	fields[FIELD_TYPE] = render_type(r, &l, event, builtins, &out);
	lookup_free(&l);
	buf_free(&out);
	jv_free(builtins);
	return RENDER_KEEP;
}

jv rendered_message(jv out, jv fields[RENDERED_FIELDS])
{
	int f;

	for (f = 0; f < RENDERED_FIELDS; f++) {
		/* No type: none at all, not the event's own (render_type weighed that one). */
		if (jv_get_kind(fields[f]) == JV_KIND_NULL) {
			out = jv_object_delete(out, jv_string(template_field_names[f]));
			jv_free(fields[f]);
		} else {
			out = jv_object_set(out, jv_string(template_field_names[f]), fields[f]);
		}
	}
	return out;
}
