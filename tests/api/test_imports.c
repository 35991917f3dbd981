/* test_imports.c — POST /students:import and POST /tutors:import: JSON and CSV (RFC 4180 quoting,
 * UTF-8, CRLF), all-or-nothing on a bad row, ?partial=true, re-import changing nothing, database
 * checks (unknown school, a number twice), roles and media types. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"

static char school[32];
static char *registry;

static void start(void)
{
    harness_start();
    tt_new_school(school, sizeof(school), "IM", "Import School");
    registry = tt_registry_token("SRS");
}

static void stop(void)
{
    free(registry);
    harness_stop();
}

static long count_students(const char *prefix)
{
    char like[40];
    snprintf(like, sizeof(like), "%s%%", prefix);
    const char *p[1] = {like};
    return harness_sql_long("SELECT count(*) FROM students WHERE student_number LIKE $1", 1, p);
}

static long count_events(const char *prefix)
{
    char like[40];
    snprintf(like, sizeof(like), "%s%%", prefix);
    const char *p[1] = {like};
    return harness_sql_long("SELECT count(*) FROM events WHERE kind = 'student.upserted' AND subject LIKE $1", 1, p);
}

static char *student_field(const char *number, const char *column)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT %s FROM students WHERE student_number = $1", column);
    const char *p[1] = {number};
    return harness_sql(sql, 1, p);
}

static long report(const struct tt_response *r, const char *name)
{
    return (long)json_integer_value(json_object_get(r->json, name));
}

/* A JSON array of n students numbered <prefix>A, <prefix>B, ... in the test school. */
static char *json_rows(const char *prefix, int n, const char *level)
{
    char *body = malloc(4096);
    size_t used = (size_t)snprintf(body, 4096, "[");
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(body + used, 4096 - used,
                                 "%s{\"student_number\":\"%s%c\",\"name\":\"Student %c\",\"email\":\"s%c@uni.example\","
                                 "\"school\":\"%s\",\"level\":\"%s\",\"cohort\":\"UG\",\"status\":\"studying\","
                                 "\"registered_on\":\"2026-09-21\"}",
                                 i ? "," : "", prefix, 'A' + i, 'A' + i, 'a' + i, school, level);
    snprintf(body + used, 4096 - used, "]");
    return body;
}

START_TEST(test_json_import_then_reimport_changes_nothing)
{
    char prefix[32];
    harness_unique("J", prefix, sizeof(prefix));
    char *body = json_rows(prefix, 3, "4");
    struct tt_response r;
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(report(&r, "created"), 3);
    ck_assert_int_eq(report(&r, "updated"), 0);
    ck_assert_int_eq(report(&r, "unchanged"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 0);
    harness_response_free(&r);
    ck_assert_int_eq(count_students(prefix), 3);
    ck_assert_int_eq(count_events(prefix), 3);
    /* the same file again: nothing changes, no event */
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(report(&r, "created"), 0);
    ck_assert_int_eq(report(&r, "updated"), 0);
    ck_assert_int_eq(report(&r, "unchanged"), 3);
    harness_response_free(&r);
    ck_assert_int_eq(count_events(prefix), 3);
    char number[40];
    snprintf(number, sizeof(number), "%sA", prefix);
    char *version = student_field(number, "version");
    ck_assert_str_eq(version, "1");
    free(version);
    /* one changed row: one update, one event */
    free(body);
    body = json_rows(prefix, 3, "5");
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(report(&r, "updated"), 3);
    harness_response_free(&r);
    ck_assert_int_eq(count_events(prefix), 6);
    free(body);
}
END_TEST

START_TEST(test_csv_quoting_utf8_crlf)
{
    char prefix[32], body[2048];
    harness_unique("C", prefix, sizeof(prefix));
    snprintf(
        body, sizeof(body),
        "\xef\xbb\xbfstudent_number,name,email,school,programme,level,cohort,status,registered_on,date_of_birth\r\n"
        "%sA,\"O'Brien, Siobhán\",a@uni.example,%s,\"BSc \"\"Data\"\" Science\",4,UG,studying,2026-09-21,\r\n"
        "%sB,Zoë Ōtake 李,b@uni.example,%s,\"Line one\r\nline two\",5,PGT,placement,2025-09-22,2001-02-03\r\n",
        prefix, school, prefix, school);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/csv; charset=utf-8", body, NULL, &r),
                     0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(report(&r, "created"), 2);
    harness_response_free(&r);
    char number[40];
    snprintf(number, sizeof(number), "%sA", prefix);
    char *v = student_field(number, "name");
    ck_assert_str_eq(v, "O'Brien, Siobhán");
    free(v);
    v = student_field(number, "programme");
    ck_assert_str_eq(v, "BSc \"Data\" Science");
    free(v);
    v = student_field(number, "date_of_birth IS NULL");
    ck_assert_str_eq(v, "t");
    free(v);
    snprintf(number, sizeof(number), "%sB", prefix);
    v = student_field(number, "name");
    ck_assert_str_eq(v, "Zoë Ōtake 李");
    free(v);
    v = student_field(number, "programme");
    ck_assert_str_eq(v, "Line one\r\nline two");
    free(v);
    v = student_field(number, "status || ' ' || cohort || ' ' || date_of_birth");
    ck_assert_str_eq(v, "placement PGT 2001-02-03");
    free(v);
}
END_TEST

START_TEST(test_bad_row_rejects_everything)
{
    char prefix[32];
    harness_unique("B", prefix, sizeof(prefix));
    char *body = json_rows(prefix, 3, "4");
    char *bad = strstr(body, "\"level\":\"4\"");
    bad = strstr(bad + 1, "\"level\":\"4\""); /* the second row */
    memcpy(bad, "\"level\":\"9\"", 11);
    struct tt_response r;
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, body, &r), 0);
    ck_assert_int_eq(r.status, 422);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    json_t *errors = json_object_get(r.json, "errors");
    ck_assert_int_eq(json_array_size(errors), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errors, 0), "row")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "level");
    harness_response_free(&r);
    ck_assert_int_eq(count_students(prefix), 0);
    ck_assert_int_eq(count_events(prefix), 0);
    /* partial: the valid rows land, the report lists the bad one */
    ck_assert_int_eq(harness_json("POST", "/students:import?partial=true", registry, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(report(&r, "created"), 2);
    errors = json_object_get(r.json, "errors");
    ck_assert_int_eq(json_array_size(errors), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errors, 0), "row")), 2);
    harness_response_free(&r);
    ck_assert_int_eq(count_students(prefix), 2);
    free(body);
}
END_TEST

