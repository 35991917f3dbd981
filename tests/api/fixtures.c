/* fixtures.c — rows by SQL, standard tokens, asserting request helpers and the suite runner shared by
 * the API tests (see fixtures.h). */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"

/* ---- rows by SQL --------------------------------------------------------------------------------- */

void tt_sql(const char *sql, const char *a, const char *b)
{
    const char *params[2] = {a, b};
    free(harness_sql(sql, b ? 2 : a ? 1 : 0, params));
}

long tt_count(const char *sql, const char *param)
{
    const char *params[1] = {param};
    return harness_sql_long(sql, 1, params);
}

void tt_school(const char *code, const char *name)
{
    const char *params[2] = {code, name};
    free(harness_sql("INSERT INTO schools (code, name) VALUES ($1, COALESCE($2, 'School ' || $1))", 2, params));
}

void tt_new_school(char *code, size_t size, const char *prefix, const char *name)
{
    char n[32];
    snprintf(code, size, "%s%s", prefix, harness_unique("", n, sizeof(n)));
    tt_school(code, name);
}

void tt_tutor(const char *number, const char *school, const char *roles, int capacity, int active)
{
    char cap[16];
    snprintf(cap, sizeof(cap), "%d", capacity);
    const char *params[5] = {number, school, roles, cap, active ? "t" : "f"};
    free(harness_sql("INSERT INTO staff (staff_number, name, email, school, roles, capacity, active)"
                     " VALUES ($1, 'Staff ' || $1, lower($1) || '@uni.example', $2, $3::text[], $4::int, $5::boolean)",
                     5, params));
}

void tt_staff(const char *number, const char *school, const char *roles)
{
    tt_tutor(number, school, roles, 30, 1); /* the schema's defaults */
}

void tt_student_full(const char *number, const char *school, const char *partner, const char *status,
                     const char *registered_on)
{
    const char *params[5] = {number, school, partner, status, registered_on};
    free(harness_sql("INSERT INTO students (student_number, name, email, school, partner_school, level, cohort, status,"
                     " registered_on) VALUES ($1, 'Student ' || $1, lower($1) || '@uni.example', $2, $3, '4', 'UG',"
                     " COALESCE($4, 'studying'), COALESCE($5::date, DATE '2026-09-21'))",
                     5, params));
}

void tt_student(const char *number, const char *school)
{
    tt_student_full(number, school, NULL, NULL, NULL);
}

void tt_allocate(const char *student, const char *tutor, const char *starts_on)
{
    const char *params[3] = {student, tutor, starts_on};
    free(harness_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
                     " VALUES ($1, $2, 'personal', COALESCE($3::date, DATE '2026-10-01'), 'test')",
                     3, params));
}

void tt_contact(const char *student, const char *staff, const char *kind, const char *direction,
                const char *occurred_at, const char *reply_to, char *id)
{
    const char *params[6] = {student, staff, kind, direction, occurred_at, reply_to};
    char *v =
        harness_sql("INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance,"
                    " reply_to, created_by) VALUES ($1, $2, $3, $4::text,"
                    " COALESCE($5::timestamptz, now() - interval '3 days'), 'attended', $6::bigint,"
                    " CASE WHEN $4::text = 'from_student' THEN $1 ELSE $2 END) RETURNING id",
                    6, params);
    if (id)
        snprintf(id, 24, "%.23s", v);
    free(v);
}

/* ---- tokens -------------------------------------------------------------------------------------- */

char *tt_admin_token(void)
{
    return harness_token("ADM1", "admin", NULL);
}

char *tt_registry_token(const char *sub)
{
    return harness_token(sub, "registry", NULL);
}

char *tt_tutor_token(const char *staff)
{
    return harness_token(staff, "tutor", NULL);
}

char *tt_senior_token(const char *staff, const char *school)
{
    return harness_token(staff, "tutor,senior_tutor", school);
}

char *tt_student_token(const char *student)
{
    return harness_token(student, "student", NULL);
}

/* ---- requests ------------------------------------------------------------------------------------ */

long tt_call(const char *method, const char *path, const char *token, const char *body, struct tt_response *r)
{
    ck_assert_int_eq(harness_json(method, path, token, body, r), 0);
    return r->status;
}

long tt_status(const char *method, const char *path, const char *token, const char *body)
{
    struct tt_response r;
    long status = tt_call(method, path, token, body, &r);
    harness_response_free(&r);
    return status;
}

void tt_expect_status(const char *method, const char *path, const char *token, const char *body, long status)
{
    struct tt_response r;
    long got = tt_call(method, path, token, body, &r);
    if (got != status)
        fprintf(stderr, "%s %s -> %ld %s\n", method, path, got, r.body);
    ck_assert_int_eq(got, status);
    harness_response_free(&r);
}

