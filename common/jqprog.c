/* jqprog: a user's jq program, compiled once, run on each value. */
#include "jqprog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonio.h"
#include "util.h"

#define JQ_PROGRAM_MAX (1024 * 1024)

/* jq's messages already say "jq: error: ..."; they only get our program's name in front. */
static void print_jq_message(void *data, jv msg)
{
	(void)data;
	if (jv_get_kind(msg) != JV_KIND_STRING)
		msg = jv_dump_string(msg, 0);
	fprintf(stderr, "%s: %s\n", progname, jv_string_value(msg));
	jv_free(msg);
}

jq_state *jqprog_compile(const char *program)
{
	jq_state *jq = jq_init();

	if (!jq)
		die(EX_SOFTWARE, "cannot start libjq");
	jq_set_error_cb(jq, print_jq_message, NULL);
	if (!jq_compile(jq, program)) {
		jq_teardown(&jq);
		die(EX_USAGE, "the jq program does not compile (see jq's message above)");
	}
	return jq;
}

jq_state *jqprog_compile_file(const char *path)
{
	struct buf text = BUF_INIT;
	jq_state *jq;

	buf_read_config(&text, path, JQ_PROGRAM_MAX, "jq program");
	jq = jqprog_compile(text.data);
	buf_free(&text);
	return jq;
}

int jqprog_run(jq_state *jq, jv input, FILE *out)
{
	jv result;

	jq_start(jq, input, 0);
	while (jv_is_valid(result = jq_next(jq)))
		if (json_write_line(result, out) != 0)
			return EX_IOERR;
	if (jv_invalid_has_msg(jv_copy(result))) {
		jv msg = jv_invalid_get_msg(result);
		if (jv_get_kind(msg) != JV_KIND_STRING)
			msg = jv_dump_string(msg, 0);
		msg_error("jq: error: %s", jv_string_value(msg));
		jv_free(msg);
		return EX_DATAERR;
	}
	jv_free(result);
	return 0;
}

void jqprog_free(jq_state *jq)
{
	jq_teardown(&jq);
}
