/* test_hostile_cancel.c — how the heavy pool stops work whose client has gone: a statement running
 * under a db_watch is cancelled in PostgreSQL when another thread stops the watch, and every later
 * statement fails at once, both as APP_UNAVAILABLE; a reset watch runs statements again. Straight on the
 * pool (no tutord): a 30-second pg_sleep stopped after 300 ms must return well before it would end. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "fixtures.h"
#include "harness.h"

static const struct db_statement NO_STATEMENTS[] = {{NULL, NULL}};

struct sleeper {
    struct db_pool *pool;
    struct db_watch *watch;
    enum app_status first, second;
};

/* On its own thread, under the watch: a long sleep, then a trivial statement. */
static void *sleep_long(void *arg)
{
    struct sleeper *s = arg;
    struct db_conn *conn = NULL;
    db_watch_set(s->watch);
    s->first = db_acquire(s->pool, &conn);
    if (s->first == APP_OK)
        s->first = db_query(conn, "SELECT pg_sleep(30)", 0, NULL, NULL, NULL);
    if (conn)
        s->second = db_query(conn, "SELECT 1", 0, NULL, NULL, NULL);
    db_release(s->pool, conn);
    db_watch_set(NULL);
    return NULL;
}

static void nothing(void)
{
}

START_TEST(test_stopped_statement_is_cancelled)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), "none", 1, 2000, NO_STATEMENTS);
    ck_assert_ptr_nonnull(pool);
    struct db_watch watch;
    db_watch_init(&watch);
    struct sleeper s = {pool, &watch, APP_DB, APP_DB};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, sleep_long, &s), 0);
    usleep(300 * 1000);
    db_watch_stop(&watch);
    pthread_join(thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_eq(s.first, APP_UNAVAILABLE);
    ck_assert_int_eq(s.second, APP_UNAVAILABLE);
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 20); /* stopped, not slept out */
    /* a reset watch runs statements again, on the same pooled connection */
    db_watch_reset(&watch);
    db_watch_set(&watch);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(db_query(conn, "SELECT 1", 0, NULL, NULL, NULL), APP_OK);
    db_release(pool, conn);
    db_watch_set(NULL);
    pthread_mutex_destroy(&watch.lock);
    db_pool_free(pool);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_stopped_statement_is_cancelled, NULL};
    const struct harness_suite suite = {
        .name = "hostile_cancel", .tests = tests, .start = nothing, .stop = nothing, .timeout = 60};
    return harness_run(&suite);
}
