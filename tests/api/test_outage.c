/* test_outage.c — PostgreSQL restarts while tutord runs: requests during the outage get 503
 * problem+json with Retry-After, and tutord serves again afterwards without being restarted. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"

static char student_path[64];
static char *admin;

static void start(void)
{
    harness_start();
    admin = tt_admin_token();
    char n[32], school[48], path[64], body[512];
    harness_unique("", n, sizeof(n));
    snprintf(school, sizeof(school), "OUT%s", n);
    snprintf(path, sizeof(path), "/schools/%s", school);
    struct tt_response r;
    harness_json("PUT", path, admin, "{\"name\":\"Outage School\"}", &r);
    harness_response_free(&r);
    snprintf(student_path, sizeof(student_path), "/students/SOUT%s", n);
    snprintf(body, sizeof(body),
             "{\"name\":\"Olu Outage\",\"email\":\"o@uni.example\",\"school\":\"%s\",\"level\":\"5\","
             "\"cohort\":\"UG\",\"status\":\"studying\",\"registered_on\":\"2025-09-22\"}",
             school);
    harness_json("PUT", student_path, admin, body, &r);
    harness_response_free(&r);
}

static void stop(void)
{
    free(admin);
    harness_stop();
}

static long get_status(const char *path, int expect_problem)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
    long status = r.status;
    if (expect_problem) {
        ck_assert_str_eq(r.content_type, "application/problem+json");
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "status")), status);
        ck_assert_str_eq(r.retry_after, "1");
    }
    harness_response_free(&r);
    return status;
}

START_TEST(test_database_restart)
{
    ck_assert_int_eq(get_status(student_path, 0), 200);
    if (harness_db_stop() != 0) {
        fprintf(stderr, "test_database_restart: SKIPPED (the database is not the harness's own cluster)\n");
        return;
    }
    ck_assert_int_eq(get_status(student_path, 1), 503);
    ck_assert_int_eq(get_status("/students?limit=5", 1), 503);
    ck_assert_int_eq(get_status("/readyz", 1), 503);
    ck_assert_int_eq(harness_db_start(), 0);
    long status = 0;
    for (int i = 0; i < 50 && status != 200; i++) {
        status = get_status(student_path, 0);
        if (status != 200)
            usleep(200 * 1000);
    }
    ck_assert_int_eq(status, 200);
    /* every pooled connection recovers, not only the first one tried */
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(get_status(student_path, 0), 200);
    ck_assert_int_eq(get_status("/readyz", 0), 200);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_database_restart,
        NULL,
    };
    const struct harness_suite suite = {.name = "outage", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
