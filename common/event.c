/* event: the App Store Connect payload turned into a labelled event. */
#include "event.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jsonget.h"

#define ASC_WEB "https://appstoreconnect.apple.com/apps/"

const struct event_kind *event_kind_find(const char *type)
{
	size_t i;
	for (i = 0; i < event_kind_count; i++)
		if (strcmp(event_kinds[i].type, type) == 0)
			return &event_kinds[i];
	return NULL;
}

static const struct state_label *state_find(const char *value)
{
	size_t i;
	for (i = 0; i < state_label_count; i++)
		if (strcmp(state_labels[i].value, value) == 0)
			return &state_labels[i];
	return NULL;
}

static jv buf_to_jv(struct buf *b)
{
	jv s = jv_string_sized(b->data ? b->data : "", (int)b->len);
	buf_free(b);
	return s;
}

/* Little words stay lower case inside a label, as Apple writes them. */
static int is_small_word(const char *w, size_t n)
{
	static const char *const small[] = {"a", "an", "and", "by", "for", "from", "of", "on",
					    "or", "the", "to", "with"};
	size_t i;
	for (i = 0; i < sizeof small / sizeof small[0]; i++)
		if (strlen(small[i]) == n && strncasecmp(small[i], w, n) == 0)
			return 1;
	return 0;
}

/* SOME_NEW_VALUE -> "Some New Value"; the label of a state we have no row for. */
static jv title_case(const char *value)
{
	struct buf out = BUF_INIT;
	const char *p = value;
	int first = 1;

	while (*p) {
		size_t n;
		while (*p == '_' || *p == ' ')
			p++;
		n = strcspn(p, "_ ");
		if (n == 0)
			break;
		if (out.len)
			buf_append(&out, " ", 1);
		for (size_t i = 0; i < n; i++) {
			int upper = i == 0 && (first || !is_small_word(p, n));
			char c = (char)(upper ? toupper((unsigned char)p[i]) : tolower((unsigned char)p[i]));
			buf_append(&out, &c, 1);
		}
		first = 0;
		p += n;
	}
	return buf_to_jv(&out);
}

/* appPriceScheduleUpdated -> "App Price Schedule Updated" and "APP_PRICE_SCHEDULE_UPDATED",
 * for a type we do not know yet. Anything but letters and digits separates words. */
static void split_camel(const char *type, jv *title, jv *snake)
{
	struct buf t = BUF_INIT, s = BUF_INIT;
	int in_word = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)type; *p; p++) {
		int starts_word = isupper(*p) || !in_word;
		char c;
		if (!isalnum(*p)) {
			in_word = 0;
			continue;
		}
		if (starts_word && t.len) {
			buf_append(&t, " ", 1);
			buf_append(&s, "_", 1);
		}
		c = (char)(starts_word ? toupper(*p) : *p);
		buf_append(&t, &c, 1);
		c = (char)toupper(*p);
		buf_append(&s, &c, 1);
		in_word = 1;
	}
	*title = buf_to_jv(&t);
	*snake = buf_to_jv(&s);
}

int app_id_valid(const char *text)
{
	size_t n = strspn(text, "0123456789");
	return n > 0 && n <= 20 && text[n] == '\0';
}

jv app_store_connect_url(const char *app_id)
{
	return jv_string_fmt(ASC_WEB "%s/distribution", app_id);
}

/* {"type","id","url"} of relationships.instance, which is either {"data":{type,id},
 * "links":{self}} or, on background-asset events, {type,id,links} without the wrapper. */
static jv instance_of(jv data)
{
	jv relationships = json_get(data, "relationships");
	jv instance = json_get(relationships, "instance");
	jv inner = json_get(instance, "data");
	jv links = json_get(instance, "links");
	jv where = jv_get_kind(inner) == JV_KIND_OBJECT ? inner : instance;
	jv result = jv_object();

	result = jv_object_set(result, jv_string("type"), json_get_string(where, "type"));
	result = jv_object_set(result, jv_string("id"), json_get_string(where, "id"));
	result = jv_object_set(result, jv_string("url"), json_get_string(links, "self"));
	jv_free(relationships);
	jv_free(instance);
	jv_free(inner);
	jv_free(links);
	return result;
}

