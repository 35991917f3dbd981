/* test_tutors.c — /tutors, /tutors/{n}, /tutees, /absences (with cover allocations) and /training:
 * every role, the BOLA cases, ETags, bad input and mass assignment leaving the database unchanged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "worlds.h"

static void path_of(char *buf, size_t size, const char *staff, const char *sub)
{
    snprintf(buf, size, "/tutors/%s%s", staff, sub);
}

START_TEST(test_get_by_role)
{
    char path[96];
    path_of(path, sizeof(path), w.tutor_a, "");
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    ck_assert_int_eq(tt_status("GET", path, w.tok_admin, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200);   /* themself */
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 200); /* their tutee */
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);   /* another tutor */
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404); /* not their tutor */
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);  /* another school */
    ck_assert_int_eq(tt_status("GET", "/tutors/NOSUCH9", w.tok_admin, NULL), 404);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "school")), w.school_x);
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_list_by_role)
{
    char q[96];
    snprintf(q, sizeof(q), "school=%s", w.school_x);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_admin), 3);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_registry), 3);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_senior_x), 3);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_senior_y), 0);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_tutor_a), 1);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_student_a), -403);
    snprintf(q, sizeof(q), "school=%s&role=senior_tutor&active=true", w.school_x);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_admin), 1);
    snprintf(q, sizeof(q), "school=%s&limit=2", w.school_x);
    ck_assert_int_eq(tt_list_count("/tutors", q, w.tok_admin), 2);
    ck_assert_int_eq(tt_list_count("/tutors", "role=boss", w.tok_admin), -400);
    ck_assert_int_eq(tt_list_count("/tutors", "active=maybe", w.tok_admin), -400);
    ck_assert_int_eq(tt_list_count("/tutors", "school=bad%20code", w.tok_admin), -400);
}
END_TEST

START_TEST(test_put_patch_and_etag)
{
    char number[24], path[96], body[512];
    harness_unique("T", number, sizeof(number));
    path_of(path, sizeof(path), number, "");
    snprintf(body, sizeof(body),
             "{\"staff_number\":\"%s\",\"name\":\"Ada Lovelace\",\"email\":\"ada@uni.example\",\"school\":\"%s\","
             "\"roles\":[\"tutor\"],\"permanent\":true,\"capacity\":25,\"active\":true}",
             number, w.school_x);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_senior_x, body), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_tutor_a, body), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM staff WHERE staff_number = $1", number), 0);
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", path, w.tok_registry, body, &r), 201);
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_registry, body), 200); /* no-op */
    ck_assert_int_eq(tt_count("SELECT version FROM staff WHERE staff_number = $1", number), 1);
    const char *stale[] = {"If-Match: \"7\"", NULL};
    ck_assert_int_eq(
        harness_request("PATCH", path, w.tok_admin, "application/merge-patch+json", "{\"capacity\":10}", stale, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(
        harness_request("PATCH", path, w.tok_admin, "application/merge-patch+json", "{\"capacity\":10}", fresh, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "capacity")), 10);
    ck_assert_str_eq(r.etag, "\"2\"");
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'staff.upserted' AND subject = $1", number), 2);
    /* without roles a staff member is a tutor, as in the import (sql/001's default) */
    char other[24];
    harness_unique("T", other, sizeof(other));
    path_of(path, sizeof(path), other, "");
    snprintf(body, sizeof(body), "{\"name\":\"Mary Somerville\",\"email\":\"mary@uni.example\",\"school\":\"%s\"}",
             w.school_x);
    ck_assert_int_eq(tt_call("PUT", path, w.tok_registry, body, &r), 201);
    json_t *roles = json_object_get(r.json, "roles");
    ck_assert_int_eq(json_array_size(roles), 1);
    ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "tutor");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_bad_tutor_input)
{
    char path[96];
    path_of(path, sizeof(path), w.tutor_a, "");
    const char *A = w.tok_admin;
    tt_refused("PATCH", path, A, "{\"capacity\":\"many\"}", 422, "capacity");
    tt_refused("PATCH", path, A, "{\"capacity\":5000}", 422, "capacity");
    tt_refused("PATCH", path, A, "{\"roles\":[\"wizard\"]}", 422, "roles");
    tt_refused("PATCH", path, A, "{\"active\":\"yes\"}", 422, "active");
    tt_refused("PATCH", path, A, "{\"shoe_size\":9}", 422, "shoe_size");
    tt_refused("PATCH", path, A, "{\"version\":9}", 422, "version");
    tt_refused("PATCH", path, A, "{\"created_at\":\"2026-01-01T00:00:00Z\"}", 422, "created_at");
    tt_refused("PATCH", path, A, "{\"staff_number\":\"OTHER1\"}", 422, "staff_number");
    tt_refused("PATCH", path, A, "{\"school\":\"NOSUCHSCHOOL\"}", 422, "school");
    tt_refused("PATCH", path, A, "{\"email\":\"not an email\"}", 422, "email");
    tt_refused("PUT", path, A, "{\"name\":\"No Email\"}", 422, "email");
    ck_assert_int_eq(tt_status("PATCH", "/tutors/NOSUCH8", A, "{\"capacity\":3}"), 404);
    ck_assert_int_eq(tt_count("SELECT version FROM staff WHERE staff_number = $1", w.tutor_a), 1);
}
END_TEST

