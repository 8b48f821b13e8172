/* asc-http: one HTTP request per process, from standard input, answered on standard output
 * (inetd style: socat EXEC:, xinetd, systemd Accept=yes, tcpserver) or the CGI way. The
 * body is handed to COMMAND, and COMMAND's exit status chooses the answer. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgi.h"
#include "cidr.h"
#include "envfile.h"
#include "handler.h"
#include "health.h"
#include "history.h"
#include "http.h"
#include "logsink.h"
#include "receiver.h"
#include "reqenv.h"
#include "server.h"
#include "spool.h"
#include "timevars.h"
#include "util.h"

/* Read without a shell from $ASCBELL_ENV for each request, as asc-receiver reads it. */
#define DEFAULT_ENV_FILE "/etc/ascbell/env"
static const char *const config_names[] = {"ASCBELL_ALLOW", "ASCBELL_TRUST_PROXY", "ASCBELL_APPS_DIR",
					   "ASCBELL_OUTBOX", "ASC_WEBHOOK_SECRET_FILE", "ECHOBELL_URL_FILE",
					   "ASCBELL_HISTORY", "ASCBELL_ROUTES", "ECHOBELL_ESCALATION_URL_FILE", NULL};

struct options {
	const char *prefix;
	size_t max_body;
	double timeout;         /* for reading the request */
	double handler_timeout; /* for COMMAND */
	const char *spool;
	const char *apps_dir;
	const char *log_file;
	int async;
	int cgi;
	struct cidr_list allow;
	struct cidr_list trust_proxy;
	char **command; /* NULL: the built-in receiver (receiver.h) */
	/* Long-running mode (--listen, or a socket passed by systemd): server.h. */
	const char *listen;
	unsigned workers, max_connections;
	unsigned long max_requests;
	int agent;
	int server_options; /* any of the four above was given */
	/* From the env file and the environment. */
	struct envfile config;
	const char *outbox;
	const char *history; /* $ASCBELL_HISTORY: a line per answer there (history.h) */
	const char *config_files[8]; /* NAME, PATH pairs for the health check, NULL-ended */
	const char *routes, *escalation; /* $ASCBELL_ROUTES and its escalation route, for it too */
	char config_error[512];      /* why the configuration cannot be used, or "" */
};

/* What happened to one request, for the answer and the log line. */
struct exchange {
	const struct options *opt;
	double start;
	time_t arrived; /* for $ASCBELL_RECEIVED */
	char peer[64], peer_port[16];
	struct http_request req;
	struct buf raw;          /* the request's bytes as read, for the spool */
	char path[1024];         /* without the query */
	const char *query;
	char spool_name[SPOOL_NAME_SIZE];
	int spooled;
	int verified; /* the built-in receiver checked the signature already */
	int unverifiable; /* its check could not be made (no secret...): that exit status */
	char outcome[HANDLER_OUTCOME_SIZE]; /* the handler's word for what it did */
	jv event;                           /* what it handled, for the history, or null */
	int recorded;                       /* its history line is written (or needs none) */
	char health[160];                   /* why GET /healthz is 503 */
};

static void split_target(struct exchange *x);
static const char *after_prefix(const struct exchange *x);
static size_t app_segment(const char *rest, char *name, size_t size);

