/* review: review times from the history (see review.h). */
#include "review.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "history.h"
#include "instant.h"
#include "timevars.h"
#include "util.h"

/* The two kinds of review, by their states. */
struct review_kind {
	const char *event;
	const char *waiting, *in_review;
	const char *const *decisions; /* when the old state is not given */
};

static const char *const version_decisions[] = {
	"ACCEPTED", "PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE", "READY_FOR_DISTRIBUTION",
	"REJECTED", "METADATA_REJECTED", NULL};
static const char *const beta_decisions[] = {"BETA_APPROVED", "BETA_REJECTED", NULL};

static const struct review_kind kinds[] = {
	{"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED", "WAITING_FOR_REVIEW", "IN_REVIEW", version_decisions},
	{"BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED", "WAITING_FOR_BETA_REVIEW", "IN_BETA_REVIEW",
	 beta_decisions},
};

void review_text(long long s, char *out, size_t size)
{
	long long d, h, m;

	if (s < 0)
		s = 0;
	d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	if (s < 60)
		snprintf(out, size, "%lld s", s);
	else if (d && m)
		snprintf(out, size, "%lld d %lld h %lld min", d, h, m);
	else if (d && h)
		snprintf(out, size, "%lld d %lld h", d, h);
	else if (d)
		snprintf(out, size, "%lld d", d);
	else if (h && m)
		snprintf(out, size, "%lld h %lld min", h, m);
	else if (h)
		snprintf(out, size, "%lld h", h);
	else
		snprintf(out, size, "%lld min", m);
}

static const char *string_at(jv object, const char *key, jv *keep)
{
	*keep = jv_object_get(jv_copy(object), jv_string(key));
	return jv_get_kind(*keep) == JV_KIND_STRING ? jv_string_value(*keep) : NULL;
}

static int is_one_of(const char *value, const char *const *list)
{
	for (; value && *list; list++)
		if (!strcmp(value, *list))
			return 1;
	return 0;
}

/* When a state was entered: Apple's timestamp (the moment of the change, whatever the
 * delivery's delay or a replay), else when it was answered ("at" of a history line). */
static int moment(jv event, jv line, time_t *out)
{
	jv keep;
	const char *text = string_at(event, "timestamp", &keep);
	int ok = text && instant_parse(text, out) == 0;

	jv_free(keep);
	if (ok || jv_get_kind(line) != JV_KIND_OBJECT)
		return ok ? 0 : -1;
	text = string_at(line, "at", &keep);
	ok = text && instant_parse(text, out) == 0;
	jv_free(keep);
	return ok ? 0 : -1;
}

struct search {
	const struct review_kind *kind;
	const char *id;
	time_t now;          /* the event's own moment: later lines are not its past */
	time_t in_review;    /* the latest entry into review before now, or -1 */
	time_t waiting[64];  /* the entries into waiting before now (the latest kept) */
	size_t waiting_count;
};

static int consider(jv line, void *ctx)
{
	struct search *s = ctx;
	jv event = jv_object_get(jv_copy(line), jv_string("event")), k1, k2, k3;
	jv instance = jv_get_kind(event) == JV_KIND_OBJECT ? jv_object_get(jv_copy(event), jv_string("instance"))
							    : jv_null();
	const char *name = jv_get_kind(event) == JV_KIND_OBJECT ? string_at(event, "event", &k1)
								: (k1 = jv_null(), NULL);
	const char *id = jv_get_kind(instance) == JV_KIND_OBJECT ? string_at(instance, "id", &k2)
								  : (k2 = jv_null(), NULL);
	const char *state = jv_get_kind(event) == JV_KIND_OBJECT ? string_at(event, "newState", &k3)
								 : (k3 = jv_null(), NULL);
	time_t when;

	if (name && id && state && !strcmp(name, s->kind->event) && !strcmp(id, s->id) &&
	    moment(event, line, &when) == 0 && when <= s->now) {
		if (!strcmp(state, s->kind->in_review) && when > s->in_review)
			s->in_review = when;
		else if (!strcmp(state, s->kind->waiting)) {
			if (s->waiting_count == sizeof s->waiting / sizeof *s->waiting) {
				memmove(s->waiting, s->waiting + 1, sizeof s->waiting - sizeof *s->waiting);
				s->waiting_count--;
			}
			s->waiting[s->waiting_count++] = when;
		}
	}
	jv_free(k1);
	jv_free(k2);
	jv_free(k3);
	jv_free(instance);
	jv_free(event);
	jv_free(line);
	return 0;
}

