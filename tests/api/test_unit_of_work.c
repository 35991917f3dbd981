/* test_unit_of_work.c — uow_run against the real PostgreSQL: a transaction aborted with 40001 or 40P01,
 * in the work or at COMMIT, runs again from the start and only the last attempt's writes remain; the
 * attempts stop at UOW_MAX_ATTEMPTS (503); other refusals are final at once; an aborted transaction's
 * later statements (25P02) do not hide the cause; a dry run (uow_run_or_roll_back) rolls back instead
 * of committing. Failures are scripted with RAISE ... USING ERRCODE, in a statement or in a deferred
 * constraint trigger that fires at COMMIT. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "unit_of_work.h"

static struct db_pool *pool;

/* One scripted transaction: each attempt inserts (tag, attempt) into uow_probe; the first
 * `fail_times` attempts fail with `sqlstate`, in a statement or (at_commit) at COMMIT. */
struct script {
    char tag[24];
    int fail_times;
    const char *sqlstate;
    int at_commit;  /* fail in the deferred trigger instead of a statement */
    int then_query; /* after the failure, run one more statement (25P02) and return its status */
    int calls;
};

/* The uow_work: writes this attempt's row, then fails as scripted. */
static enum app_status scripted(struct db_conn *conn, void *ctx)
{
    struct script *s = ctx;
    char attempt[12];
    snprintf(attempt, sizeof(attempt), "%d", ++s->calls);
    int fail = s->calls <= s->fail_times;
    const char *params[3] = {s->tag, attempt, fail && s->at_commit ? s->sqlstate : NULL};
    enum app_status st = db_query(conn, "INSERT INTO uow_probe (tag, attempt, fail_with) VALUES ($1, $2::int, $3)", 3,
                                  params, NULL, NULL);
    if (st == APP_OK && fail && !s->at_commit) {
        const char *code[1] = {s->sqlstate};
        st = db_query(conn, "SELECT uow_probe_raise($1)", 1, code, NULL, NULL);
        if (s->then_query)
            st = db_query(conn, "SELECT 1", 0, NULL, NULL, NULL);
    }
    return st;
}

/* Runs `s` (with a fresh tag) and returns its status; *err gets the unit of work's db_error. */
static enum app_status run_script(struct script *s, struct db_error *err)
{
    harness_unique("U", s->tag, sizeof(s->tag));
    return uow_run(pool, scripted, s, err);
}

/* The rows the script's committed attempts left (0 or 1). */
static long rows_of(const struct script *s)
{
    return tt_count("SELECT count(*) FROM uow_probe WHERE tag = $1", s->tag);
}

/* The attempt whose row was committed (0: none). */
static long committed_attempt(const struct script *s)
{
    return tt_count("SELECT COALESCE(max(attempt), 0) FROM uow_probe WHERE tag = $1", s->tag);
}

START_TEST(test_serialization_failure_in_the_work_is_retried)
{
    struct script s = {.fail_times = 2, .sqlstate = "40001"};
    struct db_error err;
    ck_assert_int_eq(run_script(&s, &err), APP_OK);
    ck_assert_int_eq(s.calls, 3);
    ck_assert_int_eq(rows_of(&s), 1); /* the two failed attempts were rolled back */
    ck_assert_int_eq(committed_attempt(&s), 3);
    ck_assert_str_eq(err.sqlstate, "");
}
END_TEST

START_TEST(test_deadlock_at_commit_is_retried)
{
    struct script s = {.fail_times = 1, .sqlstate = "40P01", .at_commit = 1};
    ck_assert_int_eq(run_script(&s, NULL), APP_OK);
    ck_assert_int_eq(s.calls, 2);
    ck_assert_int_eq(rows_of(&s), 1);
    ck_assert_int_eq(committed_attempt(&s), 2);
}
END_TEST

