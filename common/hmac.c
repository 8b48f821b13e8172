/* hmac: HMAC-SHA256 over OpenSSL's low-level SHA-256, and a constant-time comparison.
 *
 * Why the low-level calls: OpenSSL 3's HMAC() and EVP_MAC fetch an implementation from a
 * provider on every call, and the first fetch sets the providers up: 4.7 million
 * instructions, more than half of a whole asc-verify process (callgrind: 8.07 M with
 * HMAC(), 3.4 M with this file). SHA256_Init/Update/Final are deprecated in OpenSSL 3
 * (still present, and still the same code the default provider runs); the deprecation
 * warnings are silenced here, in this one file, and nowhere else. HMAC itself is RFC 2104,
 * a few lines over the hash; tests/unit/test_hmac.c holds RFC 4231's vectors and
 * tests/asc-verify.bats Apple's. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "hmac.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#define BLOCK 64 /* SHA-256's block size */

int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		unsigned char out[HMAC_SHA256_LEN])
{
	unsigned char k[BLOCK], pad[BLOCK], inner[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;
	size_t i;
	int ok = 1;

	/* A key longer than a block is hashed first; a shorter one is padded with zeros. */
	memset(k, 0, sizeof k);
	if (key_len > BLOCK)
		ok &= SHA256_Init(&ctx) && SHA256_Update(&ctx, key, key_len) && SHA256_Final(k, &ctx);
	else if (key_len)
		memcpy(k, key, key_len);

	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	ok &= SHA256_Init(&ctx) && SHA256_Update(&ctx, pad, BLOCK) &&
	      SHA256_Update(&ctx, msg_len ? msg : (const void *)"", msg_len) &&
	      SHA256_Final(inner, &ctx);
	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	ok &= SHA256_Init(&ctx) && SHA256_Update(&ctx, pad, BLOCK) &&
	      SHA256_Update(&ctx, inner, sizeof inner) && SHA256_Final(out, &ctx);

	/* The key, and what is derived from it, do not outlive the call. */
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(pad, sizeof pad);
	OPENSSL_cleanse(inner, sizeof inner);
	OPENSSL_cleanse(&ctx, sizeof ctx);
	return ok ? 0 : -1;
}

int hmac_equal(const unsigned char a[HMAC_SHA256_LEN], const unsigned char b[HMAC_SHA256_LEN])
{
	return CRYPTO_memcmp(a, b, HMAC_SHA256_LEN) == 0;
}
