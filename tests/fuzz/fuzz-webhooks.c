/* fuzz-webhooks: asc-webhooks' handling of the App Store Connect API's answers: listings
 * of webhooks and deliveries page by page (links.next resolved and held to the API's
 * origin), single webhooks, pings, redeliveries, summaries across two webhooks, with the API
 * answering from the input
 * (fakeapi.h).
 *
 * The program's own file is compiled in, main renamed, so the code under test is exactly
 * the program's. Input: one byte choosing the command and its options, then the answers
 * in order, separated by FUZZ_SEPARATOR.
 *
 * The program ends with exit status 69 when Apple's answer is an error (`must`); under the
 * fuzzer the calls that may do so are wrapped (-Wl,--wrap=ascapi_call,--wrap=ascapi_get_next)
 * so that such an answer reaches the program as the null document it would see for an empty
 * body instead: the real functions still run on every answer. */
#include "fakeapi.h"
#include "known.h"

#define main asc_webhooks_main
#include "../../cmd/asc-webhooks.c"
#undef main

jv __real_ascapi_call(struct ascapi *api, enum ascapi_call call, const char *path, jv body);
jv __wrap_ascapi_call(struct ascapi *api, enum ascapi_call call, const char *path, jv body);
jv __real_ascapi_get_next(struct ascapi *api, const char *current, const char *next, char *url,
			  size_t size);
jv __wrap_ascapi_get_next(struct ascapi *api, const char *current, const char *next, char *url,
			  size_t size);

jv __wrap_ascapi_call(struct ascapi *api, enum ascapi_call call, const char *path, jv body)
{
	jv doc = __real_ascapi_call(api, call, path, body);
	if (jv_is_valid(doc))
		return doc;
	jv_free(doc);
	return jv_null();
}

jv __wrap_ascapi_get_next(struct ascapi *api, const char *current, const char *next, char *url,
			  size_t size)
{
	jv doc = __real_ascapi_get_next(api, current, next, url, size);
	if (jv_is_valid(doc))
		return doc;
	jv_free(doc);
	snprintf(url, size, "%s", current);
	return jv_null();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	set_progname("fuzz-webhooks");
	msg_quiet = 1;
	/* Its messages, not libFuzzer's: libFuzzer and the sanitizers keep the stderr they
	 * started with. */
	if (!freopen("/dev/null", "w", stdout) || !(stderr = fopen("/dev/null", "w")))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const commands[] = {"list", "get", "deliveries", "ping", "delete", "redeliver",
					       "update"};
	char *argv[] = {"asc-webhooks", NULL, "wh-1", "d-1", NULL};
	struct options opt;
	struct run run;

	if (size < 1 || fuzz_jq_separator_leak_parts((const char *)data + 1, size - 1))
		return 0;
	memset(&opt, 0, sizeof opt);
	opt.app = "6447123456";
	opt.enabled = -1;
	opt.limit = 50;
	opt.timeout = 10;
	opt.table = (data[0] & 8) != 0;
	opt.summary = (data[0] & 16) != 0;
	opt.failed = (data[0] & 32) != 0;
	opt.state = data[0] & 64 ? "failed" : NULL;
	opt.name = data[0] & 128 ? "renamed" : NULL;
	opt.since = "2026-11-20T00:00:00Z";
	opt.until = "2026-11-27T00:00:00Z";
	argv[1] = (char *)commands[(data[0] & 7) % 7];
	fake_answers = (struct fuzz_parts){(const char *)data + 1, (const char *)data + size};
	memset(&run, 0, sizeof run);
	run.opt = &opt;
	run.api = fake_api();
	optind = 2;
	/* Two ids where the command takes several (redeliver, deliveries --summary), one where a
	 * second is a usage error (exit 64, which would end the fuzzer). */
	(void)run_command(&run, argv[1],
			  (!strcmp(argv[1], "redeliver") && !opt.failed) || (!strcmp(argv[1], "deliveries") && opt.summary)
				  ? 4 : 3,
			  argv);
	return 0;
}
