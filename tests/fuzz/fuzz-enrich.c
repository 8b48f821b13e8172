/* fuzz-enrich: asc-enrich's handling of the App Store Connect API's answers (JSON:API
 * documents of any shape, error answers, retries), with the API answering from the input
 * (fakeapi.h).
 *
 * The program's own file is compiled in, main renamed, so the code under test is exactly
 * the program's: a change of its internal names shows here as a build error of `make fuzz`.
 * Input: an event (what asc-parse writes), then the answers to the requests it causes, in
 * order, separated by FUZZ_SEPARATOR. Beyond memory errors and leaks: the event comes out an
 * object, never with fewer members than it went in with. */
#include "fakeapi.h"
#include "known.h"

#define main asc_enrich_main
#include "../../cmd/asc-enrich.c"
#undef main

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	set_progname("fuzz-enrich");
	msg_quiet = 1; /* an API failure warns; here that is every other input */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enricher e;
	const char *part;
	size_t len;
	jv event;
	int before;

	if (fuzz_jq_separator_leak_parts((const char *)data, size))
		return 0;
	fake_answers = (struct fuzz_parts){(const char *)data, (const char *)data + size};
	if (!fuzz_next_part(&fake_answers, &part, &len) || len > 65536)
		return 0;
	event = jv_parse_sized(part, (int)len);
	if (jv_get_kind(event) != JV_KIND_OBJECT) {
		jv_free(event);
		return 0;
	}
	memset(&e, 0, sizeof e);
	e.api = fake_api();
	e.cache[0] = '\0'; /* no cache: every input sees the API */
	e.timeout = 5;
	before = jv_object_length(jv_copy(event));
	event = enrich(&e, event);
	if (jv_get_kind(event) != JV_KIND_OBJECT || jv_object_length(jv_copy(event)) < before)
		abort();
	if (json_write_line(event, stdout) != 0)
		abort();
	return 0;
}
