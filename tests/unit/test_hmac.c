/* hmac_sha256, built over the low-level SHA-256 calls: RFC 4231's test vectors (keys
 * shorter than, equal to and longer than a block), the empty key and message, and every
 * key length from 0 to 200 against OpenSSL's own HMAC(). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "hmac.h"
#include "tap.h"

static void hex(const unsigned char *mac, char out[2 * HMAC_SHA256_LEN + 1])
{
	int i;

	for (i = 0; i < HMAC_SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static void vector(const void *key, size_t key_len, const char *msg, size_t msg_len,
		   const char *expected, const char *what)
{
	unsigned char mac[HMAC_SHA256_LEN];
	char text[2 * HMAC_SHA256_LEN + 1] = "";

	if (hmac_sha256(key, key_len, msg, msg_len, mac) == 0)
		hex(mac, text);
	TAP_CHECK(strcmp(text, expected) == 0, what);
}

int main(void)
{
	unsigned char key[200], msg[300], ours[HMAC_SHA256_LEN], theirs[HMAC_SHA256_LEN];
	unsigned char k0b[20], kaa[131], k25[25], d50[50], c50[50];
	unsigned int len;
	size_t i, mismatches = 0;

	memset(k0b, 0x0b, sizeof k0b);
	memset(kaa, 0xaa, sizeof kaa);
	memset(d50, 0xdd, sizeof d50);
	memset(c50, 0xcd, sizeof c50);
	for (i = 0; i < sizeof k25; i++)
		k25[i] = (unsigned char)(i + 1);

	vector(k0b, 20, "Hi There", 8,
	       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
	vector("Jefe", 4, "what do ya want for nothing?", 28,
	       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "RFC 4231 case 2");
	vector(kaa, 20, (const char *)d50, 50,
	       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", "RFC 4231 case 3");
	vector(k25, 25, (const char *)c50, 50,
	       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", "RFC 4231 case 4");
	vector(kaa, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	       "RFC 4231 case 6: a key longer than a block is hashed first");
	vector(kaa, 131,
	       "This is a test using a larger than block-size key and a larger than block-size "
	       "data. The key needs to be hashed before being used by the HMAC algorithm.", 152,
	       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", "RFC 4231 case 7");
	vector("", 0, "", 0, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	       "empty key, empty message");
	vector("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 64,
	       "exactly one block of key", 24,
	       "baa93ea4ccc7062ed6870c5e7937dbd35ad7791df4e29df9addeb429ff491acf",
	       "a key of exactly one block is used as it is");

	for (i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(i * 7 + 3);
	for (i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 13 + 1);
	for (i = 0; i <= sizeof key; i++) {
		size_t msg_len = (i * 37) % (sizeof msg + 1);
		if (hmac_sha256(key, i, msg, msg_len, ours) != 0 ||
		    !HMAC(EVP_sha256(), key, (int)i, msg, msg_len, theirs, &len) ||
		    len != HMAC_SHA256_LEN || memcmp(ours, theirs, HMAC_SHA256_LEN) != 0)
			mismatches++;
	}
	TAP_CHECK(mismatches == 0, "keys of 0 to 200 bytes: the same MAC as OpenSSL's HMAC()");

	memset(theirs, 0, sizeof theirs);
	memcpy(ours, theirs, sizeof ours);
	TAP_CHECK(hmac_equal(ours, theirs), "equal MACs compare equal");
	ours[HMAC_SHA256_LEN - 1] ^= 1;
	TAP_CHECK(!hmac_equal(ours, theirs), "a MAC differing in its last bit does not");
	return tap_done();
}
