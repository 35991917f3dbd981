/* test_change_requests.c — POST /students/{n}/change-requests, GET /change-requests and
 * POST /change-requests/{id}/decision: every role, BOLA, one open request at a time, approval that
 * reallocates, bad input and mass assignment leaving the database unchanged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long requests_of(const char *student)
{
    return tt_count("SELECT count(*) FROM change_requests WHERE student_number = $1", student);
}

/* Student A opens a request; returns its id (malloc'd). */
static char *open_request(void)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/change-requests", w.student_a);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_student_a, "{\"reason\":\"we do not get on\"}", &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "open");
    char *id = tt_id(&r);
    harness_response_free(&r);
    return id;
}

START_TEST(test_only_the_student_asks)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/change-requests", w.student_a);
    ck_assert_int_eq(tt_status("POST", path, NULL, "{}"), 401);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_b, "{}"), 404); /* student B on student A */
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "{}"), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, "{}"), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, "{}"), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, "{}"), 403);
    tt_refused("POST", path, w.tok_student_a, "{\"status\":\"approved\"}", 422, "status");
    tt_refused("POST", path, w.tok_student_a, "{\"student_number\":\"OTHER1\"}", 422, "student_number");
    tt_refused("POST", path, w.tok_student_a, "{\"new_tutor\":\"T1\"}", 422, "new_tutor");
    tt_refused("POST", path, w.tok_student_a, "{\"id\":1}", 422, "id");
    tt_refused("POST", path, w.tok_student_a, "{\"reason\":5}", 422, "reason");
    tt_refused("POST", path, w.tok_student_a, "{\"mood\":\"sad\"}", 422, "mood");
    ck_assert_int_eq(requests_of(w.student_a), 0);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, NULL), 415);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, "{}"), 201); /* no reason needed */
    tt_refused("POST", path, w.tok_student_a, "{}", 409, "student");       /* one open at a time */
    ck_assert_int_eq(requests_of(w.student_a), 1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE kind = 'change_request.created' AND subject = $1", w.student_a), 1);
}
END_TEST

START_TEST(test_list_by_role)
{
    free(open_request());
    char q[96];
    snprintf(q, sizeof(q), "school=%s&status=open", w.school_x);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_senior_x), 1);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_admin), 1);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_senior_y), 0); /* school Y on school X */
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_student_a), 1);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_student_b), 0); /* student B on student A */
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_tutor_a), -403);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_registry), -403);
    snprintf(q, sizeof(q), "school=%s&status=declined", w.school_x);
    ck_assert_int_eq(tt_list_count("/change-requests", q, w.tok_senior_x), 0);
    ck_assert_int_eq(tt_list_count("/change-requests", "status=maybe", w.tok_admin), -400);
}
END_TEST

START_TEST(test_decision_roles_and_approval)
{
    char *id = open_request();
    char path[96], body[256];
    snprintf(path, sizeof(path), "/change-requests/%s/decision", id);
    snprintf(body, sizeof(body), "{\"decision\":\"approved\",\"comment\":\"fine\",\"new_tutor\":\"%s\"}", w.tutor_b);
    ck_assert_int_eq(tt_status("POST", path, NULL, body), 401);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, body), 404); /* school Y on school X */
    ck_assert_int_eq(tt_status("POST", "/change-requests/999999999/decision", w.tok_senior_x, body), 404);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM change_requests WHERE id = $1::bigint AND status = 'open'", id), 1);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_senior_x, body, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "approved");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "decided_by")), w.senior_x);
    ck_assert(json_is_integer(json_object_get(r.json, "allocation_id")));
    harness_response_free(&r);
    const char *params[2] = {w.student_a, w.tutor_b};
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM allocations WHERE student_number = $1 AND staff_number = $2"
                                      " AND kind = 'personal' AND period @> current_date",
                                      2, params),
                     1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE kind = 'change_request.decided' AND subject = $1", w.student_a), 1);
    tt_refused("POST", path, w.tok_senior_x, "{\"decision\":\"declined\"}", 409, "decision"); /* decided */
    free(id);
}
END_TEST

START_TEST(test_bad_decisions_change_nothing)
{
    char *id = open_request();
    char path[96];
    snprintf(path, sizeof(path), "/change-requests/%s/decision", id);
    const char *S = w.tok_senior_x;
    tt_refused("POST", path, S, "{\"decision\":\"maybe\"}", 422, "decision");
    tt_refused("POST", path, S, "{}", 422, "decision");
    tt_refused("POST", path, S, "{\"decision\":true}", 422, "decision");
    tt_refused("POST", path, S, "{\"decision\":\"approved\",\"new_tutor\":\"NOSUCH5\"}", 422, "new_tutor");
    tt_refused("POST", path, S, "{\"decision\":\"declined\",\"new_tutor\":\"NOSUCH5\"}", 422, "new_tutor");
    tt_refused("POST", path, S, "{\"decision\":\"approved\",\"starts_on\":\"2026-02-31\"}", 422, "starts_on");
    tt_refused("POST", path, S, "{\"decision\":\"approved\",\"decided_by\":\"ME\"}", 422, "decided_by");
    tt_refused("POST", path, S, "{\"decision\":\"approved\",\"status\":\"approved\"}", 422, "status");
    tt_refused("POST", path, S, "{\"decision\":\"approved\",\"extra\":1}", 422, "extra");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM change_requests WHERE id = $1::bigint AND status = 'open'", id), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", w.student_a), 1);
    ck_assert_int_eq(tt_status("POST", path, S, "{\"decision\":\"declined\",\"comment\":\"no\"}"), 200);
    /* a declined request frees the student to ask again */
    free(open_request());
    free(id);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_only_the_student_asks,
        test_list_by_role,
        test_decision_roles_and_approval,
        test_bad_decisions_change_nothing,
        NULL,
    };
    return harness_run_suite("change_requests", tests, world_setup, world_teardown);
}
