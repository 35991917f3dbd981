/* test_eval_cache.c — the process-wide cache of parsed calendars and policy versions (eval_cache.h),
 * without a database: a calendar replaced while another thread still evaluates with the old one (the old
 * one stays whole until that thread lets go, then is freed: AddressSanitizer checks both), many threads
 * looking up and adding policy versions at once (the cache stays within its bound and every value is the
 * one of its key), and clearing it (nothing leaks at exit). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_cache.h"
#include "tzdata.h"

/* A calendar of `years` academic years from 2026 (each Sep 14 to Sep 12), parsed. */
static pe_calendar *calendar(int years)
{
    json_t *doc = json_pack("{s:s, s:[], s:[]}", "time_zone", "Europe/London", "years", "closures");
    for (int y = 0; y < years; y++) {
        char label[16], start[11], end[11];
        snprintf(label, sizeof(label), "%d/%02d", 2026 + y, (27 + y) % 100);
        snprintf(start, sizeof(start), "%d-09-14", 2026 + y);
        snprintf(end, sizeof(end), "%d-09-12", 2027 + y);
        json_array_append_new(json_object_get(doc, "years"),
                              json_pack("{s:s, s:s, s:s, s:[]}", "label", label, "start", start, "end", end, "terms"));
    }
    tzdata_resolve(doc);
    pe_calendar *cal = NULL;
    json_t *errors = NULL;
    ck_assert_int_eq(pe_calendar_parse(doc, &cal, &errors), PE_OK);
    json_decref(doc);
    return cal;
}

/* A policy version named `name`, parsed (NULL if the engine refused it). */
static pe_policy *policy(const char *name)
{
    char text[512];
    snprintf(text, sizeof(text),
             "{\"name\":\"%s\",\"effective_from\":\"2026-08-01\",\"rules\":[{\"id\":\"meetings\","
             "\"type\":\"meetings_per_year\",\"min\":1,\"kinds\":[\"meeting\"],\"source\":\"meet\"}]}",
             name);
    pe_policy *p = NULL;
    json_t *errors = NULL;
    pe_policy_parse_string(text, strlen(text), &p, &errors);
    json_decref(errors);
    return p;
}

/* A request on another thread: holds calendar "1" until `go` is set, reading it meanwhile. */
struct holder {
    struct eval_shared *held;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int go;
    size_t years_seen;
};

static void *hold_calendar(void *arg)
{
    struct holder *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->go)
        pthread_cond_wait(&h->changed, &h->lock);
    pthread_mutex_unlock(&h->lock);
    h->years_seen = ((const pe_calendar *)eval_shared_value(h->held))->n_years; /* after the replacement */
    eval_shared_release(h->held);
    return NULL;
}

START_TEST(test_calendar_replaced_while_held)
{
    eval_cache_clear();
    ck_assert_ptr_null(eval_cache_calendar("1"));
    struct eval_shared *mine = eval_cache_put_calendar("1", calendar(1));
    ck_assert_ptr_nonnull(mine);
    struct holder h = {.held = eval_cache_calendar("1")};
    ck_assert_ptr_eq(h.held, mine);
    eval_shared_release(mine);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.changed, NULL);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, hold_calendar, &h), 0);
    /* the calendar changes (stamp 2): the old entry leaves the cache but lives while the thread holds it */
    struct eval_shared *next = eval_cache_put_calendar("2", calendar(2));
    ck_assert_ptr_null(eval_cache_calendar("1"));
    pthread_mutex_lock(&h.lock);
    h.go = 1;
    pthread_cond_signal(&h.changed);
    pthread_mutex_unlock(&h.lock);
    pthread_join(t, NULL);
    ck_assert_uint_eq(h.years_seen, 1);
    ck_assert_uint_eq(((const pe_calendar *)eval_shared_value(next))->n_years, 2);
    struct eval_shared *again = eval_cache_calendar("2");
    ck_assert_ptr_eq(again, next);
    eval_shared_release(again);
    eval_shared_release(next);
    int calendars, policies;
    eval_cache_counts(&calendars, &policies);
    ck_assert_int_eq(calendars, 1);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.changed);
    eval_cache_clear();
}
END_TEST

/* Keys each worker goes through: more than the cache keeps. */
#define KEYS (EVAL_CACHE_POLICIES + 44)
#define WORKERS 6

/* A worker: for every key (from its own starting point), the cached version or a new one, checked to be
 * the version of that key, then given back. Returns (void *)1 on a wrong value. */
static void *churn(void *arg)
{
    int start = *(const int *)arg, wrong = 0;
    for (int k = 0; k < 2 * KEYS; k++) {
        char key[EVAL_CACHE_KEY_LEN], name[32];
        snprintf(key, sizeof(key), "%d@1", (start + k) % KEYS);
        snprintf(name, sizeof(name), "policy %d", (start + k) % KEYS);
        struct eval_shared *e = eval_cache_policy(key);
        if (!e)
            e = eval_cache_put_policy(key, policy(name));
        const pe_policy *p = e ? eval_shared_value(e) : NULL;
        wrong |= !p || strcmp(p->name, name) != 0;
        eval_shared_release(e);
    }
    return wrong ? (void *)1 : NULL;
}

START_TEST(test_policies_from_many_threads_stay_bounded)
{
    eval_cache_clear();
    pthread_t threads[WORKERS];
    int starts[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        starts[i] = i * 37;
        ck_assert_int_eq(pthread_create(&threads[i], NULL, churn, &starts[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        void *wrong = NULL;
        pthread_join(threads[i], &wrong);
        ck_assert_ptr_null(wrong);
    }
    int calendars, policies;
    eval_cache_counts(&calendars, &policies);
    ck_assert_int_eq(calendars, 0);
    ck_assert_int_eq(policies, EVAL_CACHE_POLICIES);
    /* a version that no longer validates is kept as NULL, and found again */
    struct eval_shared *skipped = eval_cache_put_policy("invalid@1", NULL);
    ck_assert_ptr_null(eval_shared_value(skipped));
    eval_shared_release(skipped);
    skipped = eval_cache_policy("invalid@1");
    ck_assert_ptr_nonnull(skipped);
    eval_shared_release(skipped);
    eval_cache_clear();
    eval_cache_counts(&calendars, &policies);
    ck_assert_int_eq(policies, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval_cache");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_calendar_replaced_while_held);
    tcase_add_test(tc, test_policies_from_many_threads_stay_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
