/* pingprobe: the whole path proven (App Store Connect -> TLS -> receiver -> signature): ping
 * a webhook through the API and wait until App Store Connect records that ping's delivery
 * as SUCCEEDED or FAILED. For asc-webhooks check and rotate. */
#ifndef ASCBELL_PINGPROBE_H
#define ASCBELL_PINGPROBE_H

#include <jv.h>
#include <stddef.h>

#include "ascapi.h"

/* One webhook being checked. Apple's answer to a ping names no delivery, so the ping's
 * delivery is the one that was not in the window before the ping and whose event says
 * ping: true (include=event); anything else (a real event delivered meanwhile) is not it. */
struct ping_probe {
	const char *webhook, *app; /* borrowed; app may be NULL */
	char path[1024];
	jv before;   /* object: the ids of the deliveries seen before the ping */
	jv included; /* the events of the page being read */
	jv delivery; /* the ping's delivery once seen, else null */
	int listing; /* 0 before the ping, 1 after */
	int done;
	int status; /* when done: 0 SUCCEEDED; 69 FAILED or refused; 75 not seen to end in time */
	jv line;    /* when done: {webhook, app, result, delivery, httpStatus, errorMessage} */
};

void ping_probe_init(struct ping_probe *probe, const char *webhook, const char *app);
void ping_probe_free(struct ping_probe *probe);

/* Lists each webhook's deliveries of a window (10 minutes back, an hour ahead), pings it,
 * then looks at the deliveries again (right away, then after 1, 2, 4, 5, 5 ... seconds)
 * until every probe has ended or wait seconds have passed. Failures are said on stderr
 * (Apple's recorded status and error for FAILED). Returns the worst status. */
int ping_probes_run(struct ascapi *api, struct ping_probe *probes, size_t n, double wait);

#endif
