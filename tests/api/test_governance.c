/* test_governance.c — policies approved before they bind (drafts: every transition and role), what tutees
 * can expect (JSON and HTML, who may read it), consent on notes, and the annual school report (KPIs beside
 * the previous year with trends, survey figures, findings, CSV and HTML, the analysis's lifecycle). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* A fresh school with a senior tutor, a tutor and a student of it; tokens for each, the Dean and an admin. */
struct gov {
    char school[24], other[24], senior[24], tutor[24], student[24], outsider[24];
    char *tok_senior, *tok_tutor, *tok_student, *tok_outsider, *tok_other_senior, *tok_dean, *tok_admin;
};
static struct gov g;

static void setup(void)
{
    char other_senior[24];
    tt_new_school(g.school, sizeof(g.school), "G", NULL);
    tt_new_school(g.other, sizeof(g.other), "H", NULL);
    harness_unique("T", g.senior, sizeof(g.senior));
    harness_unique("T", g.tutor, sizeof(g.tutor));
    harness_unique("T", other_senior, sizeof(other_senior));
    harness_unique("S", g.student, sizeof(g.student));
    harness_unique("S", g.outsider, sizeof(g.outsider));
    tt_staff(g.senior, g.school, "{tutor,senior_tutor}");
    tt_staff(g.tutor, g.school, "{tutor}");
    tt_staff(other_senior, g.other, "{tutor,senior_tutor}");
    tt_student(g.student, g.school);
    tt_student(g.outsider, g.other);
    g.tok_senior = tt_senior_token(g.senior, g.school);
    g.tok_other_senior = tt_senior_token(other_senior, g.other);
    g.tok_tutor = tt_tutor_token(g.tutor);
    g.tok_student = tt_student_token(g.student);
    g.tok_outsider = tt_student_token(g.outsider);
    g.tok_dean = harness_token("DEAN7", "dean", NULL);
    g.tok_admin = tt_admin_token();
    free(harness_sql("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2026/27', '2026-09-14',"
                     " '2027-09-12') ON CONFLICT DO NOTHING",
                     0, NULL));
}

static void teardown(void)
{
    free(g.tok_senior);
    free(g.tok_other_senior);
    free(g.tok_tutor);
    free(g.tok_student);
    free(g.tok_outsider);
    free(g.tok_dean);
    free(g.tok_admin);
}

/* POST path as `token` with `body`, asserts `status`, returns the response's "status" member (malloc'd). */
static char *step(const char *method, const char *path, const char *token, const char *body, long status)
{
    struct tt_response r;
    long got = tt_call(method, path, token, body, &r);
    ck_assert_msg(got == status, "%s %s: %ld, wanted %ld: %s", method, path, got, status, r.body);
    const char *s = json_string_value(json_object_get(r.json, "status"));
    char *out = strdup(s ? s : "");
    harness_response_free(&r);
    return out;
}

/* Asserts a step lands in `want`. */
static void step_to(const char *method, const char *path, const char *token, const char *body, long status,
                    const char *want)
{
    char *got = step(method, path, token, body, status);
    ck_assert_str_eq(got, want);
    free(got);
}

static long count1(const char *sql, const char *param)
{
    return tt_count(sql, param);
}

/* ---- policy drafts ----------------------------------------------------------------------------------------- */

/* Every transition and who may take it: a senior tutor proposes and submits, the Dean returns (a comment is
 * required) or approves; a returned draft is revised back to draft; a wrong state is 409; each transition
 * is audited and raises an event; the approved draft becomes the school's policy version. */
