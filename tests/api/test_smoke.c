/* test_smoke.c — the walking skeleton end to end: health, readiness, the contract, a school and a
 * student written and read back through the real server. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"

START_TEST(test_healthz_and_readyz)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", "/healthz", NULL, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("GET", "/readyz", NULL, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ready");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_openapi_is_served)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", "/openapi.yaml", NULL, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "application/yaml");
    ck_assert_ptr_nonnull(strstr(r.body, "openapi: 3.1"));
    harness_response_free(&r);
}
END_TEST

START_TEST(test_school_and_student_round_trip)
{
    char school[48], number[32], path[96], body[512];
    harness_unique("S", number, sizeof(number));
    snprintf(school, sizeof(school), "SM%s", number + 1);
    char *admin = harness_token("A1", "admin", NULL);
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s", school);
    ck_assert_int_eq(harness_json("PUT", path, admin, "{\"name\":\"Smoke School\"}", &r), 0);
    ck_assert_int_eq(r.status, 201);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s", number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Ana Ōtake\",\"email\":\"ana@uni.example\",\"school\":\"%s\",\"level\":\"4\","
             "\"cohort\":\"UG\",\"status\":\"studying\",\"registered_on\":\"2026-09-21\"}",
             school);
    ck_assert_int_eq(harness_json("PUT", path, admin, body, &r), 0);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "name")), "Ana Ōtake");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "school")), school);
    harness_response_free(&r);
    free(admin);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_healthz_and_readyz,
        test_openapi_is_served,
        test_school_and_student_round_trip,
        NULL,
    };
    const struct harness_suite suite = {.name = "smoke", .tests = tests};
    return harness_run(&suite);
}
