/* hmac: HMAC-SHA256 through OpenSSL, and a constant-time comparison. */
#ifndef ASCBELL_HMAC_H
#define ASCBELL_HMAC_H

#include <stddef.h>

#define HMAC_SHA256_LEN 32

/* Returns 0, or -1 when OpenSSL fails (out of memory, broken provider). */
int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		unsigned char out[HMAC_SHA256_LEN]);

/* 1 when the two MACs are equal; the time taken does not depend on where they differ. */
int hmac_equal(const unsigned char a[HMAC_SHA256_LEN], const unsigned char b[HMAC_SHA256_LEN]);

#endif
