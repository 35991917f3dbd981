/* test_status_history.c — status history with effective dates (sql/012): status_from on PUT, PATCH and
 * /students:import (JSON and CSV); the defaults (registration for a new student, today for a change, the
 * day kept for an unchanged status); a backdated status superseding later entries, a status_from change
 * alone moving the entry; the audit row with the old history; 422 for a bad status_from and for one
 * before registration with nothing changed; and a backdated withdrawal making later findings
 * not_applicable. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* PUT /students/{number} as the registry: a level 4 UG student of school P registered 2026-09-21 with
 * `status` and, when non-NULL, `status_from`. Returns the HTTP status; the body is discarded. */
static long put_student(const char *number, const char *status, const char *status_from)
{
    char path[64], body[512], from[48] = "";
    if (status_from)
        snprintf(from, sizeof(from), ",\"status_from\":\"%s\"", status_from);
    snprintf(path, sizeof(path), "/students/%s", number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Hana History\",\"email\":\"hana@uni.example\",\"school\":\"%s\",\"level\":\"4\","
             "\"cohort\":\"UG\",\"status\":\"%s\",\"registered_on\":\"2026-09-21\"%s}",
             cw.school_p, status, from);
    return tt_status("PUT", path, cw.tok_registry, body);
}

static long count_sql(const char *sql, const char *number)
{
    const char *p[1] = {number};
    return harness_sql_long(sql, 1, p);
}

/* Asserts the student's history reads `expected` (tt_status_history's compact form), and that the copy the
 * read answers from (students.status_history, sql/024) is the history table's, entry for entry. */
static void expect_history(const char *number, const char *expected)
{
    char *h = tt_status_history(number, cw.tok_admin);
    ck_assert_str_eq(h, expected);
    free(h);
    ck_assert_int_eq(count_sql("SELECT count(*) FROM students WHERE student_number = $1"
                               " AND status_history IS NOT DISTINCT FROM tutord_status_history_text(student_number)"
                               " AND status_history IS NOT NULL",
                               number),
                     1);
}

static char *today(void)
{
    return harness_sql("SELECT current_date::text", 0, NULL);
}

static char number[24];

static void setup(void)
{
    cworld_setup();
    harness_unique("H", number, sizeof(number));
}

START_TEST(test_new_student_holds_from_registration)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    expect_history(number, "studying@2026-09-21");
    /* the lists stay lean: no history there */
    struct tt_response r;
    char path[96];
    snprintf(path, sizeof(path), "/students?school=%s&limit=5", cw.school_p);
    ck_assert_int_eq(tt_call("GET", path, cw.tok_admin, NULL, &r), 200);
    ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "status_history"));
    harness_response_free(&r);
    /* a new student with its own status_from: the status holds from that day */
    char other[24];
    harness_unique("H", other, sizeof(other));
    ck_assert_int_eq(put_student(other, "placement", "2026-10-05"), 201);
    expect_history(other, "placement@2026-10-05");
}
END_TEST

START_TEST(test_backdated_status_supersedes_later_entries)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    ck_assert_int_eq(put_student(number, "suspended", "2026-11-02"), 200);
    expect_history(number, "studying@2026-09-21,suspended@2026-11-02");
    /* the SRS now says withdrawn from 15 October: the suspension from 2 November is superseded */
    ck_assert_int_eq(put_student(number, "withdrawn", "2026-10-15"), 200);
    expect_history(number, "studying@2026-09-21,withdrawn@2026-10-15");
    /* a status written on the day of an entry replaces that entry */
    ck_assert_int_eq(put_student(number, "completed", "2026-10-15"), 200);
    expect_history(number, "studying@2026-09-21,completed@2026-10-15");
    /* back to the registration day: everything after it goes */
    ck_assert_int_eq(put_student(number, "suspended", "2026-09-21"), 200);
    expect_history(number, "suspended@2026-09-21");
}
END_TEST

START_TEST(test_status_from_alone_moves_the_entry)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    ck_assert_int_eq(put_student(number, "year_abroad", "2026-10-01"), 200);
    long version = count_sql("SELECT version FROM students WHERE student_number = $1", number);
    /* the same status a day later: the entry moves (1 Oct -> 2 Oct), studying holds on 1 Oct again */
    ck_assert_int_eq(put_student(number, "year_abroad", "2026-10-02"), 200);
    expect_history(number, "studying@2026-09-21,year_abroad@2026-10-02");
    ck_assert_int_eq(count_sql("SELECT version FROM students WHERE student_number = $1", number), version + 1);
    /* and earlier again */
    ck_assert_int_eq(put_student(number, "year_abroad", "2026-09-30"), 200);
    expect_history(number, "studying@2026-09-21,year_abroad@2026-09-30");
    /* the same status and day: a no-op, the version stays */
    ck_assert_int_eq(put_student(number, "year_abroad", "2026-09-30"), 200);
    ck_assert_int_eq(count_sql("SELECT version FROM students WHERE student_number = $1", number), version + 2);
    /* without status_from an unchanged status keeps its day */
    ck_assert_int_eq(put_student(number, "year_abroad", NULL), 200);
    expect_history(number, "studying@2026-09-21,year_abroad@2026-09-30");
    ck_assert_int_eq(count_sql("SELECT version FROM students WHERE student_number = $1", number), version + 2);
}
END_TEST