int tt_names_field(const struct tt_response *r, const char *field)
{
    size_t i;
    json_t *e;
    if (strcmp(r->content_type, "application/problem+json") != 0)
        return 0;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
    {
        if (json_is_string(json_object_get(e, "field")) &&
            strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return 1;
    }
    return 0;
}

void tt_refused(const char *method, const char *path, const char *token, const char *body, long status,
                const char *field)
{
    struct tt_response r;
    long got = tt_call(method, path, token, body, &r);
    if (got != status || (field && !tt_names_field(&r, field)))
        ck_abort_msg("%s %s %s: want %ld naming %s, got %ld %s", method, path, body ? body : "", status,
                     field ? field : "-", got, r.body);
    harness_response_free(&r);
}

char *tt_id(const struct tt_response *r)
{
    char *out = malloc(24);
    snprintf(out, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(r->json, "id")));
    return out;
}

char *tt_post_id(const char *path, const char *token, const char *body)
{
    struct tt_response r;
    long status = tt_call("POST", path, token, body, &r);
    if (status != 201)
        ck_abort_msg("POST %s %s: %ld %s", path, body, status, r.body);
    char *id = tt_id(&r);
    harness_response_free(&r);
    return id;
}

long tt_list_count(const char *path, const char *query, const char *token)
{
    struct tt_response r;
    char url[512];
    snprintf(url, sizeof(url), "%s?%s", path, query);
    long status = tt_call("GET", url, token, NULL, &r);
    long n = status == 200 ? (long)json_array_size(json_object_get(r.json, "items")) : -status;
    harness_response_free(&r);
    return n;
}

json_t *tt_finding(json_t *items, const char *rule)
{
    size_t i;
    json_t *f;
    json_array_foreach(items, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0)
            return f;
    }
    return NULL;
}

/* ---- the runner ---------------------------------------------------------------------------------- */

int harness_run(const struct harness_suite *suite)
{
    Suite *s = suite_create(suite->name);
    TCase *tc = tcase_create(suite->name);
    if (suite->timeout)
        tcase_set_timeout(tc, suite->timeout);
    tcase_add_unchecked_fixture(tc, suite->start ? suite->start : harness_start,
                                suite->stop ? suite->stop : harness_stop);
    if (suite->setup || suite->teardown)
        tcase_add_checked_fixture(tc, suite->setup, suite->teardown);
    for (const TTest *const *t = suite->tests; *t; t++)
        tcase_add_test(tc, *t);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    if (suite->in_process)
        srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int harness_run_suite(const char *name, const TTest *const *tests, void (*setup)(void), void (*teardown)(void))
{
    const struct harness_suite suite = {
        .name = name, .tests = tests, .setup = setup, .teardown = teardown, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}

/* ---- status history and findings ------------------------------------------------------------------- */

char *tt_status_history(const char *student, const char *token)
{
    char path[96], *out = calloc(1, 1024);
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s", student);
    ck_assert_int_eq(tt_call("GET", path, token, NULL, &r), 200);
    json_t *history = json_object_get(r.json, "status_history");
    ck_assert(json_is_array(history));
    size_t i, used = 0;
    json_t *e;
    json_array_foreach(history, i, e)
    {
        used += (size_t)snprintf(out + used, 1024 - used, "%s%s@%s", i ? "," : "",
                                 json_string_value(json_object_get(e, "status")),
                                 json_string_value(json_object_get(e, "from")));
    }
    harness_response_free(&r);
    return out;
}

json_t *tt_findings(const char *student, const char *as_of, const char *token)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=%s", student, as_of);
    long status = tt_call("GET", path, token, NULL, &r);
    if (status != 200)
        fprintf(stderr, "GET %s -> %ld %s\n", path, status, r.body);
    ck_assert_int_eq(status, 200);
    json_t *findings = json_incref(json_object_get(r.json, "findings"));
    ck_assert(json_is_array(findings));
    harness_response_free(&r);
    return findings;
}

const char *tt_rule_status(json_t *findings, const char *rule)
{
    const char *s = json_string_value(json_object_get(tt_finding(findings, rule), "status"));
    return s ? s : "";
}

/* ---- the store in process ------------------------------------------------------------------------- */

double tt_seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

long tt_db_value(struct db_conn *conn, const char *sql)
{
    PGresult *res = NULL;
    ck_assert_int_eq(db_query(conn, sql, 0, NULL, &res, NULL), APP_OK);
    long v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

void *tt_stop_watch_soon(void *watch)
{
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    db_watch_stop(watch);
    return NULL;
}
