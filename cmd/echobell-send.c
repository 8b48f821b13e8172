/* echobell-send: messages in, notifications out. Each JSON object read is POSTed to an
 * Echobell trigger URL, with retries; what cannot be delivered now is kept on disk.
 *
 *   direct:  echobell-send [--spool DIR]   send now, keep what still fails in DIR
 *   flush:   echobell-send --flush DIR     send what DIR kept, oldest first
 *   queue:   echobell-send --queue DIR     only write into the outbox (no libcurl at all)
 *   watch:   echobell-send --watch DIR     the delivery agent that empties the outbox */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "deliver.h"
#include "echobell.h"
#include "instant.h"
#include "jsonio.h"
#include "net.h"
#include "notification.h"
#include "outcome.h"
#include "outbox.h"
#include "quiet.h"
#include "routes.h"
#include "sender.h"
#include "spool.h"
#include "timevars.h"
#include "util.h"

#define MAX_SCHEDULE 32

enum mode { MODE_DIRECT, MODE_FLUSH, MODE_QUEUE, MODE_WATCH };

struct options {
	enum mode mode;
	const char *dir;   /* --flush, --queue, --watch */
	const char *spool; /* direct mode's fallback */
	const char *dedup; /* one notification per event id */
	const char *routes; /* --flush, --watch: also each route's part of DIR */
	const char *route;  /* the messages are this route's (its quiet hours) */
	char *url_option;
	const char *url_file;
	const char *type;
	const char *cacert;
	double timeout;
	struct retry_policy policy;
	double schedule[MAX_SCHEDULE];
	size_t schedule_len;
	double rescan;
	int dry_run;
	size_t max_body;
	long long not_before; /* --queue: hold every message until then (epoch seconds) */
	int quiet_hours;      /* --queue: hold by $ASCBELL_QUIET_* and each one's severity */
};

/* SIGTERM or SIGINT: a delivery in progress (and the agent, always) stops at the next safe
 * point (the exchange in flight is finished, not cut: cutting it could have Echobell
 * notify a message that is then sent again) and keeps what it holds; a process only
 * waiting for its input just ends, as a filter does. */
static volatile sig_atomic_t stop_requested, sending;

static void on_stop_signal(int sig)
{
	stop_requested = 1;
	if (!sending) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/* After a stop during a delivery: no more input is taken (it would be sent or kept after
 * the stop was asked for); what was read is settled and the program ends normally. */
static void stop_reading_input(void)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null >= 0 && dup2(null, STDIN_FILENO) >= 0 && null != STDIN_FILENO)
		close(null);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--url-file FILE] [--type TYPE] [--timeout S] [--retries N]\n"
		"                     [--retry-max-time S] [--spool DIR] [--cacert FILE] [--dry-run]\n"
		"       %s --queue DIR [--not-before WHEN] [--quiet-hours] [--route NAME]\n"
		"       %s --flush DIR [--url-file FILE]\n"
		"       %s --watch DIR [--url-file FILE] [--schedule LIST] [--rescan S]\n"
		"                     [--routes FILE]\n"
		"\n"
		"POSTs each JSON object read to an Echobell trigger URL, with retries.\n"
		"\n"
		"  -u, --url URL          the trigger URL (visible in ps: prefer the two below)\n"
		"      --url-file FILE    read the URL from FILE (default $ECHOBELL_WEBHOOK_URL,\n"
		"                         then the file named by $ECHOBELL_URL_FILE)\n"
		"      --type TYPE        notificationType for messages without their own:\n"
		"                         active, time-sensitive or calling\n"
		"      --timeout S        seconds for one attempt (default 10)\n"
		"      --retries N        attempts after the first (default 5)\n"
		"      --retry-max-time S seconds for all attempts of a message (default 60)\n"
		"      --retry-base S     first backoff bound, doubled each time (default 1)\n"
		"      --spool DIR        keep what could not be delivered in DIR (exit 0)\n"
		"      --dedup DIR        one notification per event id (the message's \"id\")\n"
		"      --flush DIR        send what DIR kept, oldest first; stop at a failure\n"
		"      --queue DIR        only write each message into the outbox DIR\n"
		"      --not-before WHEN  --queue: the agent sends none before WHEN (epoch\n"
		"                         seconds, or a time like 2026-03-02T07:00:00+01:00)\n"
		"      --quiet-hours      --queue: hold what arrives during the quiet hours of\n"
		"                         $ASCBELL_QUIET_HOURS, _ZONE, _BELOW until they end\n"
		"      --watch DIR        deliver from the outbox DIR until SIGTERM\n"
		"      --schedule LIST    --watch: waits before later tries (default\n"
		"                         10s,1m,5m,30m,2h,6h,12h,24h)\n"
		"      --rescan S         --watch: seconds between scans without events (default 60)\n"
		"      --routes FILE      --flush, --watch: also DIR/route.NAME for each route, to\n"
		"                         its own URL, each on its own (default $ASCBELL_ROUTES)\n"
		"      --route NAME       the messages are route NAME's: its own quiet hours hold\n"
		"                         them (--queue), or refuse a direct send (78)\n"
		"      --cacert FILE      trust this CA bundle for https\n"
		"      --dry-run          print what would be sent instead of sending\n"
		"      --max-body N       largest message in bytes, K/M/G suffixes (default 1M)\n"
		"  -q, --quiet            no warnings\n"
		"  -v, --verbose          one line per message sent\n"
		"  -h, --help             this text\n"
		"  -V, --version          the version\n"
		"\n"
		"Exit: 0 sent or kept, 65 not a JSON object or rejected by Echobell (4xx),\n"
		"69 unusable (TLS), 75 not delivered and not kept, 78 no or bad URL.\n",
		progname, progname, progname, progname);
}

