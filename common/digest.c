/* digest: counting a stretch of history into report events.
 *
 * What counts as what (documented in asc-report(1)):
 * - each event is counted once by its id, however often it was delivered (Apple's
 *   redeliveries, duplicates), from the first line that carries it; every line counts as
 *   one answered delivery;
 * - a version is submitted when it enters WAITING_FOR_REVIEW, approved when it leaves
 *   IN_REVIEW for a state of an accepted version, rejected when it enters REJECTED,
 *   METADATA_REJECTED or INVALID_BINARY;
 * - review times are the history's own (event.review), never recomputed here. */
#include "digest.h"
#include "review.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jsonget.h"
#include "util.h"

/* How many entries a "top" list and a list of reviews hold in the event. */
#define TOP_MAX 5
#define REVIEWS_MAX 20
/* The longest name (device, error code) the short message repeats, in characters. */
#define NAME_MAX_CHARS 32

struct figures {
	long answered, non2xx;
	jv non2xx_by;                 /* outcome word → count */
	long submitted, approved, rejected;
	jv reviews, review_parts[3];  /* entries; numbers of waited, inReview, total */
	long processed, failed, failed_uncoded;
	jv error_codes;               /* code → count */
	jv beta_states, beta_labels;  /* state → count, state → label */
	jv beta_reviews, beta_parts[3];
	long feedback, crashes;
	jv fb_devices, fb_os, cr_devices, cr_os;
};

struct group {
	jv key;             /* the history's "app" (string) or null */
	jv id, name, url;   /* from the events' app object, the last one known */
	struct figures f;
};

struct digest {
	struct group *groups;
	size_t count, cap;
	struct figures all;
	jv seen; /* event ids counted already */
};

static const char *const part_names[3] = {"waited", "inReview", "total"};

static void figures_init(struct figures *f)
{
	int i;
	memset(f, 0, sizeof *f);
	f->non2xx_by = jv_object();
	f->reviews = jv_array();
	f->beta_reviews = jv_array();
	for (i = 0; i < 3; i++) {
		f->review_parts[i] = jv_array();
		f->beta_parts[i] = jv_array();
	}
	f->error_codes = jv_object();
	f->beta_states = jv_object();
	f->beta_labels = jv_object();
	f->fb_devices = jv_object();
	f->fb_os = jv_object();
	f->cr_devices = jv_object();
	f->cr_os = jv_object();
}

static void figures_free(struct figures *f)
{
	int i;
	jv_free(f->non2xx_by);
	jv_free(f->reviews);
	jv_free(f->beta_reviews);
	for (i = 0; i < 3; i++) {
		jv_free(f->review_parts[i]);
		jv_free(f->beta_parts[i]);
	}
	jv_free(f->error_codes);
	jv_free(f->beta_states);
	jv_free(f->beta_labels);
	jv_free(f->fb_devices);
	jv_free(f->fb_os);
	jv_free(f->cr_devices);
	jv_free(f->cr_os);
}

struct digest *digest_new(void)
{
	struct digest *d = xmalloc(sizeof *d);
	memset(d, 0, sizeof *d);
	figures_init(&d->all);
	d->seen = jv_object();
	return d;
}

void digest_free(struct digest *d)
{
	size_t i;
	for (i = 0; i < d->count; i++) {
		jv_free(d->groups[i].key);
		jv_free(d->groups[i].id);
		jv_free(d->groups[i].name);
		jv_free(d->groups[i].url);
		figures_free(&d->groups[i].f);
	}
	free(d->groups);
	figures_free(&d->all);
	jv_free(d->seen);
	free(d);
}

/* tally[key] += 1; key borrowed. */
static jv bump(jv tally, const char *key)
{
	jv old = jv_object_get(jv_copy(tally), jv_string(key));
	double n = jv_get_kind(old) == JV_KIND_NUMBER ? jv_number_value(old) : 0;
	jv_free(old);
	return jv_object_set(tally, jv_string(key), jv_number(n + 1));
}

static int is_one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* A review time part as the history wrote it: a number of seconds, or null. */
static jv review_part(jv review, const char *name)
{
	jv v = json_get(review, name);
	if (jv_get_kind(v) == JV_KIND_NUMBER && isfinite(jv_number_value(v)) && jv_number_value(v) >= 0)
		return v;
	jv_free(v);
	return jv_null();
}

