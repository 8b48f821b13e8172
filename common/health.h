/* health: whether a delivery would be accepted now, for GET /healthz. A receiver that
 * answers 503 to every delivery must not say 200 here: the probe does what a delivery
 * does (makes the spool's directories, writes a file in tmp/ and removes it) and opens
 * each configuration file the handler will read. */
#ifndef ASCBELL_HEALTH_H
#define ASCBELL_HEALTH_H

#include <stddef.h>

struct health_config {
	const char *spool;        /* asc-http --spool, or NULL */
	const char *outbox;       /* $ASCBELL_OUTBOX (queued mode), or NULL */
	const char *const *files; /* configuration files to open: NAME=PATH pairs, NULL-ended */
	const char *routes;       /* $ASCBELL_ROUTES, read as the receiver reads it, or NULL */
	const char *escalation;   /* $ECHOBELL_ESCALATION_URL_FILE (with routes, a route), or NULL */
};

/* 0 when healthy. Otherwise -1, with reason (for the client: names what, never a path)
 * and detail (for the log: with the path and the system's reason). */
int health_check(const struct health_config *config, char *reason, size_t reason_size, char *detail,
		 size_t detail_size);

#endif
