/* jwks.c — JWKS documents into PEM public keys with OpenSSL 3: base64url members decoded by
 * EVP_DecodeBlock, keys built by EVP_PKEY_fromdata and checked by EVP_PKEY_public_check, written out by
 * PEM_write_bio_PUBKEY. libjwt 1.10 then verifies with the PEM as it does for TUTORD_JWT_PUBLIC_KEY_FILE. */
#include "jwks.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64URL_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define MAX_MEMBER_CHARS 2048 /* base64url of a 12288-bit modulus: larger members are refused */

jwt_alg_t jwks_alg_of_name(const char *name)
{
    static const char *const names[] = {"RS256", "RS384", "RS512", "ES256", "ES384"};
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i], name) == 0)
            return jwt_str_alg(name);
    return JWT_ALG_INVAL;
}

/* Decodes the base64url (unpadded) member `name` of `jwk` into buf[size]; returns the byte count, or -1
 * when the member is absent, not base64url, empty or longer than size. */
static int member_bytes(json_t *jwk, const char *name, unsigned char *buf, size_t size)
{
    const char *text = json_string_value(json_object_get(jwk, name));
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > MAX_MEMBER_CHARS || n % 4 == 1 || strspn(text, B64URL_ALPHABET) != n)
        return -1;
    char std[MAX_MEMBER_CHARS + 4];
    for (size_t i = 0; i < n; i++)
        std[i] = (char)(text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i]);
    size_t pad = (4 - n % 4) % 4;
    memset(std + n, '=', pad);
    unsigned char out[MAX_MEMBER_CHARS];
    int got = EVP_DecodeBlock(out, (const unsigned char *)std, (int)(n + pad));
    if (got < 0 || (size_t)got < pad || (size_t)got - pad > size || (size_t)got == pad)
        return -1;
    memcpy(buf, out, (size_t)got - pad);
    return got - (int)pad;
}

/* Builds a public key of `type` ("RSA" or "EC") from the parameters; NULL when OpenSSL refuses them. */
static EVP_PKEY *key_from_params(const char *type, OSSL_PARAM *params)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_CTX *check = pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
    if (pkey && (!check || EVP_PKEY_public_check(check) != 1)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(check);
    return pkey;
}

