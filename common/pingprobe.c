/* pingprobe: the whole path proven: ping a webhook through the API and wait for App Store
 * Connect's record of that ping's delivery. */
#include "pingprobe.h"

#include <string.h>
#include <time.h>

#include "ascapi_pages.h"
#include "deliver.h"
#include "jsonget.h"
#include "util.h"

static void format_time(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* How far before now the window of deliveries starts: room for a clock that is behind. */
#define PROBE_BEFORE 600
#define PROBE_AFTER 3600

static void probe_page(jv doc, void *ctx)
{
	struct ping_probe *probe = ctx;
	jv_free(probe->included);
	probe->included = json_get(doc, "included");
}

static int probe_is_ping(struct ping_probe *probe, jv delivery)
{
	jv event = json_get_path(delivery, "relationships", "event", "data", "id", NULL);
	int i, n = jv_get_kind(probe->included) == JV_KIND_ARRAY ? jv_array_length(jv_copy(probe->included)) : 0;
	int ping = 0;

	for (i = 0; i < n && jv_get_kind(event) == JV_KIND_STRING && !ping; i++) {
		jv item = jv_array_get(jv_copy(probe->included), i);
		jv type = json_get_string(item, "type"), id = json_get_string(item, "id");
		jv flag = json_get_path(item, "attributes", "ping", NULL);
		ping = jv_get_kind(type) == JV_KIND_STRING && !strcmp(jv_string_value(type), "webhookEvents") &&
		       jv_equal(id, jv_copy(event)) && jv_get_kind(flag) == JV_KIND_TRUE;
		jv_free(type);
		jv_free(flag);
		jv_free(item);
	}
	jv_free(event);
	return ping;
}

static int probe_item(jv delivery, void *ctx)
{
	struct ping_probe *probe = ctx;
	jv id = json_get_string(delivery, "id");

	if (jv_get_kind(id) != JV_KIND_STRING) {
		jv_free(id);
		jv_free(delivery);
		return 0; /* cannot be told apart from the ones before: never taken for the ping's */
	}
	if (!probe->listing) {
		probe->before = jv_object_set(probe->before, id, jv_true());
	} else if (!jv_object_has(jv_copy(probe->before), jv_copy(id)) && probe_is_ping(probe, delivery) &&
		   (jv_get_kind(probe->delivery) == JV_KIND_NULL ||
		    jv_equal(json_get_string(probe->delivery, "id"), jv_copy(id)))) {
		/* the first ping delivery seen is taken, and followed from PENDING to its end */
		jv_free(probe->delivery);
		probe->delivery = jv_copy(delivery);
		jv_free(id);
	} else {
		jv_free(id);
	}
	jv_free(delivery);
	return 0;
}

static int probe_list(struct ascapi *api, struct ping_probe *probe)
{
	return ascapi_each_page_with(api, ASC_PING_DELIVERIES, probe->path, probe_page, probe_item, probe);
}

static jv probe_line(struct ping_probe *probe, const char *result)
{
	jv line = jv_object_set(jv_object(), jv_string("webhook"), jv_string(probe->webhook));
	jv attrs = json_get(probe->delivery, "attributes");

	line = jv_object_set(line, jv_string("app"), probe->app ? jv_string(probe->app) : jv_null());
	line = jv_object_set(line, jv_string("result"), jv_string(result));
	line = jv_object_set(line, jv_string("delivery"), json_get_string(probe->delivery, "id"));
	line = jv_object_set(line, jv_string("httpStatus"),
			     json_get_path(probe->delivery, "attributes", "response", "httpStatusCode", NULL));
	line = jv_object_set(line, jv_string("errorMessage"), json_get_string(attrs, "errorMessage"));
	jv_free(attrs);
	return line;
}

static void probe_finish(struct ping_probe *probe, int status, jv line)
{
	probe->done = 1;
	probe->status = status;
	jv_free(probe->line);
	probe->line = line;
}

/* The deliveries before, then the ping. A failure of either ends this probe (69). */
static void probe_start(struct ascapi *api, struct ping_probe *probe)
{
	time_t now = time(NULL);
	char since[32], until[32];
	const char *args[] = {probe->webhook, since, until, NULL};
	jv doc, where, answer;

	format_time(now - PROBE_BEFORE, since);
	format_time(now + PROBE_AFTER, until);
	if (ascapi_call_path(ASC_PING_DELIVERIES, args, probe->path, sizeof probe->path) != 0) {
		msg_error("%s: the webhook id is too long", probe->webhook);
		probe_finish(probe, EX_USAGE, jv_object_set(probe_line(probe, "ERROR"), jv_string("errorMessage"),
							    jv_string("the webhook id is too long")));
		return;
	}
	if (probe_list(api, probe) != 0) {
		msg_error("%s: its deliveries could not be read before the ping", probe->webhook);
		probe_finish(probe, EX_UNAVAILABLE, jv_object_set(probe_line(probe, "ERROR"), jv_string("errorMessage"),
								   jv_string("deliveries could not be read")));
		return;
	}
	probe->listing = 1;
	doc = jv_parse("{\"data\":{\"type\":\"webhookPings\",\"relationships\":{\"webhook\":"
		       "{\"data\":{\"type\":\"webhooks\"}}}}}");
	where = jv_parse("[\"data\",\"relationships\",\"webhook\",\"data\",\"id\"]");
	doc = jv_setpath(doc, where, jv_string(probe->webhook));
	{
		char path[64];
		ascapi_call_path(ASC_WEBHOOK_PING, NULL, path, sizeof path);
		answer = ascapi_call(api, ASC_WEBHOOK_PING, path, doc);
	}
	if (!jv_is_valid(answer)) {
		jv msg = jv_invalid_get_msg(answer);
		msg_error("%s: ping: %s", probe->webhook, jv_string_value(msg));
		probe_finish(probe, EX_UNAVAILABLE,
			     jv_object_set(probe_line(probe, "ERROR"), jv_string("errorMessage"), msg));
		return;
	}
	jv_free(answer);
}

/* One look at the deliveries: done when the ping's delivery SUCCEEDED or FAILED. */
static void probe_poll(struct ascapi *api, struct ping_probe *probe)
{
	jv state;

	if (probe_list(api, probe) != 0)
		msg_warn("%s: the deliveries could not all be read; trying again", probe->webhook);
	state = json_get_path(probe->delivery, "attributes", "deliveryState", NULL);
	if (jv_get_kind(state) == JV_KIND_STRING && !strcmp(jv_string_value(state), "SUCCEEDED")) {
		probe_finish(probe, 0, probe_line(probe, "SUCCEEDED"));
	} else if (jv_get_kind(state) == JV_KIND_STRING && !strcmp(jv_string_value(state), "FAILED")) {
		jv line = probe_line(probe, "FAILED");
		jv code = json_get(line, "httpStatus"), error = json_get(line, "errorMessage");
		jv code_text = jv_get_kind(code) == JV_KIND_NUMBER ? jv_dump_string(code, 0) : (jv_free(code), jv_string("none"));
		msg_error("%s: App Store Connect could not deliver the ping: HTTP status %s, error: %s", probe->webhook,
			  jv_string_value(code_text),
			  jv_get_kind(error) == JV_KIND_STRING ? jv_string_value(error) : "(none recorded)");
		jv_free(code_text);
		jv_free(error);
		probe_finish(probe, EX_UNAVAILABLE, line);
	}
	jv_free(state);
}

int ping_probes_run(struct ascapi *api, struct ping_probe *probes, size_t n, double wait)
{
	double deadline = monotonic_seconds() + wait, pause = 1;
	size_t i, left = n;
	int status = 0, round;

	for (i = 0; i < n; i++)
		probe_start(api, &probes[i]);
	for (round = 0; round < 10000; round++) {
		left = 0;
		for (i = 0; i < n; i++)
			if (!probes[i].done) {
				probe_poll(api, &probes[i]);
				left += !probes[i].done;
			}
		if (!left || monotonic_seconds() + pause > deadline)
			break;
		sleep_unless_stopped(pause, NULL);
		pause = pause * 2 > 5 ? 5 : pause * 2;
	}
	for (i = 0; i < n; i++) {
		struct ping_probe *probe = &probes[i];
		if (!probe->done) {
			int seen = jv_get_kind(probe->delivery) == JV_KIND_OBJECT;
			msg_error("%s: %s after %g seconds", probe->webhook,
				  seen ? "the ping's delivery is still PENDING" : "no delivery of the ping seen", wait);
			probe_finish(probe, EX_TEMPFAIL, probe_line(probe, seen ? "PENDING" : "NOT_SEEN"));
		}
		status = worse_status(status, probe->status);
	}
	return status;
}

void ping_probe_init(struct ping_probe *probe, const char *webhook, const char *app)
{
	memset(probe, 0, sizeof *probe);
	probe->webhook = webhook;
	probe->app = app;
	probe->before = jv_object();
	probe->included = jv_null();
	probe->delivery = jv_null();
	probe->line = jv_null();
}

void ping_probe_free(struct ping_probe *probe)
{
	jv_free(probe->before);
	jv_free(probe->included);
	jv_free(probe->delivery);
	jv_free(probe->line);
}