START_TEST(test_database_checks_name_the_row)
{
    char prefix[32], body[2048];
    harness_unique("D", prefix, sizeof(prefix));
    snprintf(body, sizeof(body),
             "student_number,name,email,school,partner_school,level,cohort,status,registered_on\n"
             "%sA,Ann,a@uni.example,%s,NOSUCHSCHOOL,4,UG,studying,2026-09-21\n"
             "%sB,Bob,b@uni.example,%s,,4,UG,studying,2026-09-21\n"
             "%sB,Bob Again,b@uni.example,%s,,4,UG,studying,2026-09-21\n"
             "%sC,Cat,not-an-email,%s,,4,UG,studying,2026-09-21\n"
             "%sD,Dan,d@uni.example,%s,,4,UG\n",
             prefix, school, prefix, school, prefix, school, prefix, school, prefix, school);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/csv", body, NULL, &r), 0);
    ck_assert_int_eq(r.status, 422);
    json_t *errors = json_object_get(r.json, "errors");
    ck_assert_int_eq(json_array_size(errors), 4);
    static const struct {
        long row;
        const char *field;
    } want[] = {{1, "partner_school"}, {3, "student_number"}, {4, "email"}, {5, "row"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(errors, i);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "row")), want[i].row);
        ck_assert_str_eq(json_string_value(json_object_get(e, "field")), want[i].field);
    }
    harness_response_free(&r);
    ck_assert_int_eq(count_students(prefix), 0);
}
END_TEST

START_TEST(test_tutors_csv_import)
{
    char prefix[32], body[1024];
    harness_unique("T", prefix, sizeof(prefix));
    snprintf(body, sizeof(body),
             "staff_number,name,email,school,roles,permanent,capacity,active\n"
             "%sA,Ada Lovelace,ada@uni.example,%s,tutor;senior_tutor,true,12,true\n"
             "%sB,Alan Turing,alan@uni.example,%s,,,,\n",
             prefix, school, prefix, school);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/tutors:import", registry, "text/csv", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(report(&r, "created"), 2);
    harness_response_free(&r);
    char number[40];
    snprintf(number, sizeof(number), "%sA", prefix);
    const char *p[1] = {number};
    char *v = harness_sql("SELECT roles::text || capacity || permanent FROM staff WHERE staff_number = $1", 1, p);
    ck_assert_str_eq(v, "{tutor,senior_tutor}12true");
    free(v);
    snprintf(number, sizeof(number), "%sB", prefix);
    v = harness_sql("SELECT roles::text || capacity || active FROM staff WHERE staff_number = $1", 1, p);
    ck_assert_str_eq(v, "{tutor}30true");
    free(v);
    ck_assert_int_eq(harness_request("POST", "/tutors:import", registry, "text/csv", body, NULL, &r), 0);
    ck_assert_int_eq(report(&r, "unchanged"), 2);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_refusals)
{
    struct tt_response r;
    char *tutor = harness_token("T1", "tutor", NULL);
    ck_assert_int_eq(harness_json("POST", "/students:import", tutor, "[]", &r), 0);
    ck_assert_int_eq(r.status, 403);
    harness_response_free(&r);
    free(tutor);
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/plain", "x", NULL, &r), 0);
    ck_assert_int_eq(r.status, 415);
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, "{\"a\":1}", &r), 0);
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/csv", "name,\"bad\n", NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/csv", "name,shoe_size\n", NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 422);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "errors"), 0), "field")),
                     "shoe_size");
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("POST", "/students:import?partial=maybe", registry, "[]", &r), 0);
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("POST", "/students:import", registry, "[]", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(report(&r, "created"), 0);
    harness_response_free(&r);
}
END_TEST

/* A body over the ordinary 1 MiB limit is accepted by an import route (its own limit is larger). */
START_TEST(test_large_body_is_accepted)
{
    char prefix[32];
    harness_unique("L", prefix, sizeof(prefix));
    size_t cap = 3u << 20, used = 0;
    char *body = malloc(cap);
    used += (size_t)snprintf(body, cap, "student_number,name,email,school,level,cohort,status,registered_on\n");
    for (int i = 0; used + 200 < cap - (1u << 20) || i < 12000; i++)
        used += (size_t)snprintf(body + used, cap - used,
                                 "%sx%d,Student Number %d,s%d@uni.example,%s,4,UG,studying,2026-09-21\n", prefix, i, i,
                                 i, school);
    ck_assert_uint_gt(used, 1u << 20);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/students:import", registry, "text/csv", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %.300s", r.status, r.body);
    ck_assert_int_eq(report(&r, "created"), count_students(prefix));
    harness_response_free(&r);
    free(body);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_json_import_then_reimport_changes_nothing,
        test_csv_quoting_utf8_crlf,
        test_bad_row_rejects_everything,
        test_database_checks_name_the_row,
        test_tutors_csv_import,
        test_refusals,
        test_large_body_is_accepted,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "imports", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
