/* test_token_cache.c — the shared cache of verified tokens (api/http/token_cache.h): an entry answers only
 * for the exact bytes and the key generation it was stored under; it holds no more than its capacity,
 * evicting the least recently used of a set; a token over the size limit is not kept; and threads storing
 * and reading at once each get back, for every token, the identity stored for that token. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token_cache.h"

/* A value whose sub and exp name the token they were stored for. */
static struct verified_token value_for(const char *token, int64_t exp)
{
    struct verified_token v;
    memset(&v, 0, sizeof(v));
    snprintf(v.principal.sub, sizeof(v.principal.sub), "%s", token);
    v.principal.roles = 2;
    v.times.exp = exp;
    return v;
}

static int get(struct token_cache *c, const char *token, unsigned long gen, struct verified_token *out)
{
    return token_cache_get(c, token, strlen(token), gen, out);
}

static void put(struct token_cache *c, const char *token, unsigned long gen, int64_t exp)
{
    struct verified_token v = value_for(token, exp);
    token_cache_put(c, token, strlen(token), gen, &v);
}

START_TEST(test_exact_bytes_and_generation)
{
    struct token_cache *c = token_cache_new(64);
    ck_assert_ptr_nonnull(c);
    struct verified_token out;
    ck_assert_int_eq(get(c, "aaa.bbb.ccc", 0, &out), 0); /* never stored */
    put(c, "aaa.bbb.ccc", 0, 1234);
    ck_assert_int_eq(get(c, "aaa.bbb.ccc", 0, &out), 1);
    ck_assert_str_eq(out.principal.sub, "aaa.bbb.ccc");
    ck_assert_int_eq(out.times.exp, 1234);
    ck_assert_int_eq(get(c, "aaa.bbb.ccd", 0, &out), 0);                 /* one byte differs */
    ck_assert_int_eq(token_cache_get(c, "aaa.bbb.ccc", 10, 0, &out), 0); /* a prefix of it */
    ck_assert_int_eq(get(c, "aaa.bbb.ccc", 1, &out), 0);                 /* the keys changed */
    put(c, "aaa.bbb.ccc", 1, 5678);                                      /* verified again */
    ck_assert_int_eq(get(c, "aaa.bbb.ccc", 1, &out), 1);
    ck_assert_int_eq(out.times.exp, 5678);
    ck_assert_int_eq(get(c, "aaa.bbb.ccc", 0, &out), 0); /* the old generation's entry is gone */
    token_cache_free(c);
}
END_TEST

START_TEST(test_bounded_and_least_recently_used_evicted)
{
    struct token_cache *c = token_cache_new(16);
    size_t cap = token_cache_capacity(c);
    ck_assert_uint_ge(cap, 16);
    ck_assert_uint_lt(cap, 64);
    char token[32];
    struct verified_token out;
    for (int i = 0; i < 1000; i++) {
        snprintf(token, sizeof(token), "tok.%d.sig", i);
        put(c, token, 0, i);
        ck_assert_int_eq(get(c, "tok.0.sig", 0, &out), 1); /* used after every store: never the oldest */
    }
    size_t held = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(token, sizeof(token), "tok.%d.sig", i);
        if (get(c, token, 0, &out)) {
            held++;
            ck_assert_str_eq(out.principal.sub, token);
        }
    }
    ck_assert_uint_le(held, cap);
    ck_assert_int_eq(get(c, "tok.999.sig", 0, &out), 1); /* the last stored */
    ck_assert_int_eq(get(c, "tok.0.sig", 0, &out), 1);   /* the most used, never evicted */
    token_cache_free(c);
}
END_TEST

START_TEST(test_long_token_not_kept)
{
    struct token_cache *c = token_cache_new(8);
    char *big = malloc(TOKEN_CACHE_MAX_TOKEN + 2);
    memset(big, 'x', TOKEN_CACHE_MAX_TOKEN + 1);
    big[TOKEN_CACHE_MAX_TOKEN + 1] = '\0';
    struct verified_token v = value_for("big", 1), out;
    token_cache_put(c, big, TOKEN_CACHE_MAX_TOKEN + 1, 0, &v);
    ck_assert_int_eq(token_cache_get(c, big, TOKEN_CACHE_MAX_TOKEN + 1, 0, &out), 0);
    token_cache_put(c, big, TOKEN_CACHE_MAX_TOKEN, 0, &v); /* at the limit: kept */
    ck_assert_int_eq(token_cache_get(c, big, TOKEN_CACHE_MAX_TOKEN, 0, &out), 1);
    free(big);
    token_cache_free(c);
}
END_TEST

#define THREADS 4
#define TOKENS 200

struct worker {
    struct token_cache *cache;
    int seed;
    int hits, mismatches;
};

/* Stores and reads tokens of a pool shared with the other workers, counting any read that answers with
 * another token's identity. */
static void *work(void *arg)
{
    struct worker *w = arg;
    char token[32];
    struct verified_token out;
    for (int i = 0; i < 20000; i++) {
        int k = (w->seed + i * 7) % TOKENS;
        snprintf(token, sizeof(token), "hdr.claims-%d.sig", k);
        if (get(w->cache, token, 0, &out)) {
            w->hits++;
            w->mismatches += strcmp(out.principal.sub, token) != 0 || out.times.exp != k;
        } else
            put(w->cache, token, 0, k);
    }
    return NULL;
}

START_TEST(test_threads_share_it)
{
    struct token_cache *c = token_cache_new(64); /* fewer entries than tokens: evictions race with reads */
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.cache = c, .seed = i * 31};
        ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int hits = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(w[i].mismatches, 0);
        hits += w[i].hits;
    }
    ck_assert_int_gt(hits, 0);
    token_cache_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("token_cache");
    TCase *tc = tcase_create("token_cache");
    tcase_add_test(tc, test_exact_bytes_and_generation);
    tcase_add_test(tc, test_bounded_and_least_recently_used_evicted);
    tcase_add_test(tc, test_long_token_not_kept);
    tcase_add_test(tc, test_threads_share_it);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