static jv app_of(jv attributes, const struct event_options *opt)
{
	jv id = opt->app_id ? jv_string(opt->app_id) : json_get_string(attributes, "appId");
	jv app = jv_object();

	/* An id that is not digits would make a strange link: leave it out. */
	if (jv_get_kind(id) == JV_KIND_STRING && !app_id_valid(jv_string_value(id))) {
		jv_free(id);
		id = jv_null();
	}
	app = jv_object_set(app, jv_string("id"), jv_copy(id));
	app = jv_object_set(app, jv_string("name"), opt->app_name ? jv_string(opt->app_name) : jv_null());
	app = jv_object_set(app, jv_string("url"), jv_get_kind(id) == JV_KIND_STRING
							   ? app_store_connect_url(jv_string_value(id))
							   : jv_null());
	jv_free(id);
	return app;
}

/* What happened, in the words the event carries. */
struct news {
	jv old_state, new_state; /* raw values or null */
	jv old_status, status;   /* labels */
	jv message;
	enum severity severity;
};

static jv state_text(jv state, enum severity *severity)
{
	const struct state_label *known;
	if (jv_get_kind(state) != JV_KIND_STRING)
		return jv_null();
	known = state_find(jv_string_value(state));
	if (severity)
		*severity = known ? known->severity : SEVERITY_INFO;
	return known ? jv_string(known->label) : title_case(jv_string_value(state));
}

static void news_of_states(struct news *n, jv attributes, const char *old_key,
			   const char *new_key, jv event_type)
{
	n->old_state = json_get_string(attributes, old_key);
	n->new_state = json_get_string(attributes, new_key);
	n->old_status = state_text(n->old_state, NULL);
	n->status = state_text(n->new_state, &n->severity);
	if (jv_get_kind(n->status) == JV_KIND_NULL) {
		n->status = jv_string("Updated");
		n->message = jv_copy(event_type);
	} else if (jv_get_kind(n->old_status) == JV_KIND_STRING) {
		n->message = jv_string_fmt("%s → %s", jv_string_value(n->old_status),
					   jv_string_value(n->status));
	} else {
		n->message = jv_string_fmt("Now %s", jv_string_value(n->status));
	}
}

static void news_of_availability(struct news *n, jv attributes, jv event_type)
{
	jv available = json_get(attributes, "available");

	switch (jv_get_kind(available)) {
	case JV_KIND_TRUE:
		n->status = jv_string("Available");
		n->message = jv_string("Alternative distribution package is available");
		n->severity = SEVERITY_SUCCESS;
		break;
	case JV_KIND_FALSE:
		n->status = jv_string("Unavailable");
		n->message = jv_string("Alternative distribution package is no longer available");
		n->severity = SEVERITY_WARNING;
		break;
	default:
		n->status = jv_string("Availability changed");
		n->message = jv_copy(event_type);
	}
	jv_free(available);
}

static void news_of_territories(struct news *n, jv attributes, jv event_type)
{
	jv territories = json_get(attributes, "territories");

	n->status = jv_string("Territories updated");
	if (jv_get_kind(territories) == JV_KIND_ARRAY) {
		int count = jv_array_length(territories);
		n->message = jv_string_fmt("Availability changed in %d %s", count,
					   count == 1 ? "territory" : "territories");
	} else {
		jv_free(territories);
		n->message = jv_copy(event_type);
	}
}

/* An unknown kind: states from the first attribute pair present, else a plain notice. */
static void news_of_unknown(struct news *n, jv attributes, jv event_type)
{
	size_t i;

	for (i = 0; i < generic_state_key_count; i++) {
		jv old_state = json_get(attributes, generic_state_keys[i][0]);
		jv new_state = json_get(attributes, generic_state_keys[i][1]);
		int present = jv_get_kind(old_state) != JV_KIND_NULL ||
			      jv_get_kind(new_state) != JV_KIND_NULL;
		jv_free(old_state);
		jv_free(new_state);
		if (present) {
			news_of_states(n, attributes, generic_state_keys[i][0],
				       generic_state_keys[i][1], event_type);
			return;
		}
	}
	n->status = jv_string("Received");
	n->message = jv_copy(event_type);
}

static struct news news_of(const struct event_kind *kind, jv attributes, jv event_type)
{
	struct news n = {jv_null(), jv_null(), jv_null(), jv_null(), jv_null(), SEVERITY_INFO};

