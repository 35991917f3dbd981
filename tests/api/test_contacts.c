/* test_contacts.c — contacts and meeting-record confirmations: every route × every role, the BOLA
 * cases (tutor A on tutor B's tutee, student A on student B, senior tutor of school Y on school X),
 * bad input naming the field, and forbidden or refused calls leaving the database unchanged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long contacts_of(const char *student)
{
    return tt_count("SELECT count(*) FROM contacts WHERE student_number = $1", student);
}

static void contacts_path(char *buf, size_t size, const char *student)
{
    snprintf(buf, size, "/students/%s/contacts", student);
}

/* Creates a contact as `token` and returns its id (malloc'd); asserts 201. */
static char *create(const char *student, const char *token, const char *body)
{
    char path[96];
    contacts_path(path, sizeof(path), student);
    return tt_post_id(path, token, body);
}

static const char MEETING[] = "{\"kind\":\"meeting\",\"direction\":\"to_student\",\"channel\":\"in_person\","
                              "\"occurred_at\":\"2026-10-01T10:00:00+01:00\",\"attendance\":\"attended\","
                              "\"wellbeing_check\":true}";

START_TEST(test_tutor_records_a_meeting_for_a_tutee)
{
    char path[96];
    struct tt_response r;
    contacts_path(path, sizeof(path), w.student_a);
    ck_assert_int_eq(tt_call("POST", path, w.tok_tutor_a, MEETING, &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "staff")), w.tutor_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "student")), w.student_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "attendance")), "attended");
    ck_assert(json_is_true(json_object_get(r.json, "wellbeing_check")));
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "created_by")), w.tutor_a);
    char *id = tt_id(&r);
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM audit WHERE action = 'contact.create' AND entity_id = $1", id), 1);
    free(id);
}
END_TEST

START_TEST(test_forbidden_creators_change_nothing)
{
    char path[96];
    contacts_path(path, sizeof(path), w.student_b);
    long before_b = contacts_of(w.student_b);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, MEETING), 404);   /* tutor A, B's tutee */
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, MEETING), 404); /* student A on B */
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, MEETING), 404);  /* senior of Y on X */
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, MEETING), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, MEETING), 403);
    ck_assert_int_eq(tt_status("POST", path, NULL, MEETING), 401);
    ck_assert_int_eq(contacts_of(w.student_b), before_b);
    contacts_path(path, sizeof(path), "NOSUCH1");
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, MEETING), 404);
}
END_TEST

START_TEST(test_student_messages_their_tutor)
{
    char path[96];
    struct tt_response r;
    contacts_path(path, sizeof(path), w.student_a);
    ck_assert_int_eq(tt_call("POST", path, w.tok_student_a,
                             "{\"kind\":\"message\",\"direction\":\"from_student\","
                             "\"occurred_at\":\"2026-10-23T17:00:00+01:00\"}",
                             &r),
                     201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "staff")), w.tutor_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "direction")), "from_student");
    harness_response_free(&r);
    long before = contacts_of(w.student_a);
    tt_refused("POST", path, w.tok_student_a, MEETING, 422, "kind");
    tt_refused("POST", path, w.tok_student_a, "{\"kind\":\"message\",\"direction\":\"to_student\"}", 422, "direction");
    tt_refused("POST", path, w.tok_student_a,
               "{\"kind\":\"message\",\"direction\":\"from_student\",\"staff\":\""
               "X1\"}",
               422, "staff");
    ck_assert_int_eq(contacts_of(w.student_a), before);
}
END_TEST

START_TEST(test_only_senior_tutor_names_other_staff)
{
    char path[96], body[512];
    contacts_path(path, sizeof(path), w.student_a);
    snprintf(body, sizeof(body), "{\"kind\":\"phone\",\"direction\":\"to_student\",\"staff\":\"%s\"}", w.tutor_b);
    long before = contacts_of(w.student_a);
    tt_refused("POST", path, w.tok_tutor_a, body, 403, "staff");
    ck_assert_int_eq(contacts_of(w.student_a), before);
    char *id = create(w.student_a, w.tok_senior_x, body);
    const char *params[1] = {id};
    char *staff = harness_sql("SELECT staff_number FROM contacts WHERE id = $1::bigint", 1, params);
    ck_assert_str_eq(staff, w.tutor_b);
    free(staff), free(id);
    snprintf(body, sizeof(body), "{\"kind\":\"phone\",\"direction\":\"to_student\",\"staff\":\"NOSTAFF9\"}");
    tt_refused("POST", path, w.tok_senior_x, body, 422, "staff");
    ck_assert_int_eq(contacts_of(w.student_a), before + 1);
}
END_TEST

