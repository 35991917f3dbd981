/* test_limits.c — the rate limiter's windows (the second before, on and after a window's end, a clock
 * going back), its scopes and classes kept apart, its bounded table under a flood of keys, and the CORS
 * origin allow-list's exact matching. No HTTP, no database. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cors.h"
#include "ratelimit.h"

static const time_t T0 = 1796083200; /* 2026-12-01T00:00:00Z */

/* A limiter of 3 reads per sub and 5 per address in 60 s, no other quota. */
static struct rate_limiter *three_a_minute(size_t slots)
{
    struct rate_quotas q = {.window_s = 60};
    q.quota[RATE_BY_SUB][RATE_READS] = 3;
    q.quota[RATE_BY_ADDRESS][RATE_READS] = 5;
    struct rate_limiter *l = rate_limiter_new(&q, slots);
    ck_assert_ptr_nonnull(l);
    return l;
}

/* Counts one read of `key` by sub at `now`; returns whether it was allowed. */
static int hit(struct rate_limiter *l, const char *key, time_t now, struct rate_result *r)
{
    rate_limiter_hit(l, RATE_BY_SUB, RATE_READS, key, now, r);
    return r->allowed;
}

/* Three reads pass with 2, 1, 0 left; the fourth is refused with the seconds to the window's end; at
 * 59 s still refused, at 60 s a new window. A refused request is not counted. */
START_TEST(test_window_edges)
{
    struct rate_limiter *l = three_a_minute(64);
    struct rate_result r;
    for (int i = 0; i < 3; i++) {
        ck_assert(hit(l, "T1", T0 + i, &r));
        ck_assert_int_eq(r.remaining, 2 - i);
        ck_assert_int_eq(r.quota, 3);
        ck_assert_int_eq(r.window_s, 60);
    }
    ck_assert(!hit(l, "T1", T0 + 10, &r));
    ck_assert_int_eq(r.remaining, 0);
    ck_assert_int_eq(r.reset_s, 50);
    ck_assert(!hit(l, "T1", T0 + 59, &r));
    ck_assert_int_eq(r.reset_s, 1);
    ck_assert(hit(l, "T1", T0 + 60, &r));
    ck_assert_int_eq(r.remaining, 2);
    ck_assert_int_eq(r.reset_s, 60);
    rate_limiter_free(l);
}
END_TEST

/* A clock stepped back starts a new window rather than a negative one. */
START_TEST(test_clock_going_back)
{
    struct rate_limiter *l = three_a_minute(64);
    struct rate_result r;
    for (int i = 0; i < 3; i++)
        hit(l, "T1", T0, &r);
    ck_assert(hit(l, "T1", T0 - 3600, &r));
    ck_assert_int_eq(r.reset_s, 60);
    rate_limiter_free(l);
}
END_TEST

/* Keys, scopes and classes count apart; a pair without a quota is not limited at all. */
START_TEST(test_scopes_and_classes_apart)
{
    struct rate_limiter *l = three_a_minute(64);
    struct rate_result r;
    for (int i = 0; i < 3; i++)
        hit(l, "T1", T0, &r);
    ck_assert(!hit(l, "T1", T0, &r));
    ck_assert(hit(l, "T2", T0, &r));
    rate_limiter_hit(l, RATE_BY_ADDRESS, RATE_READS, "T1", T0, &r);
    ck_assert(r.allowed && r.limited);
    ck_assert_int_eq(r.remaining, 4);
    rate_limiter_hit(l, RATE_BY_SUB, RATE_WRITES, "T1", T0, &r);
    ck_assert(r.allowed);
    ck_assert(!r.limited);
    rate_limiter_hit(NULL, RATE_BY_SUB, RATE_READS, "T1", T0, &r);
    ck_assert(r.allowed && !r.limited);
    ck_assert_str_eq(rate_class_name(RATE_HEAVY), "heavy");
    rate_limiter_free(l);
}
END_TEST

/* 10,000 distinct keys through a 64-entry table: every new key is counted from zero (memory stays
 * 64 entries), and a key used up just before the flood is, at worst, forgotten — never over-counted. */
START_TEST(test_bounded_table_under_flood)
{
    struct rate_limiter *l = three_a_minute(64);
    struct rate_result r;
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "K%d", i);
        ck_assert(hit(l, key, T0, &r));
        ck_assert_int_eq(r.remaining, 2);
    }
    ck_assert_ptr_null(rate_limiter_new(&(struct rate_quotas){.window_s = 60}, 4));
    rate_limiter_free(l);
}
END_TEST

/* Origins match exactly, after trimming the list's spaces: no prefix, suffix, case or "null" match. */
START_TEST(test_cors_origins)
{
    const char *allowed = " https://a.example.ac.uk ,https://b.example:8443,";
    ck_assert(cors_origin_allowed(allowed, "https://a.example.ac.uk"));
    ck_assert(cors_origin_allowed(allowed, "https://b.example:8443"));
    ck_assert(!cors_origin_allowed(allowed, "https://b.example"));
    ck_assert(!cors_origin_allowed(allowed, "https://a.example.ac.uk.evil.example"));
    ck_assert(!cors_origin_allowed(allowed, "https://A.example.ac.uk"));
    ck_assert(!cors_origin_allowed(allowed, "http://a.example.ac.uk"));
    ck_assert(!cors_origin_allowed(allowed, ""));
    ck_assert(!cors_origin_allowed(allowed, NULL));
    ck_assert(!cors_origin_allowed("null", "null"));
    ck_assert(!cors_origin_allowed(NULL, "https://a.example.ac.uk"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_window_edges);
    tcase_add_test(tc, test_clock_going_back);
    tcase_add_test(tc, test_scopes_and_classes_apart);
    tcase_add_test(tc, test_bounded_table_under_flood);
    tcase_add_test(tc, test_cors_origins);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
