/* bench-load: the load client of scripts/bench-receiver. It sends one request, again and
 * again, to 127.0.0.1:PORT, CLIENTS at a time, each on a connection of its own as App Store
 * Connect does, for SECONDS, then waits for the answers still due.
 *
 *     bench-load PORT REQUEST CLIENTS SECONDS LATENCIES
 *
 * REQUEST is a file holding the whole HTTP request. It prints one line,
 *     COMPLETED ELAPSED CODE:COUNT...
 * (ELAPSED in seconds from the first connect to the last answer; CODE is the answer's
 * status, or "none" when the connection ended, or 30 seconds passed, without a whole
 * answer) and appends each request's latency in microseconds, connect to last byte of the
 * answer, to the file LATENCIES, one a line.
 *
 * Written in C because the rates measured reach tens of thousands a second, beyond what a
 * Python client can send on the same two cores (about 8,000 here): a client in Python would
 * measure itself. It is built by bench-receiver, not by `make`: nothing else needs it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CLIENTS = 256, ANSWER_MAX = 8192, TIMEOUT_US = 30 * 1000000L };

struct conn {
	int fd;                /* -1 when the slot is free */
	long long started;     /* microseconds */
	size_t sent;
	size_t got;
	char answer[ANSWER_MAX];
};

static char *request;
static size_t request_len;
static struct sockaddr_in target;
static int epoll_fd;
static FILE *latencies;
static long long completed, codes[600], none, last_answer;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void open_conn(struct conn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket");
	c->started = now_us();
	c->sent = c->got = 0;
	if (connect(c->fd, (struct sockaddr *)&target, sizeof target) < 0 && errno != EINPROGRESS)
		die("connect");
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
}

/* The answer's status once it is whole: its head and Content-Length bytes of body (or,
 * without a Content-Length, everything until the server closes: eof). 0: not yet; -1:
 * never (a connection that ended without a status line). */
static int answer_status(const struct conn *c, int eof)
{
	const char *end = memmem(c->answer, c->got, "\r\n\r\n", 4);
	if (!end)
		return eof || c->got == ANSWER_MAX ? -1 : 0;
	int status;
	if (sscanf(c->answer, "HTTP/%*d.%*d %3d", &status) != 1 || status < 100 || status > 599)
		return -1;
	size_t head = (size_t)(end - c->answer) + 4;
	for (const char *p = c->answer; p < end; p++) {
		if (strncasecmp(p, "\r\ncontent-length:", 17) == 0) {
			size_t body = strtoul(p + 17, NULL, 10);
			/* A body larger than the buffer is read and dropped: count it as whole. */
			if (c->got >= head + body || c->got == ANSWER_MAX || eof)
				return status;
			return 0;
		}
	}
	return eof || c->got == ANSWER_MAX ? status : 0;
}

static void finish(struct conn *c, int status)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	completed++;
	if (status > 0)
		codes[status]++;
	else
		none++;
	last_answer = now_us();
	fprintf(latencies, "%lld\n", last_answer - c->started);
}

static void step(struct conn *c, unsigned events)
{
	if (c->sent < request_len && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		ssize_t n = write(c->fd, request + c->sent, request_len - c->sent);
		if (n < 0 && errno != EAGAIN) {
			finish(c, -1);
			return;
		}
		if (n > 0)
			c->sent += (size_t)n;
		if (c->sent == request_len) {
			struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
			epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		return;
	for (;;) {
		char sink[ANSWER_MAX];
		char *into = c->got < ANSWER_MAX ? c->answer + c->got : sink;
		size_t room = c->got < ANSWER_MAX ? ANSWER_MAX - c->got : sizeof sink;
		ssize_t n = read(c->fd, into, room);
		if (n < 0 && errno == EAGAIN)
			break;
		int eof = n <= 0;
		if (n > 0 && into != sink)
			c->got += (size_t)n;
		int status = answer_status(c, eof);
		if (status != 0) {
			finish(c, status);
			return;
		}
		if (eof)
			break;
	}
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: bench-load PORT REQUEST CLIENTS SECONDS LATENCIES\n");
		return 64;
	}
	int clients = atoi(argv[3]);
	double seconds = atof(argv[4]);
	if (clients < 1 || clients > MAX_CLIENTS || seconds <= 0) {
		fprintf(stderr, "bench-load: CLIENTS 1 to %d, SECONDS above 0\n", MAX_CLIENTS);
		return 64;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f)
		die(argv[2]);
	static char buf[1 << 20];
	request_len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	request = buf;
	latencies = fopen(argv[5], "a");
	if (!latencies)
		die(argv[5]);
	target.sin_family = AF_INET;
	target.sin_port = htons((unsigned short)atoi(argv[1]));
	target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0)
		die("epoll_create1");

	static struct conn conns[MAX_CLIENTS];
	long long start = now_us(), deadline = start + (long long)(seconds * 1e6);
	last_answer = start;
	for (int i = 0; i < clients; i++)
		open_conn(&conns[i]);
	int open = clients;
	while (open > 0) {
		struct epoll_event events[MAX_CLIENTS];
		int n = epoll_wait(epoll_fd, events, MAX_CLIENTS, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++)
			step(events[i].data.ptr, events[i].events);
		long long t = now_us();
		for (int i = 0; i < clients; i++) {
			struct conn *c = &conns[i];
			if (c->fd >= 0 && t - c->started > TIMEOUT_US)
				finish(c, -1);
			if (c->fd < 0 && c->started != 0) {
				if (t < deadline)
					open_conn(c);
				else {
					c->started = 0; /* this client is done */
					open--;
				}
			}
		}
	}
	printf("%lld %.6f", completed, (last_answer - start) / 1e6);
	for (int s = 0; s < 600; s++)
		if (codes[s])
			printf(" %d:%lld", s, codes[s]);
	if (none)
		printf(" none:%lld", none);
	printf("\n");
	return fclose(latencies) == 0 && fflush(stdout) == 0 ? 0 : 1;
}