START_TEST(test_change_without_status_from_holds_from_today)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    ck_assert_int_eq(put_student(number, "placement", NULL), 200);
    char *day = today(), expected[96];
    snprintf(expected, sizeof(expected), "studying@2026-09-21,placement@%s", day);
    expect_history(number, expected);
    /* PATCH takes status_from too; without it a change is today's */
    char path[64];
    snprintf(path, sizeof(path), "/students/%s", number);
    tt_expect_status("PATCH", path, cw.tok_registry, "{\"status\":\"studying\",\"status_from\":\"2026-10-12\"}", 200);
    expect_history(number, "studying@2026-09-21,studying@2026-10-12");
    free(day);
}
END_TEST

START_TEST(test_history_change_is_audited_with_old_history)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    ck_assert_int_eq(put_student(number, "suspended", "2026-11-02"), 200);
    ck_assert_int_eq(put_student(number, "withdrawn", "2026-10-15"), 200);
    const char *p[1] = {number};
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM audit WHERE action = 'student.status_changed'"
                                      " AND student_number = $1 AND actor = 'SRS1' AND 'registry' = ANY (actor_roles)",
                                      1, p),
                     2);
    /* the last row carries the history as it was, suspension included */
    char *old = harness_sql("SELECT detail->'old_history'::text FROM audit WHERE action = 'student.status_changed'"
                            " AND student_number = $1 ORDER BY id DESC LIMIT 1",
                            1, p);
    ck_assert_ptr_nonnull(strstr(old, "\"suspended\""));
    ck_assert_ptr_nonnull(strstr(old, "2026-11-02"));
    free(old);
    char *detail =
        harness_sql("SELECT detail->>'status' || '@' || (detail->>'from') FROM audit"
                    " WHERE action = 'student.status_changed' AND student_number = $1 ORDER BY id DESC LIMIT 1",
                    1, p);
    ck_assert_str_eq(detail, "withdrawn@2026-10-15");
    free(detail);
}
END_TEST

START_TEST(test_bad_status_from_is_422_and_changes_nothing)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    long version = count_sql("SELECT version FROM students WHERE student_number = $1", number);
    char path[64], body[512];
    snprintf(path, sizeof(path), "/students/%s", number);
    const char *bad[] = {"2026-02-30", "yesterday", "2026-09-20" /* the day before registration */};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body),
                 "{\"name\":\"Hana History\",\"email\":\"hana@uni.example\",\"school\":\"%s\",\"level\":\"4\","
                 "\"cohort\":\"UG\",\"status\":\"withdrawn\",\"registered_on\":\"2026-09-21\",\"status_from\":\"%s\"}",
                 cw.school_p, bad[i]);
        tt_refused("PUT", path, cw.tok_registry, body, 422, "status_from");
    }
    tt_refused("PATCH", path, cw.tok_registry, "{\"status\":\"withdrawn\",\"status_from\":\"2026-09-01\"}", 422,
               "status_from");
    /* status_history is the service's to write */
    tt_refused("PATCH", path, cw.tok_registry, "{\"status_history\":[]}", 422, "status_history");
    expect_history(number, "studying@2026-09-21");
    ck_assert_int_eq(count_sql("SELECT version FROM students WHERE student_number = $1", number), version);
    /* on the registration day itself it is fine */
    ck_assert_int_eq(put_student(number, "withdrawn", "2026-09-21"), 200);
    expect_history(number, "withdrawn@2026-09-21");
}
END_TEST

START_TEST(test_registration_moved_past_the_status_day_needs_a_new_day)
{
    ck_assert_int_eq(put_student(number, "studying", NULL), 201);
    ck_assert_int_eq(put_student(number, "withdrawn", "2026-10-15"), 200);
    /* registration moved to after the withdrawal's day without a new status_from: refused, unchanged */
    char path[64], body[512];
    snprintf(path, sizeof(path), "/students/%s", number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Hana History\",\"email\":\"hana@uni.example\",\"school\":\"%s\",\"level\":\"4\","
             "\"cohort\":\"UG\",\"status\":\"withdrawn\",\"registered_on\":\"2026-10-20\"}",
             cw.school_p);
    tt_refused("PUT", path, cw.tok_registry, body, 422, "status_from");
    expect_history(number, "studying@2026-09-21,withdrawn@2026-10-15");
    /* with the day moved too it lands: on the new registration day itself */
    snprintf(body, sizeof(body),
             "{\"name\":\"Hana History\",\"email\":\"hana@uni.example\",\"school\":\"%s\",\"level\":\"4\","
             "\"cohort\":\"UG\",\"status\":\"withdrawn\",\"registered_on\":\"2026-10-20\","
             "\"status_from\":\"2026-10-20\"}",
             cw.school_p);
    tt_expect_status("PUT", path, cw.tok_registry, body, 200);
    expect_history(number, "studying@2026-09-21,withdrawn@2026-10-20");
}
END_TEST

