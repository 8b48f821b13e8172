/* sender: one message's way out: claimed, sent or kept or queued, settled. */
#include "sender.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "echobell.h"
#include "jsondump.h"
#include "notification.h"
#include "timevars.h"
#include "util.h"

/* The line for one message: the object as compact JSON and a newline. Its
 * notificationType is the message's own (asc-render's, per event) when it is one Echobell
 * accepts, else --type's (the run's default), else none. A value Echobell does not list is
 * never sent: a warning, and the message goes without it. */
void sender_line(jv message, const char *type, unsigned long number, struct buf *out)
{
	jv own = jv_object_get(jv_copy(message), jv_string("notificationType"));
	char quoted[80];

	if (!(jv_get_kind(own) == JV_KIND_STRING &&
	      notification_type_valid(jv_string_value(own), (size_t)jv_string_length_bytes(jv_copy(own))))) {
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
				 ": left out%s", number, quoted, type ? " (--type used)" : "");
		}
		message = jv_object_delete(message, jv_string("notificationType"));
		if (type)
			message = jv_object_set(message, jv_string("notificationType"), jv_string(type));
	}
	jv_free(own);
	buf_clear(out);
	json_dump(message, out);
	jv_free(message);
	buf_append(out, "\n", 1);
}

/* Keeps a message that could not be delivered (line: sender_line's); 0 when it is safe
 * on disk. */
static int keep(struct sender *s, const struct buf *line, const char *why)
{
	char name[SPOOL_NAME_SIZE];

	if (spool_prepare(s->spool) != 0 || spool_add(s->spool, line->data, line->len, name) != 0) {
		msg_error("message %lu: not delivered (%s) and cannot be kept: %s", s->count, why,
			  spool_why());
		return EX_TEMPFAIL;
	}
	msg_warn("message %lu: not delivered (%s); kept as %s/new/%s", s->count, why,
		 s->spool, name);
	s->kept++;
	return 0;
}

/* POSTs one message, with retries; what still fails goes to --spool when there is one. */
static int send_message(struct sender *s, jv message)
{
	static const struct retry_policy one_attempt = {0, 60, 0, 0};
	struct delivery_report report;
	enum delivery result;
	char why[512], masked[MASKED_URL_SIZE];
	struct buf line = BUF_INIT;
	int status;

	sender_line(message, s->type, s->count, &line);
	if (s->dry_run) {
		FILE *out = s->dry_out ? s->dry_out : stdout;
		echobell_url_mask(s->url, masked);
		fprintf(out, "POST %s\n%s", masked, line.data);
		buf_free(&line);
		return fflush(out) == 0 ? 0 : EX_IOERR;
	}
	/* The body is the line without its newline. */
	result = deliver(s->net, s->url, line.data, line.len - 1, s->outage ? &one_attempt : &s->policy,
			 s->stop, &report);
	delivery_describe(&report, s->url, why, sizeof why);
	s->outage = result == UNAVAILABLE || result == BROKEN || result == INTERRUPTED;
	if (result == DELIVERED) {
		msg_info("message %lu sent (%s, %d attempt%s, %.0f ms)", s->count, why, report.attempts,
			 report.attempts == 1 ? "" : "s", report.seconds * 1000);
		status = 0;
	} else if (result == REJECTED) {
		msg_error("message %lu: Echobell refused it: %s", s->count, why);
		status = EX_DATAERR;
	} else if (s->spool) {
		status = keep(s, &line, why);
	} else {
		msg_error("message %lu: not delivered after %d attempt%s: %s", s->count, report.attempts,
			  report.attempts == 1 ? "" : "s", why);
		status = result == BROKEN ? EX_UNAVAILABLE : EX_TEMPFAIL;
	}
	buf_free(&line);
	return status;
}

/* --dedup: claims the message's event. Returns -1 when the message may go out (*d holds
 * the claim, or d->fd is -1 when there is nothing to claim), else the status for it. */
int sender_claim(struct sender *s, jv message, struct dedup *d)
{
	jv id = jv_object_get(jv_copy(message), jv_string("id"));
	int status = -1;

	d->fd = -1;
	if (!s->dedup || s->dry_run) {
		jv_free(id);
		return -1;
	}
	if (jv_get_kind(id) != JV_KIND_STRING || !dedup_valid_id(jv_string_value(id))) {
		msg_info("message %lu: no event id to de-duplicate by", s->count);
		jv_free(id);
		return -1;
	}
	switch (dedup_claim(s->dedup, jv_string_value(id), d)) {
	case DEDUP_CLAIMED:
		if (d->taken_over)
			msg_warn("event %s: taken over from a process that died notifying it", d->id);
		break;
	case DEDUP_DONE:
		msg_warn("event %s was already notified: not again", jv_string_value(id));
		s->duplicates++;
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
void sender_settle(struct dedup *d, int status, const char *what)
{
	if (d->fd < 0)
		return;
	if (status != 0)
		dedup_release(d);
	else if (dedup_done(d, what) != 0)
		msg_warn("%s (it may be notified again)", dedup_why());
}

int sender_send(struct sender *s, jv message)
{
	struct dedup claim;
	unsigned long kept = s->kept;
	int status;

	s->count++;
	if ((status = sender_claim(s, message, &claim)) >= 0) {
		jv_free(message);
		return status;
	}
	status = send_message(s, message);
	sender_settle(&claim, status, s->kept > kept ? "kept" : "sent");
	if (status == 0)
		s->done++;
	return status;
}

int sender_queue(struct sender *s, const char *dir, jv message)
{
	char name[SPOOL_NAME_SIZE];
	struct buf line = BUF_INIT;
	struct dedup claim;
	long long hold;
	int rc;

	s->count++;
	if ((rc = sender_claim(s, message, &claim)) >= 0) {
		jv_free(message);
		return rc;
	}
	/* The message keeps the event's "id": the agent POSTs it as it is, so whoever
	 * receives it can tell a repeat too. */
	hold = quiet_release_message(s->quiet, timevars_clock_ms() / 1000, message);
	sender_line(message, s->type, s->count, &line);
	rc = spool_add_held(dir, line.data, line.len, hold, name);
	buf_free(&line);
	if (rc != 0) {
		/* 75: asc-http answers 503 and keeps the request for replay; a message the agent
		 * could not read is never answered 2xx. */
		msg_error("not queued: %s", spool_why());
		sender_settle(&claim, EX_TEMPFAIL, NULL);
		return EX_TEMPFAIL;
	}
	sender_settle(&claim, 0, "queued");
	s->done++;
	if (hold) {
		s->held++;
		msg_info("queued %s, held until %lld", name, hold);
	} else {
		msg_info("queued %s", name);
	}
	return 0;
}
