/* keys.c — signing keys made at test run time (see keys.h). */
#include "keys.h"

#include <check.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* base64url (no padding) of n bytes, as a new JSON string. */
static json_t *b64url(const unsigned char *bytes, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    ck_assert_ptr_nonnull(out);
    int len = EVP_EncodeBlock((unsigned char *)out, bytes, (int)n);
    while (len > 0 && out[len - 1] == '=')
        out[--len] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    json_t *s = json_string(out);
    free(out);
    return s;
}

/* The big-number parameter `name` of pkey as base64url. */
static json_t *bn_member(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    ck_assert(EVP_PKEY_get_bn_param(pkey, name, &bn) == 1);
    unsigned char buf[1024];
    int n = BN_bn2bin(bn, buf);
    BN_free(bn);
    return b64url(buf, (size_t)n);
}

/* The public JWK of pkey for k. */
static json_t *public_jwk(EVP_PKEY *pkey, const struct test_key *k)
{
    json_t *jwk = json_pack("{s:s, s:s}", "kid", k->kid, "use", "sig");
    if (k->alg != JWT_ALG_ES256 && k->alg != JWT_ALG_ES384) {
        json_object_set_new(jwk, "kty", json_string("RSA"));
        if (k->alg != JWT_ALG_RS256)
            json_object_set_new(jwk, "alg", json_string(jwt_alg_str(k->alg)));
        json_object_set_new(jwk, "n", bn_member(pkey, OSSL_PKEY_PARAM_RSA_N));
        json_object_set_new(jwk, "e", bn_member(pkey, OSSL_PKEY_PARAM_RSA_E));
        return jwk;
    }
    size_t width = k->alg == JWT_ALG_ES256 ? 32 : 48, len = 0;
    unsigned char point[97];
    ck_assert(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len) == 1);
    ck_assert_uint_eq(len, 1 + 2 * width);
    json_object_set_new(jwk, "kty", json_string("EC"));
    json_object_set_new(jwk, "alg", json_string(jwt_alg_str(k->alg)));
    json_object_set_new(jwk, "crv", json_string(width == 32 ? "P-256" : "P-384"));
    json_object_set_new(jwk, "x", b64url(point + 1, width));
    json_object_set_new(jwk, "y", b64url(point + 1 + width, width));
    return jwk;
}

void test_key_make(struct test_key *k, const char *kid, jwt_alg_t alg, int rsa_bits)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->kid, sizeof(k->kid), "%s", kid);
    k->alg = alg;
    EVP_PKEY *pkey = alg == JWT_ALG_ES256   ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                     : alg == JWT_ALG_ES384 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")
                                            : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits);
    ck_assert_ptr_nonnull(pkey);
    BIO *mem = BIO_new(BIO_s_mem());
    ck_assert(PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL) == 1);
    char *data = NULL;
    long n = BIO_get_mem_data(mem, &data);
    k->private_pem = strndup(data, (size_t)n);
    BIO_free(mem);
    k->jwk = public_jwk(pkey, k);
    EVP_PKEY_free(pkey);
}

void test_key_free(struct test_key *k)
{
    free(k->private_pem);
    json_decref(k->jwk);
    memset(k, 0, sizeof(*k));
}

char *test_key_sign(const struct test_key *k, const char *kid, const char *claims)
{
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
    if (kid)
        ck_assert_int_eq(jwt_add_header(jwt, "kid", kid), 0);
    ck_assert_int_eq(jwt_set_alg(jwt, k->alg, (const unsigned char *)k->private_pem, (int)strlen(k->private_pem)), 0);
    char *token = jwt_encode_str(jwt);
    jwt_free(jwt);
    ck_assert_ptr_nonnull(token);
    return token;
}

char *test_keys_jwks(const struct test_key *const *keys, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(arr, keys[i]->jwk);
    json_t *doc = json_pack("{s:o}", "keys", arr);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    ck_assert_ptr_nonnull(text);
    return text;
}
