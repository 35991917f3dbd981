/* test_batches.c — a report's batches loaded on two connections at once and judged in their order
 * (batches.h: batches_run), against the real PostgreSQL: every batch is judged once, in order, one at a
 * time, the even ones loaded on the caller's connection and the odd ones on the second, each one's ahead()
 * on the thread that loaded it, beside the other's; alone, every one on
 * the caller's; the first failure stops both connections (a statement running on the other is cancelled)
 * and is what comes back; a stop of the caller's watch (a client gone) reaches the helper's statement; both
 * sessions serve on after the run. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batches.h"
#include "db.h"
#include "fixtures.h"

#define N_BATCHES 7

/* What the test's batches did. `sleep_sql[b]` is what batch b's load runs (NULL: its backend's pid alone);
 * `fail_at` the batch whose load fails with APP_DB (-1: none), `judge_fails_at` the batch whose judgement
 * fails with APP_NOMEM (-1: none). */
struct trace {
    pthread_mutex_t lock;
    const char *sleep_sql[N_BATCHES];
    int fail_at, judge_fails_at, ahead_fails_at;
    long backend[N_BATCHES]; /* the backend each batch was loaded on (0: not loaded) */
    size_t judged[N_BATCHES], n_judged;
    int judging, overlapped;                              /* a judgement running now; whether two ever ran at once */
    pthread_t loader[N_BATCHES], aheader[N_BATCHES];      /* the threads that loaded each batch and ran its ahead() */
    int aheads[N_BATCHES], aheads_now, aheads_overlapped; /* ahead() per batch; running now; two ever at once */
    int judged_before_ahead;                              /* a batch judged without its ahead() done */
};

static enum app_status load(struct db_conn *conn, size_t b, void *ctx, struct evaluation *ev)
{
    struct trace *t = ctx;
    (void)ev;
    if ((int)b == t->fail_at)
        return APP_DB;
    PGresult *res = NULL;
    const char *sql = t->sleep_sql[b] ? t->sleep_sql[b] : "SELECT pg_backend_pid()";
    enum app_status st = db_query(conn, sql, 0, NULL, &res, NULL);
    long pid = st == APP_OK ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : -1;
    PQclear(res);
    pthread_mutex_lock(&t->lock);
    t->backend[b] = pid;
    t->loader[b] = pthread_self();
    pthread_mutex_unlock(&t->lock);
    return st;
}

/* batches.ahead: 50 ms of work that needs no other batch (long enough for the other thread's to overlap). */
static enum app_status ahead(size_t b, const struct evaluation *ev, void *ctx)
{
    struct trace *t = ctx;
    (void)ev;
    pthread_mutex_lock(&t->lock);
    t->aheads_overlapped |= t->aheads_now > 0;
    t->aheads_now++;
    t->aheads[b]++;
    t->aheader[b] = pthread_self();
    pthread_mutex_unlock(&t->lock);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&t->lock);
    t->aheads_now--;
    pthread_mutex_unlock(&t->lock);
    return (int)b == t->ahead_fails_at ? APP_NOMEM : APP_OK;
}

static enum app_status judge(size_t b, const struct evaluation *ev, void *ctx)
{
    struct trace *t = ctx;
    (void)ev;
    pthread_mutex_lock(&t->lock);
    t->overlapped |= t->judging;
    t->judging = 1;
    t->judged_before_ahead |= t->aheads[b] == 0;
    pthread_mutex_unlock(&t->lock);
    struct timespec pause = {0, 20 * 1000 * 1000}; /* long enough for another judgement to overlap it */
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&t->lock);
    t->judging = 0;
    t->judged[t->n_judged++] = b;
    pthread_mutex_unlock(&t->lock);
    return (int)b == t->judge_fails_at ? APP_NOMEM : APP_OK;
}

static void trace_init(struct trace *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    t->fail_at = t->judge_fails_at = t->ahead_fails_at = -1;
}

/* A pool of three and two of its connections, as a report holds them (its own and a spare). */
static void open_pair(struct db_pool **pool, struct db_conn **conn, struct db_conn **second)
{
    *pool = db_pool_new(harness_database_url(), NULL, 3, 5000, NULL);
    ck_assert_int_eq(db_acquire(*pool, conn), APP_OK);
    ck_assert_int_eq(db_acquire_spare(*pool, second), APP_OK);
}

