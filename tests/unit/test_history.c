/* The history's lines and the review times learnt from them (common/history.c, review.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "review.h"
#include "tap.h"
#include "timevars.h"

static int text_is(long long seconds, const char *want)
{
	char text[64];

	review_text(seconds, text, sizeof text);
	if (strcmp(text, want))
		printf("#   %lld: got \"%s\", want \"%s\"\n", seconds, text, want);
	return !strcmp(text, want);
}

static int count_lines(jv line, void *ctx)
{
	(*(int *)ctx)++;
	jv_free(line);
	return 0;
}

static jv version_event(const char *old_state, const char *new_state, const char *timestamp)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{\"event\":\"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED\",\"timestamp\":\"%s\","
		 "\"oldState\":\"%s\",\"newState\":\"%s\",\"instance\":{\"type\":\"appStoreVersions\","
		 "\"id\":\"v-1\"}}",
		 timestamp, old_state, new_state);
	return jv_parse(text);
}

static void record(const char *dir, const char *at, jv event)
{
	char why[512];
	long long ms;

	setenv("ASCBELL_NOW", at, 1);
	timevars_init();
	ms = timevars_clock_ms();
	if (history_append(dir, ms, 200, "delivered", NULL, event, why, sizeof why) != 0)
		printf("#   %s\n", why);
	jv_free(event);
}

static jv review_of(jv event)
{
	return jv_object_get(event, jv_string("review"));
}

int main(void)
{
	char dir[] = "/tmp/test_history.XXXXXX", path[4200], why[512];
	struct buf line = BUF_INIT;
	struct stat st;
	jv event, review;
	FILE *f;
	int n = 0;

	TAP_CHECK(text_is(0, "0 s") && text_is(59, "59 s") && text_is(60, "1 min") && text_is(3599, "59 min"),
		  "under an hour: seconds, then whole minutes");
	TAP_CHECK(text_is(68400, "19 h") && text_is(18720, "5 h 12 min") && text_is(3600 + 59, "1 h"),
		  "hours, and their minutes when there are any");
	TAP_CHECK(text_is(87120, "1 d 0 h 12 min") && text_is(86400, "1 d") && text_is(90000, "1 d 1 h") &&
			  text_is(-5, "0 s"),
		  "days keep the hours between them and the minutes; nothing negative");

	/* A hostile event stays one JSON line. */
	event = jv_parse("{\"message\":\"a\\\"b\\nc {{title}} \\u0000 \\u2028\"}");
	history_format(&line, 1764255600123LL, 401, "forged", "my-app", event);
	TAP_CHECK(!memchr(line.data, '\n', line.len) &&
			  !strcmp(line.data, "{\"at\":\"2025-11-27T15:00:00Z\",\"answer\":401,\"outcome\":\"forged\","
					     "\"app\":\"my-app\",\"event\":{\"message\":\"a\\\"b\\nc {{title}} "
					     "\\u0000 \u2028\"}}"),
		  "history_format: whole seconds, escaped strings, one line");
	jv_free(event);
	buf_clear(&line);
	history_format(&line, 0, 400, NULL, NULL, jv_null());
	TAP_CHECK(!strcmp(line.data, "{\"at\":\"1970-01-01T00:00:00Z\",\"answer\":400,\"outcome\":null,"
				     "\"app\":null,\"event\":null}"),
		  "history_format: null app, outcome and event");
	buf_free(&line);

	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 02770);
	record(dir, "2026-11-25T20:00:02Z", version_event("PREPARE_FOR_SUBMISSION", "WAITING_FOR_REVIEW",
							    "2026-11-25T20:00:00.5Z"));
	history_path(path, sizeof path, dir, 1795636800); /* 2026-11-25T20:00:00Z */
	TAP_CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0660,
		  "the day's file is made 0660 in a group-writable directory, whatever the umask");
	/* A torn line, another instance's, then the state entered. */
	history_path(path, sizeof path, dir, 1795705200); /* 2026-11-26T15:00:00Z */
	f = fopen(path, "w");
	fputs("{\"at\":\"2026-11-26T01:00:00Z\",\"event\":{\"instance\":{\"id\":\"v-1\"\n[1]\n\n", f);
	fclose(f);
	record(dir, "2026-11-26T15:00:01Z", version_event("WAITING_FOR_REVIEW", "IN_REVIEW", "2026-11-26T15:00:00Z"));
	n = 0;
	TAP_CHECK(history_scan(path, NULL, count_lines, &n) == 0 && n == 1,
		  "history_scan: the objects only, the torn line and the array skipped (warned)");
	n = 0;
	TAP_CHECK(history_scan(path, "no-such-id", count_lines, &n) == 0 && n == 0,
		  "history_scan with a needle parses no line without it");

	setenv("ASCBELL_NOW", "2026-11-26T20:12:03Z", 1);
	timevars_init();
	event = review_add(dir, version_event("IN_REVIEW", "READY_FOR_DISTRIBUTION", "2026-11-26T20:12:00Z"));
	review = review_of(event);
	TAP_CHECK(jv_equal(jv_copy(review),
			   jv_parse("{\"waited\":68400,\"inReview\":18720,\"total\":87120,\"waitedText\":\"19 h\","
				    "\"inReviewText\":\"5 h 12 min\",\"totalText\":\"1 d 0 h 12 min\"}")),
		  "a decision: waited, in review and total from two days of history");
	jv_free(review);

	event = review_add(dir, version_event("READY_FOR_DISTRIBUTION", "READY_FOR_SALE", "2026-11-26T20:30:00Z"));
	review = review_of(event);
	TAP_CHECK(jv_get_kind(review) != JV_KIND_OBJECT, "a state after the decision gets no review");
	jv_free(review);

	event = review_add(dir, version_event("IN_REVIEW", "REJECTED", "2026-11-26T15:00:00Z"));
	review = review_of(event);
	TAP_CHECK(jv_equal(jv_copy(review),
			   jv_parse("{\"waited\":68400,\"inReview\":0,\"total\":68400,\"waitedText\":\"19 h\","
				    "\"inReviewText\":\"0 s\",\"totalText\":\"19 h\"}")),
		  "later lines are not an event's past: only what came before it counts");
	jv_free(review);

	event = jv_parse("{\"event\":\"APP_STORE_VERSION_APP_VERSION_STATE_UPDATED\",\"oldState\":\"WAITING_FOR_REVIEW\","
			 "\"newState\":\"IN_REVIEW\",\"timestamp\":\"2026-11-26T15:00:00Z\",\"instance\":{\"id\":\"v-2\"}}");
	event = review_add(dir, event);
	review = review_of(event);
	TAP_CHECK(jv_get_kind(review) != JV_KIND_OBJECT, "another instance learns nothing");
	jv_free(review);

	event = review_add(NULL, version_event("WAITING_FOR_REVIEW", "IN_REVIEW", "2026-11-26T15:00:00Z"));
	review = review_of(event);
	TAP_CHECK(jv_get_kind(review) != JV_KIND_OBJECT, "no history, no review");
	jv_free(review);

	TAP_CHECK(history_append("/dev/null/history", 0, 200, "delivered", NULL, jv_null(), why, sizeof why) == -1 &&
			  strstr(why, "/dev/null"),
		  "a history that cannot be written says why");

	history_path(path, sizeof path, dir, 1795636800);
	unlink(path);
	history_path(path, sizeof path, dir, 1795705200);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