START_TEST(test_bad_input_names_the_field_and_changes_nothing)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"colour\":\"red\"}", "colour"},
        {"{\"kind\":\"party\",\"direction\":\"to_student\"}", "kind"},
        {"{\"kind\":\"meeting\"}", "direction"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"occurred_at\":\"2026-10-01 10:00\"}", "occurred_at"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"occurred_at\":\"2026-10-01T10:00:00\"}", "occurred_at"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"scheduled_at\":\"2026-02-30T10:00:00Z\"}",
         "scheduled_at"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"attendance\":\"maybe\"}", "attendance"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"wellbeing_check\":\"yes\"}", "wellbeing_check"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"reply_to\":\"12\"}", "reply_to"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"channel\":\"carrier pigeon\"}", "channel"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"id\":7}", "id"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"created_at\":\"2026-10-01T10:00:00Z\"}", "created_at"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"created_by\":\"T1\"}", "created_by"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"student_number\":\"S1\"}", "student_number"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"student\":\"S1\"}", "student"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"version\":3}", "version"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"session_id\":\"not-a-uuid-not-a-uuid-not-a-uuid-xx\"}",
         "session_id"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"session_id\":\"6f1c1f0e-8a7b-4c1d-9e2f-3a4b5c6d7e8f\"}",
         "session_id"},
        {"{\"kind\":\"meeting\",\"direction\":\"to_student\",\"scheduled_at\":\"2026-10-01T10:00:00Z\","
         "\"attendance\":\"attended\"}",
         "occurred_at"},
        {"{\"kind\":\"email\",\"direction\":\"to_student\",\"reply_to\":999999999}", "reply_to"},
    };
    char path[96];
    contacts_path(path, sizeof(path), w.student_a);
    long before = contacts_of(w.student_a);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("POST", path, w.tok_tutor_a, cases[i].body, 422, cases[i].field);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "{\"kind\":"), 400);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "[1]"), 400);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "{\"kind\":\"meeting\",\"kind\":\"email\"}"), 400);
    ck_assert_int_eq(contacts_of(w.student_a), before);
}
END_TEST

START_TEST(test_reply_to_must_be_the_same_students)
{
    char *b_msg = create(w.student_b, w.tok_student_b, "{\"kind\":\"message\",\"direction\":\"from_student\"}");
    char *a_msg = create(w.student_a, w.tok_student_a, "{\"kind\":\"message\",\"direction\":\"from_student\"}");
    char path[96], body[256];
    contacts_path(path, sizeof(path), w.student_a);
    long before = contacts_of(w.student_a);
    snprintf(body, sizeof(body), "{\"kind\":\"email\",\"direction\":\"to_student\",\"reply_to\":%s}", b_msg);
    tt_refused("POST", path, w.tok_tutor_a, body, 422, "reply_to");
    ck_assert_int_eq(contacts_of(w.student_a), before);
    snprintf(body, sizeof(body), "{\"kind\":\"email\",\"direction\":\"to_student\",\"reply_to\":%s}", a_msg);
    char *reply = create(w.student_a, w.tok_tutor_a, body);
    ck_assert_int_eq(tt_count("SELECT reply_to FROM contacts WHERE id = $1::bigint", reply), atol(a_msg));
    free(b_msg), free(a_msg), free(reply);
}
END_TEST

