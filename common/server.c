/* server: a pre-forked pool of workers behind a parent that alone accepts. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define BACKLOG 512
#define PEER_SIZE 64
/* After the parent answered, what the client still sends is read and dropped for a moment
 * (as asc-http's own drain does): closing with unread bytes would reset the connection
 * under the answer before the client has read it. */
#define LINGER_SECONDS 1.0
/* A worker that cannot be forked is tried again after this long, not in a busy loop. */
#define RESPAWN_DELAY 1.0
/* The agent's restarts: 1 s after its first death, doubling up to a minute; a run longer
 * than that minute starts the back-off over. */
#define AGENT_DELAY_MIN 1.0
#define AGENT_DELAY_MAX 60.0

enum { W_FREE, W_IDLE, W_BUSY, W_LEAVING };

struct worker {
	int state;
	pid_t pid;
	int sock;     /* the parent's end of the worker's socketpair, or -1 */
	int conn;     /* the connection it is serving (the parent's copy), or -1 */
	int answered; /* it said it wrote the answer */
	int retire;   /* leave after this connection: a reload came */
	double since, deadline;
	char peer[PEER_SIZE];
};

struct waiting {
	int fd;
	double since;
	char peer[PEER_SIZE];
};

struct lingering {
	int fd;
	double until;
};

/* The parent's state; a worker forked from it closes everything it names. */
static struct {
	const struct server *s;
	int listen_fd, signal_fd;
	struct worker *workers;
	size_t slots;
	struct waiting *queue; /* a ring of max_connections */
	size_t queue_head, queue_len;
	struct lingering *linger;
	size_t linger_len;
	sigset_t blocked, old_mask;
	int stopping;
	double respawn_at; /* 0: no fork failure pending */
	pid_t agent_pid;
	double agent_started, agent_at, agent_delay; /* agent_at: when to start it, 0: not due */
	int agent_reloading; /* it was stopped to start anew with a reloaded configuration */
} P = {.listen_fd = -1, .signal_fd = -1};

/* In a worker: its end of the socketpair (server_answered writes there). */
static int worker_sock = -1;

/* ---- messages ---- */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void describe_status(int status, char *out, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(out, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, size, "exit status %d", WEXITSTATUS(status));
}

/* ---- the listening socket ---- */

int server_socket_passed(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int listening = 0;
	socklen_t len = sizeof listening;

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() || strtol(fds, NULL, 10) < 1)
		return 0;
	return getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

/* "127.0.0.1:8080", "[::1]:8080": numeric addresses only, so a listener never depends on
 * name resolution at start. */