/* The latest entry into waiting no later than before, or -1. */
static time_t waited_from(const struct search *s, time_t before)
{
	time_t best = -1;
	size_t i;

	for (i = 0; i < s->waiting_count; i++)
		if (s->waiting[i] <= before && s->waiting[i] > best)
			best = s->waiting[i];
	return best;
}

static jv part(long long seconds, int known)
{
	return known ? jv_number((double)seconds) : jv_null();
}

static jv part_text(long long seconds, int known)
{
	char text[64];

	if (!known)
		return jv_null();
	review_text(seconds, text, sizeof text);
	return jv_string(text);
}

static int usable_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			msg_warn("cannot read the history %s: %s", dir, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		msg_warn("cannot read the history %s: not a directory", dir);
		return 0;
	}
	return 1;
}

/* {"waited":..,"inReview":..,"total":..} and their texts, in that order. */
static jv review_object(long long waited, int has_waited, long long in_review, int has_in_review,
			long long total, int has_total)
{
	jv review = jv_object();

	review = jv_object_set(review, jv_string("waited"), part(waited, has_waited));
	review = jv_object_set(review, jv_string("inReview"), part(in_review, has_in_review));
	review = jv_object_set(review, jv_string("total"), part(total, has_total));
	review = jv_object_set(review, jv_string("waitedText"), part_text(waited, has_waited));
	review = jv_object_set(review, jv_string("inReviewText"), part_text(in_review, has_in_review));
	return jv_object_set(review, jv_string("totalText"), part_text(total, has_total));
}

jv review_add(const char *dir, jv event)
{
	struct search s;
	jv k_name, k_new, k_old, k_id, instance;
	const char *name = string_at(event, "event", &k_name);
	const char *new_state = string_at(event, "newState", &k_new);
	const char *old_state = string_at(event, "oldState", &k_old);
	const char *id;
	int decision = 0, entering = 0, day;
	time_t today, waiting = -1;
	size_t i;

	memset(&s, 0, sizeof s);
	s.in_review = -1;
	instance = jv_object_get(jv_copy(event), jv_string("instance"));
	id = jv_get_kind(instance) == JV_KIND_OBJECT ? string_at(instance, "id", &k_id) : (k_id = jv_null(), NULL);
	for (i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(name, kinds[i].event))
			s.kind = &kinds[i];
	if (s.kind && new_state) {
		entering = !strcmp(new_state, s.kind->in_review);
		/* The decision is what review ended in: whatever follows it, or, when Apple did
		 * not say what came before, one of the states only a review leads to. */
		decision = !entering && (old_state ? !strcmp(old_state, s.kind->in_review)
						   : is_one_of(new_state, s.kind->decisions));
	}
	today = (time_t)(timevars_clock_ms() / 1000);
	if ((!entering && !decision) || !id || !dir || !*dir || moment(event, jv_null(), &s.now) != 0)
		s.now = today;
	s.id = id;
	/* No history yet is nothing to learn from; one that is not a directory is said once,
	 * not for each day. */
	if ((entering || decision) && id && dir && *dir && !usable_dir(dir))
		entering = decision = 0;
	/* Newest day first; a day holds a state entered that day or a little before (the
	 * delivery's delay), so the search stops at the first day that completes the story. */
	for (day = 0; (entering || decision) && id && dir && *dir && day < REVIEW_DAYS; day++) {
		char path[4200];
		history_path(path, sizeof path, dir, today - (time_t)day * 86400);
		/* The instance's id, as it is written inside a JSON string (ids are UUIDs:
		 * nothing to escape), picks the lines worth parsing. */
		if (history_scan(path, strpbrk(id, "\"\\") ? NULL : id, consider, &s) != 0 && errno != ENOENT)
			msg_warn("cannot read the history %s: %s", path, strerror(errno));
		if (entering && s.waiting_count)
			break;
		if (decision && s.in_review >= 0 && waited_from(&s, s.in_review) >= 0)
			break;
	}
	if (entering && (waiting = waited_from(&s, s.now)) >= 0) {
		event = jv_object_set(event, jv_string("review"),
				      review_object(s.now - waiting, 1, 0, 0, 0, 0));
	} else if (decision) {
		int has_in = s.in_review >= 0;
		time_t from = waited_from(&s, has_in ? s.in_review : s.now);
		int has_w = from >= 0;
		if (has_in || has_w)
			event = jv_object_set(event, jv_string("review"),
					      review_object(has_in && has_w ? s.in_review - from : 0, has_in && has_w,
							    has_in ? s.now - s.in_review : 0, has_in,
							    has_w ? s.now - from : 0, has_w));
	}
	jv_free(k_name);
	jv_free(k_new);
	jv_free(k_old);
	jv_free(k_id);
	jv_free(instance);
	return event;
}