/* Checks that both connections serve on after a run, and gives everything back. */
static void close_pair(struct db_pool *pool, struct db_conn *conn, struct db_conn *second)
{
    ck_assert_int_eq(tt_db_value(conn, "SELECT 1"), 1);
    ck_assert_int_eq(tt_db_value(second, "SELECT 2"), 2);
    db_release(pool, second);
    db_release(pool, conn);
    db_pool_free(pool);
}

/* Runs the batches, which start a statement of 30 s, and checks that the run returns `expected` well before
 * that statement would have ended: it was cancelled. */
static void run_cut_short(struct db_conn *conn, struct db_conn *second, const struct batches *b,
                          enum app_status expected)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(batches_run(conn, second, b), expected);
    ck_assert_double_lt(tt_seconds_since(&t0), 10.0);
}

START_TEST(test_judged_in_order_on_two_connections)
{
    struct db_pool *pool = NULL;
    struct db_conn *conn = NULL, *second = NULL;
    open_pair(&pool, &conn, &second);
    long mine = tt_db_value(conn, "SELECT pg_backend_pid()"), other = tt_db_value(second, "SELECT pg_backend_pid()");
    struct trace t;
    trace_init(&t);
    /* the even batches load slowly: each odd one is loaded first and must wait for its turn */
    for (int b = 0; b < N_BATCHES; b += 2)
        t.sleep_sql[b] = "SELECT pg_backend_pid() FROM pg_sleep(0.1)";
    const struct batches batches = {N_BATCHES, load, judge, &t, NULL};
    ck_assert_int_eq(batches_run(conn, second, &batches), APP_OK);
    ck_assert_uint_eq(t.n_judged, N_BATCHES);
    for (size_t b = 0; b < N_BATCHES; b++) {
        ck_assert_uint_eq(t.judged[b], b);
        ck_assert_int_eq(t.backend[b], b % 2 == 0 ? mine : other);
    }
    ck_assert_int_eq(t.overlapped, 0);
    /* both sessions serve on after the run: given back, the pool hands out the backends that loaded the
     * batches (a new session re-reads the catalogue and plans cold) */
    db_release(pool, second);
    db_release(pool, conn);
    struct db_conn *all[3] = {NULL, NULL, NULL};
    int found_mine = 0, found_other = 0;
    for (int i = 0; i < 3; i++) { /* the pool's every connection */
        ck_assert_int_eq(db_acquire(pool, &all[i]), APP_OK);
        long backend = tt_db_value(all[i], "SELECT pg_backend_pid()");
        found_mine |= backend == mine;
        found_other |= backend == other;
    }
    ck_assert(found_mine && found_other);
    for (int i = 0; i < 3; i++)
        db_release(pool, all[i]);
    db_pool_free(pool);
}
END_TEST

START_TEST(test_alone_every_batch_on_the_one_connection)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), NULL, 1, 5000, NULL);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    long mine = tt_db_value(conn, "SELECT pg_backend_pid()");
    struct trace t;
    trace_init(&t);
    const struct batches batches = {N_BATCHES, load, judge, &t, NULL};
    ck_assert_int_eq(batches_run(conn, NULL, &batches), APP_OK);
    ck_assert_uint_eq(t.n_judged, N_BATCHES);
    for (size_t b = 0; b < N_BATCHES; b++) {
        ck_assert_uint_eq(t.judged[b], b);
        ck_assert_int_eq(t.backend[b], mine);
    }
    const struct batches none = {0, load, judge, &t, NULL};
    ck_assert_int_eq(batches_run(conn, NULL, &none), APP_OK); /* no batch: nothing loaded or judged */
    ck_assert_uint_eq(t.n_judged, N_BATCHES);
    db_release(pool, conn);
    db_pool_free(pool);
}
END_TEST

/* Batch 2's load fails while batch 1's runs a statement of 30 s on the second connection: the run ends
 * with batch 2's failure, well before 30 s, having judged batch 0 alone. */
