/* test_as_of.c — findings judged as of a date do not move when later facts arrive: one student evaluated
 * as of three dates, then later contacts, a concern, a later status change, a new allocation and a later
 * policy version are added through the API, and the three evaluations are identical. And whose contact
 * counts: a meeting with the school's senior tutor (not the personal tutor) does not satisfy
 * meetings_per_year or meeting_each_term, one with the personal tutor does, and the evidence names the
 * staff member. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* The whole compliance body of `student` as of `as_of`, as an admin sees it (new reference). */
static json_t *compliance(const char *student, const char *as_of)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=%s", student, as_of);
    ck_assert_int_eq(tt_call("GET", path, cw.tok_admin, NULL, &r), 200);
    json_t *body = json_incref(r.json);
    harness_response_free(&r);
    return body;
}

/* POSTs an attended contact of `kind` by `token`'s staff member to `student` at `at`; returns its id. */
static char *add_contact(const char *student, const char *token, const char *kind, const char *at)
{
    char path[96], body[256];
    snprintf(path, sizeof(path), "/students/%s/contacts", student);
    snprintf(body, sizeof(body),
             "{\"kind\":\"%s\",\"direction\":\"to_student\",\"occurred_at\":\"%s\",\"attendance\":\"attended\"}", kind,
             at);
    return tt_post_id(path, token, body);
}

START_TEST(test_findings_as_of_a_date_do_not_move)
{
    static const char *const dates[] = {"2026-10-10", "2026-11-01", "2026-11-20"};
    enum { N = sizeof(dates) / sizeof(dates[0]) };
    json_t *before[N];
    for (int i = 0; i < N; i++)
        before[i] = compliance(cw.student_a, dates[i]);
    /* something to move: A's first meeting is breached and the reply late as of the 1st */
    ck_assert_str_eq(tt_rule_status(json_object_get(before[1], "findings"), "first_meeting"), "breached");
    ck_assert_str_eq(tt_rule_status(json_object_get(before[1], "findings"), "response"), "breached");

    /* later facts, all dated after the last of the three days */
    free(add_contact(cw.student_a, cw.tok_tutor_a, "meeting", "2026-11-23T10:00:00+00:00"));
    free(add_contact(cw.student_a, cw.tok_senior_p, "meeting", "2026-11-24T10:00:00+00:00"));
    char body[256];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"non_engaged\",\"detail\":\"missed meetings\"}",
             cw.student_a);
    free(tt_post_id("/concerns", cw.tok_tutor_a, body));
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", cw.student_a);
    tt_expect_status("PATCH", path, cw.tok_registry, "{\"status\":\"year_abroad\",\"status_from\":\"2026-11-28\"}",
                     200);
    snprintf(body, sizeof(body),
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"cover\",\"starts_on\":\"2026-11-26\"}", cw.student_a,
             cw.tutor_b);
    free(tt_post_id("/allocations", cw.tok_senior_p, body));
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status("PUT", path, cw.tok_admin, "{\"preset\":\"essex\",\"effective_from\":\"2026-11-27\"}", 200);

    for (int i = 0; i < N; i++) {
        json_t *after = compliance(cw.student_a, dates[i]);
        if (!json_equal(before[i], after)) {
            char *a = json_dumps(before[i], JSON_SORT_KEYS), *b = json_dumps(after, JSON_SORT_KEYS);
            fprintf(stderr, "as of %s\nbefore: %s\nafter:  %s\n", dates[i], a, b);
            free(a), free(b);
        }
        ck_assert(json_equal(before[i], after));
        json_decref(after);
        json_decref(before[i]);
    }
    /* the later facts do count later: after the policy change the Essex version applies */
    json_t *later = compliance(cw.student_a, "2026-12-01");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(later, "policy"), "effective_from")),
                     "2026-11-27");
    json_decref(later);
}
END_TEST

/* Adopts, for school P, a policy of two meeting rules counting one attended meeting: in the year and in
 * each term. */
static void meeting_policy(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status("PUT", path, cw.tok_admin,
                     "{\"name\":\"Whose contact counts\",\"effective_from\":\"2026-08-01\",\"rules\":["
                     "{\"id\":\"meetings\",\"type\":\"meetings_per_year\",\"min\":1,\"kinds\":[\"meeting\"],"
                     "\"source\":\"meet your personal tutor\"},"
                     "{\"id\":\"each_term\",\"type\":\"meeting_each_term\",\"min\":1,\"kinds\":[\"meeting\"],"
                     "\"source\":\"meet your personal tutor each term\"}]}",
                     200);
}

/* Asserts the rule's finding does (or does not) hold contact `id` in its evidence, with `staff` beside
 * it in evidence_staff. */
static void expect_evidence(json_t *findings, const char *rule, const char *id, const char *staff, int present)
{
    json_t *f = tt_finding(findings, rule), *evidence = json_object_get(f, "evidence");
    ck_assert_ptr_nonnull(f);
    int found = 0;
    size_t i;
    json_t *e;
    json_array_foreach(evidence, i, e) if (json_is_integer(e) && json_integer_value(e) == atoll(id))
    {
        found = 1;
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(f, "evidence_staff"), i)), staff);
    }
    ck_assert_int_eq(found, present);
}

START_TEST(test_whose_contact_counts)
{
    meeting_policy();
    /* B meets the school's senior tutor (not B's personal tutor) in the autumn term */
    char *senior = add_contact(cw.student_b, cw.tok_senior_p, "meeting", "2026-10-14T10:00:00+01:00");
    json_t *f = tt_findings(cw.student_b, "2026-12-10", cw.tok_admin);
    ck_assert_str_ne(tt_rule_status(f, "meetings"), "met");
    ck_assert_str_ne(tt_rule_status(f, "each_term"), "met");
    expect_evidence(f, "meetings", senior, cw.senior_p, 0);
    expect_evidence(f, "each_term", senior, cw.senior_p, 0);
    json_decref(f);
    /* then the personal tutor: both rules are met on that meeting */
    char *tutor = add_contact(cw.student_b, cw.tok_tutor_b, "meeting", "2026-10-21T10:00:00+01:00");
    f = tt_findings(cw.student_b, "2026-12-10", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "meetings"), "met");
    ck_assert_str_eq(tt_rule_status(f, "each_term"), "met");
    expect_evidence(f, "meetings", tutor, cw.tutor_b, 1);
    expect_evidence(f, "meetings", senior, cw.senior_p, 0);
    json_decref(f);
    /* the day before the tutor's meeting it was not yet met */
    f = tt_findings(cw.student_b, "2026-10-20", cw.tok_admin);
    ck_assert_str_ne(tt_rule_status(f, "each_term"), "met");
    json_decref(f);
    free(senior), free(tutor);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_findings_as_of_a_date_do_not_move,
        test_whose_contact_counts,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "as_of", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
