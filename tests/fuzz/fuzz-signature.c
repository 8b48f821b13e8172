/* fuzz-signature: common/signature.c, the x-apple-signature header as it arrives.
 *
 * The input is the header's value. Apple's own example (secret "This is my secret", body
 * "Hello, World!") is the fixed body and secret, so the fuzzer can reach the matching
 * signature from the seed and the checks see both answers. Beyond memory errors: parse and
 * check agree (a value parse refuses is never OK), and a parsed value printed back by
 * signature_make for the same MAC parses to the same bytes. */
#include "fuzz.h"

#include "signature.h"

static const char body[] = "Hello, World!";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secrets secrets = SECRETS_INIT;
	unsigned char mac[HMAC_SHA256_LEN], again[HMAC_SHA256_LEN];
	char *header = fuzz_string(data, size), made[SIGNATURE_TEXT_SIZE];
	enum signature_result result;
	int parsed;

	if (!secrets.count) {
		secrets_add(&secrets, "not this one", 12);
		secrets_add(&secrets, "This is my secret", 17);
	}
	parsed = signature_parse(header, mac);
	result = signature_check(header, &secrets, body, sizeof body - 1);
	if (parsed != 0 && result == SIGNATURE_OK)
		abort();
	if (parsed == 0 && result == SIGNATURE_MALFORMED)
		abort();
	if (!signature_result_text(result))
		abort();
	if (signature_make(&secrets.list[1], header, strlen(header), made) != 0 ||
	    signature_parse(made, again) != 0 || strlen(made) != SIGNATURE_TEXT_SIZE - 1)
		abort();
	free(header);
	return 0;
}
