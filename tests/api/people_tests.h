/* people_tests.h — what the tutors, allocations, calendar, change-request and audit/export suites share:
 * counting a list's items for one caller, and running a suite of tests over a fresh pastoral world each
 * (pastoral_world.h) against one tutord. */
#ifndef TUTORD_TEST_PEOPLE_TESTS_H
#define TUTORD_TEST_PEOPLE_TESTS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "pastoral_world.h"

/* The world of the running test, made fresh before each test. */
static struct world w;

static inline void people_setup(void)
{
    world_make(&w);
}

static inline void people_teardown(void)
{
    world_free(&w);
}

/* The number of items GET <path>?<query> returns to `token`, or minus the status when it is not 200. */
static inline long people_list_count(const char *path, const char *query, const char *token)
{
    struct tt_response r;
    char url[512];
    snprintf(url, sizeof(url), "%s?%s", path, query);
    long status = world_call("GET", url, token, NULL, &r);
    long n = status == 200 ? (long)json_array_size(json_object_get(r.json, "items")) : -status;
    harness_response_free(&r);
    return n;
}

/* Runs `tests` (NULL-terminated) as suite `name`: one tutord for the suite, `setup`/`teardown` around
 * each test, in this process (threads in tests stay simple). Returns the exit status for main. */
static inline int people_run(const char *name, const TTest *const *tests, void (*setup)(void), void (*teardown)(void))
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    for (; *tests; tests++)
        tcase_add_test(tc, *tests);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