static double parse_seconds(const char *text, const char *option)
{
	char *end;
	double value = strtod(text, &end);
	double unit = 1;

	switch (*end) {
	case 's': end++; break;
	case 'm': unit = 60; end++; break;
	case 'h': unit = 3600; end++; break;
	case 'd': unit = 86400; end++; break;
	default: break;
	}
	if (end == text || *end != '\0' || !(value >= 0) || value > 1e7)
		die(EX_USAGE, "%s: not a duration: %s (seconds, or with s, m, h, d)", option, text);
	return value * unit;
}

/* Epoch seconds, or an instant with its zone (Z or an offset). */
static long long parse_when(const char *text)
{
	char *end;
	long long value = strtoll(text, &end, 10);
	time_t t;

	if (end != text && *end == '\0' && value > 0 && text[0] != '+')
		return value;
	if (instant_parse(text, &t) != 0 || t <= 0)
		die(EX_USAGE, "--not-before: not a time: %s (epoch seconds, or like "
			      "2026-03-02T07:00:00Z or 2026-03-02T07:00:00+01:00)", text);
	return (long long)t;
}

static size_t parse_schedule(char *list, double schedule[MAX_SCHEDULE])
{
	size_t n = 0;
	char *item;

	for (item = strtok(list, ","); item; item = strtok(NULL, ",")) {
		if (n == MAX_SCHEDULE)
			die(EX_USAGE, "--schedule: at most %d steps", MAX_SCHEDULE);
		schedule[n++] = parse_seconds(item, "--schedule");
	}
	if (n == 0)
		die(EX_USAGE, "--schedule: the list is empty");
	return n;
}

static void set_mode(struct options *opt, enum mode mode, const char *dir)
{
	if (opt->mode != MODE_DIRECT)
		die(EX_USAGE, "--flush, --queue and --watch: choose one");
	opt->mode = mode;
	opt->dir = dir;
}