/* Set when early_log has dealt with --log, so getopt does not open it twice. */
static int log_handled;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--path PREFIX] [--max-body N] [--timeout S] [--handler-timeout S]\n"
		"                [--spool DIR] [--async] [--cgi] [--allow CIDR]... [--trust-proxy CIDR]...\n"
		"                [--apps-dir DIR] [--log FILE] [--listen ADDR:PORT [--workers N]\n"
		"                [--max-connections N] [--max-requests N] [--agent]] [-- COMMAND [ARG...]]\n"
		"\n"
		"Reads one HTTP request on standard input and answers on standard output; a POST to\n"
		"PREFIX runs COMMAND with the body on its input and the request in CGI variables,\n"
		"or without COMMAND, the built-in receiver (what scripts/asc-receiver does, in-process).\n"
		"With --listen (or a listening socket from systemd) it is a long-running server.\n"
		"\n"
		"      --path PREFIX         where deliveries are posted (default /)\n"
		"      --max-body N          largest body, K/M/G suffixes (default 1M); more is 413\n"
		"      --timeout S           seconds to read the request (default 10); more is 408\n"
		"      --handler-timeout S   seconds COMMAND may take (default 8); more is 503\n"
		"      --spool DIR           keep each request in DIR/new before COMMAND runs\n"
		"      --async               answer 202 once spooled, then run COMMAND (needs --spool)\n"
		"      --cgi                 the request comes from a CGI server; answer with Status:\n"
		"      --allow CIDR          only these peers (repeatable; also $ASCBELL_ALLOW)\n"
		"      --trust-proxy CIDR    take the client from X-Forwarded-For behind this proxy\n"
		"      --apps-dir DIR        the first path segment names DIR/NAME.env, or 404\n"
		"      --log FILE            log lines here (appended), not on standard error\n"
		"      --listen ADDR:PORT    serve connections on this address (127.0.0.1:8080, [::1]:8080)\n"
		"      --workers N           worker processes in long-running mode (default 4)\n"
		"      --max-connections N   connections served and waiting; more are 503 (default 64)\n"
		"      --max-requests N      a worker is replaced after N requests (default 10000)\n"
		"      --agent               also run the delivery agent on $ASCBELL_OUTBOX\n"
		"  -q, --quiet               no log line\n"
		"  -h, --help                this text\n"
		"  -V, --version             the version\n",
		progname);
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_PATH = 256, OPT_MAX_BODY, OPT_TIMEOUT, OPT_HANDLER_TIMEOUT, OPT_SPOOL, OPT_ASYNC,
	       OPT_CGI, OPT_ALLOW, OPT_TRUST_PROXY, OPT_APPS_DIR, OPT_LOG, OPT_LISTEN, OPT_WORKERS,
	       OPT_MAX_CONNECTIONS, OPT_MAX_REQUESTS, OPT_AGENT };
	static const struct option longopts[] = {
		{"path", required_argument, NULL, OPT_PATH},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"handler-timeout", required_argument, NULL, OPT_HANDLER_TIMEOUT},
		{"spool", required_argument, NULL, OPT_SPOOL},
		{"async", no_argument, NULL, OPT_ASYNC},
		{"cgi", no_argument, NULL, OPT_CGI},
		{"allow", required_argument, NULL, OPT_ALLOW},
		{"trust-proxy", required_argument, NULL, OPT_TRUST_PROXY},
		{"apps-dir", required_argument, NULL, OPT_APPS_DIR},
		{"log", required_argument, NULL, OPT_LOG},
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
		{"max-requests", required_argument, NULL, OPT_MAX_REQUESTS},
		{"agent", no_argument, NULL, OPT_AGENT},
		STANDARD_LONGOPTS,
	};
	struct options opt = {.prefix = "/", .max_body = HTTP_DEFAULT_MAX_BODY, .timeout = 10,
			      .handler_timeout = 8, .workers = SERVER_DEFAULT_WORKERS,
			      .max_connections = SERVER_DEFAULT_MAX_CONNECTIONS,
			      .max_requests = SERVER_DEFAULT_MAX_REQUESTS};
	char *end;
	int c;

	/* "+": options end at the first non-option, COMMAND's own options are its own. */
	while ((c = getopt_long(argc, argv, "+qhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PATH:
			if (optarg[0] != '/')
				die(EX_USAGE, "--path: must start with /: %s", optarg);
			opt.prefix = optarg;
			break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		case OPT_TIMEOUT:
		case OPT_HANDLER_TIMEOUT: {
			double v = strtod(optarg, &end);
			if (end == optarg || *end || !(v > 0) || v > 86400)
				die(EX_USAGE, "--%s: not a number of seconds: %s",
				    c == OPT_TIMEOUT ? "timeout" : "handler-timeout", optarg);
			*(c == OPT_TIMEOUT ? &opt.timeout : &opt.handler_timeout) = v;
			break;
		}
		case OPT_SPOOL: opt.spool = optarg; break;
		case OPT_ASYNC: opt.async = 1; break;
		case OPT_CGI: opt.cgi = 1; break;
		case OPT_ALLOW:
		case OPT_TRUST_PROXY:
			if (cidr_add(c == OPT_ALLOW ? &opt.allow : &opt.trust_proxy, optarg) != 0)
				die(EX_USAGE, "--%s: not an address or CIDR range: %s",
				    c == OPT_ALLOW ? "allow" : "trust-proxy", optarg);
			break;
		case OPT_APPS_DIR: opt.apps_dir = optarg; break;
		case OPT_LOG:
			/* Usually opened already (see early_log); an abbreviation lands here. */
			if (!log_handled && logsink_to_file(optarg) != 0)
				die(EX_CANTCREAT, "--log: cannot open %s: %s", optarg, strerror(errno));
			opt.log_file = optarg;
			break;
		case OPT_LISTEN: opt.listen = optarg; break;
		case OPT_WORKERS:
		case OPT_MAX_CONNECTIONS:
		case OPT_MAX_REQUESTS: {
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-' || v < 1 ||
			    v > (c == OPT_MAX_REQUESTS ? 1000000000UL : c == OPT_WORKERS ? 256UL : 65536UL))
				die(EX_USAGE, "--%s: not a sensible count: %s",
				    c == OPT_WORKERS ? "workers" : c == OPT_MAX_REQUESTS ? "max-requests" : "max-connections",
				    optarg);
			opt.server_options = 1;
			if (c == OPT_WORKERS)
				opt.workers = (unsigned)v;
			else if (c == OPT_MAX_CONNECTIONS)
				opt.max_connections = (unsigned)v;
			else
				opt.max_requests = v;
			break;
		}
		case OPT_AGENT: opt.agent = opt.server_options = 1; break;
		/* No log line, but what the handler and the built-in receiver warn of is still
		 * said: asc-parse run by asc-receiver warns whatever -q asc-http was given. */
		case 'q': log_quiet = 1; break;
		default: standard_option(c, usage);
		}
	}
	if (opt.async && !opt.spool)
		die(EX_USAGE, "--async needs --spool: a request answered 202 must be on disk");
	opt.command = optind < argc ? argv + optind : NULL;
	return opt;
}

/* The env file's value, else the environment's. A name the file sets, even to "", is
 * the file's: it is read for each request, the environment only when the launcher
 * started. "" means unset. */
static const char *config_value(const struct options *opt, const char *name)
{
	const char *value = envfile_get(&opt->config, name);
	if (!value)
		value = getenv(name);
	return value && *value ? value : NULL;
}

/* What the command line left open comes from $ASCBELL_ENV, then the environment. A file
 * or a value that cannot be read is not skipped: it is recorded, and every request is
 * answered 500 (healthz 503) until it is fixed, rather than served without the allow-list
 * the file asks for. */
