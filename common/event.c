/* event: the App Store Connect payload turned into a labelled event. */
#include "event.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "instant.h"
#include "jsonget.h"
#include "links.h"
#include "localtime.h"

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

/* Whether a word boundary falls before p[i]: at an upper-case letter after a lower-case
 * one or a digit (buildUploadState), and before the last capital of a run that a lower-case
 * letter follows (URLScheme -> URL Scheme). */
static int camel_break(const unsigned char *p, size_t i)
{
	if (i == 0 || !isupper(p[i]))
		return 0;
	if (islower(p[i - 1]) || isdigit(p[i - 1]))
		return 1;
	return isupper(p[i - 1]) && islower(p[i + 1]);
}

/* SOME_NEW_VALUE, someNewValue, some-new value -> "Some New Value": the label of a state we
 * have no row for, and the name of an event type we do not know. Anything but ASCII letters
 * and digits separates words (bytes of UTF-8 stay in theirs); each word is capitalised and
 * the rest of it lowered, little words lower inside the label. */
static jv words_of(const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	struct buf out = BUF_INIT;
	int first = 1;

	while (*p) {
		size_t n = 0, i;
		while (*p && *p < 0x80 && !isalnum(*p))
			p++;
		if (!*p)
			break;
		while (p[n] && (p[n] >= 0x80 || isalnum(p[n])) && (n == 0 || !camel_break(p, n)))
			n++;
		if (out.len)
			buf_append(&out, " ", 1);
		for (i = 0; i < n; i++) {
			int upper = i == 0 && (first || !is_small_word((const char *)p, n));
			char c = (char)(p[i] >= 0x80 ? p[i] : upper ? toupper(p[i]) : tolower(p[i]));
			buf_append(&out, &c, 1);
		}
		first = 0;
		p += n;
	}
	return buf_to_jv(&out);
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
	return known ? jv_string(known->label) : words_of(jv_string_value(state));
}

static void news_of_states(struct news *n, jv attributes, const char *old_key,
			   const char *new_key, jv event_type)
{
	n->old_state = json_get_string(attributes, old_key);
	n->new_state = json_get_string(attributes, new_key);
	n->old_status = state_text(n->old_state, NULL);
	n->status = state_text(n->new_state, &n->severity);
	if (jv_get_kind(n->status) == JV_KIND_NULL) {
		/* What the kind means happened, and that the payload stopped short of saying
		 * the outcome: the team looks it up, rather than read a bare "Updated". */
		n->status = jv_copy(event_type);
		n->message = jv_get_kind(n->old_status) == JV_KIND_STRING
				     ? jv_string_fmt("Was %s; App Store Connect did not send the new state",
						     jv_string_value(n->old_status))
				     : jv_string("App Store Connect did not send the new state");
	} else if (jv_get_kind(n->old_status) == JV_KIND_STRING) {
		n->message = jv_string_fmt("%s → %s", jv_string_value(n->old_status),
					   jv_string_value(n->status));
	} else {
		n->message = jv_string_fmt("Now %s", jv_string_value(n->status));
	}
}

static void news_of_availability(struct news *n, jv attributes)
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
		n->message = jv_string("App Store Connect did not say whether it is available");
	}
	jv_free(available);
}

static void news_of_territories(struct news *n, jv attributes)
{
	jv territories = json_get(attributes, "territories");

	n->status = jv_string("Territories updated");
	if (jv_get_kind(territories) == JV_KIND_ARRAY) {
		int count = jv_array_length(territories);
		n->message = jv_string_fmt("Availability changed in %d %s", count,
					   count == 1 ? "territory" : "territories");
	} else {
		jv_free(territories);
		n->message = jv_string("App Store Connect did not say which territories");
	}
}

/* An unknown kind: states from the first attribute pair present, else its name in words
 * as the status and the raw type in the message (what to look up in Apple's documents). */
static void news_of_unknown(struct news *n, jv attributes, jv type, jv event_type)
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
	n->status = jv_copy(event_type);
	n->message = jv_string_fmt("A kind of event ascbell does not know yet: %s", jv_string_value(type));
}

static struct news news_of(const struct event_kind *kind, jv attributes, jv type, jv event_type)
{
	struct news n = {jv_null(), jv_null(), jv_null(), jv_null(), jv_null(), SEVERITY_INFO};

	if (!kind) {
		news_of_unknown(&n, attributes, type, event_type);
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
		news_of_availability(&n, attributes);
		break;
	case DETAIL_TERRITORIES:
		news_of_territories(&n, attributes);
		break;
	}
	return n;
}

/* When it happened, as the team reads a calendar: the payload's timestamp in their zone; an
 * event without one (build uploads) says when the request was received. A timestamp we
 * cannot read is shown as it came. Consumes timestamp. */
static jv event_date(jv timestamp, const struct event_options *opt)
{
	time_t t;
	jv text;

	if (jv_get_kind(timestamp) == JV_KIND_STRING) {
		if (instant_parse(jv_string_value(timestamp), &t) != 0)
			return timestamp;
		jv_free(timestamp);
		return instant_format(t);
	}
	jv_free(timestamp);
	text = instant_format(opt->received);
	if (jv_get_kind(text) != JV_KIND_STRING)
		return text;
	return jv_string_concat(jv_string("received "), text);
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
		/* Its own data.type, not a guessed subscription name, which could be a real
		 * one's: an unknown webhookPing must not pass for WEBHOOK_PING. */
		*unknown = 1;
		event_name = jv_copy(type);
		event_type = words_of(jv_string_value(type));
	}
	n = news_of(kind, attributes, type, event_type);
	timestamp = json_get_string(attributes, "timestamp");

	e = jv_object();
	e = jv_object_set(e, jv_string("id"), json_get_string(data, "id"));
	e = jv_object_set(e, jv_string("type"), type);
	e = jv_object_set(e, jv_string("event"), event_name);
	e = jv_object_set(e, jv_string("category"), jv_string(kind ? kind->category : "other"));
	e = jv_object_set(e, jv_string("eventType"), event_type);
	e = jv_object_set(e, jv_string("timestamp"), jv_copy(timestamp));
	e = jv_object_set(e, jv_string("eventDate"), event_date(timestamp, opt));
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
	e = links_add(e);
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
