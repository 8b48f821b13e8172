/* deliver: one message to Echobell, with the retry policy. */
#include "deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "echobell.h"
#include "util.h"

int status_is_transient(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

int sleep_unless_stopped(double seconds, volatile sig_atomic_t *stop)
{
	double end = monotonic_seconds() + seconds;

	/* Short naps, so a signal that arrives between checks is seen within 50 ms even where
	 * it does not interrupt nanosleep (SA_RESTART). */
	while (!(stop && *stop)) {
		double left = end - monotonic_seconds();
		struct timespec ts;
		if (left <= 0)
			return 0;
		if (left > 0.05)
			left = 0.05;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	return 1;
}

/* Full jitter (a random wait between 0 and the exponential bound) spreads the retries of
 * many senders after an outage, instead of bringing them back all at once. */
static double backoff(const struct retry_policy *p, int attempt, long retry_after)
{
	static int seeded;
	double bound = p->base_delay, wait;
	int i;

	if (!seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		srandom((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ getpid()));
		seeded = 1;
	}
	for (i = 0; i < attempt && bound < p->max_delay; i++)
		bound *= 2;
	if (bound > p->max_delay)
		bound = p->max_delay;
	wait = bound * ((double)random() / (double)RAND_MAX);
	if (retry_after >= 0)
		wait = (double)retry_after < p->max_delay ? (double)retry_after : p->max_delay;
	return wait;
}

enum delivery deliver(struct net *net, const char *url, const char *body, size_t len,
		      const struct retry_policy *policy, volatile sig_atomic_t *stop,
		      struct delivery_report *report)
{
	double start = monotonic_seconds(), deadline = start + policy->max_time;

	memset(report, 0, sizeof *report);
	for (;;) {
		enum net_result result = net_post_json(net, url, body, len, &report->last);
		double wait;

		report->attempts++;
		report->seconds = monotonic_seconds() - start;
		if (result == NET_FATAL)
			return BROKEN;
		if (result == NET_ANSWERED && report->last.status >= 200 && report->last.status < 300)
			return DELIVERED;
		if (result == NET_ANSWERED && !status_is_transient(report->last.status))
			return REJECTED;
		if (report->attempts > policy->retries)
			return UNAVAILABLE;
		wait = backoff(policy, report->attempts - 1, report->last.retry_after);
		if (monotonic_seconds() + wait >= deadline)
			return UNAVAILABLE;
		if (sleep_unless_stopped(wait, stop))
			return INTERRUPTED;
	}
}

void delivery_describe(const struct delivery_report *report, const char *url, char *out,
		       size_t size)
{
	/* Masked whole, then cut to size: cutting first could leave part of the token. */
	char text[NET_BODY_KEEP + sizeof report->last.error + 32];

	if (report->last.status) {
		/* Echobell's answer, on one line. */
		size_t i, start;
		snprintf(text, sizeof text, "HTTP %ld%s", report->last.status,
			 report->last.body[0] ? ": " : "");
		start = strlen(text);
		snprintf(text + start, sizeof text - start, "%s", report->last.body);
		for (i = start; text[i]; i++)
			if (text[i] == '\n' || text[i] == '\r' || text[i] == '\t')
				text[i] = ' ';
		if (report->last.body_cut)
			echobell_redact_cut(text, url);
		else
			echobell_redact(text, url);
	} else {
		/* libcurl's message, cut at its buffer's size when long. */
		snprintf(text, sizeof text, "%s", report->last.error);
		if (strlen(text) + 1 >= sizeof report->last.error)
			echobell_redact_cut(text, url);
		else
			echobell_redact(text, url);
	}
	snprintf(out, size, "%s", text);
}