static void configure(struct options *opt)
{
	const char *file = getenv("ASCBELL_ENV"), *value;
	size_t files = 0;

	const char *wanted[sizeof config_names / sizeof *config_names + 32];
	size_t n = 0, i;

	/* The built-in receiver reads its own settings from the same file. */
	for (i = 0; config_names[i]; i++)
		wanted[n++] = config_names[i];
	for (i = 0; !opt->command && receiver_config_names[i] && n + 1 < sizeof wanted / sizeof *wanted; i++)
		wanted[n++] = receiver_config_names[i];
	wanted[n] = NULL;
	if (!file)
		file = DEFAULT_ENV_FILE;
	if (*file && envfile_read(file, wanted, &opt->config, opt->config_error,
				 sizeof opt->config_error) != 0)
		return;
	if (!opt->command)
		receiver_apply_config(&opt->config);
	if (!opt->allow.count && (value = config_value(opt, "ASCBELL_ALLOW")) &&
	    cidr_add_list(&opt->allow, value) != 0) {
		snprintf(opt->config_error, sizeof opt->config_error,
			 "ASCBELL_ALLOW: not a list of addresses or CIDR ranges: %s", value);
		return;
	}
	if (!opt->trust_proxy.count && (value = config_value(opt, "ASCBELL_TRUST_PROXY")) &&
	    cidr_add_list(&opt->trust_proxy, value) != 0) {
		snprintf(opt->config_error, sizeof opt->config_error,
			 "ASCBELL_TRUST_PROXY: not a list of addresses or CIDR ranges: %s", value);
		return;
	}
	if (!opt->apps_dir)
		opt->apps_dir = config_value(opt, "ASCBELL_APPS_DIR");
	opt->outbox = config_value(opt, "ASCBELL_OUTBOX");
	opt->history = config_value(opt, "ASCBELL_HISTORY");
	if ((value = config_value(opt, "ASC_WEBHOOK_SECRET_FILE"))) {
		opt->config_files[files++] = "secret file";
		opt->config_files[files++] = value;
	}
	if ((value = config_value(opt, "ECHOBELL_URL_FILE"))) {
		opt->config_files[files++] = "Echobell URL file";
		opt->config_files[files++] = value;
	}
	opt->routes = config_value(opt, "ASCBELL_ROUTES");
	opt->escalation = config_value(opt, "ECHOBELL_ESCALATION_URL_FILE");
	if (opt->escalation && !opt->routes) {
		opt->config_files[files++] = "escalation URL file";
		opt->config_files[files++] = opt->escalation;
	}
}

/* --log is opened before anything can be logged (a bad option is logged too), so it is
 * looked for before getopt runs; the exact spellings suffice here. Without it, when fd 2
 * is the connection, the log goes to syslog. */
static void early_log(int argc, char **argv)
{
	const char *file = NULL;
	int i, error = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strncmp(argv[i], "--log=", 6) == 0)
			file = argv[i] + 6;
	}

	if (file) {
		log_handled = 1;
		if (logsink_to_file(file) == 0)
			return;
		error = errno;
		if (!logsink_stderr_is_connection())
			die(EX_CANTCREAT, "--log: cannot open %s: %s", file, strerror(error));
	}
	if (logsink_stderr_is_connection() && logsink_to_syslog("asc-http") != 0) {
		/* Nothing may reach the client but the answer: no log rather than a broken one. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0 && dup2(null, STDERR_FILENO) >= 0 && null != STDERR_FILENO)
			close(null);
	}
	if (file)
		msg_error("--log: cannot open %s: %s", file, strerror(error));
}

/* Under inetd any of 0-2 may come closed; a file opened later would then take its place and
 * receive what was meant for it. */
static void ensure_standard_fds(void)
{
	int fd;
	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
}

static void find_peer(struct exchange *x)
{
	static const char *const sources[][2] = {
		{"SOCAT_PEERADDR", "SOCAT_PEERPORT"},
		{"TCPREMOTEIP", "TCPREMOTEPORT"},
		{"REMOTE_ADDR", "REMOTE_PORT"},
	};
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *addr = getenv(sources[i][0]), *port = getenv(sources[i][1]);
		/* REMOTE_ADDR is the CGI server's word, meaningful only in --cgi mode. */
		if (i == 2 && !x->opt->cgi)
			break;
		if (addr && *addr) {
			snprintf(x->peer, sizeof x->peer, "%s", addr);
			snprintf(x->peer_port, sizeof x->peer_port, "%s", port ? port : "");
			return;
		}
	}
	if (getpeername(STDIN_FILENO, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &in->sin_addr, x->peer, sizeof x->peer);
			snprintf(x->peer_port, sizeof x->peer_port, "%u", ntohs(in->sin_port));
			return;
		}
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &in6->sin6_addr, x->peer, sizeof x->peer);
			snprintf(x->peer_port, sizeof x->peer_port, "%u", ntohs(in6->sin6_port));
			return;
		}
	}
	snprintf(x->peer, sizeof x->peer, "-");
}

