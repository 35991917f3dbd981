/* test_pool.c — a bounded pool: when every connection is busy past the acquire timeout, a request gets
 * 503 problem+json with Retry-After instead of queueing forever; the busy one still completes. */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"

static const char *const SERVER_ENV[] = {"TUTORD_DB_POOL_SIZE=1", "TUTORD_DB_ACQUIRE_TIMEOUT_MS=300", NULL};

static void start(void)
{
    harness_start_with(SERVER_ENV);
}

static PGresult *exec_ok(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(res));
    return res;
}

START_TEST(test_exhausted_pool_answers_503)
{
    char *admin = tt_admin_token();
    PGconn *pg = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
    PQclear(exec_ok(pg, "BEGIN"));
    PQclear(exec_ok(pg, "LOCK TABLE students IN ACCESS EXCLUSIVE MODE"));
    pid_t child = fork();
    if (child == 0) { /* holds the only pooled connection, waiting on the lock */
        struct tt_response r;
        int ok = harness_json("GET", "/students?limit=1", admin, NULL, &r) == 0 && r.status == 200;
        _exit(ok ? 0 : 1);
    }
    usleep(500 * 1000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/students?limit=1", admin, NULL, &r), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_eq(r.status, 503);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    ck_assert_str_eq(r.retry_after, "1");
    harness_response_free(&r);
    /* it waited for the acquire timeout, not for the lock */
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
    PQclear(exec_ok(pg, "COMMIT"));
    int status = 0;
    waitpid(child, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the busy request did not complete with 200");
    PQfinish(pg);
    free(admin);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_exhausted_pool_answers_503,
        NULL,
    };
    const struct harness_suite suite = {.name = "pool", .tests = tests, .start = start, .timeout = 60};
    return harness_run(&suite);
}
