/* unit_of_work.h — one transaction around a repository function: take a pooled connection, BEGIN, run
 * the function, COMMIT, and run it all again when PostgreSQL aborted the transaction with a
 * serialization failure (40001) or a deadlock (40P01); release the connection in every case.
 *
 * A handler parses, authorises, validates, calls uow_run with its store function, and answers the
 * status it returns (refusal_respond / http_problem_for map it to the problem). */
#ifndef TUTORD_UNIT_OF_WORK_H
#define TUTORD_UNIT_OF_WORK_H

#include "app.h"
#include "db.h"

/* Attempts in all (the first run and the retries) before a retryable failure is answered 503. */
#define UOW_MAX_ATTEMPTS 5

/* The store function a unit of work runs inside its transaction. It may run again (after a rollback)
 * when an attempt fails with a retryable SQLSTATE, so it sets its outputs in `ctx` afresh each time
 * (freeing what an earlier attempt left there) and keeps no other effect outside the database. */
typedef enum app_status (*uow_work)(struct db_conn *conn, void *ctx);

/* Runs work(conn, ctx) in one READ COMMITTED transaction on a connection of `pool` and commits it.
 * An attempt that fails (in the work or at COMMIT) with SQLSTATE 40001 or 40P01 is rolled back, the
 * connection released, and, after a short randomised pause, the whole transaction runs again, up to
 * UOW_MAX_ATTEMPTS attempts in all. Returns APP_OK; the work's own refusal (rolled back); or
 * APP_UNAVAILABLE when the pool is exhausted, the database unreachable, or the last attempt still
 * conflicted. When `err` is non-NULL it receives the database's refusal of the last attempt (sqlstate
 * "" when the database refused nothing). Thread-safe. */
enum app_status uow_run(struct db_pool *pool, uow_work work, void *ctx, struct db_error *err);

/* As uow_run, but after the work succeeds the transaction is committed only when *commit is non-zero
 * (the work sets it, e.g. to 0 for a dry run or a batch with refused rows) and rolled back otherwise;
 * either way the result is APP_OK. */
enum app_status uow_run_or_roll_back(struct db_pool *pool, uow_work work, void *ctx, const int *commit,
                                     struct db_error *err);

/* Runs work(conn, ctx) on a connection of `pool` outside a transaction (each statement autocommits:
 * for reads, which db_query retries once on a fresh connection when the pooled one had died) and
 * releases it. Returns the work's status, or APP_UNAVAILABLE when no connection could be had (the work
 * is then not called). Thread-safe. */
enum app_status uow_read(struct db_pool *pool, uow_work work, void *ctx);

/* 1 when a transaction the database aborted with `sqlstate` may succeed if run again unchanged
 * (40001 serialization failure, 40P01 deadlock detected), else 0. NULL-safe. Pure. */
int uow_sqlstate_retries(const char *sqlstate);

/* 1 when attempt number `attempt` (1-based), which ended in `st` after the database reported
 * `sqlstate` ("" or NULL: nothing), is to be followed by another: st is not APP_OK, the SQLSTATE
 * retries, and attempt < UOW_MAX_ATTEMPTS. Pure. */
int uow_should_retry(enum app_status st, const char *sqlstate, int attempt);

/* The pause in milliseconds before the attempt after `attempt` (1-based): uniformly random in
 * [1, 5 << (attempt - 1)] (1-5, 1-10, 1-20, 1-40 ms), drawn from *seed (rand_r state). */
long uow_backoff_ms(int attempt, unsigned *seed);

#endif
