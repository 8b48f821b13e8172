/* event: the App Store Connect payload turned into the labelled event every later
 * program reads (DESIGN.md, asc-parse). The knowledge of each event kind, state label and
 * severity is data, in event_tables.c; this is the code that applies it. */
#ifndef ASCBELL_EVENT_H
#define ASCBELL_EVENT_H

#include <jv.h>
#include <stddef.h>
#include <time.h>

enum severity { SEVERITY_INFO, SEVERITY_SUCCESS, SEVERITY_WARNING, SEVERITY_ERROR };

/* How a kind says what happened. */
enum event_detail {
	DETAIL_STATES,       /* an old and a new state in two attributes */
	DETAIL_FIXED,        /* something was created: a fixed status and message */
	DETAIL_AVAILABILITY, /* attributes.available, true or false */
	DETAIL_TERRITORIES   /* attributes.territories, a list */
};

struct event_kind {
	const char *type;     /* data.type */
	const char *event;    /* subscription name, as App Store Connect's eventTypes */
	const char *category; /* appStore, testFlight, build, backgroundAsset, ... */
	const char *title;    /* eventType: what a person calls it */
	enum event_detail detail;
	const char *old_key, *new_key; /* DETAIL_STATES: where the states are */
	const char *status;            /* DETAIL_FIXED */
	const char *message;           /* DETAIL_FIXED */
	enum severity severity;        /* DETAIL_FIXED */
};

struct state_label {
	const char *value; /* WAITING_FOR_REVIEW */
	const char *label; /* Waiting for Review */
	enum severity severity;
};

extern const struct event_kind event_kinds[];
extern const size_t event_kind_count;
extern const struct state_label state_labels[];
extern const size_t state_label_count;
extern const char *const severity_names[];
/* Where unknown kinds may keep their states, tried in this order. */
extern const char *const generic_state_keys[][2];
extern const size_t generic_state_key_count;

struct event_options {
	const char *app_id;   /* digits, or NULL */
	const char *app_name; /* or NULL */
	int raw;              /* keep the whole payload as "raw" */
	time_t received;      /* when the request arrived: eventDate of an event without timestamp */
	const char *history;  /* $ASCBELL_HISTORY: review times from it (review.h), or NULL */
};

/* The kind for a data.type, or NULL when it is not one we know. */
const struct event_kind *event_kind_find(const char *type);

/* The event for one payload (consumed). Returns an invalid jv whose message says why when
 * the value is not an App Store Connect payload. *unknown is set for a type we do not know,
 * which still gets an event with generic fields. */
jv event_from_payload(jv payload, const struct event_options *opt, int *unknown);

/* Whether an event is named in a list of subscription names, data.types or categories
 * (any case). */
int event_in_list(jv event, char *const *names, size_t count);

/* "https://appstoreconnect.apple.com/apps/<id>/distribution", for an id of digits. */
jv app_store_connect_url(const char *app_id);

/* Whether text is a plausible App Store Connect app id (digits only, 1 to 20 of them). */
int app_id_valid(const char *text);

#endif