/* A decision (approval, rejection): its review times, when the history knew them. */
static void add_review(jv *list, jv parts[3], jv event, const char *at, const char *state)
{
	jv review = json_get(event, "review"), entry;
	int i;

	if (jv_get_kind(review) != JV_KIND_OBJECT) {
		jv_free(review);
		return;
	}
	entry = jv_object_set(jv_object(), jv_string("at"), jv_string(at));
	entry = jv_object_set(entry, jv_string("instance"), json_get_path(event, "instance", "id", NULL));
	entry = jv_object_set(entry, jv_string("version"), json_get_string(event, "version"));
	entry = jv_object_set(entry, jv_string("newState"), jv_string(state));
	for (i = 0; i < 3; i++) {
		jv part = review_part(review, part_names[i]);
		if (jv_get_kind(part) == JV_KIND_NUMBER)
			parts[i] = jv_array_append(parts[i], jv_copy(part));
		entry = jv_object_set(entry, jv_string(part_names[i]), part);
	}
	jv_free(review);
	/* The latest REVIEWS_MAX: the figures above them count every one. */
	if (jv_array_length(jv_copy(*list)) >= REVIEWS_MAX)
		*list = jv_array_slice(*list, 1, REVIEWS_MAX);
	*list = jv_array_append(*list, entry);
}

static void count_device(jv *devices, jv *os, jv event)
{
	jv device = json_get_string(event, "device"), version = json_get_string(event, "osVersion");
	if (jv_get_kind(device) == JV_KIND_STRING)
		*devices = bump(*devices, jv_string_value(device));
	if (jv_get_kind(version) == JV_KIND_STRING)
		*os = bump(*os, jv_string_value(version));
	jv_free(device);
	jv_free(version);
}

static void count_event(struct figures *f, jv event, const char *at)
{
	static const char *const approved[] = {
		"ACCEPTED", "PENDING_APPLE_RELEASE", "PENDING_DEVELOPER_RELEASE",
		"PROCESSING_FOR_DISTRIBUTION", "PROCESSING_FOR_APP_STORE", "READY_FOR_DISTRIBUTION",
		"READY_FOR_SALE", "PREORDER_READY_FOR_SALE", NULL};
	static const char *const rejected[] = {"REJECTED", "METADATA_REJECTED", "INVALID_BINARY", NULL};
	jv name = json_get_string(event, "event");
	jv old_state = json_get_string(event, "oldState"), new_state = json_get_string(event, "newState");
	const char *ev = jv_get_kind(name) == JV_KIND_STRING ? jv_string_value(name) : "";
	const char *old = jv_get_kind(old_state) == JV_KIND_STRING ? jv_string_value(old_state) : NULL;
	const char *new = jv_get_kind(new_state) == JV_KIND_STRING ? jv_string_value(new_state) : NULL;

	if (!strcmp(ev, "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED") && new) {
		if (!strcmp(new, "WAITING_FOR_REVIEW"))
			f->submitted++;
		if (is_one_of(new, rejected)) {
			f->rejected++;
			add_review(&f->reviews, f->review_parts, event, at, new);
		} else if (old && !strcmp(old, "IN_REVIEW") && is_one_of(new, approved)) {
			f->approved++;
			add_review(&f->reviews, f->review_parts, event, at, new);
		}
	} else if (!strcmp(ev, "BUILD_UPLOAD_STATE_UPDATED") && new) {
		if (!strcmp(new, "COMPLETE"))
			f->processed++;
		if (!strcmp(new, "FAILED")) {
			/* Apple's reasons, as asc-enrich found them (errors[].code). */
			jv errors = json_get(event, "errors");
			int i, n = jv_get_kind(errors) == JV_KIND_ARRAY ? jv_array_length(jv_copy(errors)) : 0, coded = 0;
			f->failed++;
			for (i = 0; i < n; i++) {
				jv item = jv_array_get(jv_copy(errors), i), code = json_get_string(item, "code");
				if (jv_get_kind(code) == JV_KIND_STRING) {
					f->error_codes = bump(f->error_codes, jv_string_value(code));
					coded = 1;
				}
				jv_free(code);
				jv_free(item);
			}
			jv_free(errors);
			if (!coded)
				f->failed_uncoded++;
		}
	} else if (!strcmp(ev, "BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED") && new) {
		jv label = json_get_string(event, "status");
		f->beta_states = bump(f->beta_states, new);
		f->beta_labels = jv_object_set(f->beta_labels, jv_string(new),
					       jv_get_kind(label) == JV_KIND_STRING ? label
										  : (jv_free(label), jv_string(new)));
		if (!strcmp(new, "BETA_APPROVED") || !strcmp(new, "BETA_REJECTED"))
			add_review(&f->beta_reviews, f->beta_parts, event, at, new);
	} else if (!strcmp(ev, "BETA_FEEDBACK_SCREENSHOT_SUBMISSION_CREATED")) {
		f->feedback++;
		count_device(&f->fb_devices, &f->fb_os, event);
	} else if (!strcmp(ev, "BETA_FEEDBACK_CRASH_SUBMISSION_CREATED")) {
		f->crashes++;
		count_device(&f->cr_devices, &f->cr_os, event);
	}
	jv_free(name);
	jv_free(old_state);
	jv_free(new_state);
}

