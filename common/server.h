/* server: a long-running server around a one-exchange-per-process program (asc-http
 * --listen). A parent that alone accepts hands each connection to one of a fixed pool of
 * worker processes forked from it, so a worker starts with everything the parent loaded
 * (libraries, configuration) and serves connection after connection on its fds 0 and 1.
 *
 * The parent holds a copy of every connection it handed out until the worker says it is
 * done, so that whatever happens to the worker the client gets an answer: 500 when the
 * worker died before answering (never a 2xx), 503 when it overran its deadline and was
 * killed. Beyond max_connections open connections (busy and waiting), the parent answers
 * 503 itself. It sleeps in poll() with no timeout unless a deadline is pending: an idle
 * server uses no CPU. */
#ifndef ASCBELL_SERVER_H
#define ASCBELL_SERVER_H

#include <stddef.h>

struct server {
	const char *listen;            /* ADDR:PORT to bind, or NULL for the socket systemd passed */
	unsigned workers;              /* the pool's size */
	unsigned max_connections;      /* busy + waiting; more are answered 503 */
	unsigned long max_requests;    /* a worker leaves after this many, and is replaced */
	double deadline;               /* seconds a worker may hold one connection */

	void *ctx;
	/* In a worker: one exchange on fds 0 and 1 (the connection), answered and drained. */
	void (*serve)(void *ctx);
	/* In the parent, on SIGHUP: reads the configuration anew. 0: the workers are replaced
	 * by new ones forked from the parent with it. -1 (the callback has said why): the
	 * configuration in use stays, and so do the workers. */
	int (*reload)(void *ctx);
	/* Writes a whole HTTP answer with this status and message into out (the same bytes a
	 * worker would write); returns its length. */
	size_t (*answer)(char *out, size_t size, int code, const char *message, const char *extra);
	/* In the parent, once it has answered a connection a worker held (500: the worker
	 * died; 503: past its deadline), for the record the worker would have written (NULL:
	 * none). Not for the 503s of too many connections: a flood must not make the parent
	 * write a line each. */
	void (*answered_for)(void *ctx, int code, const char *message);
	/* Whether a delivery agent runs beside (asked at start and after each reload; NULL:
	 * never), restarted when it dies. */
	int (*agent_wanted)(void *ctx);
	/* In the agent's process, with the parent's signals undone: exec the agent; returning
	 * means it could not be run. */
	void (*agent_exec)(void *ctx);
};

#define SERVER_DEFAULT_WORKERS 4
#define SERVER_DEFAULT_MAX_CONNECTIONS 64
#define SERVER_DEFAULT_MAX_REQUESTS 10000

/* Whether systemd passed a listening socket (Accept=no): $LISTEN_PID is us, $LISTEN_FDS at
 * least 1, and fd 3 is a socket that listens. A connection passed by Accept=yes is not. */
int server_socket_passed(void);

/* Runs the server until SIGTERM or SIGINT, then drains it (see asc-http(1)). Returns the
 * exit status: 0 after a clean stop, EX_OSERR/EX_CONFIG when it could not start. */
int server_run(const struct server *s);

/* In a worker, once the answer is written and flushed: from now on the parent must not
 * answer for it, whatever happens to the worker. Elsewhere it does nothing. */
void server_answered(void);

#endif
