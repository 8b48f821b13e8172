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
#include <unistd.h>

#include "batch.h"
#include "dedup.h"
#include "deliver.h"
#include "echobell.h"
#include "jsonio.h"
#include "net.h"
#include "notification.h"
#include "outcome.h"
#include "outbox.h"
#include "spool.h"
#include "util.h"

#define MAX_SCHEDULE 32

enum mode { MODE_DIRECT, MODE_FLUSH, MODE_QUEUE, MODE_WATCH };

struct options {
	enum mode mode;
	const char *dir;   /* --flush, --queue, --watch */
	const char *spool; /* direct mode's fallback */
	const char *dedup; /* one notification per event id */
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
		"       %s --queue DIR\n"
		"       %s --flush DIR [--url-file FILE]\n"
		"       %s --watch DIR [--url-file FILE] [--schedule LIST] [--rescan S]\n"
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
		"      --watch DIR        deliver from the outbox DIR until SIGTERM\n"
		"      --schedule LIST    --watch: waits before later tries (default\n"
		"                         10s,1m,5m,30m,2h,6h,12h,24h)\n"
		"      --rescan S         --watch: seconds between scans without events (default 60)\n"
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
	       OPT_RESCAN, OPT_CACERT, OPT_DRY_RUN, OPT_MAX_BODY, OPT_DEDUP };
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
		default: standard_option(c, usage);
		}
	}
	if (opt.timeout <= 0)
		die(EX_USAGE, "--timeout: must be more than 0");
	if (opt.rescan < 0.1)
		opt.rescan = 0.1;
	if (opt.dedup && (opt.mode == MODE_FLUSH || opt.mode == MODE_WATCH))
		die(EX_USAGE, "--dedup: only when sending or queueing new messages");
	if (opt.url_option)
		msg_warn("-u puts the URL where ps shows it; prefer --url-file or ECHOBELL_WEBHOOK_URL");
	return opt;
}

/* What one run needs besides its options. */
struct run {
	const struct options *opt;
	char *url;
	struct net *net;
	int outage; /* a message was still unavailable: the next get one attempt each */
	unsigned long count;
	unsigned long kept; /* messages put in the spool instead of sent */
	unsigned long done; /* messages sent or queued */
	unsigned long duplicates; /* messages not sent: their event was notified already */
	struct batch *group; /* --queue: the messages written but not yet committed */
	int group_status;    /* --queue: EX_TEMPFAIL once a group could not be committed */
};

/* The body to POST for one message: the object as compact JSON. Its notificationType is
 * the message's own (asc-render's, per event) when it is one Echobell accepts, else
 * --type's (the run's default), else none. A value Echobell does not list is never sent:
 * a warning, and the message goes without it. */
static jv message_body(jv message, const struct options *opt, unsigned long number)
{
	jv own = jv_object_get(jv_copy(message), jv_string("notificationType"));
	char quoted[80];

	if (jv_get_kind(own) == JV_KIND_STRING &&
	    notification_type_valid(jv_string_value(own), (size_t)jv_string_length_bytes(jv_copy(own)))) {
		jv_free(own);
		return jv_dump_string(message, 0);
	}
	if (jv_is_valid(own) && jv_get_kind(own) != JV_KIND_NULL) {
		if (jv_get_kind(own) == JV_KIND_STRING)
			notification_type_quote(jv_string_value(own),
						(size_t)jv_string_length_bytes(jv_copy(own)), quoted,
						sizeof quoted);
		else
			snprintf(quoted, sizeof quoted, "(a%s %s)",
				 jv_get_kind(own) == JV_KIND_OBJECT || jv_get_kind(own) == JV_KIND_ARRAY ? "n" : "",
				 jv_kind_name(jv_get_kind(own)));
		msg_warn("message %lu: notificationType %s is not " NOTIFICATION_TYPES_TEXT
			 ": left out%s", number, quoted, opt->type ? " (--type used)" : "");
	}
	jv_free(own);
	message = jv_object_delete(message, jv_string("notificationType"));
	if (opt->type)
		message = jv_object_set(message, jv_string("notificationType"), jv_string(opt->type));
	return jv_dump_string(message, 0);
}

/* A message on disk is its JSON and a newline (cat-able, JSON Lines); body borrowed.
 * Returns spool_add's result. */