START_TEST(test_draft_lifecycle)
{
    char path[160], one[96], sub[128], dec[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/policy-drafts", g.school);
    tt_expect_status("POST", path, g.tok_tutor, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("POST", path, g.tok_other_senior, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("POST", path, g.tok_dean, "{\"preset\":\"essex\"}", 403);
    tt_refused("POST", path, g.tok_senior, "{\"preset\":\"essex\",\"office_hours\":42}", 422, "office_hours");
    ck_assert_int_eq(
        tt_call("POST", path, g.tok_senior, "{\"preset\":\"essex\",\"office_hours\":\"Tuesdays 2-4\"}", &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "draft");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "office_hours")), "Tuesdays 2-4");
    char *id = tt_id(&r);
    harness_response_free(&r);
    snprintf(one, sizeof(one), "/policy-drafts/%s", id);
    snprintf(sub, sizeof(sub), "/policy-drafts/%s/submission", id);
    snprintf(dec, sizeof(dec), "/policy-drafts/%s/decision", id);
    ck_assert_int_eq(tt_list_count(path, "status=draft", g.tok_dean), 1);
    ck_assert_int_eq(tt_list_count(path, NULL, g.tok_tutor), -403);
    tt_expect_status("GET", one, g.tok_other_senior, NULL, 404);
    tt_expect_status("POST", dec, g.tok_dean, "{\"decision\":\"approved\"}", 409); /* not submitted yet */
    tt_expect_status("POST", sub, g.tok_other_senior, NULL, 404);
    step_to("POST", sub, g.tok_senior, NULL, 200, "submitted");
    tt_expect_status("POST", sub, g.tok_senior, NULL, 409);
    tt_expect_status("PUT", one, g.tok_senior, "{\"preset\":\"westminster\"}", 409);
    tt_expect_status("POST", dec, g.tok_senior, "{\"decision\":\"approved\"}", 403);
    tt_refused("POST", dec, g.tok_dean, "{\"decision\":\"returned\"}", 422, "comment");
    tt_refused("POST", dec, g.tok_dean, "{\"decision\":\"maybe\"}", 422, "decision");
    step_to("POST", dec, g.tok_dean, "{\"decision\":\"returned\",\"comment\":\"Add the office hours for term 2\"}", 200,
            "returned");
    tt_expect_status("POST", sub, g.tok_senior, NULL, 409); /* revise a returned one first */
    step_to("PUT", one, g.tok_senior, "{\"preset\":\"westminster\",\"office_hours\":\"Tuesdays and Thursdays 2-4\"}",
            200, "draft");
    step_to("POST", sub, g.tok_senior, NULL, 200, "submitted");
    ck_assert_int_eq(count1("SELECT count(*) FROM school_policies WHERE school = $1", g.school), 0);
    step_to("POST", dec, g.tok_admin, "{\"decision\":\"approved\"}", 200, "approved"); /* admin acts as Dean */
    tt_expect_status("POST", dec, g.tok_dean, "{\"decision\":\"approved\"}", 409);
    ck_assert_int_eq(tt_call("GET", one, g.tok_dean, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "transitions")), 6);
    ck_assert(json_is_integer(json_object_get(r.json, "policy_version")));
    harness_response_free(&r);
    ck_assert_int_eq(count1("SELECT count(*) FROM audit WHERE entity = 'policy_draft' AND entity_id = $1", id), 6);
    ck_assert_int_eq(count1("SELECT count(*) FROM events WHERE kind LIKE 'policy_draft.%' AND subject = $1", g.school),
                     6);
    snprintf(path, sizeof(path), "/schools/%s/policy", g.school);
    ck_assert_int_eq(tt_call("GET", path, g.tok_senior, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "approved_by")), "ADM1");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "set_by")), g.senior);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "office_hours")), "Tuesdays and Thursdays 2-4");
    harness_response_free(&r);
    free(id);
}
END_TEST

/* Only approved versions bind: a submitted draft is not evaluated (the policy the engine reads is unchanged)
 * but can be simulated; PUT keeps adopting at once, recorded as approved by whoever set it. */