START_TEST(test_attempts_stop_at_the_bound)
{
    struct script s = {.fail_times = 1000, .sqlstate = "40001"};
    struct db_error err;
    ck_assert_int_eq(run_script(&s, &err), APP_UNAVAILABLE);
    ck_assert_int_eq(s.calls, UOW_MAX_ATTEMPTS);
    ck_assert_int_eq(rows_of(&s), 0);
    ck_assert_str_eq(err.sqlstate, "40001");
}
END_TEST

START_TEST(test_other_refusals_are_final)
{
    static const char *const FINAL[] = {"23505", "23514", "57014"};
    static const enum app_status STATUS[] = {APP_CONFLICT, APP_INVALID, APP_DB};
    for (size_t i = 0; i < sizeof(FINAL) / sizeof(FINAL[0]); i++) {
        struct script s = {.fail_times = 1, .sqlstate = FINAL[i]};
        struct db_error err;
        ck_assert_int_eq(run_script(&s, &err), STATUS[i]);
        ck_assert_int_eq(s.calls, 1);
        ck_assert_int_eq(rows_of(&s), 0);
        ck_assert_str_eq(err.sqlstate, FINAL[i]);
    }
}
END_TEST

START_TEST(test_aborted_transaction_keeps_the_cause)
{
    struct script s = {.fail_times = 1, .sqlstate = "40P01", .then_query = 1};
    ck_assert_int_eq(run_script(&s, NULL), APP_OK); /* the 25P02 that followed did not hide the deadlock */
    ck_assert_int_eq(s.calls, 2);
    ck_assert_int_eq(committed_attempt(&s), 2);
}
END_TEST

START_TEST(test_roll_back_instead_of_commit)
{
    struct script s = {0};
    harness_unique("U", s.tag, sizeof(s.tag));
    int commit = 0;
    ck_assert_int_eq(uow_run_or_roll_back(pool, scripted, &s, &commit, NULL), APP_OK);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_eq(rows_of(&s), 0); /* a dry run: done, then rolled back */
    commit = 1;
    ck_assert_int_eq(uow_run_or_roll_back(pool, scripted, &s, &commit, NULL), APP_OK);
    ck_assert_int_eq(rows_of(&s), 1);
}
END_TEST

/* The probe table, its raising function and its deferred trigger; a pool as the database's owner. */
static void start(void)
{
    free(harness_sql("DROP TABLE IF EXISTS uow_probe", 0, NULL));
    free(harness_sql("CREATE TABLE uow_probe (tag text NOT NULL, attempt int NOT NULL, fail_with text)", 0, NULL));
    free(harness_sql("CREATE OR REPLACE FUNCTION uow_probe_raise(code text) RETURNS int LANGUAGE plpgsql AS"
                     " $$BEGIN RAISE EXCEPTION 'scripted failure' USING ERRCODE = code; END$$",
                     0, NULL));
    free(harness_sql("CREATE OR REPLACE FUNCTION uow_probe_commit() RETURNS trigger LANGUAGE plpgsql AS"
                     " $$BEGIN IF NEW.fail_with IS NOT NULL THEN PERFORM uow_probe_raise(NEW.fail_with); END IF;"
                     " RETURN NULL; END$$",
                     0, NULL));
    free(harness_sql("CREATE CONSTRAINT TRIGGER uow_probe_at_commit AFTER INSERT ON uow_probe"
                     " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION uow_probe_commit()",
                     0, NULL));
    pool = db_pool_new(harness_database_url(), NULL, 2, 5000, NULL);
    if (!pool)
        abort();
}

/* Frees the pool and drops the probe table. */
static void stop(void)
{
    db_pool_free(pool);
    free(harness_sql("DROP TABLE IF EXISTS uow_probe", 0, NULL));
}

int main(void)
{
    const TTest *const tests[] = {test_serialization_failure_in_the_work_is_retried,
                                  test_deadlock_at_commit_is_retried,
                                  test_attempts_stop_at_the_bound,
                                  test_other_refusals_are_final,
                                  test_aborted_transaction_keeps_the_cause,
                                  test_roll_back_instead_of_commit,
                                  NULL};
    const struct harness_suite suite = {
        .name = "unit_of_work", .tests = tests, .start = start, .stop = stop, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}
