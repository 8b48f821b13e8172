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

struct handler_result {
	int status;    /* exit status, when it exited */
	int signal;    /* the signal that ended it, or 0 */
	int timed_out; /* killed after the timeout */
	/* The first line the handler wrote to the outcome channel when it is one word of
	 * lowercase letters, else "". */
	char outcome[HANDLER_OUTCOME_SIZE];
};

/* Runs argv (searched in PATH) with body on standard input and its standard output sent to
 * our standard error (it is a log, not the answer), and the outcome channel open on
 * HANDLER_OUTCOME_FD. Returns 0, or -1 with errno set when it could not be started. */
int handler_run(char *const argv[], const char *body, size_t len, double timeout,
		struct handler_result *result);

#endif