START_TEST(test_only_approved_binds)
{
    char path[160], sim[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/policy", g.school);
    tt_expect_status("PUT", path, g.tok_admin, "{\"preset\":\"leicester\"}", 200);
    ck_assert_int_eq(tt_call("GET", path, g.tok_senior, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "approved_by")), "ADM1");
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/schools/%s/policy-drafts", g.school);
    char *id = tt_post_id(path, g.tok_senior, "{\"preset\":\"essex\",\"effective_from\":\"2026-09-01\"}");
    snprintf(sim, sizeof(sim), "/policy-drafts/%s/submission", id);
    tt_expect_status("POST", sim, g.tok_senior, NULL, 200);
    ck_assert_int_eq(count1("SELECT count(*) FROM school_policy_versions WHERE school = $1", g.school), 1);
    ck_assert_int_eq(
        count1("SELECT count(*) FROM school_policy_versions WHERE school = $1 AND policy ->> 'name' LIKE '%Essex%'",
               g.school),
        0);
    snprintf(sim, sizeof(sim), "/policy-drafts/%s/simulation", id);
    ck_assert_int_eq(tt_call("POST", sim, g.tok_dean, NULL, &r), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "students")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "draft_policy"), "effective_from")),
                     "2026-09-01");
    harness_response_free(&r);
    tt_expect_status("POST", sim, g.tok_tutor, NULL, 403);
    free(id);
}
END_TEST

/* ---- what tutees can expect ------------------------------------------------------------------------------------ */

/* Members of the school read the approved policy as plain statements with their clauses; others are refused;
 * a school with no approved policy in force has nothing to show (404). */
