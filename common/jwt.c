/* jwt: ES256 JSON Web Tokens for the App Store Connect API. */
#include "jwt.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

struct jwt_signer {
	EVP_PKEY *key;
	char *key_id;
	char *issuer;
	char token[1024];
	time_t expires;
};

/* base64url without padding (RFC 7515). */
static void append_base64url(struct buf *out, const unsigned char *data, size_t len)
{
	unsigned char encoded[1024];
	size_t n, i;

	while (len) {
		size_t chunk = len > 384 ? 384 : len; /* 384 bytes encode to 512 */
		n = (size_t)EVP_EncodeBlock(encoded, data, (int)chunk);
		for (i = 0; i < n && encoded[i] != '='; i++) {
			char c = encoded[i] == '+' ? '-' : encoded[i] == '/' ? '_' : (char)encoded[i];
			buf_append(out, &c, 1);
		}
		data += chunk;
		len -= chunk;
	}
}

/* Key and issuer ids go into the token's JSON as they are: only letters, digits, dashes. */
static int plain_id(const char *text)
{
	size_t n = strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	return n > 0 && n < 100 && text[n] == '\0';
}

struct jwt_signer *jwt_signer_new(const char *key_id, const char *issuer, const char *path,
				  const char *pem, char *why, size_t why_size)
{
	struct jwt_signer *s;
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (!plain_id(key_id) || (issuer && !plain_id(issuer))) {
		snprintf(why, why_size, "ASC_KEY_ID and ASC_ISSUER_ID take letters, digits and dashes");
		return NULL;
	}
	bio = path ? BIO_new_file(path, "r") : BIO_new_mem_buf(pem, -1);

	if (!bio) {
		snprintf(why, why_size, "cannot read the key file %s", path ? path : "(ASC_PRIVATE_KEY)");
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 256) {
		snprintf(why, why_size, "%s is not an ES256 private key in PEM (AuthKey_<KEYID>.p8)",
			 path ? path : "ASC_PRIVATE_KEY");
		EVP_PKEY_free(key);
		return NULL;
	}
	s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	s->key = key;
	s->key_id = xstrdup(key_id);
	s->issuer = issuer ? xstrdup(issuer) : NULL;
	return s;
}

void jwt_signer_free(struct jwt_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	free(s->key_id);
	free(s->issuer);
	OPENSSL_cleanse(s->token, sizeof s->token);
	free(s);
}

/* ECDSA gives a DER SEQUENCE of r and s; JWS wants the two as 32 bytes each, r||s. */
static int raw_signature(const unsigned char *der, size_t der_len, unsigned char out[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *s;
	int ok;

	if (!sig)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

const char *jwt_token(struct jwt_signer *s, time_t now)
{
	struct buf jwt = BUF_INIT;
	char json[512];
	unsigned char der[128], raw[64];
	size_t der_len = sizeof der;
	EVP_MD_CTX *ctx;
	int ok;

	if (s->token[0] && now < s->expires - 60)
		return s->token;
	snprintf(json, sizeof json, "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", s->key_id);
	append_base64url(&jwt, (const unsigned char *)json, strlen(json));
	buf_append(&jwt, ".", 1);
	if (s->issuer)
		snprintf(json, sizeof json,
			 "{\"iss\":\"%s\",\"iat\":%lld,\"exp\":%lld,\"aud\":\"appstoreconnect-v1\"}",
			 s->issuer, (long long)now, (long long)now + JWT_LIFETIME);
	else
		snprintf(json, sizeof json,
			 "{\"sub\":\"user\",\"iat\":%lld,\"exp\":%lld,\"aud\":\"appstoreconnect-v1\"}",
			 (long long)now, (long long)now + JWT_LIFETIME);
	append_base64url(&jwt, (const unsigned char *)json, strlen(json));

	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, s->key) == 1 &&
	     EVP_DigestSign(ctx, der, &der_len, (const unsigned char *)jwt.data, jwt.len) == 1 &&
	     raw_signature(der, der_len, raw) == 0;
	EVP_MD_CTX_free(ctx);
	if (ok) {
		buf_append(&jwt, ".", 1);
		append_base64url(&jwt, raw, sizeof raw);
		ok = jwt.len < sizeof s->token;
	}
	if (ok) {
		memcpy(s->token, jwt.data, jwt.len + 1);
		s->expires = now + JWT_LIFETIME;
	}
	buf_free(&jwt);
	return ok ? s->token : NULL;
}