static struct options parse_options(int argc, char **argv)
{
	enum { OPT_URL_FILE = 256, OPT_TYPE, OPT_TIMEOUT, OPT_RETRIES, OPT_RETRY_MAX_TIME,
	       OPT_RETRY_BASE, OPT_SPOOL, OPT_FLUSH, OPT_QUEUE, OPT_WATCH, OPT_SCHEDULE,
	       OPT_RESCAN, OPT_CACERT, OPT_DRY_RUN, OPT_MAX_BODY, OPT_DEDUP, OPT_NOT_BEFORE,
	       OPT_QUIET_HOURS, OPT_ROUTES, OPT_ROUTE };
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"url-file", required_argument, NULL, OPT_URL_FILE},
		{"type", required_argument, NULL, OPT_TYPE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"retries", required_argument, NULL, OPT_RETRIES},
		{"retry-max-time", required_argument, NULL, OPT_RETRY_MAX_TIME},
		{"retry-base", required_argument, NULL, OPT_RETRY_BASE},
		{"spool", required_argument, NULL, OPT_SPOOL},
		{"flush", required_argument, NULL, OPT_FLUSH},
		{"queue", required_argument, NULL, OPT_QUEUE},
		{"watch", required_argument, NULL, OPT_WATCH},
		{"schedule", required_argument, NULL, OPT_SCHEDULE},
		{"rescan", required_argument, NULL, OPT_RESCAN},
		{"cacert", required_argument, NULL, OPT_CACERT},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"dedup", required_argument, NULL, OPT_DEDUP},
		{"not-before", required_argument, NULL, OPT_NOT_BEFORE},
		{"quiet-hours", no_argument, NULL, OPT_QUIET_HOURS},
		{"routes", required_argument, NULL, OPT_ROUTES},
		{"route", required_argument, NULL, OPT_ROUTE},
		STANDARD_LONGOPTS,
	};
	static const double default_schedule[] = {10, 60, 300, 1800, 7200, 21600, 43200, 86400};
	struct options opt = {.timeout = 10, .policy = {5, 60, 1, 30}, .rescan = 60,
			      .max_body = 1024 * 1024};
	char *end;
	int c;

	memcpy(opt.schedule, default_schedule, sizeof default_schedule);
	opt.schedule_len = sizeof default_schedule / sizeof default_schedule[0];
	while ((c = getopt_long(argc, argv, "u:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			opt.url_option = xstrdup(optarg);
			/* Shorten the time the token is readable in /proc/PID/cmdline. */
			memset(optarg, 'x', strlen(optarg));
			break;
		case OPT_URL_FILE: opt.url_file = optarg; break;
		case OPT_TYPE:
			if (!notification_type_valid(optarg, strlen(optarg)))
				die(EX_USAGE, "--type: %s is not " NOTIFICATION_TYPES_TEXT, optarg);
			opt.type = optarg;
			break;
		case OPT_TIMEOUT: opt.timeout = parse_seconds(optarg, "--timeout"); break;
		case OPT_RETRIES:
			opt.policy.retries = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || opt.policy.retries < 0 || opt.policy.retries > 100)
				die(EX_USAGE, "--retries: not a number from 0 to 100: %s", optarg);
			break;
		case OPT_RETRY_MAX_TIME:
			opt.policy.max_time = parse_seconds(optarg, "--retry-max-time");
			break;
		case OPT_RETRY_BASE: opt.policy.base_delay = parse_seconds(optarg, "--retry-base"); break;
		case OPT_SPOOL: opt.spool = optarg; break;
		case OPT_FLUSH: set_mode(&opt, MODE_FLUSH, optarg); break;
		case OPT_QUEUE: set_mode(&opt, MODE_QUEUE, optarg); break;
		case OPT_WATCH: set_mode(&opt, MODE_WATCH, optarg); break;
		case OPT_SCHEDULE: opt.schedule_len = parse_schedule(optarg, opt.schedule); break;
		case OPT_RESCAN: opt.rescan = parse_seconds(optarg, "--rescan"); break;
		case OPT_CACERT: opt.cacert = optarg; break;
		case OPT_DRY_RUN: opt.dry_run = 1; break;
		case OPT_MAX_BODY: opt.max_body = parse_max_body(optarg); break;
		case OPT_DEDUP: opt.dedup = optarg; break;
		case OPT_NOT_BEFORE: opt.not_before = parse_when(optarg); break;
		case OPT_QUIET_HOURS: opt.quiet_hours = 1; break;
		case OPT_ROUTES: opt.routes = optarg; break;
		case OPT_ROUTE: opt.route = optarg; break;
		default: standard_option(c, usage);
		}
	}
	if (opt.timeout <= 0)
		die(EX_USAGE, "--timeout: must be more than 0");
	if (opt.rescan < 0.1)
		opt.rescan = 0.1;
	/* Only the agent honours a hold: a message sent now cannot wait. */
	if ((opt.not_before || opt.quiet_hours) && opt.mode != MODE_QUEUE)
		die(EX_USAGE, "--not-before and --quiet-hours: only with --queue (the agent sends "
			      "held messages when their time comes)");
	if (opt.dedup && (opt.mode == MODE_FLUSH || opt.mode == MODE_WATCH))
		die(EX_USAGE, "--dedup: only when sending or queueing new messages");
	if (opt.route && (opt.mode == MODE_FLUSH || opt.mode == MODE_WATCH))
		die(EX_USAGE, "--route: only when sending or queueing new messages");
	if (opt.routes && opt.mode != MODE_FLUSH && opt.mode != MODE_WATCH && !opt.route)
		die(EX_USAGE, "--routes: only with --flush, --watch or --route");
	if (!opt.routes && (opt.mode == MODE_FLUSH || opt.mode == MODE_WATCH) && getenv("ASCBELL_ROUTES") &&
	    *getenv("ASCBELL_ROUTES"))
		opt.routes = getenv("ASCBELL_ROUTES");
	if (opt.url_option)
		msg_warn("-u puts the URL where ps shows it; prefer --url-file or ECHOBELL_WEBHOOK_URL");
	return opt;
}

