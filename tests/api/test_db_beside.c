/* test_db_beside.c — a statement left running on one connection while the thread works on another (db.h:
 * db_send, db_collect), and the spare connection that work takes (db_acquire_spare), against the real
 * PostgreSQL: the spare is taken only while another stays free; the statement's rows, or its refusal, come
 * back from db_collect as db_query returns them; a watch stopped meanwhile cancels it at db_collect, quietly,
 * and the connection serves the next request. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "fixtures.h"

START_TEST(test_spare_only_while_another_stays_free)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), NULL, 3, 300, NULL);
    struct db_conn *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(db_acquire(pool, &a), APP_OK);
    ck_assert_int_eq(db_acquire_spare(pool, &b), APP_OK);          /* two were free */
    ck_assert_int_eq(tt_db_value(b, "SELECT 7"), 7);               /* and it is connected */
    ck_assert_int_eq(db_acquire_spare(pool, &c), APP_UNAVAILABLE); /* the last free one stays free */
    ck_assert_ptr_null(c);
    struct db_pool_stats stats;
    db_pool_stats(pool, &stats);
    ck_assert_int_eq(stats.in_use, 2);
    ck_assert_uint_eq(stats.acquire_timeouts, 0); /* a spare refused is not a wait that timed out */
    db_release(pool, b);
    ck_assert_int_eq(db_acquire_spare(pool, &b), APP_OK);
    db_release(pool, b);
    db_release(pool, a);
    db_pool_free(pool);
    pool = db_pool_new(harness_database_url(), NULL, 1, 300, NULL);
    ck_assert_int_eq(db_acquire_spare(pool, &a), APP_UNAVAILABLE); /* one free, and it is the last */
    db_pool_free(pool);
}
END_TEST

START_TEST(test_collect_returns_what_db_query_would)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), NULL, 3, 5000, NULL);
    struct db_conn *conn = NULL, *other = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(db_acquire_spare(pool, &other), APP_OK);
    const char *params[1] = {"41"};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(db_send(conn, "SELECT pg_sleep(0.3), $1::int + 1", 1, params), APP_OK);
    ck_assert_double_lt(tt_seconds_since(&t0), 0.25);    /* it returned at once */
    ck_assert_int_eq(tt_db_value(other, "SELECT 5"), 5); /* meanwhile, on the other connection */
    PGresult *res = NULL;
    ck_assert_int_eq(db_collect(conn, &res, NULL), APP_OK);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert_str_eq(PQgetvalue(res, 0, 1), "42");
    PQclear(res);
    ck_assert_int_eq(tt_db_value(conn, "SELECT 3"), 3); /* the connection is free for the next statement */
    /* a refusal: mapped as db_query maps it, with its SQLSTATE */
    ck_assert_int_eq(db_send(conn, "SELECT 1 / 0", 0, NULL), APP_OK);
    struct db_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(db_collect(conn, &res, &err), APP_INVALID);
    ck_assert_ptr_null(res);
    ck_assert_str_eq(err.sqlstate, "22012");
    ck_assert_int_eq(tt_db_value(conn, "SELECT 4"), 4);
    db_release(pool, other);
    db_release(pool, conn);
    db_pool_free(pool);
}
END_TEST

START_TEST(test_a_stop_cancels_at_collect)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), NULL, 2, 5000, NULL);
    struct db_watch watch;
    db_watch_init(&watch);
    db_watch_set(&watch);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(db_begin(conn), APP_OK);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(db_send(conn, "SELECT pg_sleep(30)", 0, NULL), APP_OK);
    db_watch_stop(&watch); /* the client has gone while it ran */
    PGresult *res = NULL;
    ck_assert_int_eq(db_collect(conn, &res, NULL), APP_UNAVAILABLE);
    ck_assert_ptr_null(res);
    ck_assert_double_lt(tt_seconds_since(&t0), 10.0); /* cancelled, not waited for */
    db_watch_set(NULL);
    db_release(pool, conn); /* rolls the aborted transaction back */
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(tt_db_value(conn, "SELECT 6"), 6);
    /* stopped by another thread while db_collect waits: the statement is cancelled there */
    db_watch_reset(&watch);
    db_watch_set(&watch);
    ck_assert_int_eq(db_send(conn, "SELECT pg_sleep(30)", 0, NULL), APP_OK);
    pthread_t stopper;
    ck_assert_int_eq(pthread_create(&stopper, NULL, tt_stop_watch_soon, &watch), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(db_collect(conn, &res, NULL), APP_UNAVAILABLE);
    ck_assert_ptr_null(res);
    ck_assert_double_lt(tt_seconds_since(&t0), 10.0);
    pthread_join(stopper, NULL);
    db_watch_set(NULL);
    db_release(pool, conn);
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    ck_assert_int_eq(tt_db_value(conn, "SELECT 8"), 8);
    db_release(pool, conn);
    db_pool_free(pool);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_spare_only_while_another_stays_free, test_collect_returns_what_db_query_would,
                                  test_a_stop_cancels_at_collect, NULL};
    const struct harness_suite suite = {.name = "db_beside", .tests = tests, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}
