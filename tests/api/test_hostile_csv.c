/* test_hostile_csv.c — hostile CSV in and out: an import header that repeats columns gets one error per
 * bad column (not per pair of repeats) and at most 100 listed with the total in error_count, on both
 * import routes; every CSV the service writes neutralises a cell a spreadsheet would run as a formula
 * (OWASP: a single quote before it) and reports come as attachments. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fixtures.h"
#include "harness.h"
#include "hostile_raw.h"

static char *registry;

static void start(void)
{
    harness_start();
    registry = tt_registry_token("SRS-HOSTILE");
}

static void stop(void)
{
    free(registry);
    harness_stop();
}

/* A CSV body: the header `first`, then `column` repeated `times` more times, then one line break. */
static char *repeated_header(const char *first, const char *column, int times)
{
    size_t cap = strlen(first) + (strlen(column) + 1) * (size_t)times + 2;
    char *body = malloc(cap);
    size_t used = (size_t)snprintf(body, cap, "%s", first);
    for (int i = 0; i < times; i++)
        used += (size_t)snprintf(body + used, cap - used, ",%s", column);
    snprintf(body + used, cap - used, "\n");
    return body;
}

/* POSTs `body` as text/csv to `path`, asserts a 422 listing `listed` errors and counting `count`, and
 * returns the response (the caller frees it). */
static void expect_header_refusal(const char *path, const char *body, size_t listed, long count, struct tt_response *r)
{
    ck_assert_int_eq(harness_request("POST", path, registry, "text/csv", body, NULL, r), 0);
    ck_assert_msg(r->status == 422, "%ld %.300s", r->status, r->body);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    json_t *errors = json_object_get(r->json, "errors");
    ck_assert_uint_eq(json_array_size(errors), listed);
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "error_count")), count);
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) ck_assert_int_eq(json_integer_value(json_object_get(e, "row")), 0);
}

/* A column named three times is two bad columns (the repeats), not three pairs. */
START_TEST(test_repeat_is_one_error_per_column)
{
    struct tt_response r;
    expect_header_refusal("/students:import", "student_number,name,name,name\n", 2, 2, &r);
    json_t *first = json_array_get(json_object_get(r.json, "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "field")), "name");
    ck_assert_str_eq(json_string_value(json_object_get(first, "message")), "is named twice in the header");
    harness_response_free(&r);
    expect_header_refusal("/tutors:import", "staff_number,name,name\n", 1, 1, &r);
    harness_response_free(&r);
}
END_TEST

/* 100 bad columns are all listed; the 101st is only counted. */
START_TEST(test_list_bound_edges)
{
    struct tt_response r;
    char *body = repeated_header("student_number", "shoe_size", 100);
    expect_header_refusal("/students:import", body, 100, 100, &r);
    harness_response_free(&r);
    free(body);
    body = repeated_header("student_number", "shoe_size", 101);
    expect_header_refusal("/students:import", body, 100, 101, &r);
    harness_response_free(&r);
    free(body);
    body = repeated_header("student_number", "name", 99);
    expect_header_refusal("/students:import", body, 98, 98, &r);
    harness_response_free(&r);
    free(body);
}
END_TEST

/* A 10 KB header of one repeated column: 2,000 bad columns, a small answer, on both import routes. */
START_TEST(test_ten_kilobyte_header_small_answer)
{
    struct tt_response r;
    char *body = repeated_header("student_number", "name", 2000);
    ck_assert_uint_ge(strlen(body), 10000);
    expect_header_refusal("/students:import", body, 100, 1999, &r);
    ck_assert_uint_lt(strlen(r.body), 16384);
    harness_response_free(&r);
    free(body);
    body = repeated_header("staff_number", "email", 2000);
    expect_header_refusal("/tutors:import", body, 100, 1999, &r);
    ck_assert_uint_lt(strlen(r.body), 16384);
    harness_response_free(&r);
    free(body);
}
END_TEST

/* Staff names that are formulas (or start like one) and the cell each must come back as. */
static const struct {
    const char *name, *cell;
} NAMES[] = {
    {"=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"},
    {"+1+cmd", "'+1+cmd"},
    {"-2+3", "'-2+3"},
    {"@SUM(A1:A2)", "'@SUM(A1:A2)"},
    {"\tTabbed", "'\tTabbed"},
    {"\rReturned", "'\rReturned"},
    {"-5", "-5"},               /* a plain number stays a number */
    {"Ann = Lee", "Ann = Lee"}, /* '=' inside is harmless */
};

/* The workload report as CSV names every tutor with formula-like names neutralised, and is sent as an
 * attachment named after the report. */
START_TEST(test_report_csv_neutralises_formulas)
{
    char code[24];
    tt_new_school(code, sizeof(code), "FX", NULL);
    size_t n = sizeof(NAMES) / sizeof(NAMES[0]);
    char numbers[8][24];
    for (size_t i = 0; i < n; i++) {
        harness_unique("FX", numbers[i], sizeof(numbers[i]));
        tt_staff(numbers[i], code, "{tutor}");
        tt_sql("UPDATE staff SET name = $2 WHERE staff_number = $1", numbers[i], NAMES[i].name);
    }
    char *admin = tt_admin_token(), request[2048], value[128];
    snprintf(request, sizeof(request),
             "GET /reports/workload?school=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Accept: text/csv\r\nConnection: close\r\n\r\n",
             code, admin);
    free(admin);
    struct raw_response r;
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(raw_header(&r, "Content-Disposition", value, sizeof(value)),
                     "attachment; filename=\"workload.csv\"");
    struct csv_reader reader;
    struct csv_row row = {0};
    ck_assert_int_eq(csv_init(&reader, r.body, strlen(r.body)), 0);
    size_t seen = 0;
    while (csv_next(&reader, &row) == 1) {
        ck_assert_uint_gt(row.n, 6);
        for (size_t i = 0; i < n; i++)
            if (strcmp(row.fields[5], numbers[i]) == 0) {
                ck_assert_str_eq(row.fields[6], NAMES[i].cell);
                seen++;
            }
    }
    ck_assert_uint_eq(seen, n);
    csv_row_free(&row);
    free(row.fields);
    raw_response_free(&r);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_repeat_is_one_error_per_column,
        test_list_bound_edges,
        test_ten_kilobyte_header_small_answer,
        test_report_csv_neutralises_formulas,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_csv", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