static void count_answer(struct figures *f, int answer, const char *outcome)
{
	f->answered++;
	if (answer < 200 || answer > 299) {
		f->non2xx++;
		f->non2xx_by = bump(f->non2xx_by, outcome);
	}
}

/* The group of the history's app name (borrowed), made when new. */
static struct group *group_of(struct digest *d, jv key)
{
	size_t i;
	for (i = 0; i < d->count; i++)
		if (jv_equal(jv_copy(d->groups[i].key), jv_copy(key)))
			return &d->groups[i];
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->groups = xrealloc(d->groups, d->cap * sizeof *d->groups);
	}
	d->groups[d->count] = (struct group){jv_copy(key), jv_null(), jv_null(), jv_null(), {0}};
	figures_init(&d->groups[d->count].f);
	return &d->groups[d->count++];
}

static void keep_string(jv *slot, jv value)
{
	if (jv_get_kind(value) == JV_KIND_STRING) {
		jv_free(*slot);
		*slot = value;
	} else {
		jv_free(value);
	}
}

static jv iso_time(long long t)
{
	time_t s = (time_t)t;
	struct tm tm;
	char text[64];
	gmtime_r(&s, &tm);
	strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return jv_string(text);
}

void digest_add(struct digest *d, jv line, long long at)
{
	jv key = json_get_string(line, "app"), outcome = json_get_string(line, "outcome");
	jv answer = json_get(line, "answer"), event = json_get(line, "event"), id, when;
	struct group *g = group_of(d, key);
	const char *word = jv_get_kind(outcome) == JV_KIND_STRING ? jv_string_value(outcome) : "unknown";

	count_answer(&g->f, (int)jv_number_value(answer), word);
	count_answer(&d->all, (int)jv_number_value(answer), word);
	if (jv_get_kind(event) == JV_KIND_OBJECT) {
		keep_string(&g->id, json_get_path(event, "app", "id", NULL));
		keep_string(&g->name, json_get_path(event, "app", "name", NULL));
		keep_string(&g->url, json_get_path(event, "app", "url", NULL));
		id = json_get_string(event, "id");
		/* Counted once, however often Apple delivered it. An event without an id cannot
		 * be matched with its redeliveries: each counts. */
		if (jv_get_kind(id) != JV_KIND_STRING ||
		    !jv_object_has(jv_copy(d->seen), jv_copy(id))) {
			if (jv_get_kind(id) == JV_KIND_STRING)
				d->seen = jv_object_set(d->seen, jv_copy(id), jv_true());
			when = iso_time(at);
			count_event(&g->f, event, jv_string_value(when));
			count_event(&d->all, event, jv_string_value(when));
			jv_free(when);
		}
		jv_free(id);
	}
	jv_free(key);
	jv_free(outcome);
	jv_free(answer);
	jv_free(event);
	jv_free(line);
}

/* ---- the events ---- */

/* The review helper's words for a duration ("5 h 12 min"), so a report and a notification
 * never say one wait two ways. */