START_TEST(test_first_failure_stops_both_connections)
{
    struct db_pool *pool = NULL;
    struct db_conn *conn = NULL, *second = NULL;
    open_pair(&pool, &conn, &second);
    struct trace t;
    trace_init(&t);
    t.fail_at = 2;
    t.sleep_sql[1] = "SELECT pg_backend_pid() FROM pg_sleep(30)";
    const struct batches batches = {N_BATCHES, load, judge, &t, NULL};
    run_cut_short(conn, second, &batches, APP_DB);
    ck_assert_uint_eq(t.n_judged, 1);
    ck_assert_uint_eq(t.judged[0], 0);
    ck_assert_int_eq(t.backend[3], 0); /* nothing after the failure was started */
    ck_assert_int_eq(t.backend[4], 0);
    ck_assert_int_eq(tt_db_value(conn, "SELECT 1"), 1);
    ck_assert_int_eq(tt_db_value(second, "SELECT 2"), 2);
    /* a judgement's failure stops the run the same way, cancelling the caller's statement of 30 s */
    trace_init(&t);
    t.judge_fails_at = 1;
    t.sleep_sql[2] = "SELECT pg_backend_pid() FROM pg_sleep(30)";
    run_cut_short(conn, second, &batches, APP_NOMEM);
    ck_assert_uint_eq(t.n_judged, 2);
    close_pair(pool, conn, second);
}
END_TEST

/* Each batch's ahead() runs once, on the thread that loaded it, before its judgement; the two threads' run at
 * once; the judgements still come one at a time, in order. A failing ahead() stops the run with its status,
 * its batch not judged. */
START_TEST(test_ahead_beside_the_other_thread)
{
    struct db_pool *pool = NULL;
    struct db_conn *conn = NULL, *second = NULL;
    open_pair(&pool, &conn, &second);
    struct trace t;
    trace_init(&t);
    const struct batches batches = {N_BATCHES, load, judge, &t, ahead};
    ck_assert_int_eq(batches_run(conn, second, &batches), APP_OK);
    ck_assert_uint_eq(t.n_judged, N_BATCHES);
    for (size_t b = 0; b < N_BATCHES; b++) {
        ck_assert_uint_eq(t.judged[b], b);
        ck_assert_int_eq(t.aheads[b], 1);
        ck_assert(pthread_equal(t.aheader[b], t.loader[b]));
    }
    ck_assert(!pthread_equal(t.loader[0], t.loader[1])); /* two threads */
    ck_assert_int_eq(t.judged_before_ahead, 0);
    ck_assert_int_eq(t.aheads_overlapped, 1);
    ck_assert_int_eq(t.overlapped, 0);
    trace_init(&t);
    t.ahead_fails_at = 3;
    ck_assert_int_eq(batches_run(conn, second, &batches), APP_NOMEM);
    ck_assert_uint_le(t.n_judged, 3); /* not batch 3, nor any after it */
    for (size_t i = 0; i < t.n_judged; i++)
        ck_assert_uint_eq(t.judged[i], i);
    close_pair(pool, conn, second);
}
END_TEST

/* The request's client goes away while both connections run a statement of 30 s: both are cancelled. */
START_TEST(test_a_stop_of_the_request_reaches_the_helper)
{
    struct db_pool *pool = NULL;
    struct db_conn *conn = NULL, *second = NULL;
    open_pair(&pool, &conn, &second);
    struct trace t;
    trace_init(&t);
    for (int b = 0; b < N_BATCHES; b++)
        t.sleep_sql[b] = "SELECT pg_backend_pid() FROM pg_sleep(30)";
    struct db_watch request;
    db_watch_init(&request);
    db_watch_set(&request);
    pthread_t stopper;
    pthread_create(&stopper, NULL, tt_stop_watch_soon, &request);
    const struct batches batches = {N_BATCHES, load, judge, &t, NULL};
    run_cut_short(conn, second, &batches, APP_UNAVAILABLE);
    ck_assert_uint_eq(t.n_judged, 0);
    ck_assert_ptr_eq(db_watch_current(), &request); /* the caller's watch is back */
    pthread_join(stopper, NULL);
    db_watch_set(NULL);
    close_pair(pool, conn, second);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_judged_in_order_on_two_connections,       test_alone_every_batch_on_the_one_connection,
        test_first_failure_stops_both_connections,     test_ahead_beside_the_other_thread,
        test_a_stop_of_the_request_reaches_the_helper, NULL};
    const struct harness_suite suite = {.name = "batches", .tests = tests, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}
