/* test_auth_verify.c — auth_verify with a controlled clock: a cached (already verified) token is still
 * refused once it expires or before nbf; a tampered token is never taken for its cached original; many
 * tokens each keep their own identity; a verifier with a new secret knows none of the old one's tokens. */
#include <check.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"

#define SECRET "unit-secret-0123456789abcdef0123456789"
#define T0 1800000000L

static struct auth_verifier *verifier;

static void setup(void)
{
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_alg = "HS256";
    cfg.jwt_secret = SECRET;
    cfg.jwt_leeway_seconds = 30;
    char why[128];
    verifier = auth_verifier_new(&cfg, why, sizeof(why));
    ck_assert_ptr_nonnull(verifier);
}

static void teardown(void)
{
    auth_verifier_free(verifier);
}

/* "Bearer <token>" for sub with exp/nbf as given (nbf 0 = absent). Returns a malloc'd header value. */
static char *bearer(const char *sub, long exp, long nbf)
{
    char claims[256];
    int n = snprintf(claims, sizeof(claims), "{\"sub\":\"%s\",\"roles\":[\"tutor\"],\"exp\":%ld", sub, exp);
    if (nbf)
        n += snprintf(claims + n, sizeof(claims) - (size_t)n, ",\"nbf\":%ld", nbf);
    snprintf(claims + n, sizeof(claims) - (size_t)n, "}");
    jwt_t *jwt = NULL;
    ck_assert_int_eq(jwt_new(&jwt), 0);
    ck_assert_int_eq(jwt_add_grants_json(jwt, claims), 0);
    ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)SECRET, (int)strlen(SECRET)), 0);
    char *token = jwt_encode_str(jwt);
    jwt_free(jwt);
    char *header = malloc(strlen(token) + 8);
    sprintf(header, "Bearer %s", token);
    free(token);
    return header;
}

static int verify(const char *header, long now, struct principal *p)
{
    const char *why = NULL;
    return auth_verify(verifier, header, (time_t)now, p, &why);
}

START_TEST(test_cached_token_expires)
{
    struct principal p;
    char *h = bearer("T1", T0 + 600, 0);
    ck_assert_int_eq(verify(h, T0, &p), 0);
    ck_assert_str_eq(p.sub, "T1");
    ck_assert_int_eq(verify(h, T0 + 100, &p), 0); /* from the cache */
    ck_assert_str_eq(p.sub, "T1");
    ck_assert_int_eq(verify(h, T0 + 600 + 30, &p), 0);  /* within the leeway */
    ck_assert_int_eq(verify(h, T0 + 600 + 31, &p), -1); /* expired, though cached */
    ck_assert_str_eq(p.sub, "");
    free(h);
}
END_TEST

START_TEST(test_cached_token_not_yet_valid)
{
    struct principal p;
    char *h = bearer("T2", T0 + 3600, T0 + 600);
    ck_assert_int_eq(verify(h, T0, &p), -1); /* nbf in the future: refused, not cached */
    ck_assert_int_eq(verify(h, T0 + 600, &p), 0);
    ck_assert_int_eq(verify(h, T0 + 580, &p), 0);  /* cached, within the leeway of nbf */
    ck_assert_int_eq(verify(h, T0 + 100, &p), -1); /* cached, but before nbf - leeway */
    free(h);
}
END_TEST

START_TEST(test_tampered_token_is_not_the_cached_one)
{
    struct principal p;
    char *h = bearer("T3", T0 + 600, 0);
    ck_assert_int_eq(verify(h, T0, &p), 0);
    char *tampered = strdup(h);
    size_t n = strlen(tampered);
    tampered[n - 2] = tampered[n - 2] == 'A' ? 'B' : 'A'; /* one signature character */
    ck_assert_int_eq(verify(tampered, T0, &p), -1);
    ck_assert_int_eq(verify(h, T0, &p), 0);
    free(tampered);
    free(h);
}
END_TEST

START_TEST(test_many_tokens_all_verify)
{
    /* many tokens at once: each answers with its own identity, never another's */
    struct principal p;
    char *headers[100], sub[16];
    for (int i = 0; i < 100; i++) {
        snprintf(sub, sizeof(sub), "S%d", i);
        headers[i] = bearer(sub, T0 + 600, 0);
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 100; i++) {
            snprintf(sub, sizeof(sub), "S%d", i);
            ck_assert_int_eq(verify(headers[i], T0, &p), 0);
            ck_assert_str_eq(p.sub, sub);
        }
    for (int i = 0; i < 100; i++)
        free(headers[i]);
}
END_TEST

/* A new secret is a new verifier, with nothing of the old one's cache: a token verified (and cached) under
 * the old secret is refused under the new one, though the new verifier may reuse the old one's memory. */
START_TEST(test_new_secret_forgets_verified_tokens)
{
    struct principal p;
    char *h = bearer("T4", T0 + 600, 0);
    ck_assert_int_eq(verify(h, T0, &p), 0);
    ck_assert_int_eq(verify(h, T0, &p), 0); /* now from the cache */
    auth_verifier_free(verifier);
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_alg = "HS256";
    cfg.jwt_secret = "another-secret-0123456789abcdef0123456789";
    cfg.jwt_leeway_seconds = 30;
    char why[128];
    verifier = auth_verifier_new(&cfg, why, sizeof(why));
    ck_assert_ptr_nonnull(verifier);
    ck_assert_int_eq(verify(h, T0, &p), -1);
    ck_assert_str_eq(p.sub, "");
    free(h);
}
END_TEST

/* auth_check_claims, the claim checks alone: the leeway edges of exp and nbf, extreme values compared
 * without overflow, a name given twice refused. */
START_TEST(test_claims_checked_alone)
{
    static const struct {
        const char *claims;
        long now;
        int rc;
    } CASES[] = {
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":1800000000}", T0 + 30, 0},  /* exp + leeway */
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":1800000000}", T0 + 31, -1}, /* a second later */
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":1800000600,\"nbf\":1800000030}", T0, 0},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":1800000600,\"nbf\":1800000031}", T0, -1},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":9223372036854775807}", T0, 0},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":9223372036854775807,\"nbf\":-9223372036854775808}", T0, 0},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":-9223372036854775808}", T0, -1},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"roles\":[\"admin\"],\"exp\":1800000600}", T0, -1},
        {"{\"sub\":\"T9\",\"roles\":[\"tutor\"],\"exp\":1800000600", T0, -1}, /* not JSON */
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        struct principal p;
        const char *why = NULL;
        int rc = auth_check_claims(verifier, CASES[i].claims, strlen(CASES[i].claims), (time_t)CASES[i].now, &p, &why);
        ck_assert_msg(rc == CASES[i].rc, "case %zu: %d (%s)", i, rc, why ? why : "");
        if (rc == 0)
            ck_assert_str_eq(p.sub, "T9");
        else
            ck_assert_ptr_nonnull(why);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth_verify");
    TCase *tc = tcase_create("auth_verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cached_token_expires);
    tcase_add_test(tc, test_cached_token_not_yet_valid);
    tcase_add_test(tc, test_tampered_token_is_not_the_cached_one);
    tcase_add_test(tc, test_many_tokens_all_verify);
    tcase_add_test(tc, test_new_secret_forgets_verified_tokens);
    tcase_add_test(tc, test_claims_checked_alone);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK); /* each test's verifier (the fixture's) has a cache of its own */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