static jv duration_text(double seconds)
{
	char text[64];
	review_text(llround(seconds), text, sizeof text);
	return jv_string(text);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of an array of numbers (borrowed), or null for none. */
static jv median(jv numbers)
{
	int i, n = jv_array_length(jv_copy(numbers));
	double *v, m;
	if (n == 0)
		return jv_null();
	v = xmalloc((size_t)n * sizeof *v);
	for (i = 0; i < n; i++) {
		jv x = jv_array_get(jv_copy(numbers), i);
		v[i] = jv_number_value(x);
		jv_free(x);
	}
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	m = n % 2 ? v[n / 2] : floor((v[n / 2 - 1] + v[n / 2]) / 2);
	free(v);
	return jv_number(m);
}

/* {count, waited, inReview, total (medians, seconds), ...Text}. */
static jv review_time(jv parts[3])
{
	int i, count = 0;
	jv out = jv_object();
	for (i = 0; i < 3; i++)
		if (jv_array_length(jv_copy(parts[i])) > count)
			count = jv_array_length(jv_copy(parts[i]));
	out = jv_object_set(out, jv_string("count"), jv_number(count));
	for (i = 0; i < 3; i++)
		out = jv_object_set(out, jv_string(part_names[i]), median(parts[i]));
	for (i = 0; i < 3; i++) {
		jv m = median(parts[i]);
		out = jv_object_set(out, jv_string_fmt("%sText", part_names[i]),
				    jv_get_kind(m) == JV_KIND_NUMBER ? duration_text(jv_number_value(m)) : jv_null());
		jv_free(m);
	}
	return out;
}

struct entry {
	jv name;
	double count;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(jv_string_value(x->name), jv_string_value(y->name));
}

/* A tally (borrowed) as [{key: name, "count": n}], most first, at most max (0: all). */
static jv top(jv tally, const char *key, int max)
{
	jv keys = jv_keys(jv_copy(tally)), out = jv_array();
	int i, n = jv_array_length(jv_copy(keys));
	struct entry *e = xmalloc(((size_t)n + 1) * sizeof *e);

	for (i = 0; i < n; i++) {
		jv count;
		e[i].name = jv_array_get(jv_copy(keys), i);
		count = jv_object_get(jv_copy(tally), jv_copy(e[i].name));
		e[i].count = jv_number_value(count);
		jv_free(count);
	}
	qsort(e, (size_t)n, sizeof *e, cmp_entry);
	for (i = 0; i < n; i++) {
		if (max == 0 || i < max)
			out = jv_array_append(out, jv_object_set(jv_object_set(jv_object(), jv_string(key),
										jv_copy(e[i].name)),
							   jv_string("count"), jv_number(e[i].count)));
		jv_free(e[i].name);
	}
	free(e);
	jv_free(keys);
	return out;
}

static jv figures_json(const struct figures *f)
{
	jv r = jv_object(), beta_states = top(f->beta_states, "state", 0), states = jv_array();
	int i, n = jv_array_length(jv_copy(beta_states));

	/* Each beta state with its label, for the message and for a team's own template. */
	for (i = 0; i < n; i++) {
		jv item = jv_array_get(jv_copy(beta_states), i), state = json_get(item, "state");
		jv label = jv_object_get(jv_copy(f->beta_labels), state);
		states = jv_array_append(states, jv_object_set(item, jv_string("status"), label));
	}
	jv_free(beta_states);
	r = jv_object_set(r, jv_string("deliveries"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("answered"), jv_number(f->answered)),
						      jv_string("non2xx"), jv_number(f->non2xx)),
					jv_string("non2xxByOutcome"), top(f->non2xx_by, "outcome", 0)));
	r = jv_object_set(r, jv_string("versions"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object_set(jv_object_set(jv_object(),
							jv_string("submitted"), jv_number(f->submitted)),
							jv_string("approved"), jv_number(f->approved)),
							jv_string("rejected"), jv_number(f->rejected)),
							jv_string("reviewTime"), review_time((jv *)f->review_parts)),
					jv_string("reviews"), jv_copy(f->reviews)));
	r = jv_object_set(r, jv_string("builds"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object_set(jv_object(),
							jv_string("processed"), jv_number(f->processed)),
							jv_string("failed"), jv_number(f->failed)),
							jv_string("errors"), top(f->error_codes, "code", 0)),
					jv_string("failedWithoutCode"), jv_number(f->failed_uncoded)));
	r = jv_object_set(r, jv_string("beta"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("states"), states),
						      jv_string("reviewTime"), review_time((jv *)f->beta_parts)),
					jv_string("reviews"), jv_copy(f->beta_reviews)));
	r = jv_object_set(r, jv_string("feedback"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("count"), jv_number(f->feedback)),
						      jv_string("devices"), top(f->fb_devices, "device", TOP_MAX)),
					jv_string("osVersions"), top(f->fb_os, "osVersion", TOP_MAX)));
	r = jv_object_set(r, jv_string("crashes"),
			  jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("count"), jv_number(f->crashes)),
						      jv_string("devices"), top(f->cr_devices, "device", TOP_MAX)),
					jv_string("osVersions"), top(f->cr_os, "osVersion", TOP_MAX)));
	return r;
}

