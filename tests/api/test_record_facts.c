/* test_record_facts.c — the per-record facts repo_facts feeds the engine, judged through
 * GET /students/{n}/compliance: a meeting's summary (the first `shared` note on the contact, by the end
 * of its deadline's local day; a confidential note is no summary), and who raised a concern (a student's
 * own complaint does not escalate missed meetings; a tutor's referral does), and the course start (a
 * student whose course began in an earlier year is not new). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* School P adopts: summaries within 2 working days; one missed meeting escalated within 30 days. */
static void records_policy(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status("PUT", path, cw.tok_admin,
                     "{\"name\":\"Records\",\"effective_from\":\"2026-08-01\",\"rules\":["
                     "{\"id\":\"summary\",\"type\":\"meeting_summary_within\",\"working_days\":2,"
                     "\"source\":\"a summary of all meetings\"},"
                     "{\"id\":\"escalation\",\"type\":\"missed_meetings_escalation\",\"missed\":1,\"days\":30,"
                     "\"source\":\"refer non-attendance\"}]}",
                     200);
}

/* A note by TA on contact `contact` of student A with `visibility`, created at `at`. */
static void note_on(const char *contact, const char *visibility, const char *at)
{
    const char *p[5] = {cw.student_a, cw.tutor_a, visibility, at, contact};
    free(harness_sql("INSERT INTO notes (student_number, author, visibility, created_at, contact_id)"
                     " VALUES ($1, $2, $3, $4::timestamptz, $5::bigint)",
                     5, p));
}

START_TEST(test_meeting_summary_from_the_first_shared_note)
{
    records_policy();
    /* a meeting on Friday 16 October: its summary is due by the end of Tuesday the 20th */
    char meeting[24];
    tt_contact(cw.student_a, cw.tutor_a, "meeting", "to_student", "2026-10-16T10:00:00+01:00", NULL, meeting);
    json_t *f = tt_findings(cw.student_a, "2026-10-19", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "summary"), "due_soon");
    json_decref(f);
    /* a confidential note is no summary for the student; a shared one on Wednesday the 21st is late */
    note_on(meeting, "confidential", "2026-10-19T09:00:00+01:00");
    note_on(meeting, "shared", "2026-10-21T09:00:00+01:00");
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "summary"), "breached");
    json_decref(f);
    /* an earlier shared note at 23:30 London time on the 20th (22:30 UTC) is in time: the first counts */
    note_on(meeting, "shared", "2026-10-20T22:30:00Z");
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "summary"), "met");
    json_decref(f);
    /* 00:30 London time on the 21st would have been late: a note about B's meeting shows it */
    char late[24];
    tt_contact(cw.student_b, cw.tutor_b, "meeting", "to_student", "2026-10-16T10:00:00+01:00", NULL, late);
    const char *p[3] = {cw.student_b, cw.tutor_b, late};
    free(harness_sql("INSERT INTO notes (student_number, author, visibility, created_at, contact_id)"
                     " VALUES ($1, $2, 'shared', '2026-10-20T23:30:00Z', $3::bigint)",
                     3, p));
    f = tt_findings(cw.student_b, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "summary"), "breached");
    json_decref(f);
}
END_TEST

/* A concern about A raised by `by` in role `role` at `at`. */
static void concern(const char *kind, const char *by, const char *role, const char *at)
{
    const char *p[6] = {cw.student_a, cw.school_p, kind, by, role, at};
    free(harness_sql("INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role, raised_at)"
                     " VALUES ($1, $2, $3, 'about attendance', $4, $5, $6::timestamptz)",
                     6, p));
}

START_TEST(test_only_staff_concerns_escalate)
{
    records_policy();
    char missed[24];
    tt_contact(cw.student_a, cw.tutor_a, "meeting", "to_student", "2026-10-12T10:00:00+01:00", NULL, missed);
    tt_sql("UPDATE contacts SET attendance = 'missed' WHERE id = $1::bigint", missed, NULL);
    /* the student's own complaint, two days later, is not an escalation of their non-attendance */
    concern("tutoring_issue", cw.student_a, "student", "2026-10-14T10:00:00+01:00");
    json_t *f = tt_findings(cw.student_a, "2026-11-20", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "escalation"), "breached");
    json_decref(f);
    /* the tutor's referral the next day is */
    concern("non_engaged", cw.tutor_a, "tutor", "2026-10-15T10:00:00+01:00");
    f = tt_findings(cw.student_a, "2026-11-20", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "escalation"), "met");
    json_decref(f);
}
END_TEST

START_TEST(test_course_start_decides_who_is_new)
{
    /* Leicester's first meeting applies to new students: A, registered this year, had none */
    json_t *f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "breached");
    json_decref(f);
    /* a course that began on the last day of the previous academic year: returning, not new */
    tt_sql("UPDATE students SET course_start = '2026-09-13' WHERE student_number = $1", cw.student_a, NULL);
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "not_applicable");
    json_decref(f);
    /* one that began on the first day of this one: new */
    tt_sql("UPDATE students SET course_start = '2026-09-14' WHERE student_number = $1", cw.student_a, NULL);
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "breached");
    json_decref(f);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_meeting_summary_from_the_first_shared_note,
        test_only_staff_concerns_escalate,
        test_course_start_decides_who_is_new,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "record_facts", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
