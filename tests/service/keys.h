/* keys.h — signing keys made by OpenSSL at test run time (never committed), with their public JWK, and
 * tokens signed with them by libjwt: for the JWKS unit tests and the API suite test_jwks. Failures abort
 * the running Check test. */
#ifndef TUTORD_TEST_KEYS_H
#define TUTORD_TEST_KEYS_H

#include <jansson.h>
#include <jwt.h>

struct test_key {
    char kid[160];
    jwt_alg_t alg;
    char *private_pem; /* PKCS#8 PEM, for libjwt */
    json_t *jwk;       /* the public JWK (owned) */
};

/* Makes k: an RSA key of rsa_bits for RS256/RS384/RS512 (its JWK carries no "alg" for RS256, as Entra ID's
 * do), an EC P-256 key for ES256 or P-384 for ES384 (JWK with "alg", as Keycloak's). Every JWK has kid and
 * "use": "sig". */
void test_key_make(struct test_key *k, const char *kid, jwt_alg_t alg, int rsa_bits);

/* Frees what test_key_make allocated. */
void test_key_free(struct test_key *k);

/* Signs `claims` (JSON text) with k, the header naming `kid` (NULL: none). Returns a malloc'd token. */
char *test_key_sign(const struct test_key *k, const char *kid, const char *claims);

/* {"keys": [the JWKs of keys[0..n-1]]} as compact JSON text (malloc'd). */
char *test_keys_jwks(const struct test_key *const *keys, size_t n);

#endif
