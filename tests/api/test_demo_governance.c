/* test_demo_governance.c — the demo university's governance, in a database of its own (the shared test
 * database stays small): `tutord migrate` and `tutord seed-demo` load it, then a tutord serves it. CMS has an
 * approved policy with office hours its students see, LAW a submitted draft that binds nothing, and the annual
 * report shows CMS's trend across its two years of data; a second seed changes nothing. */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "worlds.h"

static char demo_db[64], demo_conninfo[1024], env_url[1100];

/* The harness database's connection parameters with dbname replaced by `db`, as a keyword conninfo. */
static void conninfo_for(const char *db, char *out, size_t size)
{
    PQconninfoOption *opts = PQconninfoParse(harness_database_url(), NULL);
    ck_assert_ptr_nonnull(opts);
    size_t used = (size_t)snprintf(out, size, "dbname=%s", db);
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && *o->val && strcmp(o->keyword, "dbname") != 0)
            used += (size_t)snprintf(out + used, size - used, " %s='%s'", o->keyword, o->val);
    PQconninfoFree(opts);
}

/* Runs `tutord <command>` on the demo database; asserts it exits 0. */
static void tutord(const char *command)
{
    char cmd[1600];
    snprintf(cmd, sizeof(cmd), "TUTORD_DATABASE_URL=\"%s\" '%s' %s >/dev/null 2>&1", demo_conninfo,
             getenv("TUTORD_BIN"), command);
    ck_assert_msg(system(cmd) == 0, "tutord %s failed", command);
}

/* One number from the demo database. */
static long demo_count(const char *sql)
{
    PGconn *pg = PQconnectdb(demo_conninfo);
    PGresult *res = PQexec(pg, sql);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(pg);
    return n;
}

static void start(void)
{
    snprintf(demo_db, sizeof(demo_db), "tutord_demo_%d", (int)getpid());
    conninfo_for(demo_db, demo_conninfo, sizeof(demo_conninfo));
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", demo_db);
    free(harness_sql(sql, 0, NULL));
    tutord("migrate");
    tutord("seed-demo");
    snprintf(env_url, sizeof(env_url), "TUTORD_DATABASE_URL=%s", demo_conninfo);
    const char *env[] = {env_url, NULL};
    harness_start_with(env);
}

static void stop(void)
{
    harness_stop();
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", demo_db);
    free(harness_sql(sql, 0, NULL));
}

/* GET as `token`; asserts 200 and returns the JSON (new reference). */
static json_t *get(const char *path, const char *token)
{
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, token, NULL, &r), 200);
    json_t *doc = json_incref(r.json);
    harness_response_free(&r);
    return doc;
}

/* CMS's annual report for 2026/27 shows 2025/26 beside it, with the change in late allocations; its
 * approved 2025/26 analysis is on that year's report. */
START_TEST(test_annual_trend_over_two_demo_years)
{
    char *dean = harness_token("DEAN1", "dean", NULL);
    json_t *doc = get("/reports/annual?school=CMS&year=2026/27", dean), *trend;
    ck_assert_int_eq(json_array_size(json_object_get(doc, "years")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "years"), 1)), "2025/26");
    size_t i;
    int seen = 0;
    json_array_foreach(json_object_get(doc, "trends"), i, trend)
    {
        if (strcmp(json_string_value(json_object_get(trend, "kpi")), "pct_not_allocated_within_week") != 0)
            continue;
        seen = 1;
        ck_assert(json_number_value(json_object_get(trend, "previous")) == 16.7); /* 10 of 60 */
        ck_assert(json_number_value(json_object_get(trend, "change")) < 0);       /* fewer late this year */
    }
    ck_assert(seen);
    ck_assert(json_number_value(json_object_get(json_object_get(doc, "satisfaction"), "contact_pct")) == 82.5);
    json_decref(doc);
    doc = get("/reports/annual?school=CMS&year=2025/26", dean);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "kpis")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "analysis"), "status")), "approved");
    json_decref(doc);
    free(dean);
}
END_TEST

/* CMS's students see its approved policy and office hours; LAW's draft awaits the Dean and binds nothing. */
START_TEST(test_approved_and_submitted_policies)
{
    char *student = harness_token("S2600001", "student", NULL), *dean = harness_token("DEAN1", "dean", NULL);
    json_t *doc = get("/schools/CMS/expectations", student), *item;
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "policy"), "approved_by")), "DEAN1");
    size_t i;
    int office = 0;
    json_array_foreach(json_object_get(doc, "items"), i, item)
    {
        office += strcmp(json_string_value(json_object_get(item, "topic")), "office_hours") == 0 &&
                  strstr(json_string_value(json_object_get(item, "statement")), "two office hours a week") != NULL;
    }
    ck_assert_int_eq(office, 1);
    json_decref(doc);
    doc = get("/schools/LAW/policy-drafts?status=submitted", dean);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    ck_assert_int_eq(demo_count("SELECT count(*) FROM school_policy_versions WHERE school = 'LAW'"), 1);
    ck_assert_int_eq(demo_count("SELECT count(*) FROM school_policy_versions WHERE school = 'LAW'"
                                " AND effective_from = '2027-01-11'"),
                     0);
    free(student);
    free(dean);
}
END_TEST

/* Seeding again changes nothing. */
START_TEST(test_second_seed_changes_nothing)
{
    static const char COUNTS[] =
        "SELECT (SELECT count(*) FROM policy_drafts) * 1000000 + (SELECT count(*) FROM governance_transitions) * 10000"
        " + (SELECT count(*) FROM school_policies) * 100 + (SELECT count(*) FROM students WHERE student_number LIKE "
        "'S25%')";
    long before = demo_count(COUNTS);
    tutord("seed-demo");
    ck_assert_int_eq(demo_count(COUNTS), before);
    ck_assert_int_eq(before, 2 * 1000000 + 8 * 10000 + 7 * 100 + 60);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_annual_trend_over_two_demo_years, test_approved_and_submitted_policies,
                                  test_second_seed_changes_nothing, NULL};
    const struct harness_suite suite = {
        .name = "demo_governance", .tests = tests, .start = start, .stop = stop, .timeout = 300, .in_process = 1};
    return harness_run(&suite);
}
