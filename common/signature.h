/* signature: App Store Connect's x-apple-signature header, "hmacsha256=<64 hex digits>",
 * an HMAC-SHA256 of the raw request body keyed with the webhook secret. */
#ifndef ASCBELL_SIGNATURE_H
#define ASCBELL_SIGNATURE_H

#include <stddef.h>

#include "hmac.h"
#include "secrets.h"

#define SIGNATURE_PREFIX "hmacsha256="
/* The prefix, 64 hex digits and a NUL. */
#define SIGNATURE_TEXT_SIZE (sizeof SIGNATURE_PREFIX - 1 + 2 * HMAC_SHA256_LEN + 1)

enum signature_result {
	SIGNATURE_OK,
	SIGNATURE_MISSING,
	SIGNATURE_MALFORMED,
	SIGNATURE_MISMATCH,
	SIGNATURE_FAILED /* OpenSSL could not compute the HMAC */
};

/* Decodes a header value: blanks around it ignored, hex digits in either case.
 * Returns 0, or -1 when it is not exactly the prefix and 64 hex digits. */
int signature_parse(const char *text, unsigned char mac[HMAC_SHA256_LEN]);

/* The header value for body signed with secret. Returns 0, or -1 when OpenSSL fails. */
int signature_make(const struct secret *secret, const void *body, size_t len,
		   char out[SIGNATURE_TEXT_SIZE]);

/* Checks header (NULL when there was none) against the body with every secret. */
enum signature_result signature_check(const char *header, const struct secrets *secrets,
				      const void *body, size_t len);

/* A short phrase for messages: "no signature", "malformed signature", ... */
const char *signature_result_text(enum signature_result result);

/* Logs what result means for a body of len bytes (label: "FILE: " or "") and returns the
 * exit status: 0, 77 (missing, malformed, mismatch; missing_hint says where a signature
 * would have come from) or 70. */
int signature_verdict(enum signature_result result, const char *label, size_t len,
		      const char *missing_hint);

#endif
