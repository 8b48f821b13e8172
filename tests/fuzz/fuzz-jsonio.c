/* fuzz-jsonio: common/jsonio.c and common/event.c, asc-parse's path: a stream of JSON values
 * read from a descriptor, each turned into an event, filtered and rendered with the
 * built-in templates as asc-render does.
 *
 * The first byte picks the value limit (small ones reach the "larger than" path) and whether
 * an app id is configured; the rest is the stream. Beyond memory errors: the end stays the
 * end, a skipped value says why, every event is an object, and every field rendered is a
 * string. */
#include "fuzz.h"

#include <stdio.h>

#include "event.h"
#include "jsonio.h"
#include "known.h"
#include "templates.h"
#include "util.h"

static struct renderer renderer;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	set_progname("fuzz-jsonio");
	msg_quiet = 1; /* a warning per unknown event is expected, not news */
	renderer_init(&renderer);
	renderer_load_defaults(&renderer);
	return 0;
}

static void check_event(jv event)
{
	char *lists[] = {"testFlight", "APP_STORE_VERSION_APP_VERSION_STATE_UPDATED", "buildUploads"};
	jv fields[RENDERED_FIELDS];
	int i;

	if (jv_get_kind(event) != JV_KIND_OBJECT)
		abort();
	(void)event_in_list(event, lists, 3);
	if (renderer_render(&renderer, event, fields) == RENDER_KEEP) {
		/* Title, body and link are always text; the notification type is text or null. */
		for (i = 0; i < RENDERED_FIELDS; i++) {
			jv_kind kind = jv_get_kind(fields[i]);
			if (kind != JV_KIND_STRING && !(i == FIELD_TYPE && kind == JV_KIND_NULL))
				abort();
			jv_free(fields[i]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[] = {1024 * 1024, 64, 7, 4096};
	struct event_options opt = {.app_id = NULL, .received = 1772531462}; /* a fixed arrival time */
	struct json_reader reader;
	enum json_result result;
	int fd, rounds = 0;
	jv value;

	if (size < 1 || fuzz_known_defect(data + 1, size - 1))
		return 0;
	if (data[0] & 4)
		opt.app_id = "6447123456";
	if (data[0] & 8)
		opt.app_name = "My App";
	opt.raw = (data[0] & 16) != 0;
	fd = fuzz_fd(data + 1, size - 1);
	json_reader_init(&reader, fd, limits[data[0] & 3]);
	while ((result = json_read(&reader, &value)) != JSON_EOF && rounds++ < 100000) {
		if (result == JSON_READ_ERROR)
			abort();
		if (result == JSON_VALUE) {
			int unknown = 0;
			jv event = event_from_payload(value, &opt, &unknown);
			if (jv_is_valid(event))
				check_event(event);
			jv_free(event);
			(void)json_reader_position(&reader);
		} else if (!reader.error[0]) {
			abort(); /* a skipped value always says why */
		}
	}
	/* After the end, the end again. */
	if (json_read(&reader, &value) != JSON_EOF)
		abort();
	json_reader_free(&reader);
	close(fd);
	return 0;
}
