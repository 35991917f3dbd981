/* test_audit_export.c — GET /audit (admin only, filters, pages) and GET /students/{n}/export (admin, or
 * the student themself without confidential notes; admin never sees confidential text). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* Student A has a contact, a shared note and a confidential note written by tutor A. */
static void setup(void)
{
    world_setup();
    tt_contact(w.student_a, w.tutor_a, "meeting", "to_student", NULL, NULL, NULL);
    tt_sql("WITH n AS (INSERT INTO notes (student_number, author, visibility) VALUES ($1, $2, 'shared')"
           " RETURNING id) INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
           " SELECT id, 1, 'SHARED-SUMMARY', true, $2 FROM n",
           w.student_a, w.tutor_a);
    tt_sql("WITH n AS (INSERT INTO notes (student_number, author, visibility) VALUES ($1, $2, 'confidential')"
           " RETURNING id) INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
           " SELECT id, 1, 'SECRET-WELLBEING', true, $2 FROM n",
           w.student_a, w.tutor_a);
}

static long exports_of(const char *student)
{
    return tt_count("SELECT count(*) FROM audit WHERE action = 'student.export' AND entity_id = $1", student);
}

START_TEST(test_export_by_role)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/export", w.student_a);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404); /* student B on student A */
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(exports_of(w.student_a), 0);
    ck_assert_int_eq(tt_status("GET", "/students/NOSUCH7/export", w.tok_admin, NULL), 404);
}
END_TEST

START_TEST(test_export_contents)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/export", w.student_a);
    tt_contact(w.student_a, w.tutor_a, "message", "from_student", NULL, NULL, NULL);
    tt_sql("UPDATE contacts SET subject = 'Hello', body = 'MESSAGE-BODY' WHERE student_number = $1"
           " AND kind = 'message'",
           w.student_a, NULL);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "student"), "student_number")),
                     w.student_a);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "allocations")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "contacts")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "notes")), 2);
    /* everything held: the status history, exemptions and feedback invitations too */
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "status_history")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "exemptions")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "feedback_invitations")), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "SHARED-SUMMARY"));
    ck_assert_ptr_null(strstr(r.body, "SECRET-WELLBEING")); /* admin: no confidential text */
    ck_assert_ptr_null(strstr(r.body, "MESSAGE-BODY"));     /* nor message bodies */
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "notes")), 1); /* the student: shared only */
    tt_sql("INSERT INTO student_exemptions (student_number, starts_on, ends_on, reason, created_by)"
           " VALUES ($1, '2026-10-01', '2026-10-14', 'MEDICAL-LEAVE', 'ADM1')",
           w.student_a, NULL);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "exemptions")), 1);
    ck_assert_ptr_nonnull(strstr(r.body, "MEDICAL-LEAVE")); /* the data subject sees why */
    ck_assert_ptr_nonnull(strstr(r.body, "MESSAGE-BODY"));  /* and their messages */
    ck_assert_ptr_nonnull(strstr(r.body, "SHARED-SUMMARY"));
    ck_assert_ptr_null(strstr(r.body, "SECRET-WELLBEING"));
    ck_assert_ptr_null(strstr(r.body, "\"confidential\""));
    harness_response_free(&r);
    ck_assert_int_eq(exports_of(w.student_a), 3);
}
END_TEST

START_TEST(test_audit_admin_only)
{
    char path[160];
    /* something to find: an allocation made through the API is audited */
    char body[256];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"cover\"}", w.student_a, w.tutor_b);
    ck_assert_int_eq(tt_status("POST", "/allocations", w.tok_senior_x, body), 201);
    snprintf(path, sizeof(path), "/audit?student=%s&entity=allocation", w.student_a);
    const char *denied[] = {w.tok_registry, w.tok_senior_x, w.tok_tutor_a, w.tok_student_a};
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
        ck_assert_int_eq(tt_status("GET", path, denied[i], NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "actor")), w.senior_x);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "action")), "allocation.create");
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/audit?actor=%s&from=2026-01-01&to=2199-01-01T00:00:00Z&limit=1", w.senior_x);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/audit?actor=%s&from=2199-01-01", w.senior_x);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    harness_response_free(&r);
    tt_refused("GET", "/audit?from=yesterday", w.tok_admin, NULL, 400, "from");
    tt_refused("GET", "/audit?to=2026-02-30", w.tok_admin, NULL, 400, "to");
    tt_refused("GET", "/audit?limit=5000", w.tok_admin, NULL, 400, "limit");
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_export_by_role,
        test_export_contents,
        test_audit_admin_only,
        NULL,
    };
    return harness_run_suite("audit_export", tests, setup, world_teardown);
}