START_TEST(test_expectations)
{
    char path[160], put[160];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/expectations", g.school);
    tt_expect_status("GET", path, g.tok_student, NULL, 404); /* no policy yet */
    snprintf(put, sizeof(put), "/schools/%s/policy", g.school);
    tt_expect_status("PUT", put, g.tok_admin,
                     "{\"preset\":\"leicester\",\"office_hours\":\"Open door <Mondays> 10-12 & by appointment\"}", 200);
    ck_assert_int_eq(tt_call("GET", path, g.tok_student, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items"), *item;
    size_t i;
    int response = 0, meetings = 0, office = 0, change = 0, notes = 0;
    json_array_foreach(items, i, item)
    {
        const char *topic = json_string_value(json_object_get(item, "topic"));
        const char *text = json_string_value(json_object_get(item, "statement"));
        ck_assert_ptr_nonnull(json_string_value(json_object_get(item, "source")));
        response += strcmp(topic, "response") == 0 && strstr(text, "within 3 working days") != NULL;
        meetings += strcmp(topic, "meetings") == 0 && strstr(text, "at least 4 meetings this year") != NULL;
        office += strcmp(topic, "office_hours") == 0 && strcmp(text, "Open door <Mondays> 10-12 & by appointment") == 0;
        change += strcmp(topic, "change_of_tutor") == 0 &&
                  strstr(json_string_value(json_object_get(item, "source")), "positively considered") != NULL;
        notes += strcmp(topic, "notes") == 0 && strstr(text, "only with your permission") != NULL;
    }
    ck_assert_int_eq(response + meetings + office + change + notes, 5);
    for (i = 0; i < json_array_size(items); i++) /* tutor-level rules promise a student nothing */
        ck_assert_str_ne(json_string_value(json_object_get(json_array_get(items, i), "topic")), "training");
    harness_response_free(&r);
    tt_expect_status("GET", path, g.tok_tutor, NULL, 200);
    tt_expect_status("GET", path, g.tok_dean, NULL, 200);
    tt_expect_status("GET", path, g.tok_outsider, NULL, 403);
    tt_expect_status("GET", path, g.tok_other_senior, NULL, 403);
    tt_expect_status("GET", "/schools/NOPE9/expectations", g.tok_admin, NULL, 404);
    const char *html[] = {"Accept: text/html", NULL};
    ck_assert_int_eq(harness_request("GET", path, g.tok_student, NULL, NULL, html, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/html"));
    ck_assert_ptr_nonnull(strstr(r.body, "<html lang=\"en\">"));
    ck_assert_ptr_nonnull(strstr(r.body, "Open door &lt;Mondays&gt; 10-12 &amp; by appointment"));
    ck_assert_ptr_null(strstr(r.body, "<Mondays>"));
    harness_response_free(&r);
}
END_TEST

/* A policy that takes effect tomorrow is not yet what tutees can expect; the one in force today is. */
START_TEST(test_expectations_in_force)
{
    char put[160], path[160];
    struct tt_response r;
    snprintf(put, sizeof(put), "/schools/%s/policy", g.school);
    snprintf(path, sizeof(path), "/schools/%s/expectations", g.school);
    char *tomorrow = harness_sql("SELECT (current_date + 1)::text", 0, NULL), body[96];
    snprintf(body, sizeof(body), "{\"preset\":\"essex\",\"effective_from\":\"%s\"}", tomorrow);
    tt_expect_status("PUT", put, g.tok_admin, body, 200);
    tt_expect_status("GET", path, g.tok_student, NULL, 404);
    tt_expect_status("PUT", put, g.tok_admin, "{\"preset\":\"westminster\",\"effective_from\":\"2026-08-01\"}", 200);
    ck_assert_int_eq(tt_call("GET", path, g.tok_student, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "policy"), "effective_from")),
                     "2026-08-01");
    harness_response_free(&r);
    free(tomorrow);
}
END_TEST

/* ---- consent ------------------------------------------------------------------------------------------------ */

/* Without consent no content is stored: text needs consent_recorded true; a note without text records that
 * a meeting took place (it must name it); consent withdrawn later leaves the newest revision empty. */
START_TEST(test_consent)
{
    char path[160], body[200], rev[96], meeting[24];
    struct tt_response r;
    tt_allocate(g.student, g.tutor, NULL);
    tt_contact(g.student, g.tutor, "meeting", "to_student", NULL, NULL, meeting);
    snprintf(path, sizeof(path), "/students/%s/notes", g.student);
    tt_refused("POST", path, g.tok_tutor, "{\"text\":\"Talked about money\",\"visibility\":\"confidential\"}", 422,
               "consent_recorded");
    tt_refused("POST", path, g.tok_tutor,
               "{\"text\":\"Talked about money\",\"visibility\":\"confidential\",\"consent_recorded\":false}", 422,
               "consent_recorded");
    tt_refused("POST", path, g.tok_tutor, "{\"visibility\":\"shared\"}", 422, "text");
    snprintf(body, sizeof(body), "{\"visibility\":\"shared\",\"contact\":%s}", meeting);
    ck_assert_int_eq(tt_call("POST", path, g.tok_tutor, body, &r), 201);
    ck_assert(json_is_null(json_object_get(r.json, "text")));
    ck_assert(json_is_false(json_object_get(r.json, "content_recorded")));
    ck_assert(json_is_false(json_object_get(r.json, "consent_recorded")));
    harness_response_free(&r);
    char *id = tt_post_id(path, g.tok_tutor,
                          "{\"text\":\"Agreed a plan\",\"visibility\":\"shared\",\"consent_recorded\":true}");
    snprintf(rev, sizeof(rev), "/notes/%s/revisions", id);
    tt_refused("POST", rev, g.tok_tutor, "{\"text\":\"More\",\"consent_recorded\":false}", 422, "consent_recorded");
    ck_assert_int_eq(tt_call("POST", rev, g.tok_tutor, "{\"consent_recorded\":false}", &r), 201);
    ck_assert(json_is_false(json_object_get(r.json, "content_recorded")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("POST", rev, g.tok_tutor, "{\"text\":\"Sneaked in\"}"), 422); /* consent kept: none */
    ck_assert_int_eq(count1("SELECT count(*) FROM note_revisions WHERE note_id = $1::bigint AND text IS NULL", id), 1);
    free(id);
}
END_TEST

/* ---- the annual report ------------------------------------------------------------------------------------------ */

/* Two academic years of the school: 2009/10 (4 students, 2 allocated late) and 2010/11 (5 students, 1 late,
 * survey figures recorded). */
static void two_years(void)
{
    const char *p[2] = {g.school, g.tutor};
    free(harness_sql("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2009/10', '2009-09-14',"
                     " '2010-06-30'), ('2010/11', '2010-09-13', '2011-06-30') ON CONFLICT DO NOTHING",
                     0, NULL));
    free(harness_sql(
        "WITH s AS (INSERT INTO students (student_number, name, email, school, level, cohort, status,"
        "  registered_on) SELECT $1 || 'Y' || i, 'Annual ' || i, 'a' || i || '@uni.example', $1, '4', 'UG',"
        "  'studying', CASE WHEN i <= 4 THEN DATE '2009-09-21' ELSE DATE '2010-09-20' END"
        "  FROM generate_series(1, 9) i RETURNING student_number, registered_on)"
        " INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by)"
        " SELECT student_number, $2, 'personal', registered_on + CASE WHEN right(student_number, 1) IN"
        "  ('1', '2', '5') THEN 12 ELSE 1 END, registered_on + 200, 'test', 'test' FROM s",
        2, p));
    free(harness_sql("INSERT INTO survey_results (school, year, contact_pct, positive_pct, actions, recorded_by)"
                     " VALUES ($1, '2010/11', 80, 75, 'Drop-in hours', 'test')",
                     1, p));
}

/* The report shows the year beside the year before with the change, the survey figures, findings by rule
 * and the analysis; as CSV (one row per year) and as a printable page. Only an admin, the Dean or a senior
 * tutor of the school may read it. */
START_TEST(test_annual_report)
{
    char path[160];
    struct tt_response r;
    two_years();
    snprintf(path, sizeof(path), "/reports/annual?school=%s&year=2010/11", g.school);
    ck_assert_int_eq(tt_call("GET", path, g.tok_senior, NULL, &r), 200);
    json_t *kpis = json_object_get(r.json, "kpis"), *trend;
    ck_assert_int_eq(json_array_size(kpis), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(kpis, 1), "year")), "2009/10");
    ck_assert(json_real_value(json_object_get(json_array_get(kpis, 0), "pct_not_allocated_within_week")) == 20.0);
    ck_assert(json_real_value(json_object_get(json_array_get(kpis, 1), "pct_not_allocated_within_week")) == 50.0);
    size_t i;
    int seen = 0;
    json_array_foreach(json_object_get(r.json, "trends"), i, trend)
    {
        if (strcmp(json_string_value(json_object_get(trend, "kpi")), "pct_not_allocated_within_week") == 0)
            seen = 1, ck_assert(json_real_value(json_object_get(trend, "change")) == -30.0);
    }
    ck_assert(seen);
    ck_assert(json_real_value(json_object_get(json_object_get(r.json, "satisfaction"), "contact_pct")) == 80.0);
    ck_assert(json_is_array(json_object_get(json_object_get(r.json, "findings"), "rules")));
    ck_assert(json_is_null(json_object_get(r.json, "analysis")));
    harness_response_free(&r);
    const char *csv[] = {"Accept: text/csv", NULL}, *html[] = {"Accept: text/html", NULL};
    ck_assert_int_eq(harness_request("GET", path, g.tok_dean, NULL, NULL, csv, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/csv"));
    ck_assert_ptr_nonnull(strstr(r.body, ",2010/11,"));
    ck_assert_ptr_nonnull(strstr(r.body, ",2009/10,"));
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("GET", path, g.tok_admin, NULL, NULL, html, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "Annual personal tutoring report"));
    ck_assert_ptr_nonnull(strstr(r.body, "% of tutees not allocated within a week of registering</th><td>20.0</td>"
                                         "<td>50.0</td><td>-30.0</td>"));
    harness_response_free(&r);
    tt_expect_status("GET", path, g.tok_other_senior, NULL, 403);
    tt_expect_status("GET", path, g.tok_tutor, NULL, 403);
    tt_expect_status("GET", "/reports/annual?school=X", g.tok_admin, NULL, 400);
    snprintf(path, sizeof(path), "/reports/annual?school=%s&year=1990/91", g.school);
    tt_expect_status("GET", path, g.tok_admin, NULL, 404);
}
END_TEST

/* The analysis: the senior tutor writes (201, then 200) and submits it; the Dean returns or approves it;
 * a wrong state is 409; each transition is audited. */
START_TEST(test_annual_analysis)
{
    char put[160], sub[160], dec[160], get[160];
    struct tt_response r;
    two_years();
    snprintf(put, sizeof(put), "/reports/annual/analysis?school=%s&year=2010/11", g.school);
    snprintf(sub, sizeof(sub), "/reports/annual/analysis/submission?school=%s&year=2010/11", g.school);
    snprintf(dec, sizeof(dec), "/reports/annual/analysis/decision?school=%s&year=2010/11", g.school);
    snprintf(get, sizeof(get), "/reports/annual?school=%s&year=2010/11", g.school);
    tt_expect_status("POST", sub, g.tok_senior, NULL, 404); /* nothing written yet */
    tt_expect_status("PUT", put, g.tok_tutor, "{\"text\":\"x\"}", 403);
    tt_refused("PUT", put, g.tok_senior, "{\"text\":\"  \"}", 422, "text");
    step_to("PUT", put, g.tok_senior, "{\"text\":\"Late allocations fell from one in two to one in five.\"}", 201,
            "draft");
    step_to("PUT", put, g.tok_senior, "{\"text\":\"Late allocations fell from 50% to 20%.\"}", 200, "draft");
    step_to("POST", sub, g.tok_senior, NULL, 200, "submitted");
    tt_expect_status("PUT", put, g.tok_senior, "{\"text\":\"changed\"}", 409);
    tt_expect_status("POST", dec, g.tok_senior, "{\"decision\":\"approved\"}", 403);
    step_to("POST", dec, g.tok_dean, "{\"decision\":\"returned\",\"comment\":\"Say why\"}", 200, "returned");
    step_to("PUT", put, g.tok_senior,
            "{\"text\":\"Late allocations fell from 50% to 20%: allocation before Welcome Week.\"}", 200, "draft");
    step_to("POST", sub, g.tok_senior, NULL, 200, "submitted");
    step_to("POST", dec, g.tok_dean, "{\"decision\":\"approved\"}", 200, "approved");
    tt_expect_status("POST", dec, g.tok_dean, "{\"decision\":\"approved\"}", 409);
    ck_assert_int_eq(tt_call("GET", get, g.tok_senior, NULL, &r), 200);
    json_t *a = json_object_get(r.json, "analysis");
    ck_assert_str_eq(json_string_value(json_object_get(a, "status")), "approved");
    ck_assert_str_eq(json_string_value(json_object_get(a, "decided_by")), "DEAN7");
    ck_assert_int_eq(json_array_size(json_object_get(a, "transitions")), 7);
    harness_response_free(&r);
    ck_assert_int_eq(count1("SELECT count(*) FROM audit a JOIN annual_report_analyses x ON x.id::text = a.entity_id"
                            " WHERE a.entity = 'annual_report' AND x.school = $1",
                            g.school),
                     7);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_draft_lifecycle, test_only_approved_binds, test_expectations,    test_expectations_in_force,
        test_consent,         test_annual_report,       test_annual_analysis, NULL};
    return harness_run_suite("governance", tests, setup, teardown);
}