/* A name from outside, fit for one line of a short message: control characters (a line
 * break in a device name) become spaces, and past NAME_MAX_CHARS characters it is cut.
 * The text is valid UTF-8 (histread.c checked each line), so characters are found by
 * their lead bytes. */
static void append_name(struct buf *out, const char *s)
{
	int chars = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c & 0xC0) != 0x80 && ++chars > NAME_MAX_CHARS) {
			buf_append(out, "…", strlen("…"));
			return;
		}
		buf_append(out, c < 0x20 || c == 0x7F ? " " : s, 1);
	}
}

/* ", NAME ×N" for the first entries of a top list (borrowed). */
static void append_top(struct buf *out, jv list, const char *key, int max, const char *sep)
{
	int i, n = jv_array_length(jv_copy(list));
	for (i = 0; i < n && i < max; i++) {
		jv item = jv_array_get(jv_copy(list), i), name = json_get(item, key), count = json_get(item, "count");
		buf_append(out, i ? ", " : sep, strlen(i ? ", " : sep));
		append_name(out, jv_string_value(name));
		if (jv_number_value(count) > 1)
			buf_appendf(out, " ×%.0f", jv_number_value(count));
		jv_free(item);
		jv_free(name);
		jv_free(count);
	}
}

/* The few lines a phone shows: one per kind of thing that happened, none for what did
 * not; the figures are all in "report". */
static jv message(const struct figures *f, jv figures, jv apps)
{
	struct buf out = BUF_INIT;
	jv text;

	if (jv_get_kind(apps) == JV_KIND_ARRAY && jv_array_length(jv_copy(apps)) > 0) {
		int i, n = jv_array_length(jv_copy(apps));
		buf_appendf(&out, "%d apps: ", n);
		for (i = 0; i < n; i++) {
			jv app = jv_array_get(jv_copy(apps), i), name = json_get_string(app, "name");
			if (i)
				buf_append(&out, ", ", 2);
			append_name(&out, jv_get_kind(name) == JV_KIND_STRING ? jv_string_value(name) : "unnamed");
			jv_free(name);
			jv_free(app);
		}
		buf_append(&out, "\n", 1);
	}
	if (f->submitted || f->approved || f->rejected) {
		jv total = json_get_path(figures, "versions", "reviewTime", "totalText", NULL);
		jv count = json_get_path(figures, "versions", "reviewTime", "count", NULL);
		buf_appendf(&out, "App Store: %ld submitted, %ld approved, %ld rejected", f->submitted, f->approved,
			f->rejected);
		if (jv_get_kind(total) == JV_KIND_STRING)
			buf_appendf(&out, " · %s %s", jv_number_value(count) > 1 ? "median review" : "review",
				jv_string_value(total));
		buf_append(&out, "\n", 1);
		jv_free(total);
		jv_free(count);
	}
	if (f->processed || f->failed) {
		jv errors = json_get_path(figures, "builds", "errors", NULL);
		buf_appendf(&out, "Builds: %ld processed, %ld failed", f->processed, f->failed);
		if (jv_array_length(jv_copy(errors))) {
			append_top(&out, errors, "code", 3, " (");
			buf_append(&out, ")", 1);
		}
		buf_append(&out, "\n", 1);
		jv_free(errors);
	}
	if (jv_object_length(jv_copy(f->beta_states))) {
		jv states = json_get_path(figures, "beta", "states", NULL);
		int i, n = jv_array_length(jv_copy(states));
		buf_append(&out, "TestFlight:", strlen("TestFlight:"));
		for (i = 0; i < n && i < 3; i++) {
			jv item = jv_array_get(jv_copy(states), i), label = json_get(item, "status"),
			   count = json_get(item, "count");
			buf_appendf(&out, "%s %.0f ", i ? "," : "", jv_number_value(count));
			append_name(&out, jv_string_value(label));
			jv_free(item);
			jv_free(label);
			jv_free(count);
		}
		if (n > 3)
			buf_appendf(&out, ", %d more states", n - 3);
		buf_append(&out, "\n", 1);
		jv_free(states);
	}
	if (f->feedback || f->crashes) {
		jv devices = json_get_path(figures, "feedback", "devices", NULL);
		jv os = json_get_path(figures, "feedback", "osVersions", NULL);
		jv crash_devices = json_get_path(figures, "crashes", "devices", NULL);
		buf_appendf(&out, "Feedback: %ld", f->feedback);
		if (jv_array_length(jv_copy(devices)) || jv_array_length(jv_copy(os))) {
			append_top(&out, devices, "device", 1, " (");
			append_top(&out, os, "osVersion", 1, jv_array_length(jv_copy(devices)) ? ", " : " (");
			buf_append(&out, ")", 1);
		}
		buf_appendf(&out, " · crashes: %ld", f->crashes);
		if (jv_array_length(jv_copy(crash_devices))) {
			append_top(&out, crash_devices, "device", 1, " (");
			buf_append(&out, ")", 1);
		}
		buf_append(&out, "\n", 1);
		jv_free(devices);
		jv_free(os);
		jv_free(crash_devices);
	}
	if (f->non2xx) {
		jv by = json_get_path(figures, "deliveries", "non2xxByOutcome", NULL);
		buf_appendf(&out, "Answered non-2xx: %ld of %ld requests", f->non2xx, f->answered);
		append_top(&out, by, "outcome", 3, " (");
		buf_append(&out, ")\n", 2);
		jv_free(by);
	}
	if (!f->answered)
		buf_appendf(&out, "No deliveries in this period.\n");
	else if (!f->non2xx)
		buf_appendf(&out, "Requests: %ld, all answered 2xx\n", f->answered);
	/* No final line break: the template puts its own lines after the message. */
	text = jv_string_sized(out.data, (int)out.len - 1);
	buf_free(&out);
	return text;
}

