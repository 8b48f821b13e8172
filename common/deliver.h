/* deliver: one message to Echobell, with the retry policy: 408, 429, 5xx, connection errors
 * and timeouts are tried again after an exponential backoff with full jitter (or what
 * Retry-After asks, within limits), bounded by a number of retries and a total time; other
 * answers are final. */
#ifndef ASCBELL_DELIVER_H
#define ASCBELL_DELIVER_H

#include <signal.h>
#include <stddef.h>

#include "net.h"

struct retry_policy {
	int retries;           /* attempts after the first */
	double max_time;       /* seconds for all attempts and waits together */
	double base_delay;     /* seconds; the n-th wait is random in [0, base * 2^n] */
	double max_delay;      /* no single wait is longer (Retry-After included) */
};

enum delivery {
	DELIVERED,   /* 2xx */
	REJECTED,    /* 3xx or a 4xx other than 408 and 429: sending again will not help */
	UNAVAILABLE, /* still failing when the retries or the time ran out */
	BROKEN,      /* no answer and no point in trying again (TLS verification, bad URL) */
	INTERRUPTED  /* *stop was set while waiting */
};

struct delivery_report {
	int attempts;
	struct net_response last;
	double seconds;
};

/* Whether an HTTP status is worth another attempt. */
int status_is_transient(long status);

/* Sends body to url until it is delivered, final, or the policy gives up. *stop, when set
 * by a signal handler, ends the waits between attempts early. */
enum delivery deliver(struct net *net, const char *url, const char *body, size_t len,
		      const struct retry_policy *policy, volatile sig_atomic_t *stop,
		      struct delivery_report *report);

/* One line about the last answer for messages: "HTTP 400: {...}" or libcurl's reason, with
 * the URL's secret masked. */
void delivery_describe(const struct delivery_report *report, const char *url, char *out,
		       size_t size);

/* Sleeps up to seconds, returning early (1) when *stop becomes set. */
int sleep_unless_stopped(double seconds, volatile sig_atomic_t *stop);

#endif