static const char *reason_phrase(int code)
{
	switch (code) {
	case 100: return "Continue";
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void log_line(struct exchange *x, int code)
{
	char path[sizeof x->path];
	size_t i;

	if (log_quiet)
		return;
	if (!x->path[0] && x->req.url.len)
		split_target(x);
	/* A log line is one line, whatever the client sent. */
	snprintf(path, sizeof path, "%s", x->path[0] ? x->path : "-");
	for (i = 0; path[i]; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f || path[i] == ' ')
			path[i] = '?';
	fprintf(stderr, "%s: %s %s %s %d %zu %.0fms%s%s\n", progname, x->peer,
		x->req.method ? x->req.method : "-", path, code, x->req.body.len,
		(monotonic_seconds() - x->start) * 1000, x->spooled ? " " : "", x->spooled ? x->spool_name : "");
}

/* message as the inside of a JSON string (the health reason holds system words). */
static void json_escape(const char *text, char *out, size_t size)
{
	size_t used = 0;

	for (; *text && used + 7 < size; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '"' || c == '\\') {
			out[used++] = '\\';
			out[used++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			used += (size_t)snprintf(out + used, size - used, "\\u%04x", c);
		} else {
			out[used++] = (char)c;
		}
	}
	out[used] = '\0';
}

/* The answer: a small JSON body saying what happened, whole in out; its length. The
 * long-running mode's parent answers with it too (server.h). */
static size_t format_answer(char *out, size_t size, int cgi, int code, const char *message,
			    const char *extra)
{
	char body[512], escaped[400];
	int n;

	json_escape(message, escaped, sizeof escaped);
	snprintf(body, sizeof body, "{\"status\":%d,\"message\":\"%s\"}\n", code, escaped);
	if (cgi)
		n = snprintf(out, size, "Status: %d %s\r\nContent-Type: application/json\r\n%s\r\n%s",
			     code, reason_phrase(code), extra ? extra : "", body);
	else
		n = snprintf(out, size,
			     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			     "Connection: close\r\n%s\r\n%s",
			     code, reason_phrase(code), strlen(body), extra ? extra : "", body);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t network_answer(char *out, size_t size, int code, const char *message, const char *extra)
{
	return format_answer(out, size, 0, code, message, extra);
}

/* The answer's one word for the history: the message of a 2xx, a word for the others. */
static const char *outcome_word(const struct exchange *x, int code, const char *message)
{
	switch (code) {
	case 200: return message;
	case 202: return "accepted";
	case 400: return "malformed";
	case 401: return "forged";
	case 403: return "refused";
	case 404: return "unknown";
	case 405: return "method";
	case 408: return "timeout";
	case 411: return "unframed";
	case 413:
	case 431: return "toolarge";
	case 501: return "unsupported";
	case 502: return "rejected";
	case 503: return "unavailable";
	default: return x->opt->config_error[0] ? "misconfigured" : "error";
	}
}

/* Now, for the history: $ASCBELL_NOW when it is a time, else the clock. */
static long long history_clock_ms(void)
{
	static int clock_ready;

	if (!clock_ready) {
		clock_ready = 1;
		if (timevars_init() != 0)
			msg_warn("ASCBELL_NOW: not a time like 2026-03-02T14:05:19Z; the history uses the real time");
	}
	return timevars_clock_ms();
}

/* The app the request's path names, for the history; "" when none. */
static void history_app(struct exchange *x, char app[256])
{
	const char *rest;

	if (!x->path[0] && x->req.url.len)
		split_target(x);
	rest = after_prefix(x);
	if (!rest || !app_segment(rest, app, 256))
		app[0] = '\0';
}

/* The history's line for this answer, before the answer goes out: a client that has its
 * answer finds the line. The history is a record, not the delivery: a line that cannot
 * be written is a warning, and the answer stays what the delivery earned. */
static void record(struct exchange *x, int code, const char *message)
{
	char why[4400], app[256];

	if (x->recorded || !x->opt->history)
		return;
	/* A connection that sent nothing before it closed or timed out (a port probe, a
	 * load balancer's check) is not a request: nothing to record. */
	if (!x->opt->cgi && x->raw.len == 0 && (code == 400 || code == 408))
		return;
	x->recorded = 1;
	history_app(x, app);
	if (history_append(x->opt->history, history_clock_ms(), code, outcome_word(x, code, message), app,
			   x->event, why, sizeof why) != 0)
		msg_warn("history not written (the delivery is not affected): %s", why);
}

static void respond(struct exchange *x, int code, const char *message, const char *extra)
{
	char text[1024];
	size_t len = format_answer(text, sizeof text, x->opt->cgi, code, message, extra);

	record(x, code, message);
	fwrite(text, 1, len, stdout);
	fflush(stdout);
	server_answered(); /* in a worker of --listen: the parent must not answer for us now */
	log_line(x, code);
}

/* After an early answer (413, 403, 408...) the client may still be sending: reading and
 * dropping what comes, for a moment, keeps the connection from being reset under the
 * answer before the client has read it. Nothing of it is kept or looked at. */
static void drain_input(void)
{
	char sink[65536];
	double until = monotonic_seconds() + 1;
	size_t dropped = 0;

	while (dropped < 8 * 1024 * 1024) {
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		double left = until - monotonic_seconds();
		ssize_t n;
		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return;
		n = read(STDIN_FILENO, sink, sizeof sink);
		if (n <= 0)
			return;
		dropped += (size_t)n;
	}
}

/* ---- reading ---- */

static int status_of_state(enum http_state state)
{
	switch (state) {
	case HTTP_ERR_HEADERS_TOO_LARGE:
	case HTTP_ERR_TOO_MANY_HEADERS: return 431;
	case HTTP_ERR_BODY_TOO_LARGE: return 413;
	case HTTP_ERR_NOT_IMPLEMENTED: return 501;
	case HTTP_ERR_TRUNCATED:
	case HTTP_ERR_MALFORMED: return 400;
	default: return 0;
	}
}

/* The client, behind a trusted proxy: the address that proxy added last to X-Forwarded-For. */
static void client_behind_proxy(struct exchange *x)
{
	const char *forwarded = http_request_header(&x->req, "x-forwarded-for");
	const char *last;
	size_t len;

	if (!forwarded || !x->opt->trust_proxy.count || !cidr_contains(&x->opt->trust_proxy, x->peer))
		return;
	last = strrchr(forwarded, ',');
	last = last ? last + 1 : forwarded;
	while (*last == ' ')
		last++;
	len = strcspn(last, " ");
	if (len && len < sizeof x->peer) {
		memcpy(x->peer, last, len);
		x->peer[len] = '\0';
	}
}

static void split_target(struct exchange *x)
{
	const char *url = x->req.url.data ? x->req.url.data : "";
	size_t len = strcspn(url, "?");

	if (len >= sizeof x->path)
		len = sizeof x->path - 1;
	memcpy(x->path, url, len);
	x->path[len] = '\0';
	x->query = url[len] == '?' ? url + len + 1 : "";
}

/* Reads the request from the network with a deadline. Returns 0 when whole, or the status
 * to answer. The headers are checked as soon as they are in, before any body is read. */
static int read_network_request(struct exchange *x, int (*check_headers)(struct exchange *))
{
	double deadline = x->start + x->opt->timeout;
	char chunk[16384];

	for (;;) {
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		double left = deadline - monotonic_seconds();
		size_t offset = 0;
		ssize_t n;

		if (left <= 0)
			return 408;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) == 0)
			return 408;
		n = read(STDIN_FILENO, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			enum http_state state = http_request_eof(&x->req);
			return state == HTTP_DONE ? 0 : status_of_state(state);
		}
		/* The raw request is kept whole for the spool, or not at all: a chunked body whose
		 * framing outweighs the body itself (one-byte chunks) is refused as too large,
		 * rather than spooled cut short. */
		if (x->raw.len + (size_t)n > x->opt->max_body * 2 + HTTP_DEFAULT_MAX_HEADER_BYTES)
			return 413;
		buf_append(&x->raw, chunk, (size_t)n);
		while (offset < (size_t)n) {
			size_t used;
			enum http_state state = http_request_feed(&x->req, chunk + offset,
								  (size_t)n - offset, &used);
			offset += used;
			if (state == HTTP_HEADERS_DONE) {
				int code = check_headers(x);
				if (code)
					return code;
			} else if (state == HTTP_DONE) {
				/* Bytes past the end of the request are not kept. */
				x->raw.len -= (size_t)n - offset;
				return 0;
			} else if (state != HTTP_NEED_MORE) {
				return status_of_state(state);
			}
		}
	}
}

/* ---- routing ---- */

/* The path after the prefix, or NULL when the request is not for us. */
static const char *after_prefix(const struct exchange *x)
{
	size_t len = strlen(x->opt->prefix);

	while (len > 1 && x->opt->prefix[len - 1] == '/')
		len--;
	if (len == 1)
		return x->path;
	if (strncmp(x->path, x->opt->prefix, len) != 0)
		return NULL;
	if (x->path[len] != '\0' && x->path[len] != '/')
		return NULL;
	return x->path + len;
}

/* The app named by the path: the first segment after the prefix, which starts right after
 * its one slash ("/NAME" or "/NAME/..."; "//NAME" names none). This is the only parser of
 * it: the handler gets the result in $ASCBELL_APP and never reads PATH_INFO for it, so
 * asc-http's 404 and the handler's choice cannot disagree. Returns the name's length (0:
 * none), copied into name. */
static size_t app_segment(const char *rest, char *name, size_t size)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t len;

	if (rest[0] != '/')
		return 0;
	rest++;
	len = strcspn(rest, "/");
	/* Checked before any file is looked at: no "..", no other directory, no escapes. */
	if (len == 0 || len >= size || strspn(rest, allowed) < len)
		return 0;
	memcpy(name, rest, len);
	name[len] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	return len;
}

