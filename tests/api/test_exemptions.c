/* test_exemptions.c — exemption periods: POST and GET /students/{n}/exemptions, DELETE /exemptions/{id};
 * who may write (admin, a senior tutor of the student's school) and read (whoever may read the student);
 * 422 for every bad field with nothing written; the audit rows and events (no reason text); and the
 * findings: a rule exempted on its due date is not_applicable naming the exemption, a rule the exemption
 * does not name is judged as before, and deleting the exemption brings the verdict back. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static char path_a[96], path_b[96];

static void setup(void)
{
    cworld_setup();
    snprintf(path_a, sizeof(path_a), "/students/%s/exemptions", cw.student_a);
    snprintf(path_b, sizeof(path_b), "/students/%s/exemptions", cw.student_b);
}

static long count_of(const char *sql, const char *param)
{
    const char *p[1] = {param};
    return harness_sql_long(sql, 1, p);
}

static long exemptions_of(const char *student)
{
    return count_of("SELECT count(*) FROM student_exemptions WHERE student_number = $1", student);
}

/* DELETE /exemptions/{id} as `token`; returns the status. */
static long delete_exemption(const char *id, const char *token)
{
    char path[64];
    snprintf(path, sizeof(path), "/exemptions/%s", id);
    return tt_status("DELETE", path, token, NULL);
}

START_TEST(test_create_and_read)
{
    struct tt_response r;
    const char *body = "{\"from\":\"2026-10-01\",\"to\":\"2026-12-31\",\"reason\":\"medical leave\","
                       "\"rules\":[\"meetings\",\"monthly_contact\"]}";
    ck_assert_int_eq(tt_call("POST", path_a, cw.tok_senior_p, body, &r), 201);
    ck_assert_int_gt(json_integer_value(json_object_get(r.json, "id")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "student")), cw.student_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "from")), "2026-10-01");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "to")), "2026-12-31");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "reason")), "medical leave");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rules")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "created_by")), cw.senior_p);
    harness_response_free(&r);
    /* rules absent: every student rule (an empty list); an admin may write too; from == to is a day */
    ck_assert_int_eq(tt_call("POST", path_a, cw.tok_admin,
                             "{\"from\":\"2027-01-11\",\"to\":\"2027-01-11\","
                             "\"reason\":\"bereavement\"}",
                             &r),
                     201);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rules")), 0);
    harness_response_free(&r);
    /* readers: the student, their tutor, the senior tutor, admin */
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_student_a), 2);
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_tutor_a), 2);
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_senior_p), 2);
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_admin), 2);
    ck_assert_int_eq(tt_list_count(path_a, "limit=1", cw.tok_admin), 1); /* pages by id */
    ck_assert_int_eq(tt_list_count(path_b, "limit=10", cw.tok_admin), 0);
    /* not readers: another tutor, another school's senior tutor, another student (404); registry (403) */
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_tutor_b), -404);
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_senior_q), -404);
    ck_assert_int_eq(tt_list_count(path_b, "limit=10", cw.tok_student_a), -404);
    ck_assert_int_eq(tt_list_count(path_a, "limit=10", cw.tok_registry), -403);
    tt_expect_status("GET", "/students/NOSUCH0/exemptions", cw.tok_admin, NULL, 404);
}
END_TEST

START_TEST(test_who_may_write)
{
    const char *body = "{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"placement visit\"}";
    tt_expect_status("POST", path_a, cw.tok_tutor_a, body, 403);   /* the personal tutor: not theirs to grant */
    tt_expect_status("POST", path_a, cw.tok_student_a, body, 403); /* the student */
    tt_expect_status("POST", path_a, cw.tok_registry, body, 403);
    tt_expect_status("POST", path_a, cw.tok_senior_q, body, 404); /* cannot see the student */
    tt_expect_status("POST", path_a, NULL, body, 401);
    tt_expect_status("POST", "/students/NOSUCH0/exemptions", cw.tok_admin, body, 404);
    ck_assert_int_eq(exemptions_of(cw.student_a), 0);
    char *id = tt_post_id(path_a, cw.tok_senior_p, body);
    tt_expect_status("DELETE", "/exemptions/abc", cw.tok_admin, NULL, 404);
    tt_expect_status("DELETE", "/exemptions/999999999999", cw.tok_admin, NULL, 404);
    ck_assert_int_eq(delete_exemption(id, cw.tok_tutor_a), 403);
    ck_assert_int_eq(delete_exemption(id, cw.tok_registry), 403);
    ck_assert_int_eq(delete_exemption(id, cw.tok_senior_q), 404);
    ck_assert_int_eq(exemptions_of(cw.student_a), 1);
    ck_assert_int_eq(delete_exemption(id, cw.tok_senior_p), 204);
    ck_assert_int_eq(exemptions_of(cw.student_a), 0);
    ck_assert_int_eq(delete_exemption(id, cw.tok_senior_p), 404); /* already gone */
    free(id);
}
END_TEST

