/* handler: running the program that handles a request, as a CGI server runs a script: the
 * body on its standard input, the request in its environment, in a process group of its
 * own so that a timeout stops everything it started. */
#ifndef ASCBELL_HANDLER_H
#define ASCBELL_HANDLER_H

#include <stddef.h>

/* The outcome channel: the handler may write one word ("queued", "duplicate"...) to this
 * descriptor, whose number it finds in $ASCBELL_OUTCOME_FD, to say what it did. */
#define HANDLER_OUTCOME_FD 3
#define HANDLER_OUTCOME_SIZE 16

/* The event channel, for the history (ascbell(7), HISTORY): when asked for, the handler
 * may write the event it handled, one JSON line, to this descriptor ($ASCBELL_EVENT_FD).
 * 6: scripts/asc-receiver keeps 4 and 5 for itself. */
#define HANDLER_EVENT_FD 6
/* More than any event asc-parse writes (its payloads are 1 MB at most): the rest is cut. */
#define HANDLER_EVENT_MAX (4 * 1024 * 1024)

struct handler_result {
	int status;    /* exit status, when it exited */
	int signal;    /* the signal that ended it, or 0 */
	int timed_out; /* killed after the timeout */
	/* The first line the handler wrote to the outcome channel when it is one word of
	 * lowercase letters, else "". */
	char outcome[HANDLER_OUTCOME_SIZE];
	/* With want_event: the first line written to the event channel (malloc'd, without its
	 * newline; the caller frees it), or NULL when there was none. */
	char *event;
};

/* Runs argv (searched in PATH) with body on standard input and its standard output sent to
 * our standard error (it is a log, not the answer), the outcome channel open on
 * HANDLER_OUTCOME_FD and, with want_event, the event channel on HANDLER_EVENT_FD. Returns
 * 0, or -1 with errno set when it could not be started. */
int handler_run(char *const argv[], const char *body, size_t len, double timeout, int want_event,
		struct handler_result *result);

#endif
