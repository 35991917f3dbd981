/* unit_of_work.c — acquire, BEGIN, run, COMMIT, retry 40001/40P01 with a randomised pause, release;
 * and the same without the transaction for reads. */
#include "unit_of_work.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

int uow_sqlstate_retries(const char *sqlstate)
{
    return sqlstate && (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0);
}

int uow_should_retry(enum app_status st, const char *sqlstate, int attempt)
{
    return st != APP_OK && uow_sqlstate_retries(sqlstate) && attempt >= 1 && attempt < UOW_MAX_ATTEMPTS;
}

long uow_backoff_ms(int attempt, unsigned *seed)
{
    int shift = attempt < 1 ? 0 : attempt > 8 ? 7 : attempt - 1;
    long span = 5L << shift;
    return 1 + (long)(rand_r(seed) % span);
}

/* Sleeps `ms` milliseconds, resuming after a signal. */
static void pause_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* One attempt: a connection, BEGIN, the work, COMMIT (or, when *commit is 0, ROLLBACK); the
 * connection's last refusal into *err. */
static enum app_status attempt_once(struct db_pool *pool, uow_work work, void *ctx, const int *commit,
                                    struct db_error *err)
{
    struct db_conn *conn = NULL;
    memset(err, 0, sizeof(*err));
    enum app_status st = db_acquire(pool, &conn);
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = work(conn, ctx);
    if (st == APP_OK && (!commit || *commit))
        st = db_commit(conn);
    if (st != APP_OK && conn)
        *err = conn->last_error;
    db_release(pool, conn);
    return st;
}

/* A seed for this thread's pauses, different for threads that start at the same instant. */
static unsigned thread_seed(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_t self = pthread_self();
    unsigned mix = 0;
    memcpy(&mix, &self, sizeof(mix) < sizeof(self) ? sizeof(mix) : sizeof(self));
    return (unsigned)now.tv_nsec ^ (unsigned)now.tv_sec ^ mix;
}

enum app_status uow_run(struct db_pool *pool, uow_work work, void *ctx, struct db_error *err)
{
    return uow_run_or_roll_back(pool, work, ctx, NULL, err);
}

enum app_status uow_run_or_roll_back(struct db_pool *pool, uow_work work, void *ctx, const int *commit,
                                     struct db_error *err)
{
    struct db_error local;
    if (!err)
        err = &local;
    unsigned seed = thread_seed();
    enum app_status st = APP_UNAVAILABLE;
    for (int attempt = 1;; attempt++) {
        st = attempt_once(pool, work, ctx, commit, err);
        if (!uow_should_retry(st, err->sqlstate, attempt))
            break;
        long ms = uow_backoff_ms(attempt, &seed);
        log_msg(LOG_INFO, "transaction aborted (%s), running it again in %ld ms (attempt %d of %d)", err->sqlstate, ms,
                attempt + 1, UOW_MAX_ATTEMPTS);
        pause_ms(ms);
    }
    return st;
}

enum app_status uow_read(struct db_pool *pool, uow_work work, void *ctx)
{
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(pool, &conn);
    if (st == APP_OK)
        st = work(conn, ctx);
    db_release(pool, conn);
    return st;
}
