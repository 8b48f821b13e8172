/* jwt: the ES256 JSON Web Tokens the App Store Connect API takes as "Authorization: Bearer",
 * signed with the team's key (the AuthKey_<KEYID>.p8 file, PKCS#8 PEM). A token is reused
 * until a minute before it expires. */
#ifndef ASCBELL_JWT_H
#define ASCBELL_JWT_H

#include <stddef.h>
#include <time.h>

#define JWT_LIFETIME 1200 /* seconds: Apple accepts at most 20 minutes */

struct jwt_signer;

/* Reads the key from the PEM file at path, or from pem itself when path is NULL. issuer
 * may be NULL for an individual key ("sub":"user"). Returns NULL with the reason in why. */
struct jwt_signer *jwt_signer_new(const char *key_id, const char *issuer, const char *path,
				  const char *pem, char *why, size_t why_size);
void jwt_signer_free(struct jwt_signer *s);

/* The current token ("header.claims.signature"), made anew when the last one is within 60 s
 * of its expiry. NULL when OpenSSL fails. The string belongs to the signer. */
const char *jwt_token(struct jwt_signer *s, time_t now);

#endif