static int open_listener(const char *spec)
{
	char host[128];
	const char *port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai;
	size_t len;
	int fd, one = 1, rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			die(EX_USAGE, "--listen: not [ADDRESS]:PORT: %s", spec);
		len = (size_t)(close - spec - 1);
		spec++;
		port = close + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon)
			die(EX_USAGE, "--listen: not ADDRESS:PORT: %s", spec);
		len = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (len == 0 || len >= sizeof host || !*port)
		die(EX_USAGE, "--listen: not ADDRESS:PORT: %s", spec);
	memcpy(host, spec, len);
	host[len] = '\0';
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		die(EX_USAGE, "--listen: %s:%s: %s", host, port, gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die(EX_OSERR, "--listen: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0)
		die(EX_UNAVAILABLE, "--listen: cannot listen on %s:%s: %s", host, port, strerror(errno));
	freeaddrinfo(ai);
	return fd;
}

static int passed_listener(void)
{
	const char *fds = getenv("LISTEN_FDS");

	if (fds && strtol(fds, NULL, 10) > 1)
		msg_warn("systemd passed %s sockets: only the first (fd 3) is served", fds);
	/* Ours now: not for the programs the workers run. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	fcntl(3, F_SETFD, FD_CLOEXEC);
	fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK);
	return 3;
}

static void peer_name(const struct sockaddr_storage *ss, char *out, size_t size)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)size);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)size);
	else
		snprintf(out, size, "-");
}

/* ---- answers the parent gives itself ---- */

static void linger_or_close(int fd)
{
	if (P.linger_len < P.s->max_connections) {
		shutdown(fd, SHUT_WR);
		P.linger[P.linger_len].fd = fd;
		P.linger[P.linger_len].until = monotonic_seconds() + LINGER_SECONDS;
		P.linger_len++;
	} else {
		close(fd);
	}
}

/* A whole answer, written without waiting (it is small: the socket's buffer takes it),
 * with the same log line a worker writes. */
static void answer(int fd, const char *peer, double since, int code, const char *message,
		   const char *extra)
{
	char text[1024];
	size_t len = P.s->answer(text, sizeof text, code, message, extra);

	if (send(fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		msg_warn("could not answer %s: %s", peer, strerror(errno));
	if (!log_quiet)
		fprintf(stderr, "%s: %s - - %d 0 %.0fms\n", progname, peer, code,
			(monotonic_seconds() - since) * 1000);
	linger_or_close(fd);
}

static void drain_lingering(size_t i)
{
	char sink[16384];
	ssize_t n = recv(P.linger[i].fd, sink, sizeof sink, MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	close(P.linger[i].fd);
	P.linger[i] = P.linger[--P.linger_len];
}

/* ---- workers ---- */

static size_t count_state(int state, int with_retiring)
{
	size_t i, n = 0;

	for (i = 0; i < P.slots; i++)
		if (P.workers[i].state == state && (with_retiring || !P.workers[i].retire))
			n++;
	return n;
}

/* Everything of the parent's that a child must not keep: a copy of another client's
 * connection held here would keep that connection open after its answer. */
static void close_parent_fds(int keep)
{
	size_t i;

	if (P.listen_fd >= 0)
		close(P.listen_fd);
	if (P.signal_fd >= 0)
		close(P.signal_fd);
	for (i = 0; i < P.slots; i++) {
		if (P.workers[i].sock >= 0 && P.workers[i].sock != keep)
			close(P.workers[i].sock);
		if (P.workers[i].conn >= 0)
			close(P.workers[i].conn);
	}
	for (i = 0; i < P.queue_len; i++)
		close(P.queue[(P.queue_head + i) % P.s->max_connections].fd);
	for (i = 0; i < P.linger_len; i++)
		close(P.linger[i].fd);
}

/* One byte and room for one descriptor: what the parent and a worker pass each other. */
struct fd_message {
	char byte;
	struct iovec iov;
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
};

static struct msghdr fd_message_init(struct fd_message *m)
{
	memset(m, 0, sizeof *m);
	m->iov = (struct iovec){&m->byte, 1};
	return (struct msghdr){.msg_iov = &m->iov, .msg_iovlen = 1, .msg_control = m->control,
			       .msg_controllen = sizeof m->control};
}

/* The connection the parent sends with SCM_RIGHTS, or -1 when the parent closed our
 * socket (leave) or went away. */
static int receive_connection(int sock)
{
	struct fd_message m;
	struct msghdr msg = fd_message_init(&m);
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static void tell_parent(char what)
{
	ssize_t n;

	do
		n = send(worker_sock, &what, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
}

void server_answered(void)
{
	if (worker_sock >= 0)
		tell_parent('A');
}

/* A worker: connection after connection, each on fds 0 and 1, until the parent closes our
 * socket or max_requests are served. */
static _Noreturn void worker_main(int sock)
{
	const struct server *s = P.s;
	unsigned long served = 0;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* Its own process group: a Ctrl-C in the terminal reaches the parent alone, which
	 * lets this worker finish its request. */
	setpgid(0, 0);
	worker_sock = sock;
	for (;;) {
		int fd = receive_connection(sock);
		if (fd < 0)
			_exit(0);
		if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(EX_OSERR);
		close(fd);
		s->serve(s->ctx);
		fflush(stdout);
		/* What could not be written (the client went away) is dropped here: it must never
		 * reach the next connection, as the start of another client's answer. */
		__fpurge(stdout);
		clearerr(stdout);
		/* Our copies of the connection go; the parent closes its own once told. */
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		/* Handlers detached by --async are reaped here, not left as zombies. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (++served >= s->max_requests) {
			tell_parent('X');
			_exit(0);
		}
		tell_parent('D');
	}
}

static struct worker *free_slot(void)
{
	size_t i;

	for (i = 0; i < P.slots; i++)
		if (P.workers[i].state == W_FREE)
			return &P.workers[i];
	return NULL;
}

/* Forks workers until the pool is whole (retiring ones do not count). */
static void spawn_workers(void)
{
	size_t live = count_state(W_IDLE, 0) + count_state(W_BUSY, 0);
	struct worker *w;

	if (P.respawn_at && monotonic_seconds() < P.respawn_at)
		return;
	P.respawn_at = 0;
	/* Stopping, new workers are made only for connections still waiting. */
	while (live < (P.stopping ? (P.queue_len ? 1u : 0u) : P.s->workers) && (w = free_slot())) {
		int pair[2];
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
			msg_error("cannot make a worker: socketpair: %s", strerror(errno));
			P.respawn_at = monotonic_seconds() + RESPAWN_DELAY;
			return;
		}
		pid = fork();
		if (pid < 0) {
			msg_error("cannot make a worker: fork: %s", strerror(errno));
			close(pair[0]);
			close(pair[1]);
			P.respawn_at = monotonic_seconds() + RESPAWN_DELAY;
			return;
		}
		if (pid == 0) {
			close(pair[0]);
			close_parent_fds(-1);
			sigprocmask(SIG_SETMASK, &P.old_mask, NULL);
			worker_main(pair[1]);
		}
		close(pair[1]);
		memset(w, 0, sizeof *w);
		w->state = W_IDLE;
		w->pid = pid;
		w->sock = pair[0];
		w->conn = -1;
		live++;
	}
}

/* Tells a worker to leave: it sees its socket close once it is back for more. */
static void let_go(struct worker *w)
{
	if (w->sock >= 0)
		close(w->sock);
	w->sock = -1;
	w->state = W_LEAVING;
}

static void release_connection(struct worker *w)
{
	if (w->conn >= 0)
		close(w->conn);
	w->conn = -1;
}

static int send_connection(struct worker *w, int fd)
{
	struct fd_message m;
	struct msghdr msg = fd_message_init(&m);
	struct cmsghdr *c;

	m.byte = 'C';
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(w->sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Hands waiting connections to idle workers, oldest first. */
static void dispatch(void)
{
	size_t i;

	for (i = 0; i < P.slots && P.queue_len; i++) {
		struct worker *w = &P.workers[i];
		struct waiting *c = &P.queue[P.queue_head];

		if (w->state != W_IDLE || w->retire)
			continue;
		if (send_connection(w, c->fd) != 0) {
			/* It is going away (its SIGCHLD will tell); the connection waits on. */
			let_go(w);
			continue;
		}
		w->state = W_BUSY;
		w->conn = c->fd;
		w->answered = 0;
		w->since = c->since;
		w->deadline = monotonic_seconds() + P.s->deadline;
		memcpy(w->peer, c->peer, sizeof w->peer);
		P.queue_head = (P.queue_head + 1) % P.s->max_connections;
		P.queue_len--;
	}
}

static void accept_connections(void)
{
	int n;

	/* Bounded per wake-up, so signals and workers are heard under a flood. */
	for (n = 0; n < 64; n++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		char peer[PEER_SIZE];
		int fd = accept4(P.listen_fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		size_t open;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				msg_warn("accept: %s", strerror(errno));
			return;
		}
		peer_name(&ss, peer, sizeof peer);
		open = count_state(W_BUSY, 1) + P.queue_len;
		if (open >= P.s->max_connections) {
			answer(fd, peer, monotonic_seconds(), 503, "too many connections",
			       "Retry-After: 10\r\n");
			continue;
		}
		P.queue[(P.queue_head + P.queue_len) % P.s->max_connections] =
			(struct waiting){fd, monotonic_seconds(), ""};
		memcpy(P.queue[(P.queue_head + P.queue_len) % P.s->max_connections].peer, peer,
		       sizeof peer);
		P.queue_len++;
		dispatch();
	}
}

/* What a worker said: 'A' answered, 'D' done and ready, 'X' done and leaving (its
 * max_requests); nothing (end of file): it is going away. */
static void hear_worker(struct worker *w)
{
	char said[16];
	ssize_t n = recv(w->sock, said, sizeof said, MSG_DONTWAIT);
	ssize_t i;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		let_go(w);
		return;
	}
	for (i = 0; i < n; i++) {
		if (said[i] == 'A') {
			w->answered = 1;
		} else if (said[i] == 'D' || said[i] == 'X') {
			release_connection(w);
			if (said[i] == 'X' || w->retire || (P.stopping && !P.queue_len))
				let_go(w);
			else
				w->state = W_IDLE;
		}
	}
}

/* A worker ended. Its connection, if it held one, is answered here unless it had been:
 * 500, never a 2xx, and the delivery stays in the spool for replay. */
static void worker_ended(struct worker *w, int status)
{
	char how[64];

	describe_status(status, how, sizeof how);
	if (w->conn >= 0) {
		if (!w->answered) {
			msg_error("worker %ld %s while serving %s: answered 500", (long)w->pid, how, w->peer);
			answer(w->conn, w->peer, w->since, 500, "internal error", NULL);
			if (P.s->answered_for)
				P.s->answered_for(P.s->ctx, 500, "internal error");
		} else {
			close(w->conn);
		}
		w->conn = -1;
	} else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		msg_error("worker %ld %s", (long)w->pid, how);
	}
	if (w->sock >= 0)
		close(w->sock);
	memset(w, 0, sizeof *w);
	w->state = W_FREE;
	w->sock = w->conn = -1;
}

/* Busy workers past their deadline are killed and their clients answered 503. */
static void enforce_deadlines(double now)
{
	size_t i;

	for (i = 0; i < P.slots; i++) {
		struct worker *w = &P.workers[i];
		if (w->state != W_BUSY || now < w->deadline)
			continue;
		kill(w->pid, SIGKILL);
		msg_error("worker %ld held %s for more than %.0f s: killed", (long)w->pid, w->peer,
			  P.s->deadline);
		if (!w->answered) {
			answer(w->conn, w->peer, w->since, 503, "try again later", NULL);
			if (P.s->answered_for)
				P.s->answered_for(P.s->ctx, 503, "try again later");
		} else
			close(w->conn);
		w->conn = -1;
		let_go(w);
	}
}

/* ---- the agent ---- */

static int agent_wanted(void)
{
	return P.s->agent_wanted && P.s->agent_wanted(P.s->ctx);
}

static void start_agent(void)
{
	pid_t pid;

	P.agent_at = 0;
	pid = fork();
	if (pid < 0) {
		msg_error("cannot start the delivery agent: %s", strerror(errno));
		P.agent_at = monotonic_seconds() + P.agent_delay;
		return;
	}
	if (pid == 0) {
		close_parent_fds(-1);
		sigprocmask(SIG_SETMASK, &P.old_mask, NULL);
		/* It must not outlive us, however we end. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		P.s->agent_exec(P.s->ctx);
		_exit(127);
	}
	P.agent_pid = pid;
	P.agent_started = monotonic_seconds();
}

static void agent_ended(int status)
{
	char how[64];
	double ran = monotonic_seconds() - P.agent_started;

	P.agent_pid = 0;
	if (P.stopping)
		return;
	if (P.agent_reloading) {
		P.agent_reloading = 0;
		if (agent_wanted())
			P.agent_at = monotonic_seconds();
		return;
	}
	describe_status(status, how, sizeof how);
	if (ran > AGENT_DELAY_MAX)
		P.agent_delay = AGENT_DELAY_MIN;
	msg_error("the delivery agent ended (%s): restarted in %.0f s", how, P.agent_delay);
	P.agent_at = monotonic_seconds() + P.agent_delay;
	P.agent_delay = P.agent_delay * 2 > AGENT_DELAY_MAX ? AGENT_DELAY_MAX : P.agent_delay * 2;
}

/* ---- signals ---- */

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		size_t i;
		if (pid == P.agent_pid) {
			agent_ended(status);
			continue;
		}
		for (i = 0; i < P.slots; i++)
			if (P.workers[i].state != W_FREE && P.workers[i].pid == pid)
				worker_ended(&P.workers[i], status);
	}
}

static void reload(void)
{
	size_t i;

	if (P.s->reload(P.s->ctx) != 0)
		return;
	/* New workers are forked from the parent as it is now; the old ones finish what they
	 * hold. The listening socket stays open all along: nothing is refused. */
	for (i = 0; i < P.slots; i++) {
		struct worker *w = &P.workers[i];
		if (w->state == W_IDLE)
			let_go(w);
		else if (w->state == W_BUSY)
			w->retire = 1;
	}
	if (P.agent_pid) {
		kill(P.agent_pid, SIGTERM); /* restarted at once with the new configuration */
		P.agent_reloading = 1;
	} else if (agent_wanted()) {
		P.agent_at = monotonic_seconds();
	}
	note("reloaded: new workers serve from now on");
}

static void stop(void)
{
	size_t i;

	if (P.stopping)
		return;
	P.stopping = 1;
	/* Connections the kernel completed before the signal are ours to serve: closing a
	 * socket of our own would reset them. One systemd passed stays open in systemd, with
	 * what waits in it, for the next start. */
	if (P.s->listen)
		accept_connections();
	note("stopping: %zu busy, %zu waiting", count_state(W_BUSY, 1), P.queue_len);
	close(P.listen_fd);
	P.listen_fd = -1;
	for (i = 0; i < P.slots; i++)
		if (P.workers[i].state == W_IDLE && !P.queue_len)
			let_go(&P.workers[i]);
	if (P.agent_pid)
		kill(P.agent_pid, SIGTERM);
	P.agent_at = 0;
}

static void hear_signals(void)
{
	struct signalfd_siginfo si;

	while (read(P.signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD: reap(); break;
		case SIGHUP:
			if (!P.stopping)
				reload();
			break;
		default: stop(); break;
		}
	}
}

/* ---- the loop ---- */

static int poll_timeout(double now)
{
	double next = 0;
	size_t i;

#define EARLIER(t) (next == 0 || (t) < next ? (t) : next)
	for (i = 0; i < P.slots; i++)
		if (P.workers[i].state == W_BUSY)
			next = EARLIER(P.workers[i].deadline);
	for (i = 0; i < P.linger_len; i++)
		next = EARLIER(P.linger[i].until);
	if (P.respawn_at)
		next = EARLIER(P.respawn_at);
	if (P.agent_at)
		next = EARLIER(P.agent_at);
#undef EARLIER
	/* Nothing pending: sleep until something happens (an idle server costs nothing). */
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

static int finished(void)
{
	size_t i;

	if (!P.stopping || P.queue_len || P.agent_pid || P.linger_len)
		return 0;
	for (i = 0; i < P.slots; i++)
		if (P.workers[i].state != W_FREE)
			return 0;
	return 1;
}

int server_run(const struct server *s)
{
	size_t i, nfds, max_fds;
	struct pollfd *fds;
	struct worker **owner;

	P.s = s;
	P.listen_fd = s->listen ? open_listener(s->listen) : passed_listener();
	/* Room for the pool, for workers still finishing after reloads, and the rest waits. */
	P.slots = (size_t)s->workers * 4;
	P.workers = xmalloc(P.slots * sizeof *P.workers);
	for (i = 0; i < P.slots; i++)
		P.workers[i] = (struct worker){.state = W_FREE, .sock = -1, .conn = -1};
	P.queue = xmalloc(s->max_connections * sizeof *P.queue);
	P.linger = xmalloc(s->max_connections * sizeof *P.linger);
	max_fds = 2 + P.slots + s->max_connections;
	fds = xmalloc(max_fds * sizeof *fds);
	owner = xmalloc(max_fds * sizeof *owner);

	sigemptyset(&P.blocked);
	sigaddset(&P.blocked, SIGCHLD);
	sigaddset(&P.blocked, SIGHUP);
	sigaddset(&P.blocked, SIGTERM);
	sigaddset(&P.blocked, SIGINT);
	sigprocmask(SIG_BLOCK, &P.blocked, &P.old_mask);
	P.signal_fd = signalfd(-1, &P.blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	if (P.signal_fd < 0)
		die(EX_OSERR, "signalfd: %s", strerror(errno));

	P.agent_delay = AGENT_DELAY_MIN;
	if (agent_wanted())
		start_agent();
	spawn_workers();
	note("serving with %u workers (at most %u connections)", s->workers, s->max_connections);

	while (!finished()) {
		double now = monotonic_seconds();
		size_t first_worker, first_linger;

		nfds = 0;
		fds[nfds++] = (struct pollfd){P.signal_fd, POLLIN, 0};
		if (P.listen_fd >= 0)
			fds[nfds++] = (struct pollfd){P.listen_fd, POLLIN, 0};
		first_worker = nfds;
		for (i = 0; i < P.slots; i++)
			if (P.workers[i].sock >= 0) {
				owner[nfds] = &P.workers[i];
				fds[nfds++] = (struct pollfd){P.workers[i].sock, POLLIN, 0};
			}
		first_linger = nfds;
		for (i = 0; i < P.linger_len; i++)
			fds[nfds++] = (struct pollfd){P.linger[i].fd, POLLIN, 0};

		if (poll(fds, nfds, poll_timeout(now)) < 0 && errno != EINTR)
			die(EX_OSERR, "poll: %s", strerror(errno));

		for (i = first_worker; i < first_linger; i++)
			if (fds[i].revents && owner[i]->sock == fds[i].fd)
				hear_worker(owner[i]);
		/* Backwards: draining may move the last entry into this one's place. */
		for (i = nfds; i-- > first_linger;)
			if (fds[i].revents)
				drain_lingering(i - first_linger);
		if (fds[0].revents)
			hear_signals();
		now = monotonic_seconds();
		for (i = P.linger_len; i-- > 0;)
			if (now >= P.linger[i].until) {
				close(P.linger[i].fd);
				P.linger[i] = P.linger[--P.linger_len];
			}
		enforce_deadlines(now);
		if (P.listen_fd >= 0 && first_worker == 2 && fds[1].revents)
			accept_connections();
		spawn_workers();
		dispatch();
		if (P.agent_at && now >= P.agent_at && !P.stopping)
			start_agent();
		/* Stopping, with nothing left to wait for: idle workers leave. */
		if (P.stopping && !P.queue_len)
			for (i = 0; i < P.slots; i++)
				if (P.workers[i].state == W_IDLE)
					let_go(&P.workers[i]);
	}
	note("stopped");
	free(fds);
	free(owner);
	return 0;
}