/* An RSA public key from the JWK's n and e, 2048 bits or more; NULL otherwise. */
static EVP_PKEY *rsa_key(json_t *jwk)
{
    unsigned char n[MAX_MEMBER_CHARS], e[16];
    int n_len = member_bytes(jwk, "n", n, sizeof(n)), e_len = member_bytes(jwk, "e", e, sizeof(e));
    if (n_len < 256 || e_len < 1)
        return NULL;
    BIGNUM *bn_n = BN_bin2bn(n, n_len, NULL), *bn_e = BN_bin2bn(e, e_len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
        params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY *pkey = key_from_params("RSA", params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    if (pkey && EVP_PKEY_get_bits(pkey) < 2048) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* An EC public key on P-256 or P-384 from the JWK's crv, x and y; *alg gets ES256 or ES384. */
static EVP_PKEY *ec_key(json_t *jwk, jwt_alg_t *alg)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    int p256 = crv && strcmp(crv, "P-256") == 0, p384 = crv && strcmp(crv, "P-384") == 0;
    if (!p256 && !p384)
        return NULL;
    int width = p256 ? 32 : 48;
    unsigned char point[1 + 2 * 48] = {0x04}; /* uncompressed: 04 || x || y */
    if (member_bytes(jwk, "x", point + 1, 48) != width || member_bytes(jwk, "y", point + 1 + width, 48) != width)
        return NULL;
    *alg = p256 ? JWT_ALG_ES256 : JWT_ALG_ES384;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, p256 ? "prime256v1" : "secp384r1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * (size_t)width))
        params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY *pkey = key_from_params("EC", params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

/* Writes `pkey` as a PEM SubjectPublicKeyInfo into key->pem; 0, or -1. */
static int store_pem(EVP_PKEY *pkey, struct jwk_key *key)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = mem && PEM_write_bio_PUBKEY(mem, pkey) == 1 ? BIO_get_mem_data(mem, &data) : 0;
    key->pem = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (key->pem) {
        memcpy(key->pem, data, (size_t)n);
        key->pem[n] = '\0';
        key->pem_len = (int)n;
    }
    BIO_free(mem);
    return key->pem ? 0 : -1;
}

/* Fills *key from one JWK; 0, or -1 when the entry is not a usable signature key (skipped). */
static int parse_key(json_t *jwk, struct jwk_key *key)
{
    json_t *use = json_object_get(jwk, "use"), *kid = json_object_get(jwk, "kid"), *alg = json_object_get(jwk, "alg");
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    if (!json_is_object(jwk) || !kty || (use && !(json_is_string(use) && strcmp(json_string_value(use), "sig") == 0)))
        return -1;
    if ((kid && (!json_is_string(kid) || json_string_length(kid) > JWKS_MAX_KID)) || (alg && !json_is_string(alg)))
        return -1;
    jwt_alg_t curve_alg = JWT_ALG_INVAL, want = alg ? jwks_alg_of_name(json_string_value(alg)) : JWT_ALG_INVAL;
    int rsa = strcmp(kty, "RSA") == 0;
    EVP_PKEY *pkey = rsa ? rsa_key(jwk) : strcmp(kty, "EC") == 0 ? ec_key(jwk, &curve_alg) : NULL;
    if (!alg)
        want = rsa ? JWT_ALG_RS256 : curve_alg;
    int fits = rsa ? (want == JWT_ALG_RS256 || want == JWT_ALG_RS384 || want == JWT_ALG_RS512) : want == curve_alg;
    int rc = pkey && fits && want != JWT_ALG_INVAL ? store_pem(pkey, key) : -1;
    EVP_PKEY_free(pkey);
    if (rc == 0) {
        key->alg = want;
        snprintf(key->kid, sizeof(key->kid), "%s", kid ? json_string_value(kid) : "");
    }
    return rc;
}

struct jwks_set *jwks_parse(const char *json, size_t len, char *why, size_t size)
{
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL), *keys = json_object_get(doc, "keys");
    struct jwks_set *set = NULL;
    if (!json_is_object(doc) || !json_is_array(keys))
        snprintf(why, size, "not a JWKS document (a JSON object with a \"keys\" array)");
    else if (json_array_size(keys) > JWKS_MAX_ENTRIES)
        snprintf(why, size, "the JWKS holds more than %d entries", JWKS_MAX_ENTRIES);
    else if (!(set = calloc(1, sizeof(*set))))
        snprintf(why, size, "out of memory");
    for (size_t i = 0; set && i < json_array_size(keys) && set->n < JWKS_MAX_KEYS; i++)
        if (parse_key(json_array_get(keys, i), &set->keys[set->n]) == 0)
            set->n++;
    json_decref(doc);
    if (set && set->n == 0) {
        snprintf(why, size, "the JWKS holds no usable signature key (RSA 2048+ bits, EC P-256 or P-384)");
        free(set);
        return NULL;
    }
    if (set)
        set->refs = 1;
    return set;
}

/* Copies key `src` into `dst` (its own PEM); 0, or -1 when memory runs out. */
static int copy_key(struct jwk_key *dst, const struct jwk_key *src)
{
    *dst = *src;
    dst->pem = malloc((size_t)src->pem_len + 1);
    if (!dst->pem)
        return -1;
    memcpy(dst->pem, src->pem, (size_t)src->pem_len + 1);
    return 0;
}

struct jwks_set *jwks_merge(const struct jwks_set *a, const struct jwks_set *b)
{
    struct jwks_set *set = calloc(1, sizeof(*set));
    const struct jwks_set *parts[2] = {a, b};
    for (int p = 0; set && p < 2; p++)
        for (size_t i = 0; parts[p] && i < parts[p]->n && set->n < JWKS_MAX_KEYS; i++) {
            if (copy_key(&set->keys[set->n], &parts[p]->keys[i]) != 0) {
                set->refs = 1;
                jwks_set_release(set);
                return NULL;
            }
            set->n++;
        }
    if (set && set->n == 0) {
        free(set);
        return NULL;
    }
    if (set)
        set->refs = 1;
    return set;
}

int jwks_equal(const struct jwks_set *a, const struct jwks_set *b)
{
    if (!a || !b)
        return a == b;
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->keys[i].alg != b->keys[i].alg || strcmp(a->keys[i].kid, b->keys[i].kid) != 0 ||
            a->keys[i].pem_len != b->keys[i].pem_len ||
            memcmp(a->keys[i].pem, b->keys[i].pem, (size_t)a->keys[i].pem_len) != 0)
            return 0;
    return 1;
}

struct jwks_set *jwks_set_hold(struct jwks_set *set)
{
    if (set)
        __atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
    return set;
}

void jwks_set_release(struct jwks_set *set)
{
    if (!set || __atomic_sub_fetch(&set->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < set->n; i++)
        free(set->keys[i].pem);
    free(set);
}