START_TEST(test_tutees)
{
    char path[96];
    path_of(path, sizeof(path), w.tutor_a, "/tutees");
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(json_array_get(items, 0), "student"), "student_number")),
        w.student_a);
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_admin, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 404); /* a student never lists tutees */
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
}
END_TEST

/* The UTC day `days` after today, as YYYY-MM-DD into out[11]. */
static void day_from_today(int days, char out[11])
{
    time_t at = time(NULL) + (time_t)days * 86400;
    struct tm t;
    gmtime_r(&at, &t);
    strftime(out, 11, "%Y-%m-%d", &t);
}

/* The absence runs from yesterday to 18 days on, so that its cover is in force today, in any time zone the
 * database's current_date is taken in (a fixed absence of 16 November - 4 December 2026 stopped covering
 * on 5 December). */
START_TEST(test_absence_with_cover)
{
    char path[96], body[256], starts[11], ends[11];
    day_from_today(-1, starts);
    day_from_today(18, ends);
    path_of(path, sizeof(path), w.tutor_a, "/absences");
    snprintf(body, sizeof(body),
             "{\"starts_on\":\"%s\",\"ends_on\":\"%s\",\"reason\":\"leave\",\"cover_tutor\":\"%s\"}", starts, ends,
             w.tutor_b);
    long before = tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", w.student_a);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, body), 404);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM tutor_absences WHERE staff_number = $1", w.tutor_a), 0);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", w.student_a), before);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_senior_x, body, &r), 201);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "cover_allocations")), 1);
    harness_response_free(&r);
    char cover[160];
    snprintf(cover, sizeof(cover),
             "SELECT count(*) FROM allocations WHERE student_number = $1 AND kind = 'cover'"
             " AND starts_on = '%s' AND ends_on = '%s'",
             starts, ends);
    ck_assert_int_eq(tt_count(cover, w.student_a), 1);
    /* the cover tutor now reaches the absent tutor's tutee */
    char student_path[96];
    snprintf(student_path, sizeof(student_path), "/students/%s", w.student_a);
    ck_assert_int_eq(tt_status("GET", student_path, w.tok_tutor_b, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 404);
}
END_TEST

START_TEST(test_bad_absence_input)
{
    char path[96], body[256];
    path_of(path, sizeof(path), w.tutor_a, "/absences");
    const char *S = w.tok_senior_x;
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-12-04\",\"ends_on\":\"2026-11-16\"}", 422, "ends_on");
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-13-04\",\"ends_on\":\"2026-12-16\"}", 422, "starts_on");
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-11-04\"}", 422, "ends_on");
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-11-04\",\"ends_on\":\"2026-11-05\",\"x\":1}", 422, "x");
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-11-04\",\"ends_on\":\"2026-11-05\",\"id\":1}", 422, "id");
    tt_refused("POST", path, S, "{\"starts_on\":\"2026-11-04\",\"ends_on\":\"2026-11-05\",\"cover_tutor\":\"NOSUCH3\"}",
               422, "cover_tutor");
    snprintf(body, sizeof(body), "{\"starts_on\":\"2026-11-04\",\"ends_on\":\"2026-11-05\",\"cover_tutor\":\"%s\"}",
             w.tutor_a);
    tt_refused("POST", path, S, body, 422, "cover_tutor");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM tutor_absences WHERE staff_number = $1", w.tutor_a), 0);
}
END_TEST

START_TEST(test_training)
{
    char path[96];
    path_of(path, sizeof(path), w.tutor_a, "/training");
    const char *quiz = "{\"kind\":\"quiz\",\"completed_on\":\"2025-06-01\",\"score\":85}";
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, quiz), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, quiz), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, quiz), 404);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM training_records WHERE staff_number = $1", w.tutor_a), 0);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, quiz), 201);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, "{\"kind\":\"training\",\"completed_on\":\"2024-09-01\"}"),
                     201);
    const char *S = w.tok_senior_x;
    tt_refused("POST", path, S, "{\"kind\":\"quiz\",\"completed_on\":\"2025-06-01\"}", 422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"training\",\"completed_on\":\"2025-06-01\",\"score\":3}", 422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"quiz\",\"completed_on\":\"2025-06-01\",\"score\":101}", 422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"exam\",\"completed_on\":\"2025-06-01\"}", 422, "kind");
    tt_refused("POST", path, S, "{\"kind\":\"training\",\"completed_on\":\"2099-06-01\"}", 422, "completed_on");
    tt_refused("POST", path, S, "{\"kind\":\"training\",\"completed_on\":\"yesterday\"}", 422, "completed_on");
    tt_refused("POST", path, S, "{\"kind\":\"training\",\"completed_on\":\"2025-06-01\",\"created_by\":\"X\"}", 422,
               "created_by");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM training_records WHERE staff_number = $1", w.tutor_a), 2);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 404);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_get_by_role,       test_list_by_role, test_put_patch_and_etag,
        test_bad_tutor_input,   test_tutees,       test_absence_with_cover,
        test_bad_absence_input, test_training,     NULL,
    };
    return harness_run_suite("tutors", tests, world_setup, world_teardown);
}