/* With --apps-dir, the first segment names an app that must have DIR/NAME.env. */
static int app_exists(const struct exchange *x, const char *rest)
{
	char name[256], file[4096];
	struct stat st;

	if (!x->opt->apps_dir)
		return 1;
	if (!app_segment(rest, name, sizeof name))
		return 0;
	snprintf(file, sizeof file, "%s/%s.env", x->opt->apps_dir, name);
	return stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

/* The answer to GET /healthz, told apart from a delivery's 200 and 503. */
#define HEALTHZ 1200

/* Everything that can be decided from the headers alone. */
static int check_headers(struct exchange *x)
{
	const char *expect, *rest;

	/* Without its configuration nothing is served, healthz excepted (it says why). */
	if (x->opt->config_error[0]) {
		split_target(x);
		return strcmp(x->path, "/healthz") == 0 ? HEALTHZ : 500;
	}
	client_behind_proxy(x);
	if (x->opt->allow.count && !cidr_contains(&x->opt->allow, x->peer))
		return 403;
	split_target(x);
	if (strcmp(x->path, "/healthz") == 0)
		return strcmp(x->req.method, "GET") == 0 || strcmp(x->req.method, "HEAD") == 0 ? HEALTHZ
															: 405;
	rest = after_prefix(x);
	if (!rest || !app_exists(x, rest))
		return 404;
	if (strcmp(x->req.method, "POST") != 0)
		return 405;
	if (!x->req.chunked && !x->req.has_length)
		return 411;
	expect = http_request_header(&x->req, "expect");
	if (expect && strcasecmp(expect, "100-continue") == 0 && !x->opt->cgi) {
		fputs("HTTP/1.1 100 Continue\r\n\r\n", stdout);
		fflush(stdout);
	}
	return 0;
}

/* ---- handling ---- */

/* The exit-status table of DESIGN.md, as HTTP. */
static int status_of_exit(const struct handler_result *r)
{
	if (r->timed_out)
		return 503;
	if (r->signal)
		return 500;
	switch (r->status) {
	case 0: return 200;
	case 65: return 400;
	case 69: return 502;
	case 75: return 503;
	case 77: return 401;
	default: return 500;
	}
}

/* What the handler may say it did, for a 2xx answer (DESIGN.md, asc-http). */
static const char *const outcomes[] = {"delivered", "queued", "held", "kept", "duplicate",
					       "filtered", NULL};

static const char *message_of(const struct exchange *x, int code)
{
	size_t i;

	if (code == 200 && x->outcome[0])
		for (i = 0; outcomes[i]; i++)
			if (strcmp(x->outcome, outcomes[i]) == 0)
				return outcomes[i];
	if (code == 500 && x->opt->config_error[0])
		return "configuration error (see the log)";
	switch (code) {
	case 200: return "delivered";
	case 202: return "accepted";
	case 400: return "not an App Store Connect delivery";
	case 401: return "signature missing or wrong";
	case 403: return "not allowed from this address";
	case 404: return "no such path";
	case 405: return "method not allowed";
	case 408: return "request took too long";
	case 411: return "Content-Length required";
	case 413: return "body too large";
	case 431: return "headers too large";
	case 501: return "transfer coding not implemented";
	case 502: return "Echobell refused";
	case 503: return "try again later";
	default: return "internal error";
	}
}

/* Whether the spooled request is only a record. A COMMAND's 2xx, or --async's 202, may
 * rest on the spool alone: it is synced before anything runs. The built-in receiver
 * answers 2xx only once the notification is delivered, or synced into the outbox or
 * unsent/, so its copy of the request needs no fsync of its own (two journal commits
 * per delivery saved); it is synced when it stays in new/ for asc-replay. */
static int spool_is_record(const struct options *opt)
{
	return !opt->command && !opt->async;
}

/* Success moves the request to cur/, a forged or malformed one is deleted, anything else
 * stays in new/ for asc-replay. */
static void settle_spool(struct exchange *x, int code)
{
	const char *dir = x->opt->spool;
	int record = spool_is_record(x->opt);

	if (!x->spooled)
		return;
	if (code >= 200 && code < 300) {
		if (record)
			spool_rename(dir, "new", x->spool_name, "cur", x->spool_name);
		else
			spool_move(dir, "new", x->spool_name, "cur", x->spool_name);
	} else if (code == 400 || code == 401) {
		if (record)
			spool_unlink(dir, "new", x->spool_name);
		else
			spool_remove(dir, "new", x->spool_name);
	} else if (record && spool_sync(dir, "new", x->spool_name) != 0) {
		msg_warn("cannot sync %s/new/%s: %s", dir, x->spool_name, strerror(errno));
	}
}

/* ---- the built-in receiver ---- */

static struct receiver *builtin;
static struct exchange *builtin_exchange; /* the request a die() inside it is about */
static char deadline_answer[512];         /* written as it is when the deadline passes */
static size_t deadline_answer_len;
static struct history_pending deadline_history; /* its history line, made ready */

/* A fatal error inside the receiver (a template file that does not compile, say) ends
 * the process as it ended asc-receiver's: the request is answered by its exit status. */
static void answer_dying(int status)
{
	struct exchange *x = builtin_exchange;
	struct handler_result result = {.status = status};
	int code = status_of_exit(&result);

	builtin_exchange = NULL;
	if (!x)
		return;
	if (builtin) {
		jv_free(x->event);
		x->event = receiver_event(builtin);
	}
	settle_spool(x, code);
	if (!x->opt->async)
		respond(x, code, message_of(x, code), NULL);
}

/* The handler deadline: the answer is the one a handler stopped by asc-http's timeout
 * gets (503; the delivery stays in new/ for asc-replay; an event's claim goes with us). */
static void on_deadline(int sig)
{
	(void)sig;
	/* Before the answer, as every history line: a client that has its answer finds it. A
	 * line that cannot be written changes nothing here (no warning is safe to make). */
	history_write_pending(&deadline_history);
	if (deadline_answer_len && write(STDOUT_FILENO, deadline_answer, deadline_answer_len) < 0) {
		/* The client is gone: nothing else to tell it. */
	}
	/* In a worker of --listen: answered; the parent forks a new worker (send(2) is
	 * async-signal-safe). */
	server_answered();
	_exit(0);
}

static void arm_deadline(struct exchange *x)
{
	static const char body[] = "{\"status\":503,\"message\":\"try again later\"}\n";
	int n = 0;

	if (!x->opt->async)
		n = x->opt->cgi ? snprintf(deadline_answer, sizeof deadline_answer,
					   "Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n\r\n%s", body)
				: snprintf(deadline_answer, sizeof deadline_answer,
					   "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
					   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
					   sizeof body - 1, body);
	deadline_answer_len = n > 0 ? (size_t)n : 0;
	deadline_history.len = 0;
	if (x->opt->history && !x->opt->async && !x->recorded) {
		/* At the moment the handling began: the event is not known, the line is. A
		 * history that cannot be written is said once, by record() at the answer. */
		char why[4400], app[256];
		history_app(x, app);
		history_prepare(&deadline_history, x->opt->history, history_clock_ms(), 503,
				outcome_word(x, 503, NULL), app, why, sizeof why);
	}
	signal(SIGALRM, on_deadline);
	alarm((unsigned)(x->opt->handler_timeout + 0.999));
}

/* The request as the built-in receiver sees it; app: room for the path's app. */
static struct receiver_request builtin_request(struct exchange *x, char app[256])
{
	struct receiver_request req = {&x->req, NULL, x->opt->apps_dir, x->arrived, x->verified,
				       x->opt->history};
	const char *rest = after_prefix(x);

	if (rest && app_segment(rest, app, 256))
		req.app = app;
	builtin_exchange = x;
	die_hook = answer_dying;
	if (!builtin)
		builtin = receiver_open();
	return req;
}

/* A forged request to the built-in receiver is refused before it is spooled: it would be
 * deleted unread, and costs no disk this way. Returns 401, or 0 to go on (signed, or
 * nothing to check it with: the receiver says so after the spool, as before). */
static int refuse_forged(struct exchange *x)
{
	char app[256];
	struct receiver_request req = builtin_request(x, app);
	int status = receiver_verify(builtin, &req);

	builtin_exchange = NULL;
	x->verified = status == 0;
	/* Kept, spooled, for a replay once the configuration is fixed; said once in the log. */
	x->unverifiable = status != 0 && status != EX_NOPERM ? status : 0;
	return status == EX_NOPERM ? 401 : 0;
}

static int run_builtin(struct exchange *x)
{
	char app[256];
	struct receiver_request req = builtin_request(x, app);
	struct handler_result result = {0};

	if (x->unverifiable) {
		builtin_exchange = NULL;
		result.status = x->unverifiable;
		return status_of_exit(&result);
	}
	arm_deadline(x);
	result.status = receiver_handle(builtin, &req, x->outcome);
	alarm(0);
	jv_free(x->event);
	x->event = receiver_event(builtin);
	builtin_exchange = NULL;
	return status_of_exit(&result);
}

static int run_command(struct exchange *x)
{
	struct handler_result result;
	const char *rest = after_prefix(x);
	char spool_file[4096], app[256];

	if (!x->opt->command)
		return run_builtin(x);
	cgi_set_environment(&x->req, rest ? rest : "", x->query, x->peer, x->peer_port);
	if (rest && app_segment(rest, app, sizeof app))
		reqenv_set("ASCBELL_APP", app);
	else
		reqenv_unset("ASCBELL_APP");
	/* The directory the path was checked against is the one the handler loads NAME.env
	 * from, whether it came from --apps-dir, the configuration file or the environment. */
	if (x->opt->apps_dir)
		reqenv_set("ASCBELL_APPS_DIR", x->opt->apps_dir);
	/* The history asc-http writes is the one the handler reads review times from. */
	if (x->opt->history)
		reqenv_set("ASCBELL_HISTORY", x->opt->history);
	else
		reqenv_unset("ASCBELL_HISTORY");
	if (x->spooled) {
		snprintf(spool_file, sizeof spool_file, "%s/new/%s", x->opt->spool, x->spool_name);
		reqenv_set("ASC_SPOOL_FILE", spool_file);
	}
	/* When the request arrived, for events that carry no time of their own (asc-parse). A
	 * value already there is asc-replay's: the time the saved request first arrived. */
	if (!getenv("ASCBELL_RECEIVED") || !*getenv("ASCBELL_RECEIVED")) {
		struct tm tm;
		char received[32];
		if (gmtime_r(&x->arrived, &tm) && strftime(received, sizeof received, "%Y-%m-%dT%H:%M:%SZ", &tm))
			reqenv_set("ASCBELL_RECEIVED", received);
	}
	if (handler_run(x->opt->command, x->req.body.data ? x->req.body.data : "", x->req.body.len,
			x->opt->handler_timeout, x->opt->history != NULL, &result) != 0) {
		msg_error("cannot run %s: %s", x->opt->command[0], strerror(errno));
		return 500;
	}
	if (result.timed_out)
		msg_error("%s took more than %.0f s: stopped", x->opt->command[0], x->opt->handler_timeout);
	memcpy(x->outcome, result.outcome, sizeof x->outcome);
	if (result.event) {
		jv event = jv_parse(result.event);
		jv_free(x->event);
		x->event = jv_get_kind(event) == JV_KIND_OBJECT ? event : (jv_free(event), jv_null());
		free(result.event);
	}
	return status_of_exit(&result);
}

/* --async: the answer is already given; the handler runs on, away from the connection. */
static void run_detached(struct exchange *x)
{
	pid_t pid;
	int code;

	fflush(stdout);
	pid = fork();
	if (pid != 0)
		return; /* the parent (or a failed fork) is done: the request is spooled */
	setsid();
	if (freopen("/dev/null", "r", stdin) == NULL || freopen("/dev/null", "w", stdout) == NULL)
		_exit(EX_OSERR);
	code = run_command(x);
	settle_spool(x, code);
	/* The history says what the client was told (202), with the event now known. */
	x->recorded = 0;
	record(x, 202, message_of(x, 202));
	log_line(x, code);
	_exit(0);
}

/* Reads, checks, keeps and handles the request; returns the answer's status, or 0 when the
 * answer (202) is given already. */
static int serve(struct exchange *x)
{
	const struct options *opt = x->opt;
	int code;

	/* A peer that may not post is refused before a byte is read, unless it is a proxy
	 * whose X-Forwarded-For has to be read first. */
	if (opt->allow.count && !cidr_contains(&opt->allow, x->peer) &&
	    !(opt->trust_proxy.count && cidr_contains(&opt->trust_proxy, x->peer)))
		return 403;
	if (opt->config_error[0])
		msg_error("%s", opt->config_error);
	if (opt->cgi) {
		/* The request's own HTTP_* variables are read before the inherited ones go. */
		enum http_state state = cgi_read_request(&x->req, &x->raw);
		cgi_clear_environment();
		code = state == HTTP_DONE ? check_headers(x) : status_of_state(state);
	} else {
		cgi_clear_environment();
		code = read_network_request(x, check_headers);
	}
	if (code)
		return code;
	if (!opt->command && (code = refuse_forged(x)) != 0)
		return code;
	if (opt->spool) {
		int (*add)(const char *, const void *, size_t, char *) =
			spool_is_record(opt) ? spool_add_unsynced : spool_add;
		if (spool_prepare(opt->spool) != 0 ||
		    add(opt->spool, x->raw.data, x->raw.len, x->spool_name) != 0) {
			msg_error("cannot write the spool: %s", spool_why());
			return 503;
		}
		x->spooled = 1;
	}
	if (opt->async) {
		x->recorded = 1; /* written once the handler is done (run_detached) */
		respond(x, 202, message_of(x, 202), NULL);
		run_detached(x);
		return 0;
	}
	code = run_command(x);
	settle_spool(x, code);
	return code;
}

/* GET /healthz: 200 only when a delivery would be accepted now. */
static void healthz(struct exchange *x)
{
	const struct options *opt = x->opt;
	struct health_config config = {opt->spool, opt->outbox, opt->config_files, opt->routes,
				       opt->escalation};
	char detail[1024];

	if (opt->config_error[0]) {
		respond(x, 503, "configuration unreadable (see the log)", NULL);
		return;
	}
	if (health_check(&config, x->health, sizeof x->health, detail, sizeof detail) != 0) {
		msg_error("healthz: %s", detail);
		respond(x, 503, x->health, NULL);
		return;
	}
	respond(x, 200, "ok", NULL);
}

/* One exchange on fds 0 and 1: read, handle, answer, drain. */
static void exchange(const struct options *opt)
{
	struct exchange x;
	struct http_limits limits = {HTTP_DEFAULT_MAX_HEADER_BYTES, HTTP_DEFAULT_MAX_HEADERS, 0};
	int code;

	memset(&x, 0, sizeof x);
	x.opt = opt;
	x.start = monotonic_seconds();
	x.arrived = time(NULL);
	x.query = "";
	x.event = jv_null();
	find_peer(&x);
	limits.max_body = opt->max_body;
	http_request_init(&x.req, &limits);

	code = serve(&x);
	if (code == HEALTHZ) {
		x.recorded = 1; /* a probe, not a delivery: not in the history */
		healthz(&x);
	}
	else if (code)
		respond(&x, code, message_of(&x, code), code == 405 ? "Allow: POST\r\n" : NULL);
	/* The client may still be sending what we did not read (an early answer). */
	if (code && !opt->cgi && x.req.state != HTTP_DONE)
		drain_input();
	jv_free(x.event);
	http_request_free(&x.req);
	buf_free(&x.raw);
}

/* ---- long-running mode (server.h) ---- */

/* The options as the command line left them, before configure(): a reload starts again
 * from these. */
static struct options cmdline;

static void free_configuration(struct options *opt)
{
	if (!cmdline.allow.count)
		cidr_free(&opt->allow);
	if (!cmdline.trust_proxy.count)
		cidr_free(&opt->trust_proxy);
	envfile_free(&opt->config);
}

/* A worker's connection. What the exchange put in the environment for its handler is
 * taken back, so the next request starts from the parent's environment. */
static void serve_connection(void *ctx)
{
	exchange(ctx);
	reqenv_restore();
}

static void note_agent(const struct options *opt)
{
	if (opt->agent && !opt->outbox && !opt->config_error[0])
		msg_warn("--agent: no outbox configured (ASCBELL_OUTBOX): direct mode, no delivery agent runs");
}

/* Whether the built-in receiver can start with the configuration in the environment
 * now: tried in a child, since a template file that does not compile ends the process
 * that loads it. */
static int receiver_would_start(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		die_hook = NULL;
		receiver_warm(receiver_open());
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The built-in receiver, loaded in the parent so that every worker starts warm. */
static void load_receiver(void)
{
	receiver_close(builtin);
	builtin = receiver_open();
	receiver_warm(builtin);
}

/* SIGHUP: the env file again, and with the built-in receiver, its secrets, templates and
 * API key. A configuration that cannot be used is not taken: the one in use stays (unlike
 * at start, where requests are answered 500 until it is fixed). */
static int reload_configuration(void *ctx)
{
	struct options *opt = ctx, fresh = cmdline;

	configure(&fresh);
	if (fresh.config_error[0] || (!fresh.command && !receiver_would_start())) {
		msg_error("reload: %s: the configuration in use stays",
			  fresh.config_error[0] ? fresh.config_error : "the receiver cannot start with the new one");
		free_configuration(&fresh);
		if (!opt->command)
			receiver_apply_config(&opt->config);
		return -1;
	}
	free_configuration(opt);
	*opt = fresh;
	note_agent(opt);
	if (!opt->command)
		load_receiver();
	return 0;
}

/* --agent runs the agent in queued mode only: with no outbox there is nothing to deliver. */
static int agent_wanted(void *ctx)
{
	const struct options *opt = ctx;
	return opt->agent && opt->outbox;
}

/* --agent: echobell-send --watch OUTBOX, as ascbell-deliver.service runs it; from beside
 * this program when it is there, else from PATH. */
static void exec_agent(void *ctx)
{
	const struct options *opt = ctx;
	char *argv[] = {"echobell-send", "--watch", (char *)opt->outbox, NULL};
	const char *url_file = config_value(opt, "ECHOBELL_URL_FILE");
	char self[4096], path[4200], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	const char *routes = config_value(opt, "ASCBELL_ROUTES");
	const char *escalation = config_value(opt, "ECHOBELL_ESCALATION_URL_FILE");

	/* This process is about to become the agent: setenv cannot pile up here. With routes,
	 * the agent also delivers each route's part of the outbox (echobell-send --routes). */
	if (url_file)
		setenv("ECHOBELL_URL_FILE", url_file, 1);
	if (routes)
		setenv("ASCBELL_ROUTES", routes, 1);
	if (escalation)
		setenv("ECHOBELL_ESCALATION_URL_FILE", escalation, 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/echobell-send", self);
			if (access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	execvp(argv[0], argv);
	msg_error("--agent: cannot run echobell-send: %s", strerror(errno));
}

/* The history's line for an answer the parent gave for a worker: no app or event is known
 * (the worker had the request). */
static void record_for_worker(void *ctx, int code, const char *message)
{
	struct options *opt = ctx;
	struct exchange x = {.opt = opt, .event = jv_null()};
	char why[4400];

	if (opt->history && history_append(opt->history, history_clock_ms(), code,
					   outcome_word(&x, code, message), NULL, jv_null(), why, sizeof why) != 0)
		msg_warn("history not written: %s", why);
}

static int serve_forever(const struct options *opt)
{
	static const char *const per_process[] = {"SOCAT_PEERADDR", "SOCAT_PEERPORT", "TCPREMOTEIP",
						  "TCPREMOTEPORT", "REMOTE_ADDR", "REMOTE_PORT",
						  "ASCBELL_RECEIVED", NULL};
	static struct options running;
	struct server s = {.listen = opt->listen, .workers = opt->workers,
			   .max_connections = opt->max_connections, .max_requests = opt->max_requests,
			   /* Reading, handling, draining, and a margin for the spool and the log. */
			   .deadline = opt->timeout + opt->handler_timeout + 3, .ctx = &running,
			   .serve = serve_connection, .reload = reload_configuration,
			   .answer = network_answer, .answered_for = record_for_worker,
			   .agent_wanted = agent_wanted, .agent_exec = exec_agent};
	size_t i;

	if (opt->cgi)
		die(EX_USAGE, "--cgi: a CGI request comes from a CGI server, not from --listen");
	/* What a launcher said about its one connection means nothing for the ones served
	 * here (asc-replay's ASCBELL_RECEIVED neither); nor do inherited HTTP_* variables. */
	for (i = 0; per_process[i]; i++)
		unsetenv(per_process[i]);
	cgi_clear_environment();
	cmdline = *opt;
	running = *opt;
	configure(&running);
	note_agent(&running);
	if (running.config_error[0])
		msg_error("%s", running.config_error);
	else if (!running.command)
		load_receiver();
	return server_run(&s);
}

int main(int argc, char **argv)
{
	struct options opt;

	ensure_standard_fds();
	signal(SIGPIPE, SIG_IGN);
	no_core_dumps();
	set_progname(argv[0]);
	early_log(argc, argv);
	opt = parse_options(argc, argv);
	if (opt.listen || server_socket_passed())
		return serve_forever(&opt);
	if (opt.server_options)
		die(EX_USAGE, "--workers, --max-connections, --max-requests and --agent need --listen "
			      "(or a listening socket from systemd)");
	configure(&opt);
	exchange(&opt);
	cidr_free(&opt.allow);
	cidr_free(&opt.trust_proxy);
	envfile_free(&opt.config);
	return 0;
}