START_TEST(test_group_meeting_is_one_row_per_tutee)
{
    char path[96], body[256];
    struct tt_response r;
    contacts_path(path, sizeof(path), w.student_a);
    ck_assert_int_eq(tt_call("POST", path, w.tok_senior_x,
                             "{\"kind\":\"group_meeting\",\"direction\":\"to_student\","
                             "\"occurred_at\":\"2026-10-05T14:00:00Z\"}",
                             &r),
                     201);
    const char *session = json_string_value(json_object_get(r.json, "session_id"));
    ck_assert_ptr_nonnull(session);
    snprintf(body, sizeof(body),
             "{\"kind\":\"group_meeting\",\"direction\":\"to_student\",\"occurred_at\":\"2026-10-05T14:00:00Z\","
             "\"session_id\":\"%s\"}",
             session);
    harness_response_free(&r);
    contacts_path(path, sizeof(path), w.student_b);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, body), 201);
    tt_refused("POST", path, w.tok_senior_x, body, 409, "session_id"); /* B counted once */
    ck_assert_int_eq(tt_count("SELECT count(*) FROM contacts WHERE session_id = (SELECT session_id FROM contacts"
                              " WHERE student_number = $1 AND kind = 'group_meeting')",
                              w.student_b),
                     2);
}
END_TEST

START_TEST(test_list_filters_order_and_pages)
{
    static const char *const at[] = {"2026-10-03T09:00:00Z", "2026-10-01T09:00:00Z", "2026-10-02T09:00:00Z"};
    char body[256], path[256], d[24];
    harness_unique("D", d, sizeof(d)); /* a tutee of B's with only these contacts */
    tt_student(d, w.school_x);
    tt_allocate(d, w.tutor_b, NULL);
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof(body), "{\"kind\":\"%s\",\"direction\":\"to_student\",\"occurred_at\":\"%s\"}",
                 i == 2 ? "email" : "meeting", at[i]);
        free(create(d, w.tok_tutor_b, body));
    }
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/contacts?limit=2", d);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_b, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(json_array_get(items, 0), "occurred_at")), "2026-10-01"));
    const char *cursor = json_string_value(json_object_get(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    snprintf(path, sizeof(path), "/students/%s/contacts?limit=2&cursor=%s", d, cursor);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_b, NULL, &r), 200);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(json_array_get(items, 0), "occurred_at")), "2026-10-03"));
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s/contacts?kind=email&from=2026-10-02&to=2026-10-02", d);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s/contacts?from=2026-10-04", d);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    harness_response_free(&r);
    static const char *const bad[] = {
        "from=2026-13-01", "to=yesterday", "kind=party", "direction=up", "from=2026-10-05&to=2026-10-01",
        "limit=0",         "cursor=%25%25"};
    static const char *const fields[] = {"from", "to", "kind", "direction", "to", "limit", "cursor"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "/students/%s/contacts?%s", d, bad[i]);
        tt_refused("GET", path, w.tok_tutor_b, NULL, 400, fields[i]);
    }
}
END_TEST

START_TEST(test_list_access_by_role)
{
    char path[96];
    free(create(w.student_a, w.tok_tutor_a, MEETING));
    contacts_path(path, sizeof(path), w.student_a);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_admin, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
}
END_TEST

START_TEST(test_get_one_by_role)
{
    char *id = create(w.student_a, w.tok_tutor_a, MEETING);
    char path[64];
    struct tt_response r;
    snprintf(path, sizeof(path), "/contacts/%s", id);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_admin, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", "/contacts/abc", w.tok_admin, NULL), 404);
    ck_assert_int_eq(tt_status("GET", "/contacts/999999999999", w.tok_admin, NULL), 404);
    free(id);
}
END_TEST

static char *version_of(const char *id)
{
    const char *params[1] = {id};
    return harness_sql("SELECT version::text || attendance FROM contacts WHERE id = $1::bigint", 1, params);
}

START_TEST(test_patch_by_role_and_if_match)
{
    char *id = create(w.student_a, w.tok_tutor_a, MEETING), path[64];
    snprintf(path, sizeof(path), "/contacts/%s", id);
    char *before = version_of(id);
    static const char missed[] = "{\"attendance\":\"missed\"}";
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_tutor_b, missed), 404);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_senior_y, missed), 404);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_student_a, missed), 403);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_admin, missed), 403);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_registry, missed), 403);
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"attendance\":\"maybe\"}", 422, "attendance");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"staff\":\"X1\"}", 422, "staff");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"kind\":\"email\"}", 422, "kind");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"created_by\":\"X1\"}", 422, "created_by");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"occurred_at\":\"soon\"}", 422, "occurred_at");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"occurred_at\":null}", 422, "occurred_at");
    char *after = version_of(id);
    ck_assert_str_eq(before, after);
    free(after);
    struct tt_response r;
    const char *stale[] = {"If-Match: \"7\"", NULL};
    ck_assert_int_eq(harness_request("PATCH", path, w.tok_tutor_a, "application/json", missed, stale, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(harness_request("PATCH", path, w.tok_tutor_a, "application/merge-patch+json", missed, fresh, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.etag, "\"2\"");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "attendance")), "missed");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_senior_x, "{\"wellbeing_check\":false}"), 200);
    after = version_of(id);
    ck_assert_str_eq(after, "3missed");
    free(after), free(before), free(id);
}
END_TEST

