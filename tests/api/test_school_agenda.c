/* test_school_agenda.c — the facts the second-round rules judge, through the compliance routes:
 * school_findings on GET /schools/{code}/compliance (active senior tutors of the school), the tutor
 * facts on GET /tutors/{staff}/compliance (roles, permanence and a recorded exception, feedback
 * invitations on their local day), the student's feedback invitations, and the agenda leaving out what
 * is the senior tutor's or the school's to act on (a late allocation). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* School P adopts a policy of the second-round rules: one senior tutor exactly, permanent tutors, the
 * tutor's and the tutee's yearly feedback invitation, and a tutor rule for senior tutors only. */
static void second_round_policy(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status(
        "PUT", path, cw.tok_admin,
        "{\"name\":\"Second round\",\"effective_from\":\"2026-08-01\",\"rules\":["
        "{\"id\":\"seniors\",\"type\":\"senior_tutors\",\"min\":1,\"max\":1,\"source\":\"one senior tutor\"},"
        "{\"id\":\"permanent\",\"type\":\"tutor_permanent\",\"source\":\"permanent staff\"},"
        "{\"id\":\"tutor_feedback\",\"type\":\"tutor_feedback_invited\",\"source\":\"feedback once a year\"},"
        "{\"id\":\"senior_feedback\",\"type\":\"tutor_feedback_invited\",\"roles\":[\"senior_tutor\"],"
        "\"source\":\"senior tutors too\"},"
        "{\"id\":\"feedback\",\"type\":\"feedback_invited\",\"source\":\"tutees comment once a year\"}]}",
        200);
}

/* school_findings of `school` as of `as_of`, seen by `token` (new reference). */
static json_t *school_findings(const char *school, const char *as_of, const char *token)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/compliance?as_of=%s", school, as_of);
    ck_assert_int_eq(tt_call("GET", path, token, NULL, &r), 200);
    json_t *f = json_incref(json_object_get(r.json, "school_findings"));
    ck_assert(json_is_array(f));
    harness_response_free(&r);
    return f;
}

/* The tutor-level findings of `staff` as of `as_of`, seen by admin (new reference). */
static json_t *tutor_findings(const char *staff, const char *as_of)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s/compliance?as_of=%s", staff, as_of);
    ck_assert_int_eq(tt_call("GET", path, cw.tok_admin, NULL, &r), 200);
    json_t *f = json_incref(json_object_get(r.json, "findings"));
    harness_response_free(&r);
    return f;
}

/* Invites `person` as `role` (tutee or tutor) of school P to give feedback at instant `at`. */
static void invite(const char *role, const char *person, const char *at)
{
    const char *p[4] = {cw.school_p, at, role, person};
    free(harness_sql("WITH i AS (INSERT INTO feedback_invitations (school, year, audience, invited_by, invited_at)"
                     " VALUES ($1, '2026/27', '{tutees,tutors}', 'SP', $2::timestamptz) RETURNING id)"
                     " INSERT INTO feedback_invitees (invitation_id, role, person) SELECT id, $3, $4 FROM i",
                     4, p));
}

START_TEST(test_school_findings_count_active_senior_tutors)
{
    second_round_policy();
    json_t *f = school_findings(cw.school_p, "2026-11-01", cw.tok_senior_p);
    ck_assert_int_eq(json_array_size(f), 1); /* only the school-level rule */
    json_t *seniors = tt_finding(f, "seniors");
    ck_assert_str_eq(json_string_value(json_object_get(seniors, "type")), "senior_tutors");
    ck_assert_str_eq(json_string_value(json_object_get(seniors, "status")), "met");
    json_decref(f);
    /* an inactive senior tutor of P and the senior tutor of Q do not count */
    char extra[24];
    snprintf(extra, sizeof(extra), "SX%.20s", cw.senior_p + 2);
    tt_tutor(extra, cw.school_p, "{tutor,senior_tutor}", 30, 0);
    f = school_findings(cw.school_p, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "seniors"), "met");
    json_decref(f);
    /* made active: two, one more than the policy allows */
    tt_sql("UPDATE staff SET active = true WHERE staff_number = $1", extra, NULL);
    f = school_findings(cw.school_p, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "seniors"), "breached");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(tt_finding(f, "seniors"), "detail")), "2"));
    json_decref(f);
    /* a school with no policy has no school findings */
    f = school_findings(cw.school_q, "2026-11-01", cw.tok_senior_q);
    ck_assert_int_eq(json_array_size(f), 0);
    json_decref(f);
}
END_TEST

