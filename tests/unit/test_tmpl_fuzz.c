/* A fuzz-style loop over the template language: random sequences of tokens and fragments,
 * compiled as text and as conditions, evaluated against an event with every kind of value.
 * Nothing may crash, hang or leak (run under ASan by `make sanitize`); every compile error
 * must point inside the source. A fixed seed keeps failures reproducible. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tmpl.h"

static const char *const fragments[] = {
	"{{", "}}", "{", "}", "a", "b.c", "s", "n", "arr", "obj", "missing", "(", ")", "[", "]", "[0]",
	"[\"k\"]", ".", ".length", ".includes(", ".startsWith(", ".endsWith(", ".toUpperCase()",
	".toLowerCase()", ".trim()", "!", "-", "+", "==", "!=", "===", "!==", "<", ">", "<=", ">=",
	"&&", "||", "?", ":", ",", "\"str\"", "'q'", "\"", "'", "\\", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
	"\"\\u12\"", "1", "0", "-1", "1.5", "1e400", "1e", "true", "false", "null", "undefined", " ",
	"\n", "\t", "😀", "é", "=", "&", "|", "/", "*", "#", "\x01", "now", "iso", "length",
};
#define FRAGMENT_COUNT (sizeof fragments / sizeof fragments[0])

static unsigned long long state = 0x9E3779B97F4A7C15ull;

static unsigned next_random(void)
{
	/* xorshift64*: small, fast, and the same on every machine. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (unsigned)((state * 2685821657736338717ull) >> 32);
}

static jv test_event(void)
{
	const char *text = "{\"a\":1,\"b\":{\"c\":\"deep\"},\"s\":\"  Mixed Case {{x}}  \",\"n\":null,"
			   "\"arr\":[1,\"two\",null,[3]],\"obj\":{\"k\":\"v\",\"length\":9},"
			   "\"big\":1e308,\"neg\":-0.0}";
	return jv_parse(text);
}

int main(void)
{
	jv event = test_event(), builtins = jv_parse("{\"now\":\"2026-01-01T00:00:00.000Z\",\"iso\":\"x\"}");
	struct buf source = BUF_INIT, out = BUF_INIT;
	int rounds = 200000, compiled = 0, errors_in_range = 1, i;
	char why[200];

	for (i = 0; i < rounds; i++) {
		int pieces = 1 + (int)(next_random() % 24), k;
		enum tmpl_mode mode = next_random() % 2 ? TMPL_TEXT : TMPL_CONDITION;
		struct tmpl_error err;
		struct tmpl *t;

		buf_clear(&source);
		if (mode == TMPL_TEXT && next_random() % 2)
			buf_append(&source, "{{", 2);
		for (k = 0; k < pieces; k++) {
			const char *f = fragments[next_random() % FRAGMENT_COUNT];
			buf_append(&source, f, strlen(f));
		}
		t = tmpl_compile(source.data, source.len, mode, &err);
		if (!t) {
			if (err.offset > source.len || err.line < 1 || err.column < 1)
				errors_in_range = 0;
			continue;
		}
		compiled++;
		if (mode == TMPL_TEXT)
			tmpl_render(t, event, builtins, &out, why, sizeof why);
		else
			tmpl_test(t, event, builtins, why, sizeof why);
		tmpl_free(t);
	}
	TAP_CHECK(1, "200,000 random templates compiled and evaluated without a crash");
	TAP_CHECK(errors_in_range, "every syntax error points inside its source");
	printf("# %d of %d compiled\n", compiled, rounds);
	TAP_CHECK(compiled > 5000, "enough of them compiled to exercise the evaluator");

	/* Deep nesting is refused by the limit, not by the stack. */
	buf_clear(&source);
	for (i = 0; i < 30000; i++)
		buf_append(&source, "(", 1);
	{
		struct tmpl_error err;
		TAP_CHECK(tmpl_compile(source.data, source.len, TMPL_CONDITION, &err) == NULL &&
				  strstr(err.message, "nested too deeply") != NULL,
			  "30,000 open parentheses: an error, not a stack overflow");
	}
	buf_clear(&source);
	for (i = 0; i < 30000; i++)
		buf_append(&source, "!", 1);
	{
		struct tmpl_error err;
		TAP_CHECK(tmpl_compile(source.data, source.len, TMPL_CONDITION, &err) == NULL,
			  "30,000 negations: an error, not a stack overflow");
	}
	buf_free(&source);
	buf_free(&out);
	jv_free(event);
	jv_free(builtins);
	return tap_done();
}
