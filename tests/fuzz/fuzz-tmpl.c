/* fuzz-tmpl: common/tmpl.c and common/tmpl_eval.c, Echobell's template language: the lexer
 * and parser on any source, the evaluator on what compiles.
 *
 * The input is the template source, compiled both as a text template and as a condition and,
 * when it compiles, evaluated against an event that holds every kind of value (and the time
 * variables). Beyond memory errors: a syntax error points inside the source, a rendering
 * never exceeds TMPL_MAX_OUTPUT, and a failed rendering leaves no text behind. */
#include "fuzz.h"

#include <stdio.h>

#include "timevars.h"
#include "tmpl.h"

static jv event, builtins;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	event = jv_parse("{\"a\":1,\"b\":{\"c\":\"deep\"},\"s\":\"  Mixed Case {{x}}  \",\"n\":null,"
			 "\"t\":true,\"f\":false,\"arr\":[1,\"two\",null,[3],{\"k\":\"v\"}],"
			 "\"obj\":{\"k\":\"v\",\"length\":9},\"big\":1e308,\"neg\":-0.0,\"e\":\"\","
			 "\"u\":\"\\u00e9\\ud83d\\ude00\",\"status\":\"Waiting for Review\","
			 "\"app\":{\"id\":\"6447123456\",\"name\":\"My App\"},\"severity\":\"error\"}");
	builtins = timevars_now(); /* once: the same for every input */
	devnull = fopen("/dev/null", "w");
	if (!jv_is_valid(event) || !jv_is_valid(builtins) || !devnull)
		abort();
	return 0;
}

static void one(const char *source, size_t len, enum tmpl_mode mode)
{
	struct tmpl_error err;
	struct tmpl *t = tmpl_compile(source, len, mode, &err);
	struct buf out = BUF_INIT;
	char why[200];

	if (!t) {
		if (err.offset > len || err.line < 1 || err.column < 1 || !err.message[0])
			abort();
		tmpl_print_caret(devnull, source, len, &err);
		return;
	}
	(void)tmpl_uses(t, timevars_has);
	if (mode == TMPL_TEXT) {
		if (tmpl_render(t, event, builtins, &out, why, sizeof why) != 0 && out.len)
			abort();
		if (out.len > TMPL_MAX_OUTPUT)
			abort();
	} else {
		int r = tmpl_test(t, event, builtins, why, sizeof why);
		if (r < -1 || r > 1)
			abort();
	}
	buf_free(&out);
	tmpl_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > TMPL_MAX_SOURCE)
		return 0;
	one((const char *)data, size, TMPL_TEXT);
	one((const char *)data, size, TMPL_CONDITION);
	return 0;
}
