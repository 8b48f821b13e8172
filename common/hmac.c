/* hmac: HMAC-SHA256 through OpenSSL, and a constant-time comparison. */
#include "hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		unsigned char out[HMAC_SHA256_LEN])
{
	static int initialised;
	unsigned int out_len = 0;

	if (!initialised) {
		/* The system openssl.cnf can load engines and providers that an HMAC does not
		 * need; reading it is a large share of a short process's start-up. */
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
		initialised = 1;
	}
	/* OpenSSL wants a non-NULL pointer even for an empty key or message. */
	if (!HMAC(EVP_sha256(), key_len ? key : "", (int)key_len,
		  msg_len ? msg : (const void *)"", msg_len, out, &out_len))
		return -1;
	return out_len == HMAC_SHA256_LEN ? 0 : -1;
}

int hmac_equal(const unsigned char a[HMAC_SHA256_LEN], const unsigned char b[HMAC_SHA256_LEN])
{
	return CRYPTO_memcmp(a, b, HMAC_SHA256_LEN) == 0;
}