static const char *severity(const struct figures *f)
{
	if (f->rejected || f->failed || f->non2xx)
		return "warning";
	if (f->approved || f->processed)
		return "success";
	return "info";
}

/* "Thu 26 Nov 15:00", as asc-parse's eventDate writes a moment. */
static void short_date(long long t, char *text, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	gmtime_r(&s, &tm);
	snprintf(text, size, "%s %d %s %02d:%02d", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_hour, tm.tm_min);
}

static jv make_event(const struct figures *f, jv key, jv app, jv apps, long long since, long long until)
{
	static const char *const order[] = {"versions", "builds", "beta", "feedback", "crashes", "deliveries"};
	jv figures = figures_json(f), event = jv_object(), report;
	size_t i;
	const char *kind = until - since == 86400 ? "Daily report" : until - since == 7 * 86400 ? "Weekly report" : "Report";
	char from[64], to[64];
	jv since_iso = iso_time(since), until_iso = iso_time(until);

	short_date(since, from, sizeof from);
	short_date(until, to, sizeof to);
	event = jv_object_set(event, jv_string("id"),
			      jv_get_kind(apps) == JV_KIND_ARRAY
				      ? jv_string_fmt("report:portfolio:%s/%s", jv_string_value(since_iso), jv_string_value(until_iso))
				      : jv_string_fmt("report:app:%s:%s/%s", jv_get_kind(key) == JV_KIND_STRING ? jv_string_value(key) : "",
						      jv_string_value(since_iso), jv_string_value(until_iso)));
	event = jv_object_set(event, jv_string("type"), jv_string("ascbellReport"));
	event = jv_object_set(event, jv_string("event"), jv_string("ASCBELL_REPORT"));
	event = jv_object_set(event, jv_string("category"), jv_string("report"));
	event = jv_object_set(event, jv_string("eventType"), jv_string(kind));
	event = jv_object_set(event, jv_string("timestamp"), jv_copy(until_iso));
	event = jv_object_set(event, jv_string("eventDate"), jv_string_fmt("%s – %s UTC", from, to));
	event = jv_object_set(event, jv_string("oldState"), jv_null());
	event = jv_object_set(event, jv_string("newState"), jv_null());
	event = jv_object_set(event, jv_string("oldStatus"), jv_null());
	event = jv_object_set(event, jv_string("status"), jv_string(kind));
	event = jv_object_set(event, jv_string("severity"), jv_string(severity(f)));
	event = jv_object_set(event, jv_string("message"), message(f, figures, apps));
	event = jv_object_set(event, jv_string("instance"),
			      jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_null()),
							  jv_string("id"), jv_null()),
					    jv_string("url"), jv_null()));
	event = jv_object_set(event, jv_string("app"), app);
	report = jv_object_set(jv_object(), jv_string("scope"), jv_string(jv_get_kind(apps) == JV_KIND_ARRAY ? "portfolio" : "app"));
	report = jv_object_set(report, jv_string("app"), key);
	report = jv_object_set(report, jv_string("since"), since_iso);
	report = jv_object_set(report, jv_string("until"), until_iso);
	if (jv_get_kind(apps) == JV_KIND_ARRAY)
		report = jv_object_set(report, jv_string("apps"), apps);
	else
		jv_free(apps);
	/* The figures after the window, in the order the message tells them. */
	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		report = jv_object_set(report, jv_string(order[i]),
				       jv_object_get(jv_copy(figures), jv_string(order[i])));
	jv_free(figures);
	event = jv_object_set(event, jv_string("report"), report);
	event = jv_object_set(event, jv_string("ping"), jv_false());
	return event;
}