static int write_message(const char *dir, jv body, char name[SPOOL_NAME_SIZE])
{
	struct buf line = BUF_INIT;
	int rc;

	buf_append(&line, jv_string_value(body), (size_t)jv_string_length_bytes(jv_copy(body)));
	buf_append(&line, "\n", 1);
	rc = spool_add(dir, line.data, line.len, name);
	buf_free(&line);
	return rc;
}

/* Keeps a message that could not be delivered; 0 when it is safe on disk. */
static int keep(struct run *run, jv body, const char *why)
{
	char name[SPOOL_NAME_SIZE];

	if (spool_prepare(run->opt->spool) != 0 || write_message(run->opt->spool, body, name) != 0) {
		msg_error("message %lu: not delivered (%s) and cannot be kept: %s", run->count, why,
			  spool_why());
		return EX_TEMPFAIL;
	}
	msg_warn("message %lu: not delivered (%s); kept as %s/new/%s", run->count, why,
		 run->opt->spool, name);
	run->kept++;
	return 0;
}

/* POSTs one message, with retries; what still fails goes to --spool when there is one. */
static int send_message(struct run *run, jv message)
{
	static const struct retry_policy one_attempt = {0, 60, 0, 0};
	struct delivery_report report;
	enum delivery result;
	char why[512], masked[MASKED_URL_SIZE];
	jv body;

	body = message_body(message, run->opt, run->count);
	if (run->opt->dry_run) {
		echobell_url_mask(run->url, masked);
		printf("POST %s\n%s\n", masked, jv_string_value(body));
		jv_free(body);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	result = deliver(run->net, run->url, jv_string_value(body),
			 (size_t)jv_string_length_bytes(jv_copy(body)),
			 run->outage ? &one_attempt : &run->opt->policy, &stop_requested, &report);
	delivery_describe(&report, run->url, why, sizeof why);
	run->outage = result == UNAVAILABLE || result == BROKEN || result == INTERRUPTED;
	if (result == DELIVERED) {
		msg_info("message %lu sent (%s, %d attempt%s, %.0f ms)", run->count, why, report.attempts,
			 report.attempts == 1 ? "" : "s", report.seconds * 1000);
		jv_free(body);
		return 0;
	}
	if (result == REJECTED) {
		msg_error("message %lu: Echobell refused it: %s", run->count, why);
		jv_free(body);
		return EX_DATAERR;
	}
	if (run->opt->spool) {
		int status = keep(run, body, why);
		jv_free(body);
		return status;
	}
	msg_error("message %lu: not delivered after %d attempt%s: %s", run->count, report.attempts,
		  report.attempts == 1 ? "" : "s", why);
	jv_free(body);
	return result == BROKEN ? EX_UNAVAILABLE : EX_TEMPFAIL;
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

	run->done++;
	msg_info("queued %s", name);
}

/* --dedup: claims the message's event. Returns -1 when the message may go out (*d holds
 * the claim, or d->fd is -1 when there is nothing to claim), else the status for it. */
static int claim_event(struct run *run, jv message, struct dedup *d)
{
	jv id = jv_object_get(jv_copy(message), jv_string("id"));
	int status = -1;

	d->fd = -1;
	if (!run->opt->dedup || run->opt->dry_run) {
		jv_free(id);
		return -1;
	}
	if (jv_get_kind(id) != JV_KIND_STRING || !dedup_valid_id(jv_string_value(id))) {
		msg_info("message %lu: no event id to de-duplicate by", run->count);
		jv_free(id);
		return -1;
	}
	/* A repeat of an event this process holds in its uncommitted group: the group is
	 * committed first, so the repeat finds the event done, as one message at a time. */
	if (run->group && batch_holds_event(run->group, jv_string_value(id)))
		commit_group(run);
	switch (dedup_claim(run->opt->dedup, jv_string_value(id), d)) {
	case DEDUP_CLAIMED:
		if (d->taken_over)
			msg_warn("event %s: taken over from a process that died notifying it", d->id);
		break;
	case DEDUP_DONE:
		msg_warn("event %s was already notified: not again", jv_string_value(id));
		run->duplicates++;
		status = 0;
		break;
	case DEDUP_BUSY:
		/* Answering 2xx now would lose the event if that other process fails. */
		msg_error("event %s is being notified by another process: try again later",
			  jv_string_value(id));
		status = EX_TEMPFAIL;
		break;
	case DEDUP_ERROR:
		msg_error("cannot de-duplicate: %s", dedup_why());
		status = EX_TEMPFAIL;
		break;
	}
	jv_free(id);
	return status;
}

/* The claim, once the message is out (status 0: sent, queued or kept) or not. */
static void settle_event(struct dedup *d, int status, const char *what)
{
	if (d->fd < 0)
		return;
	if (status != 0)
		dedup_release(d);
	else if (dedup_done(d, what) != 0)
		msg_warn("%s (it may be notified again)", dedup_why());
}

static int send_one(jv message, struct json_reader *reader, const char *label, void *ctx)
{
	struct run *run = ctx;
	struct dedup claim;
	int status;

	run->count++;
	if (jv_get_kind(message) != JV_KIND_OBJECT) {
		msg_error("%s%s: not a JSON object; nothing sent for it", label,
			  json_reader_position(reader));
		jv_free(message);
		return EX_DATAERR;
	}
	if ((status = claim_event(run, message, &claim)) >= 0) {
		jv_free(message);
		return status;
	}
	{
		unsigned long kept = run->kept;
		sending = 1;
		status = send_message(run, message);
		settle_event(&claim, status, run->kept > kept ? "kept" : "sent");
		sending = 0;
	}
	if (stop_requested)
		stop_reading_input();
	if (status == 0)
		run->done++;
	return status;
}

static int queue_one(jv message, struct json_reader *reader, const char *label, void *ctx)
{
	struct run *run = ctx;
	struct buf line = BUF_INIT;
	struct dedup claim;
	size_t lost;
	jv body;
	int rc;

	run->count++;
	if (jv_get_kind(message) != JV_KIND_OBJECT) {
		msg_error("%s%s: not a JSON object; not queued", label, json_reader_position(reader));
		jv_free(message);
		return EX_DATAERR;
	}
	if ((rc = claim_event(run, message, &claim)) >= 0) {
		jv_free(message);
		return rc;
	}
	/* The message keeps the event's "id": the agent POSTs it as it is, so whoever
	 * receives it can tell a repeat too. It is queued, and its claim done, when its
	 * group is committed: when full, or when the input has nothing more ready. */
	body = message_body(message, run->opt, run->count);
	buf_append(&line, jv_string_value(body), (size_t)jv_string_length_bytes(jv_copy(body)));
	buf_append(&line, "\n", 1);
	jv_free(body);
	json_reader_on_idle(reader, commit_when_idle, run);
	lost = batch_add(run->group, line.data, line.len, &claim);
	buf_free(&line);
	group_lost(run, lost);
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
	run->net = net_open(&net_options);
	if (net_url_allowed(run->net, run->url, why, sizeof why) != 0) {
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
	catch_stop_signals();

	if (opt.mode == MODE_QUEUE) {
		if (spool_prepare(opt.dir) != 0)
			die(EX_TEMPFAIL, "cannot use the outbox: %s", spool_why());
		run.group = xmalloc(sizeof *run.group);
		batch_init(run.group, opt.dir, on_queued, &run);
		status = json_inputs_each(argv + optind, argc - optind, opt.max_body, queue_one, &run);
		commit_group(&run);
		free(run.group);
		status = worse_status(status, run.group_status);
		if (status == 0)
			outcome_tell(run.duplicates && !run.done ? "duplicate" : "queued");
		return worse_status(status, finish_stdout());
	}
	connect_echobell(&run);
	if (opt.mode == MODE_DIRECT) {
		status = json_inputs_each(argv + optind, argc - optind, opt.max_body, send_one, &run);
		if (status == 0 && !opt.dry_run)
			outcome_tell(run.duplicates && !run.done ? "duplicate"
				     : run.kept			 ? "kept"
								 : "delivered");
	} else {
		if (spool_prepare(opt.dir) != 0)
			die(EX_CONFIG, "cannot use the outbox: %s", spool_why());
		outbox = (struct outbox){opt.dir, run.url, run.net, opt.policy, opt.schedule,
					 opt.schedule_len, opt.rescan, &stop_requested, 0};
		sending = 1; /* the agent stops by itself, between messages */
		status = opt.mode == MODE_FLUSH ? outbox_flush(&outbox) : outbox_watch(&outbox);
	}
	net_close(run.net);
	echobell_url_free(run.url);
	free(opt.url_option);
	return worse_status(status, finish_stdout());
}
