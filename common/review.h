/* review: how long App Review took, learnt from the history (ascbell(7), REVIEW TIMES).
 * A version event (APP_STORE_VERSION_APP_VERSION_STATE_UPDATED) or an external beta event
 * (BUILD_BETA_DETAIL_EXTERNAL_BUILD_STATE_UPDATED) that enters review, or leaves it with a
 * decision, gains
 *   "review": {"waited":S,"inReview":S,"total":S,"waitedText":..,"inReviewText":..,"totalText":..}
 * from the earlier states of the same instance.id in the history: waited = waiting for
 * review -> in review, inReview = in review -> the decision, total = submission -> the
 * decision; a part not known is null, and an event whose earlier states the history does
 * not hold gets no "review" at all. */
#ifndef ASCBELL_REVIEW_H
#define ASCBELL_REVIEW_H

#include <stddef.h>

#include <jv.h>

/* How many days of history are read back, newest first, at most. */
#define REVIEW_DAYS 30

/* The event (consumed) with "review" when it applies; unchanged otherwise. The present is
 * timevars_clock_ms() (after timevars_init). */
jv review_add(const char *history_dir, jv event);

/* "5 h 12 min", "19 h", "1 d 0 h 12 min", "40 s": whole minutes once there is one. */
void review_text(long long seconds, char *out, size_t size);

#endif
