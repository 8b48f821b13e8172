/* signature: App Store Connect's x-apple-signature header. */
#include "signature.h"

#include "util.h"

#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int signature_parse(const char *text, unsigned char mac[HMAC_SHA256_LEN])
{
	const size_t prefix_len = sizeof SIGNATURE_PREFIX - 1;
	size_t len, i;

	while (is_blank(*text))
		text++;
	len = strlen(text);
	while (len && is_blank(text[len - 1]))
		len--;
	if (len != prefix_len + 2 * HMAC_SHA256_LEN || strncmp(text, SIGNATURE_PREFIX, prefix_len))
		return -1;
	text += prefix_len;
	for (i = 0; i < HMAC_SHA256_LEN; i++) {
		int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int signature_make(const struct secret *secret, const void *body, size_t len,
		   char out[SIGNATURE_TEXT_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[HMAC_SHA256_LEN];
	char *p = out + sizeof SIGNATURE_PREFIX - 1;
	size_t i;

	if (hmac_sha256(secret->bytes, secret->len, body, len, mac) != 0)
		return -1;
	memcpy(out, SIGNATURE_PREFIX, sizeof SIGNATURE_PREFIX - 1);
	for (i = 0; i < HMAC_SHA256_LEN; i++) {
		*p++ = digits[mac[i] >> 4];
		*p++ = digits[mac[i] & 15];
	}
	*p = '\0';
	return 0;
}

enum signature_result signature_check(const char *header, const struct secrets *secrets,
				      const void *body, size_t len)
{
	unsigned char expected[HMAC_SHA256_LEN], given[HMAC_SHA256_LEN];
	int matched = 0;
	size_t i;

	if (!header)
		return SIGNATURE_MISSING;
	if (signature_parse(header, given) != 0)
		return SIGNATURE_MALFORMED;
	/* Every secret is tried even after a match, so the time taken does not tell an
	 * attacker which secret of a rotation is in use. */
	for (i = 0; i < secrets->count; i++) {
		if (hmac_sha256(secrets->list[i].bytes, secrets->list[i].len, body, len, expected))
			return SIGNATURE_FAILED;
		matched |= hmac_equal(expected, given);
	}
	return matched ? SIGNATURE_OK : SIGNATURE_MISMATCH;
}

const char *signature_result_text(enum signature_result result)
{
	switch (result) {
	case SIGNATURE_OK: return "signature verified";
	case SIGNATURE_MISSING: return "no signature";
	case SIGNATURE_MALFORMED: return "malformed signature";
	case SIGNATURE_MISMATCH: return "signature mismatch";
	case SIGNATURE_FAILED: break;
	}
	return "cannot compute the HMAC";
}

int signature_verdict(enum signature_result result, const char *label, size_t len,
		      const char *missing_hint)
{
	switch (result) {
	case SIGNATURE_OK:
		msg_info("%s%s (%zu bytes)", label, signature_result_text(result), len);
		return 0;
	case SIGNATURE_MISSING:
		msg_error("%sno signature (%s)", label, missing_hint);
		return EX_NOPERM;
	case SIGNATURE_MALFORMED:
		msg_error("%smalformed signature (expected hmacsha256= and 64 hex digits)", label);
		return EX_NOPERM;
	case SIGNATURE_MISMATCH:
		msg_error("%ssignature mismatch (the body was not signed with any known secret)", label);
		return EX_NOPERM;
	case SIGNATURE_FAILED:
		break;
	}
	msg_error("%s%s", label, signature_result_text(result));
	return EX_SOFTWARE;
}