/* What one run needs besides its options. */
struct run {
	const struct options *opt;
	char *url;
	struct sender sender;
	struct batch *group; /* --queue: the messages written but not yet committed */
	int group_status;    /* --queue: EX_TEMPFAIL once a group could not be committed */
	struct quiet quiet;  /* --quiet-hours */
	unsigned long held;  /* --queue: messages written with a hold */
};

/* --queue: until when the agent must keep this message (epoch seconds), or 0. */
static long long hold_for(struct run *run, jv message)
{
	long long now = timevars_clock_ms() / 1000;
	long long hold = run->opt->not_before;
	long long quiet = run->quiet.set ? quiet_release_message(&run->quiet, now, message) : 0;

	if (quiet > hold)
		hold = quiet;
	return hold > now ? hold : 0;
}

static const char *getenv_ctx(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/* --route NAME: the route's own quiet hours, when its "quiet" says some, replace
 * $ASCBELL_QUIET_* for its messages (as in the built-in receiver). Only the agent can send
 * a held message when the window ends, so a direct send of such a route's message is a
 * configuration error, as $ASCBELL_QUIET_HOURS is there; a dry run sends nothing and holds
 * nothing. 1 when the route has quiet hours (then in run->quiet), else 0. */
static int route_quiet_hours(const struct options *opt, struct run *run)
{
	const char *file = opt->routes ? opt->routes : getenv("ASCBELL_ROUTES");
	const char *escalation = getenv("ECHOBELL_ESCALATION_URL_FILE");
	struct routes routes;
	char why[1024];
	int found = 0, has_quiet = 0;
	size_t i;

	if (!file || !*file)
		die(EX_USAGE, "--route: no routes file (--routes FILE or $ASCBELL_ROUTES)");
	if (routes_load(file, escalation && *escalation ? escalation : NULL, &routes, why, sizeof why) != 0)
		die(EX_CONFIG, "%s", why);
	for (i = 0; i < routes.count && !found; i++) {
		const struct route *route = &routes.items[i];
		if (strcmp(route->name, opt->route) != 0)
			continue;
		found = 1;
		if (jv_get_kind(route->quiet) != JV_KIND_OBJECT || opt->dry_run)
			continue;
		if (opt->mode != MODE_QUEUE) {
			routes_free(&routes);
			die(EX_CONFIG, "route %s: quiet hours need the outbox (set ASCBELL_OUTBOX, with "
				       "echobell-send --watch delivering it)", opt->route);
		}
		/* routes_load checked the object already. */
		has_quiet = quiet_from_json(jv_copy(route->quiet), &run->quiet, why, sizeof why) == 0;
	}
	routes_free(&routes);
	if (!found)
		die(EX_CONFIG, "--route %s: no such route in %s", opt->route, file);
	return has_quiet;
}

/* --queue: a group that cannot be committed is reported, never as queued. */
static void group_lost(struct run *run, size_t lost)
{
	if (!lost)
		return;
	/* 75: asc-http answers 503 and keeps the request for replay; a message the agent
	 * could not read is never answered 2xx. */
	if (lost == 1)
		msg_error("not queued: %s", batch_why());
	else
		msg_error("not queued: %s (%zu messages)", batch_why(), lost);
	run->group_status = EX_TEMPFAIL;
}

static void commit_group(struct run *run)
{
	group_lost(run, batch_commit(run->group));
}

/* The reader waits for more input: what it read is committed first. */
static void commit_when_idle(void *ctx)
{
	commit_group(ctx);
}

static void on_queued(const char *name, void *ctx)
{
	struct run *run = ctx;

	run->sender.done++;
	msg_info("queued %s", name);
}

static int send_one(jv message, struct json_reader *reader, const char *label, void *ctx)
{
	struct run *run = ctx;
	int status;

	if (jv_get_kind(message) != JV_KIND_OBJECT) {
		run->sender.count++;
		msg_error("%s%s: not a JSON object; nothing sent for it", label,
			  json_reader_position(reader));
		jv_free(message);
		return EX_DATAERR;
	}
	sending = 1;
	status = sender_send(&run->sender, message);
	sending = 0;
	if (stop_requested)
		stop_reading_input();
	return status;
}

static int queue_one(jv message, struct json_reader *reader, const char *label, void *ctx)
{
	struct run *run = ctx;
	struct buf line = BUF_INIT;
	struct dedup claim;
	jv id;
	long long hold;
	int rc;

	if (jv_get_kind(message) != JV_KIND_OBJECT) {
		run->sender.count++;
		msg_error("%s%s: not a JSON object; not queued", label, json_reader_position(reader));
		jv_free(message);
		return EX_DATAERR;
	}
	/* A repeat of an event this process holds in its uncommitted group: the group is
	 * committed first, so the repeat finds the event done, as one message at a time. */
	id = jv_object_get(jv_copy(message), jv_string("id"));
	if (run->opt->dedup && jv_get_kind(id) == JV_KIND_STRING &&
	    batch_holds_event(run->group, jv_string_value(id)))
		commit_group(run);
	jv_free(id);
	run->sender.count++;
	if ((rc = sender_claim(&run->sender, message, &claim)) >= 0) {
		jv_free(message);
		return rc;
	}
	/* The message keeps the event's "id": the agent POSTs it as it is, so whoever
	 * receives it can tell a repeat too. It is queued, and its claim done, when its
	 * group is committed: when full, or when the input has nothing more ready. */
	hold = hold_for(run, message);
	if (hold) {
		run->held++;
		msg_info("message %lu: held until %lld", run->sender.count, hold);
	}
	sender_line(message, run->opt->type, run->sender.count, &line);
	json_reader_on_idle(reader, commit_when_idle, run);
	group_lost(run, batch_add(run->group, line.data, line.len, &claim, hold));
	buf_free(&line);
	return 0;
}

/* Opens libcurl and checks the URL: everything but --queue needs this. */
static void connect_echobell(struct run *run)
{
	const struct options *opt = run->opt;
	struct net_options net_options = {(long)(opt->timeout * 1000 < 10000 ? opt->timeout * 1000 : 10000),
					  (long)(opt->timeout * 1000), opt->cacert};
	char why[128], masked[MASKED_URL_SIZE];

	run->url = echobell_url(opt->url_option, opt->url_file);
	run->sender.url = run->url;
	run->sender.net = net_open(&net_options);
	if (net_url_allowed(run->sender.net, run->url, why, sizeof why) != 0) {
		echobell_url_mask(run->url, masked);
		die(EX_CONFIG, "Echobell URL %s refused: %s", masked, why);
	}
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait in poll() ends at once. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One outbox (or unsent spool) to one URL: --flush once, or --watch until stopped. */
static int empty_outbox(const struct options *opt, const char *dir, const char *url, struct net *net)
{
	struct outbox outbox = {dir, url, net, opt->policy, opt->schedule, opt->schedule_len,
				opt->rescan, &stop_requested, 0};

	if (spool_prepare(dir) != 0)
		die(EX_CONFIG, "cannot use the outbox %s: %s", dir, spool_why());
	sending = 1; /* the agent stops by itself, between messages */
	return opt->mode == MODE_FLUSH ? outbox_flush(&outbox) : outbox_watch(&outbox);
}

static struct net *open_net(const struct options *opt, const char *url)
{
	struct net_options net_options = {(long)(opt->timeout * 1000 < 10000 ? opt->timeout * 1000 : 10000),
					  (long)(opt->timeout * 1000), opt->cacert};
	struct net *net = net_open(&net_options);
	char why[128], masked[MASKED_URL_SIZE];

	if (net_url_allowed(net, url, why, sizeof why) != 0) {
		echobell_url_mask(url, masked);
		die(EX_CONFIG, "Echobell URL %s refused: %s", masked, why);
	}
	return net;
}

/* One route's part of the outbox, to the route's URL. */
static int empty_route(const struct options *opt, const struct route *route)
{
	char why[4200], *dir = route_dir(opt->dir, route), *url;
	struct net *net;
	int status;

	if (!(url = echobell_url_find(NULL, route->url_file, "urlFile", why, sizeof why)))
		die(EX_CONFIG, "route %s: %s", route->name, why);
	net = open_net(opt, url);
	status = empty_outbox(opt, dir, url, net);
	net_close(net);
	echobell_url_free(url);
	free(dir);
	return status;
}

/* --routes: DIR itself (when there is a URL for it) and DIR/route.NAME for each route.
 * --watch runs one agent process per part, so that one channel's outage and retries never
 * hold another's messages (each agent has its own outage_until); --flush empties them one
 * after the other, each stopping at its own first failure. */
static int empty_with_routes(const struct options *opt)
{
	const char *escalation = getenv("ECHOBELL_ESCALATION_URL_FILE");
	struct routes routes;
	char why[1024], *main_url;
	pid_t *pids;
	size_t i, n = 0;
	int status = 0;

	if (routes_load(opt->routes, escalation && *escalation ? escalation : NULL, &routes, why,
			sizeof why) != 0)
		die(EX_CONFIG, "%s", why);
	/* DIR's own URL, when one is configured: what was queued before the routes. */
	main_url = opt->url_option || opt->url_file || getenv("ECHOBELL_WEBHOOK_URL") ||
			   getenv("ECHOBELL_URL_FILE")
		   ? echobell_url(opt->url_option, opt->url_file)
		   : NULL;
	if (opt->mode == MODE_FLUSH) {
		if (main_url) {
			struct net *net = open_net(opt, main_url);
			status = empty_outbox(opt, opt->dir, main_url, net);
			net_close(net);
		}
		for (i = 0; i < routes.count && !stop_requested; i++)
			status = worse_status(status, empty_route(opt, &routes.items[i]));
		echobell_url_free(main_url);
		routes_free(&routes);
		return status;
	}
	pids = xmalloc((routes.count + 1) * sizeof *pids);
	for (i = 0; i <= routes.count; i++) {
		pid_t pid;
		if (i == routes.count && !main_url)
			break;
		if ((pid = fork()) < 0) {
			msg_error("cannot start an agent: %s", strerror(errno));
			status = EX_OSERR;
			break;
		}
		if (pid == 0) {
			/* A parent killed outright (asc-http restarting its agent) takes its agents
			 * with it, rather than leave a second set beside the next one. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				exit(0);
			free(pids);
			if (i < routes.count) {
				status = empty_route(opt, &routes.items[i]);
			} else {
				struct net *net = open_net(opt, main_url);
				status = empty_outbox(opt, opt->dir, main_url, net);
				net_close(net);
			}
			echobell_url_free(main_url);
			routes_free(&routes);
			exit(status);
		}
		pids[n++] = pid;
	}
	/* Until every agent has stopped; a stop asked of us is passed on to them. */
	sending = 1;
	for (i = 0; i < n;) {
		int st;
		pid_t pid = wait(&st);
		if (pid > 0) {
			i++;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				status = worse_status(status, WIFEXITED(st) ? WEXITSTATUS(st) : EX_SOFTWARE);
				if (!stop_requested) {
					size_t k;
					msg_error("an agent stopped: stopping the others");
					for (k = 0; k < n; k++)
						kill(pids[k], SIGTERM);
					stop_requested = 1;
				}
			}
		} else if (errno == EINTR && stop_requested) {
			size_t k;
			for (k = 0; k < n; k++)
				kill(pids[k], SIGTERM);
		} else if (errno == ECHILD) {
			break;
		}
	}
	free(pids);
	echobell_url_free(main_url);
	routes_free(&routes);
	return status;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run = {0};
	struct outbox outbox;
	int status = 0;

	no_core_dumps();
	set_progname(argv[0]);
	opt = parse_options(argc, argv);
	run.opt = &opt;
	run.sender = (struct sender){.spool = opt.spool, .dedup = opt.dedup, .type = opt.type,
				     .dry_run = opt.dry_run, .policy = opt.policy, .stop = &stop_requested};
	catch_stop_signals();
	if (timevars_init() != 0)
		die(EX_CONFIG, "ASCBELL_NOW: not a UTC time like 2026-03-02T14:05:19Z");

	if (opt.mode == MODE_QUEUE) {
		char why[512];
		if (opt.quiet_hours && !(opt.route && route_quiet_hours(&opt, &run)) &&
		    quiet_from_env(getenv_ctx, NULL, &run.quiet, why, sizeof why) != 0)
			die(EX_CONFIG, "%s", why);
		else if (!opt.quiet_hours && opt.route)
			route_quiet_hours(&opt, &run);
		if (spool_prepare(opt.dir) != 0)
			die(EX_TEMPFAIL, "cannot use the outbox: %s", spool_why());
		run.group = xmalloc(sizeof *run.group);
		batch_init(run.group, opt.dir, on_queued, &run);
		status = json_inputs_each(argv + optind, argc - optind, opt.max_body, queue_one, &run);
		commit_group(&run);
		free(run.group);
		status = worse_status(status, run.group_status);
		if (status == 0)
			outcome_tell(run.sender.duplicates && !run.sender.done ? "duplicate"
				     : run.held && run.held == run.sender.done	 ? "held"
										 : "queued");
		return worse_status(status, finish_stdout());
	}
	if (opt.routes) {
		free(opt.url_option);
		return worse_status(empty_with_routes(&opt), finish_stdout());
	}
	if (opt.route)
		route_quiet_hours(&opt, &run); /* a route with quiet hours cannot be sent now */
	connect_echobell(&run);
	if (opt.mode == MODE_DIRECT) {
		status = json_inputs_each(argv + optind, argc - optind, opt.max_body, send_one, &run);
		if (status == 0 && !opt.dry_run)
			outcome_tell(run.sender.duplicates && !run.sender.done ? "duplicate"
				     : run.sender.kept			 ? "kept"
								 : "delivered");
	} else {
		if (spool_prepare(opt.dir) != 0)
			die(EX_CONFIG, "cannot use the outbox: %s", spool_why());
		outbox = (struct outbox){opt.dir, run.url, run.sender.net, opt.policy, opt.schedule,
					 opt.schedule_len, opt.rescan, &stop_requested, 0};
		sending = 1; /* the agent stops by itself, between messages */
		status = opt.mode == MODE_FLUSH ? outbox_flush(&outbox) : outbox_watch(&outbox);
	}
	net_close(run.sender.net);
	echobell_url_free(run.url);
	free(opt.url_option);
	return worse_status(status, finish_stdout());
}