START_TEST(test_confirmation_by_the_student_named)
{
    char *meeting = create(w.student_a, w.tok_tutor_a, MEETING);
    char *email = create(w.student_a, w.tok_tutor_a, "{\"kind\":\"email\",\"direction\":\"to_student\"}");
    char path[96];
    static const char yes[] = "{\"status\":\"confirmed\"}";
    snprintf(path, sizeof(path), "/contacts/%s/confirmation", meeting);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_b, yes), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, yes), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, yes), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, yes), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, yes), 403);
    tt_refused("POST", path, w.tok_student_a, "{\"status\":\"disputed\"}", 422, "comment");
    tt_refused("POST", path, w.tok_student_a, "{\"status\":\"disputed\",\"comment\":\"  \"}", 422, "comment");
    tt_refused("POST", path, w.tok_student_a, "{\"status\":\"maybe\"}", 422, "status");
    tt_refused("POST", path, w.tok_student_a, "{\"status\":\"confirmed\",\"student\":\"X\"}", 422, "student");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM meeting_confirmations WHERE contact_id = $1::bigint", meeting), 0);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_student_a,
                             "{\"status\":\"disputed\",\"comment\":\"it was 20 "
                             "minutes, not an hour\"}",
                             &r),
                     201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "disputed");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, yes), 409);
    snprintf(path, sizeof(path), "/contacts/%s", meeting);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "confirmation"), "status")), "disputed");
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/contacts/%s/confirmation", email);
    tt_refused("POST", path, w.tok_student_a, yes, 422, "kind");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM meeting_confirmations WHERE student_number = $1", w.student_a), 1);
    free(meeting), free(email);
}
END_TEST

START_TEST(test_idempotency_key_creates_once)
{
    char path[96], body[256], key[64], other[300];
    contacts_path(path, sizeof(path), w.student_a);
    harness_unique("k", key, sizeof(key));
    snprintf(other, sizeof(other), "Idempotency-Key: %s", key);
    const char *headers[] = {other, NULL};
    snprintf(body, sizeof(body), "{\"kind\":\"checkin\",\"direction\":\"to_student\"}");
    long before = contacts_of(w.student_a);
    struct tt_response r1, r2;
    ck_assert_int_eq(harness_request("POST", path, w.tok_tutor_a, "application/json", body, headers, &r1), 0);
    ck_assert_int_eq(harness_request("POST", path, w.tok_tutor_a, "application/json", body, headers, &r2), 0);
    ck_assert_int_eq(r1.status, 201);
    ck_assert_int_eq(r2.status, 201);
    ck_assert_str_eq(r1.body, r2.body);
    harness_response_free(&r1), harness_response_free(&r2);
    ck_assert_int_eq(contacts_of(w.student_a), before + 1);
    ck_assert_int_eq(harness_request("POST", path, w.tok_tutor_a, "application/json", MEETING, headers, &r1), 0);
    ck_assert_int_eq(r1.status, 422);
    harness_response_free(&r1);
    ck_assert_int_eq(contacts_of(w.student_a), before + 1);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_tutor_records_a_meeting_for_a_tutee,
        test_forbidden_creators_change_nothing,
        test_student_messages_their_tutor,
        test_only_senior_tutor_names_other_staff,
        test_bad_input_names_the_field_and_changes_nothing,
        test_reply_to_must_be_the_same_students,
        test_group_meeting_is_one_row_per_tutee,
        test_list_filters_order_and_pages,
        test_list_access_by_role,
        test_get_one_by_role,
        test_patch_by_role_and_if_match,
        test_confirmation_by_the_student_named,
        test_idempotency_key_creates_once,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "contacts", .tests = tests, .start = world_start, .stop = world_stop, .timeout = 120};
    return harness_run(&suite);
}