static jv group_app(const struct group *g)
{
	jv app = jv_object_set(jv_object(), jv_string("id"), jv_copy(g->id));
	/* Unnamed by the API: the receiver's name for it. */
	app = jv_object_set(app, jv_string("name"),
			    jv_get_kind(g->name) == JV_KIND_STRING ? jv_copy(g->name) : jv_copy(g->key));
	return jv_object_set(app, jv_string("url"), jv_copy(g->url));
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int xs = jv_get_kind(x->key) == JV_KIND_STRING, ys = jv_get_kind(y->key) == JV_KIND_STRING;
	if (xs != ys)
		return xs ? -1 : 1;
	return xs ? strcmp(jv_string_value(x->key), jv_string_value(y->key)) : 0;
}

static int group_is(const struct group *g, const char *name)
{
	return (jv_get_kind(g->key) == JV_KIND_STRING && !strcmp(jv_string_value(g->key), name)) ||
	       (jv_get_kind(g->id) == JV_KIND_STRING && !strcmp(jv_string_value(g->id), name));
}

jv digest_events(struct digest *d, long long since, long long until, const char *only_app)
{
	jv out = jv_array(), apps = jv_array();
	size_t i;

	if (d->count > 1)
		qsort(d->groups, d->count, sizeof *d->groups, cmp_group);
	if (only_app) {
		for (i = 0; i < d->count; i++)
			if (group_is(&d->groups[i], only_app))
				break;
		if (i == d->count) {
			/* Nothing from it in the window: its report says so. */
			struct figures none;
			jv app = jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("id"), jv_null()),
							     jv_string("name"), jv_string(only_app)),
					       jv_string("url"), jv_null());
			figures_init(&none);
			out = jv_array_append(out, make_event(&none, jv_string(only_app), app, jv_null(), since, until));
			figures_free(&none);
		} else {
			out = jv_array_append(out, make_event(&d->groups[i].f, jv_copy(d->groups[i].key),
							      group_app(&d->groups[i]), jv_null(), since, until));
		}
		jv_free(apps);
		return out;
	}
	for (i = 0; i < d->count; i++) {
		out = jv_array_append(out, make_event(&d->groups[i].f, jv_copy(d->groups[i].key),
						      group_app(&d->groups[i]), jv_null(), since, until));
		apps = jv_array_append(apps, jv_object_set(group_app(&d->groups[i]), jv_string("key"),
							   jv_copy(d->groups[i].key)));
	}
	/* One app: its report is the whole story; a second, identical one would be noise. */
	if (d->count == 1) {
		jv_free(apps);
		return out;
	}
	out = jv_array_append(out, make_event(&d->all, jv_null(),
					      jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("id"), jv_null()),
									  jv_string("name"), jv_null()),
							    jv_string("url"), jv_null()),
					      apps, since, until));
	return out;
}
