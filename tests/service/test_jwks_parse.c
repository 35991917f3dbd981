/* test_jwks_parse.c — JWKS documents into keys (api/http/jwks.c), with keys made by OpenSSL at run time: each
 * supported kind with its pinned alg (RSA without alg → RS256, EC by curve), entries that are not usable
 * signature keys skipped, broken documents refused with a reason, the PEM verifying the key's own
 * signature, and the merge/compare the refresher uses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwks.h"
#include "keys.h"

static struct test_key rsa, rsa512, es256, es384, rsa1024;

static void make_keys(void)
{
    test_key_make(&rsa, "r1", JWT_ALG_RS256, 2048);
    test_key_make(&rsa512, "r5", JWT_ALG_RS512, 2048);
    test_key_make(&es256, "e2", JWT_ALG_ES256, 0);
    test_key_make(&es384, "e3", JWT_ALG_ES384, 0);
    test_key_make(&rsa1024, "small", JWT_ALG_RS256, 1024);
}

static void free_keys(void)
{
    struct test_key *all[] = {&rsa, &rsa512, &es256, &es384, &rsa1024};
    for (size_t i = 0; i < 5; i++)
        test_key_free(all[i]);
}

/* Parses `text`; asserts the outcome (NULL or not) and returns the set. */
static struct jwks_set *parse(const char *text, int ok, char *why, size_t size)
{
    why[0] = '\0';
    struct jwks_set *set = jwks_parse(text, strlen(text), why, size);
    ck_assert_msg((set != NULL) == ok, "%s: %s", text, why);
    return set;
}

START_TEST(test_each_kind_with_its_alg)
{
    const struct test_key *keys[] = {&rsa, &rsa512, &es256, &es384};
    char *text = test_keys_jwks(keys, 4), why[256];
    struct jwks_set *set = parse(text, 1, why, sizeof(why));
    ck_assert_uint_eq(set->n, 4);
    const jwt_alg_t algs[] = {JWT_ALG_RS256, JWT_ALG_RS512, JWT_ALG_ES256, JWT_ALG_ES384};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(set->keys[i].kid, keys[i]->kid);
        ck_assert_int_eq(set->keys[i].alg, algs[i]);
        ck_assert_ptr_nonnull(strstr((char *)set->keys[i].pem, "BEGIN PUBLIC KEY"));
        /* the PEM verifies what the private key signed */
        char *token = test_key_sign(keys[i], keys[i]->kid, "{\"sub\":\"x\"}");
        jwt_t *jwt = NULL;
        ck_assert_int_eq(jwt_decode(&jwt, token, set->keys[i].pem, set->keys[i].pem_len), 0);
        jwt_free(jwt);
        free(token);
    }
    jwks_set_release(set);
    free(text);
}
END_TEST

/* A document of one JWK: k's with `member` set to `value` (JSON text; NULL removes it). */
static char *altered(const struct test_key *k, const char *member, const char *value)
{
    json_t *jwk = json_deep_copy(k->jwk);
    if (value)
        json_object_set_new(jwk, member, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(jwk, member);
    json_t *doc = json_pack("{s:[o]}", "keys", jwk);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

START_TEST(test_unusable_entries_are_skipped)
{
    struct {
        const struct test_key *key;
        const char *member, *value;
    } cases[] = {
        {&rsa, "use", "\"enc\""},
        {&rsa, "alg", "\"ES256\""},
        {&rsa, "alg", "\"PS256\""},
        {&rsa, "alg", "\"none\""},
        {&rsa, "kty", "\"oct\""},
        {&rsa, "n", "\"not base64!\""},
        {&rsa, "e", NULL},
        {&es256, "alg", "\"ES384\""},
        {&es256, "crv", "\"P-521\""},
        {&es256, "x", "\"AAAA\""},
        {&es256, "y", NULL},
        {&rsa1024, "kid", "\"small\"" /* 1024 bits */},
        {&rsa, "kid", "7"},
        {&rsa, "use", "1"},
        {&es256, "x",
         "\"" /* off the curve */
         "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""},
    };
    char why[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = altered(cases[i].key, cases[i].member, cases[i].value);
        ck_assert_ptr_null(parse(text, 0, why, sizeof(why)));
        ck_assert_ptr_nonnull(strstr(why, "no usable signature key"));
        free(text);
    }
    char long_kid[JWKS_MAX_KID + 4] = "\""; /* a JSON string one character too long */
    memset(long_kid + 1, 'k', JWKS_MAX_KID + 1);
    strcpy(long_kid + JWKS_MAX_KID + 2, "\"");
    char *text = altered(&rsa, "kid", long_kid);
    ck_assert_ptr_null(parse(text, 0, why, sizeof(why)));
    free(text);
    /* skipped entries beside a good one leave the good one */
    const struct test_key *keys[] = {&rsa1024, &es256};
    text = test_keys_jwks(keys, 2);
    struct jwks_set *set = parse(text, 1, why, sizeof(why));
    ck_assert_uint_eq(set->n, 1);
    ck_assert_str_eq(set->keys[0].kid, "e2");
    jwks_set_release(set);
    free(text);
}
END_TEST

START_TEST(test_broken_documents_are_refused)
{
    const char *docs[] = {"",
                          "garbage",
                          "[]",
                          "{}",
                          "{\"keys\":{}}",
                          "{\"keys\":[]}",
                          "{\"keys\":[1,\"x\",null]}",
                          "{\"keys\":[],\"keys\":[]}"};
    char why[256];
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        ck_assert_ptr_null(parse(docs[i], 0, why, sizeof(why)));
        ck_assert_str_ne(why, "");
    }
    char many[2 + (JWKS_MAX_ENTRIES + 1) * 3 + 16] = "{\"keys\":[";
    for (int i = 0; i <= JWKS_MAX_ENTRIES; i++)
        strcat(many, i ? ",{}" : "{}");
    strcat(many, "]}");
    ck_assert_ptr_null(parse(many, 0, why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "more than"));
}
END_TEST

START_TEST(test_merge_and_equal)
{
    const struct test_key *one[] = {&rsa}, *two[] = {&es256};
    char *t1 = test_keys_jwks(one, 1), *t2 = test_keys_jwks(two, 1), why[256];
    struct jwks_set *a = parse(t1, 1, why, sizeof(why)), *b = parse(t2, 1, why, sizeof(why));
    struct jwks_set *again = parse(t1, 1, why, sizeof(why));
    ck_assert(jwks_equal(a, again));
    ck_assert(!jwks_equal(a, b));
    ck_assert(!jwks_equal(a, NULL));
    ck_assert(jwks_equal(NULL, NULL));
    struct jwks_set *m = jwks_merge(a, b), *only = jwks_merge(NULL, a);
    ck_assert_uint_eq(m->n, 2);
    ck_assert_str_eq(m->keys[1].kid, "e2");
    ck_assert(jwks_equal(only, a));
    ck_assert_ptr_null(jwks_merge(NULL, NULL));
    jwks_set_release(jwks_set_hold(m)); /* one reference of two dropped: still there */
    ck_assert_uint_eq(m->n, 2);
    struct jwks_set *all[] = {a, b, again, m, only};
    for (size_t i = 0; i < 5; i++)
        jwks_set_release(all[i]);
    free(t1);
    free(t2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jwks_parse");
    TCase *tc = tcase_create("jwks_parse");
    tcase_add_unchecked_fixture(tc, make_keys, free_keys);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_each_kind_with_its_alg);
    tcase_add_test(tc, test_unusable_entries_are_skipped);
    tcase_add_test(tc, test_broken_documents_are_refused);
    tcase_add_test(tc, test_merge_and_equal);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