	if (!kind) {
		news_of_unknown(&n, attributes, event_type);
		return n;
	}
	switch (kind->detail) {
	case DETAIL_STATES:
		news_of_states(&n, attributes, kind->old_key, kind->new_key, event_type);
		break;
	case DETAIL_FIXED:
		n.status = jv_string(kind->status);
		n.message = jv_string(kind->message);
		n.severity = kind->severity;
		break;
	case DETAIL_AVAILABILITY:
		news_of_availability(&n, attributes, event_type);
		break;
	case DETAIL_TERRITORIES:
		news_of_territories(&n, attributes, event_type);
		break;
	}
	return n;
}

static jv not_a_payload(jv payload, const char *why)
{
	jv_free(payload);
	return jv_invalid_with_msg(jv_string_fmt("not an App Store Connect payload (%s)", why));
}

/* Why data.type and data.attributes (borrowed) do not make a payload, or NULL. */
static const char *payload_problem(jv type, jv attributes)
{
	if (jv_get_kind(type) != JV_KIND_STRING || jv_string_value(type)[0] == '\0')
		return "data.type is not a non-empty string";
	if (jv_get_kind(attributes) != JV_KIND_OBJECT && jv_get_kind(attributes) != JV_KIND_NULL)
		return "data.attributes is not an object";
	return NULL;
}

jv event_from_payload(jv payload, const struct event_options *opt, int *unknown)
{
	const struct event_kind *kind;
	jv data, type, attributes, timestamp, event_name, event_type, e;
	const char *problem;
	struct news n;

	*unknown = 0;
	if (jv_get_kind(payload) != JV_KIND_OBJECT)
		return not_a_payload(payload, "not a JSON object");
	data = json_get(payload, "data");
	if (jv_get_kind(data) != JV_KIND_OBJECT) {
		jv_free(data);
		return not_a_payload(payload, "no \"data\" object");
	}
	type = json_get_string(data, "type");
	attributes = json_get(data, "attributes");
	problem = payload_problem(type, attributes);
	if (problem) {
		jv_free(data);
		jv_free(type);
		jv_free(attributes);
		return not_a_payload(payload, problem);
	}
	if (jv_get_kind(attributes) == JV_KIND_NULL)
		attributes = jv_object();

	kind = event_kind_find(jv_string_value(type));
	if (kind) {
		event_name = jv_string(kind->event);
		event_type = jv_string(kind->title);
	} else {
		*unknown = 1;
		split_camel(jv_string_value(type), &event_type, &event_name);
	}
	n = news_of(kind, attributes, event_type);
	timestamp = json_get_string(attributes, "timestamp");

	e = jv_object();
	e = jv_object_set(e, jv_string("id"), json_get_string(data, "id"));
	e = jv_object_set(e, jv_string("type"), type);
	e = jv_object_set(e, jv_string("event"), event_name);
	e = jv_object_set(e, jv_string("category"), jv_string(kind ? kind->category : "other"));
	e = jv_object_set(e, jv_string("eventType"), event_type);
	e = jv_object_set(e, jv_string("timestamp"), jv_copy(timestamp));
	e = jv_object_set(e, jv_string("eventDate"), timestamp);
	e = jv_object_set(e, jv_string("oldState"), n.old_state);
	e = jv_object_set(e, jv_string("newState"), n.new_state);
	e = jv_object_set(e, jv_string("oldStatus"), n.old_status);
	e = jv_object_set(e, jv_string("status"), n.status);
	e = jv_object_set(e, jv_string("severity"), jv_string(severity_names[n.severity]));
	e = jv_object_set(e, jv_string("message"), n.message);
	e = jv_object_set(e, jv_string("instance"), instance_of(data));
	e = jv_object_set(e, jv_string("app"), app_of(attributes, opt));
	e = jv_object_set(e, jv_string("attributes"), attributes);
	e = jv_object_set(e, jv_string("ping"), jv_bool(kind && strcmp(kind->category, "ping") == 0));
	if (opt->raw)
		e = jv_object_set(e, jv_string("raw"), jv_copy(payload));
	jv_free(data);
	jv_free(payload);
	return e;
}

int event_in_list(jv event, char *const *names, size_t count)
{
	static const char *const fields[] = {"event", "type", "category"};
	size_t i, f;
	int found = 0;

	for (f = 0; f < 3 && !found; f++) {
		jv value = json_get_string(event, fields[f]);
		if (jv_get_kind(value) == JV_KIND_STRING)
			for (i = 0; i < count && !found; i++)
				found = strcasecmp(names[i], jv_string_value(value)) == 0;
		jv_free(value);
	}
	return found;
}
