/* eventfilter: the events to keep. */
#include "eventfilter.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "review.h"
#include "util.h"

static void warn_unknown(const struct event_filter *f, const char *what)
{
	size_t i, k;

	for (i = 0; i < f->count; i++) {
		/* "other" is the category of the kinds the table does not have. */
		int known = !strcasecmp(f->names[i], "other");
		for (k = 0; k < event_kind_count && !known; k++)
			known = !strcasecmp(f->names[i], event_kinds[k].type) ||
				!strcasecmp(f->names[i], event_kinds[k].event) ||
				!strcasecmp(f->names[i], event_kinds[k].category);
		if (!known)
			msg_warn("%s: %s is not a known event, type or category", what, f->names[i]);
	}
}

int event_filter_parse(struct event_filter *f, const char *list, const char *what)
{
	char *name, *save = NULL;

	memset(f, 0, sizeof *f);
	f->text = xstrdup(list);
	for (name = strtok_r(f->text, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		char *end;
		while (*name == ' ')
			name++;
		end = name + strlen(name);
		while (end > name && end[-1] == ' ')
			*--end = '\0';
		if (*name == '\0')
			continue;
		f->names = xrealloc(f->names, (f->count + 1) * sizeof *f->names);
		f->names[f->count++] = name;
	}
	if (f->count == 0) {
		event_filter_free(f);
		return -1;
	}
	warn_unknown(f, what);
	return 0;
}

int event_filter_keeps(const struct event_filter *f, jv event)
{
	return event_in_list(event, f->names, f->count);
}

void event_filter_free(struct event_filter *f)
{
	free(f->names);
	free(f->text);
	memset(f, 0, sizeof *f);
}

jv event_filter_payload(const struct event_filter *f, jv payload, const struct event_options *opt,
			const char *where, int *status)
{
	int unknown;
	jv event = event_from_payload(payload, opt, &unknown);

	if (!jv_is_valid(event)) {
		jv msg = jv_invalid_get_msg(event);
		msg_error("%s: %s; skipped", where, jv_string_value(msg));
		jv_free(msg);
		*status = EX_DATAERR;
		return jv_null();
	}
	if (unknown) {
		jv type = jv_object_get(jv_copy(event), jv_string("type"));
		msg_warn("%s: unknown event type %s (forwarded with generic fields)", where,
			 jv_string_value(type));
		jv_free(type);
	}
	if (f->count && !event_filter_keeps(f, event)) {
		jv_free(event);
		return jv_null();
	}
	/* Here, so that asc-parse --history and the built-in receiver add the same "review",
	 * before a jq program, enrichment or the templates look at the event. */
	return opt->history ? review_add(opt->history, event) : event;
}