START_TEST(test_tutor_facts)
{
    second_round_policy();
    json_t *f = tutor_findings(cw.tutor_a, "2026-11-01");
    ck_assert_str_eq(tt_rule_status(f, "permanent"), "met");
    ck_assert_str_eq(tt_rule_status(f, "tutor_feedback"), "pending");
    ck_assert_str_eq(tt_rule_status(f, "senior_feedback"), "not_applicable"); /* TA is no senior tutor */
    json_decref(f);
    /* not permanent: breached; with an exception recorded with who agreed it: met */
    tt_sql("UPDATE staff SET permanent = false WHERE staff_number = $1", cw.tutor_a, NULL);
    f = tutor_findings(cw.tutor_a, "2026-11-01");
    ck_assert_str_eq(tt_rule_status(f, "permanent"), "breached");
    json_decref(f);
    tt_sql("UPDATE staff SET permanent_exception_agreed_by = 'Head of School' WHERE staff_number = $1", cw.tutor_a,
           NULL);
    f = tutor_findings(cw.tutor_a, "2026-11-01");
    ck_assert_str_eq(tt_rule_status(f, "permanent"), "met");
    json_decref(f);
    /* invited at 23:30 UTC on 5 October: 00:30 on the 6th in London, so the invitation counts from the
     * 6th, not on the 5th */
    invite("tutor", cw.tutor_a, "2026-10-05T23:30:00Z");
    f = tutor_findings(cw.tutor_a, "2026-10-05");
    ck_assert_str_eq(tt_rule_status(f, "tutor_feedback"), "pending");
    json_decref(f);
    f = tutor_findings(cw.tutor_a, "2026-10-06");
    ck_assert_str_eq(tt_rule_status(f, "tutor_feedback"), "met");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(tt_finding(f, "tutor_feedback"), "detail")), "2026-10-06"));
    json_decref(f);
    /* the senior tutor's own facts: both roles */
    f = tutor_findings(cw.senior_p, "2026-11-01");
    ck_assert_str_eq(tt_rule_status(f, "senior_feedback"), "pending");
    json_decref(f);
}
END_TEST

START_TEST(test_student_feedback_invitation)
{
    second_round_policy();
    /* an invitation as a tutor is not one as a tutee */
    invite("tutor", cw.student_a, "2026-10-05T10:00:00Z");
    json_t *f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "feedback"), "pending");
    json_decref(f);
    invite("tutee", cw.student_a, "2026-10-05T23:30:00Z");
    f = tt_findings(cw.student_a, "2026-10-05", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "feedback"), "pending");
    json_decref(f);
    f = tt_findings(cw.student_a, "2026-10-06", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "feedback"), "met");
    json_decref(f);
    f = tt_findings(cw.student_b, "2026-10-06", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "feedback"), "pending");
    json_decref(f);
}
END_TEST

START_TEST(test_late_allocation_is_not_on_the_tutors_agenda)
{
    /* C registered 2026-09-21 and was allocated to TA only on 20 October: the allocation (due within
     * 7 days) is breached, and it is C's soonest-due finding */
    char c[24], path[128];
    snprintf(c, sizeof(c), "C%.22s", cw.student_a + 1);
    tt_student_full(c, cw.school_p, NULL, NULL, "2026-09-21");
    tt_allocate(c, cw.tutor_a, "2026-10-20");
    json_t *f = tt_findings(c, "2026-11-01", cw.tok_admin);
    json_t *alloc = tt_finding(f, "allocation");
    ck_assert_str_eq(json_string_value(json_object_get(alloc, "status")), "breached");
    const char *alloc_due = json_string_value(json_object_get(alloc, "due"));
    size_t i;
    json_t *item;
    json_array_foreach(f, i, item)
    {
        const char *due = json_string_value(json_object_get(item, "due"));
        const char *status = json_string_value(json_object_get(item, "status"));
        if (due && item != alloc && strcmp(status, "met") != 0 && strcmp(status, "not_applicable") != 0)
            ck_assert_int_lt(strcmp(alloc_due, due), 0);
    }
    /* the agenda shows C with something the tutor can do, not the senior tutor's late allocation */
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-11-01", cw.tutor_a);
    ck_assert_int_eq(tt_call("GET", path, cw.tok_tutor_a, NULL, &r), 200);
    static const char *const not_the_tutors[] = {"allocation_within",    "personal_tutor_named",
                                                 "cover_during_absence", "under18_senior_meeting",
                                                 "feedback_invited",     "senior_tutors"};
    int saw_c = 0, saw_a = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, item)
    {
        const char *type = json_string_value(json_object_get(item, "type"));
        for (size_t k = 0; k < sizeof(not_the_tutors) / sizeof(not_the_tutors[0]); k++)
            ck_assert_str_ne(type, not_the_tutors[k]);
        saw_c |= strcmp(json_string_value(json_object_get(item, "student")), c) == 0;
        saw_a |= strcmp(json_string_value(json_object_get(item, "student")), cw.student_a) == 0;
    }
    ck_assert(saw_c); /* C's first meeting is the tutor's to arrange */
    ck_assert(saw_a); /* and A's late reply stays */
    harness_response_free(&r);
    json_decref(f);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_school_findings_count_active_senior_tutors,
        test_tutor_facts,
        test_student_feedback_invitation,
        test_late_allocation_is_not_on_the_tutors_agenda,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "school_agenda", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
