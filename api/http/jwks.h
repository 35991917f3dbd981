/* jwks.h — a JSON Web Key Set (RFC 7517) as the identity provider publishes it, turned into the PEM public
 * keys libjwt verifies with: RSA keys (RS256, RS384, RS512; 2048 bits or more) and EC keys on P-256 (ES256)
 * and P-384 (ES384). The members are decoded and the key built by OpenSSL 3 (EVP_PKEY_fromdata, checked
 * with EVP_PKEY_public_check); nothing here is I/O (jwks_source.h fetches and refreshes). */
#ifndef TUTORD_JWKS_H
#define TUTORD_JWKS_H

#include <jwt.h>
#include <stddef.h>

#define JWKS_MAX_KEYS 32     /* usable keys kept from one document; more are ignored */
#define JWKS_MAX_ENTRIES 128 /* a document with more entries in "keys" is refused */
#define JWKS_MAX_KID 128     /* longest kid kept; a key with a longer one is skipped */

/* One verification key: its kid ("" when the JWK has none), the one algorithm it may verify (its `alg`, or
 * RS256 for an RSA key without one, ES256/ES384 by curve for an EC key) and its public key as PEM. */
struct jwk_key {
    char kid[JWKS_MAX_KID + 1];
    jwt_alg_t alg;
    unsigned char *pem; /* NUL-terminated */
    int pem_len;
};

/* An immutable set of keys, shared by reference count once published. */
struct jwks_set {
    size_t n;
    struct jwk_key keys[JWKS_MAX_KEYS];
    int refs; /* touched only with the atomics of jwks_set_hold/jwks_set_release */
};

/* Parses `len` bytes of a JWKS document ({"keys": [...]}, duplicate names refused). Entries that are not
 * signature keys of a supported type (use other than "sig", kty oct or OKP, unknown alg or curve, an RSA
 * modulus under 2048 bits, a point off its curve) are skipped. Returns a new set (one reference) holding
 * at least one key, or NULL with the reason in why[size]. Thread-safe. */
struct jwks_set *jwks_parse(const char *json, size_t len, char *why, size_t size);

/* A new set holding the keys of `a` then those of `b` (either may be NULL), up to JWKS_MAX_KEYS; NULL when
 * both are empty or memory runs out. */
struct jwks_set *jwks_merge(const struct jwks_set *a, const struct jwks_set *b);

/* True when both sets hold the same keys in the same order (NULL equals only NULL). */
int jwks_equal(const struct jwks_set *a, const struct jwks_set *b);

/* Takes one more reference (NULL-safe) and returns `set`. */
struct jwks_set *jwks_set_hold(struct jwks_set *set);

/* Drops one reference; the last one frees the set. NULL-safe. */
void jwks_set_release(struct jwks_set *set);

/* The algorithms a JWKS key may carry: RS256, RS384, RS512, ES256, ES384 (JWT_ALG_INVAL for any other). */
jwt_alg_t jwks_alg_of_name(const char *name);

#endif