START_TEST(test_import_with_status_from)
{
    char a[24], b[24], body[1024];
    harness_unique("HI", a, sizeof(a));
    harness_unique("HJ", b, sizeof(b));
    snprintf(body, sizeof(body),
             "[{\"student_number\":\"%s\",\"name\":\"Ira Import\",\"email\":\"ira@uni.example\",\"school\":\"%s\","
             "\"level\":\"4\",\"cohort\":\"UG\",\"status\":\"placement\",\"registered_on\":\"2026-09-21\","
             "\"status_from\":\"2026-10-05\"},"
             "{\"student_number\":\"%s\",\"name\":\"Jo Import\",\"email\":\"jo@uni.example\",\"school\":\"%s\","
             "\"level\":\"4\",\"cohort\":\"UG\",\"status\":\"studying\",\"registered_on\":\"2026-09-21\"}]",
             a, cw.school_p, b, cw.school_p);
    tt_expect_status("POST", "/students:import", cw.tok_registry, body, 200);
    expect_history(a, "placement@2026-10-05");
    expect_history(b, "studying@2026-09-21");
    /* a CSV feed: b withdrawn from 2 November (backdated), a unchanged with an empty status_from cell */
    snprintf(body, sizeof(body),
             "student_number,name,email,school,level,cohort,status,registered_on,status_from\r\n"
             "%s,Ira Import,ira@uni.example,%s,4,UG,placement,2026-09-21,\r\n"
             "%s,Jo Import,jo@uni.example,%s,4,UG,withdrawn,2026-09-21,2026-11-02\r\n",
             a, cw.school_p, b, cw.school_p);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/students:import", cw.tok_registry, "text/csv", body, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "updated")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "unchanged")), 1);
    harness_response_free(&r);
    expect_history(a, "placement@2026-10-05");
    expect_history(b, "studying@2026-09-21,withdrawn@2026-11-02");
    ck_assert_int_eq(count_sql("SELECT count(*) FROM audit WHERE action = 'student.status_changed'"
                               " AND student_number = $1 AND actor = 'SRS1'",
                               b),
                     1);
    /* a row with status_from before registration: 422 naming the row and field, nothing written */
    snprintf(body, sizeof(body),
             "student_number,name,email,school,level,cohort,status,registered_on,status_from\r\n"
             "%s,Jo Import,jo@uni.example,%s,4,UG,suspended,2026-09-21,2026-09-01\r\n",
             b, cw.school_p);
    ck_assert_int_eq(harness_request("POST", "/students:import", cw.tok_registry, "text/csv", body, NULL, &r), 0);
    ck_assert_int_eq(r.status, 422);
    ck_assert(tt_names_field(&r, "status_from"));
    harness_response_free(&r);
    expect_history(b, "studying@2026-09-21,withdrawn@2026-11-02");
}
END_TEST

START_TEST(test_backdated_withdrawal_makes_later_findings_not_applicable)
{
    /* A (registered 2026-09-21, no meeting) as of 1 November: the first meeting (due 5 October) is
     * breached and the yearly meetings are judged */
    json_t *f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "breached");
    ck_assert_str_ne(tt_rule_status(f, "meetings"), "not_applicable");
    json_decref(f);
    /* the SRS records a withdrawal from 1 October, a month late */
    char path[64];
    snprintf(path, sizeof(path), "/students/%s", cw.student_a);
    tt_expect_status("PATCH", path, cw.tok_registry, "{\"status\":\"withdrawn\",\"status_from\":\"2026-10-01\"}", 200);
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "not_applicable"); /* left before its deadline */
    ck_assert_str_eq(tt_rule_status(f, "meetings"), "not_applicable");      /* left before the year's end */
    json_decref(f);
    /* a withdrawal from the day after the deadline leaves the first meeting breached */
    tt_expect_status("PATCH", path, cw.tok_registry, "{\"status\":\"withdrawn\",\"status_from\":\"2026-10-06\"}", 200);
    f = tt_findings(cw.student_a, "2026-11-01", cw.tok_admin);
    ck_assert_str_eq(tt_rule_status(f, "first_meeting"), "breached");
    json_decref(f);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_new_student_holds_from_registration,
        test_backdated_status_supersedes_later_entries,
        test_status_from_alone_moves_the_entry,
        test_change_without_status_from_holds_from_today,
        test_history_change_is_audited_with_old_history,
        test_bad_status_from_is_422_and_changes_nothing,
        test_registration_moved_past_the_status_day_needs_a_new_day,
        test_import_with_status_from,
        test_backdated_withdrawal_makes_later_findings_not_applicable,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "status_history", .tests = tests, .setup = setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
