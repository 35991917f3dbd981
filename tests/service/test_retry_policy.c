/* test_retry_policy.c — the unit of work's retry policy: which SQLSTATEs run a transaction again
 * (40001, 40P01 and nothing else), the bound on attempts, and the randomised pause's range. */
#include <check.h>
#include <stdlib.h>

#include "unit_of_work.h"

START_TEST(test_retried_sqlstates)
{
    ck_assert_int_eq(uow_sqlstate_retries("40001"), 1); /* serialization_failure */
    ck_assert_int_eq(uow_sqlstate_retries("40P01"), 1); /* deadlock_detected */
    static const char *const FINAL[] = {"",      "40000", "40002", "40003", "40P0",  "40P011", "23505", "23P01",
                                        "23503", "22P02", "25P02", "55P03", "57P01", "57014",  "08006", "XX000"};
    for (size_t i = 0; i < sizeof(FINAL) / sizeof(FINAL[0]); i++)
        ck_assert_msg(!uow_sqlstate_retries(FINAL[i]), "%s", FINAL[i]);
    ck_assert_int_eq(uow_sqlstate_retries(NULL), 0);
}
END_TEST

START_TEST(test_attempts_are_bounded)
{
    ck_assert_int_eq(UOW_MAX_ATTEMPTS, 5);
    for (int attempt = 1; attempt < UOW_MAX_ATTEMPTS; attempt++) {
        ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "40P01", attempt), 1);
        ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "40001", attempt), 1);
    }
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "40001", UOW_MAX_ATTEMPTS), 0);
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "40001", UOW_MAX_ATTEMPTS + 1), 0);
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "40001", 0), 0);
}
END_TEST

START_TEST(test_only_failures_retry)
{
    ck_assert_int_eq(uow_should_retry(APP_OK, "40001", 1), 0);
    /* a repository may map the aborted transaction to its own refusal: the SQLSTATE still decides */
    ck_assert_int_eq(uow_should_retry(APP_CONFLICT, "40P01", 1), 1);
    ck_assert_int_eq(uow_should_retry(APP_CONFLICT, "23505", 1), 0);
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "57P01", 1), 0); /* the server shut down */
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, "", 1), 0);      /* pool exhausted, no SQLSTATE */
    ck_assert_int_eq(uow_should_retry(APP_UNAVAILABLE, NULL, 1), 0);
}
END_TEST

START_TEST(test_backoff_range)
{
    unsigned seed = 12345;
    for (int attempt = 1; attempt < UOW_MAX_ATTEMPTS; attempt++) {
        long top = 5L << (attempt - 1), lowest = top, highest = 0;
        for (int i = 0; i < 2000; i++) {
            long ms = uow_backoff_ms(attempt, &seed);
            ck_assert_msg(ms >= 1 && ms <= top, "attempt %d: %ld ms", attempt, ms);
            lowest = ms < lowest ? ms : lowest;
            highest = ms > highest ? ms : highest;
        }
        ck_assert_int_eq(lowest, 1); /* randomised over the whole range, not a fixed pause */
        ck_assert_int_eq(highest, top);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("retry_policy");
    TCase *tc = tcase_create("retry_policy");
    tcase_add_test(tc, test_retried_sqlstates);
    tcase_add_test(tc, test_attempts_are_bounded);
    tcase_add_test(tc, test_only_failures_retry);
    tcase_add_test(tc, test_backoff_range);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