START_TEST(test_bad_bodies_are_422_and_write_nothing)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"from\":\"2026-10-02\",\"to\":\"2026-10-01\",\"reason\":\"x\"}", "to"}, /* to the day before from */
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"\"}", "reason"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"   \"}", "reason"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":"
         "\"0123456789012345678901234567890123456789012345678901234567890\"}", /* 61 characters */
         "reason"},
        {"{\"to\":\"2026-10-31\",\"reason\":\"x\"}", "from"},
        {"{\"from\":\"2026-02-29\",\"to\":\"2026-10-31\",\"reason\":\"x\"}", "from"}, /* not a leap year */
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"x\",\"rules\":\"meetings\"}", "rules"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"x\",\"rules\":[\"a b\"]}", "rules"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"x\",\"rules\":[\"m\",\"m\"]}", "rules"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"x\",\"rules\":[\"r1\",\"r2\",\"r3\",\"r4\","
         "\"r5\",\"r6\",\"r7\",\"r8\",\"r9\",\"r10\",\"r11\",\"r12\",\"r13\",\"r14\",\"r15\",\"r16\",\"r17\"]}",
         "rules"},
        {"{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"x\",\"id\":7}", "id"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("POST", path_a, cw.tok_senior_p, cases[i].body, 422, cases[i].field);
    ck_assert_int_eq(exemptions_of(cw.student_a), 0);
    /* the boundaries that pass: 60 characters, 16 rules */
    tt_expect_status(
        "POST", path_a, cw.tok_senior_p,
        "{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":"
        "\"012345678901234567890123456789012345678901234567890123456789\",\"rules\":[\"r1\",\"r2\",\"r3\","
        "\"r4\",\"r5\",\"r6\",\"r7\",\"r8\",\"r9\",\"r10\",\"r11\",\"r12\",\"r13\",\"r14\",\"r15\",\"r16\"]}",
        201);
    ck_assert_int_eq(exemptions_of(cw.student_a), 1);
}
END_TEST

START_TEST(test_audit_and_events_carry_no_reason)
{
    char *id = tt_post_id(path_a, cw.tok_senior_p,
                          "{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"reason\":\"confidential matter\"}");
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'exemption.create' AND entity_id = $1", id),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE kind = 'exemption.created'"
                              " AND payload->>'id' = $1 AND payload->>'from' = '2026-10-01'"
                              " AND payload->>'to' = '2026-10-31'",
                              id),
                     1);
    ck_assert_int_eq(delete_exemption(id, cw.tok_admin), 204);
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'exemption.delete' AND entity_id = $1", id),
                     1);
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM events WHERE kind = 'exemption.deleted' AND payload->>'id' = $1", id), 1);
    /* the reason text appears in neither */
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM events WHERE payload::text LIKE '%' || $1 || '%'", "confidential matter"), 0);
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM audit WHERE detail::text LIKE '%' || $1 || '%'", "confidential matter"), 0);
    free(id);
}
END_TEST

START_TEST(test_exempted_rule_is_not_applicable)
{
    /* A had no meeting: the first meeting (due early October) is breached as of 1 November */
    json_t *f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    json_t *first = tt_finding(f, "first_meeting");
    ck_assert_str_eq(json_string_value(json_object_get(first, "status")), "breached");
    const char *due = json_string_value(json_object_get(first, "due"));
    ck_assert_ptr_nonnull(due);
    char body[256], to_day_before[11];
    /* an exemption ending the day before the due date does not cover it */
    char *before = harness_sql("SELECT ($1::date - 1)::text", 1, (const char *const[]){due});
    snprintf(to_day_before, sizeof(to_day_before), "%s", before);
    free(before);
    snprintf(body, sizeof(body),
             "{\"from\":\"2026-09-21\",\"to\":\"%s\",\"reason\":\"illness\",\"rules\":[\"first_meeting\"]}",
             to_day_before);
    char *early = tt_post_id(path_a, cw.tok_senior_p, body);
    json_t *g = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(g, "first_meeting"), "breached");
    json_decref(g);
    /* one naming another rule leaves it judged */
    snprintf(body, sizeof(body),
             "{\"from\":\"2026-09-21\",\"to\":\"2026-10-31\",\"reason\":\"illness\",\"rules\":[\"meetings\"]}");
    char *other = tt_post_id(path_a, cw.tok_senior_p, body);
    g = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(g, "first_meeting"), "breached");
    json_decref(g);
    /* one covering the due date (its last day) suspends it, naming the exemption */
    snprintf(body, sizeof(body), "{\"from\":\"2026-09-21\",\"to\":\"%s\",\"reason\":\"illness\"}", due);
    char *covering = tt_post_id(path_a, cw.tok_senior_p, body);
    g = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    json_t *fm = tt_finding(g, "first_meeting");
    ck_assert_str_eq(json_string_value(json_object_get(fm, "status")), "not_applicable");
    ck_assert_int_eq(json_integer_value(json_object_get(fm, "exemption")), atoll(covering));
    json_decref(g);
    /* B has no exemption: still breached */
    g = tt_findings(cw.student_b, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(g, "first_meeting"), "breached");
    json_decref(g);
    /* deleting it brings the breach back */
    ck_assert_int_eq(delete_exemption(covering, cw.tok_senior_p), 204);
    g = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(g, "first_meeting"), "breached");
    ck_assert_ptr_null(json_object_get(tt_finding(g, "first_meeting"), "exemption"));
    json_decref(g);
    json_decref(f);
    free(early), free(other), free(covering);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_create_and_read,
        test_who_may_write,
        test_bad_bodies_are_422_and_write_nothing,
        test_audit_and_events_carry_no_reason,
        test_exempted_rule_is_not_applicable,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "exemptions", .tests = tests, .setup = setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
