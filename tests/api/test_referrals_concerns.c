/* test_referrals_concerns.c — referrals (list, make, move on) and concerns (raise, list, close): every
 * route × every role, the BOLA cases, bad input naming the field, and refused calls changing nothing;
 * closing a concern tells the raiser (raiser_notified_at, a concern.closed event). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long referrals_of(const char *student)
{
    return tt_count("SELECT count(*) FROM referrals WHERE student_number = $1", student);
}

static long concerns_of(const char *student)
{
    return tt_count("SELECT count(*) FROM concerns WHERE student_number = $1", student);
}

/* ---- referrals ---------------------------------------------------------------------------------------- */

static const char REFERRAL[] = "{\"service\":\"wellbeing\",\"detail\":\"Suggested the counselling service\"}";

START_TEST(test_tutor_makes_a_referral)
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/referrals", w.student_a);
    ck_assert_int_eq(tt_call("POST", path, w.tok_tutor_a, REFERRAL, &r), 201);
    ck_assert_str_eq(r.etag, "\"1\"");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "referred_by")), w.tutor_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "suggested");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "service")), "wellbeing");
    char *id = tt_id(&r);
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM audit WHERE action = 'referral.create' AND entity_id = $1", id), 1);
    free(id);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, "{\"service\":\"finance\",\"status\":\"made\"}"), 201);
}
END_TEST

START_TEST(test_referral_access_by_role)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/referrals", w.student_a);
    free(tt_post_id(path, w.tok_tutor_a, REFERRAL));
    long before = referrals_of(w.student_a);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, REFERRAL), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, REFERRAL), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, REFERRAL), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, REFERRAL), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, REFERRAL), 403);
    ck_assert_int_eq(referrals_of(w.student_a), before);
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

START_TEST(test_referral_list_filters)
{
    char path[128], d[24];
    harness_unique("D", d, sizeof(d));
    tt_student(d, w.school_x);
    tt_allocate(d, w.tutor_b, NULL);
    snprintf(path, sizeof(path), "/students/%s/referrals", d);
    free(tt_post_id(path, w.tok_tutor_b, "{\"service\":\"careers\"}"));
    free(tt_post_id(path, w.tok_tutor_b, "{\"service\":\"finance\",\"status\":\"made\"}"));
    free(tt_post_id(path, w.tok_tutor_b, "{\"service\":\"finance\"}"));
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/referrals?service=finance&limit=1", d);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_b, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    const char *cursor = json_string_value(json_object_get(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    snprintf(path, sizeof(path), "/students/%s/referrals?service=finance&limit=1&cursor=%s", d, cursor);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_b, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s/referrals?status=made", d);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_b, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s/referrals?service=astrology", d);
    tt_refused("GET", path, w.tok_tutor_b, NULL, 400, "service");
    snprintf(path, sizeof(path), "/students/%s/referrals?status=lost", d);
    tt_refused("GET", path, w.tok_tutor_b, NULL, 400, "status");
}
END_TEST

START_TEST(test_referral_bad_input)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"service\":\"astrology\"}", "service"},
        {"{\"detail\":\"x\"}", "service"},
        {"{\"service\":\"careers\",\"detail\":7}", "detail"},
        {"{\"service\":\"careers\",\"status\":\"lost\"}", "status"},
        {"{\"service\":\"careers\",\"urgent\":true}", "urgent"},
        {"{\"service\":\"careers\",\"id\":1}", "id"},
        {"{\"service\":\"careers\",\"referred_by\":\"T1\"}", "referred_by"},
        {"{\"service\":\"careers\",\"referred_at\":\"2026-01-01T00:00:00Z\"}", "referred_at"},
        {"{\"service\":\"careers\",\"student\":\"S1\"}", "student"},
        {"{\"service\":\"careers\",\"version\":2}", "version"},
    };
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/referrals", w.student_a);
    long before = referrals_of(w.student_a);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("POST", path, w.tok_tutor_a, cases[i].body, 422, cases[i].field);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "{"), 400);
    ck_assert_int_eq(referrals_of(w.student_a), before);
}
END_TEST

static char *referral_state(const char *id)
{
    const char *params[1] = {id};
    return harness_sql("SELECT version || status || service FROM referrals WHERE id = $1::bigint", 1, params);
}

START_TEST(test_referral_status_moves_on)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/referrals", w.student_a);
    char *id = tt_post_id(path, w.tok_tutor_a, REFERRAL);
    snprintf(path, sizeof(path), "/referrals/%s", id);
    char *before = referral_state(id);
    static const char made[] = "{\"status\":\"made\"}";
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_tutor_b, made), 404);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_senior_y, made), 404);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_student_a, made), 403);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_admin, made), 403);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_registry, made), 403);
    ck_assert_int_eq(tt_status("PATCH", "/referrals/nope", w.tok_tutor_a, made), 404);
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"status\":\"lost\"}", 422, "status");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"service\":\"finance\"}", 422, "service");
    tt_refused("PATCH", path, w.tok_tutor_a, "{\"referred_by\":\"X\"}", 422, "referred_by");
    struct tt_response r;
    const char *stale[] = {"If-Match: \"9\"", NULL};
    ck_assert_int_eq(harness_request("PATCH", path, w.tok_tutor_a, "application/json", made, stale, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    char *after = referral_state(id);
    ck_assert_str_eq(before, after);
    free(after);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(harness_request("PATCH", path, w.tok_tutor_a, "application/merge-patch+json", made, fresh, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.etag, "\"2\"");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "made");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_senior_x, "{\"status\":\"accepted\"}"), 200);
    after = referral_state(id);
    ck_assert_str_eq(after, "3acceptedwellbeing");
    free(after), free(before), free(id);
}
END_TEST

/* ---- concerns ----------------------------------------------------------------------------------------- */

static char *raise_as(const char *token, const char *student, const char *kind)
{
    char body[256];
    if (student)
        snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"%s\",\"detail\":\"Missed three meetings\"}",
                 student, kind);
    else
        snprintf(body, sizeof(body), "{\"kind\":\"%s\",\"detail\":\"My tutor never answers\"}", kind);
    return tt_post_id("/concerns", token, body);
}

START_TEST(test_tutor_and_student_raise_concerns)
{
    struct tt_response r;
    char body[256];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"non_engaged\",\"detail\":\"Missed three\"}",
             w.student_a);
    ck_assert_int_eq(tt_call("POST", "/concerns", w.tok_tutor_a, body, &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "school")), w.school_x);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "open");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "raised_by_role")), "tutor");
    char *id = tt_id(&r);
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'concern.opened' AND subject = $1", id), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM audit WHERE action = 'concern.open' AND entity_id = $1", id), 1);
    free(id);
    ck_assert_int_eq(tt_call("POST", "/concerns", w.tok_student_a,
                             "{\"kind\":\"tutoring_issue\",\"detail\":\"My tutor never answers\"}", &r),
                     201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "student")), w.student_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "raised_by_role")), "student");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_refused_raisers_change_nothing)
{
    char body[256];
    long before_a = concerns_of(w.student_a), before_b = concerns_of(w.student_b);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"wellbeing\",\"detail\":\"x\"}", w.student_b);
    tt_refused("POST", "/concerns", w.tok_tutor_a, body, 422, "student");   /* not A's tutee */
    tt_refused("POST", "/concerns", w.tok_senior_y, body, 422, "student");  /* not Y's school */
    tt_refused("POST", "/concerns", w.tok_student_a, body, 422, "student"); /* another student */
    ck_assert_int_eq(tt_status("POST", "/concerns", w.tok_admin, body), 403);
    ck_assert_int_eq(tt_status("POST", "/concerns", w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", "/concerns", NULL, body), 401);
    tt_refused("POST", "/concerns", w.tok_tutor_a, "{\"student\":\"NOSUCH1\",\"kind\":\"wellbeing\",\"detail\":\"x\"}",
               422, "student");
    tt_refused("POST", "/concerns", w.tok_student_a, "{\"kind\":\"wellbeing\",\"detail\":\"x\"}", 422, "kind");
    ck_assert_int_eq(concerns_of(w.student_a), before_a);
    ck_assert_int_eq(concerns_of(w.student_b), before_b);
}
END_TEST

START_TEST(test_concern_bad_input)
{
    static const char *const fmt[][2] = {
        {"{\"student\":\"%s\",\"kind\":\"grumpy\",\"detail\":\"x\"}", "kind"},
        {"{\"student\":\"%s\",\"kind\":\"other\"}", "detail"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"\"}", "detail"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":[\"x\"]}", "detail"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"status\":\"closed\"}", "status"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"outcome\":\"done\"}", "outcome"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"raised_by\":\"X\"}", "raised_by"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"school\":\"ZZ\"}", "school"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"id\":5}", "id"},
        {"{\"student\":\"%s\",\"kind\":\"other\",\"detail\":\"x\",\"owner\":\"X\"}", "owner"},
        {"{\"kind\":\"other\",\"detail\":\"x\"%s}", "student"},
    };
    char body[256];
    long before = concerns_of(w.student_a);
    for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
        snprintf(body, sizeof(body), fmt[i][0], i + 1 == sizeof(fmt) / sizeof(fmt[0]) ? "" : w.student_a);
        tt_refused("POST", "/concerns", w.tok_tutor_a, body, 422, fmt[i][1]);
    }
    ck_assert_int_eq(concerns_of(w.student_a), before);
}
END_TEST

/* The ids of the concerns a caller lists for student `student`, as "id,id,". */
static void listed(const char *token, const char *student, char *out, size_t size)
{
    char path[128];
    struct tt_response r;
    size_t i, used = 0;
    json_t *it;
    snprintf(path, sizeof(path), "/concerns?student=%s", student);
    ck_assert_int_eq(tt_call("GET", path, token, NULL, &r), 200);
    out[0] = '\0';
    json_array_foreach(json_object_get(r.json, "items"), i, it) used += (size_t)snprintf(
        out + used, size - used, "%" JSON_INTEGER_FORMAT ",", json_integer_value(json_object_get(it, "id")));
    harness_response_free(&r);
}

START_TEST(test_concern_list_by_role)
{
    char d[24], want[64], got[256];
    harness_unique("D", d, sizeof(d));
    tt_student(d, w.school_x);
    tt_allocate(d, w.tutor_a, NULL);
    char *by_tutor = raise_as(w.tok_tutor_a, d, "wellbeing");
    char *tok_d = harness_token(d, "student", NULL);
    char *by_student = raise_as(tok_d, NULL, "tutoring_issue");
    snprintf(want, sizeof(want), "%s,%s,", by_tutor, by_student);
    listed(w.tok_senior_x, d, got, sizeof(got));
    ck_assert_str_eq(got, want);
    listed(w.tok_admin, d, got, sizeof(got));
    ck_assert_str_eq(got, want);
    snprintf(want, sizeof(want), "%s,", by_tutor);
    listed(w.tok_tutor_a, d, got, sizeof(got)); /* not the student's complaint about them */
    ck_assert_str_eq(got, want);
    snprintf(want, sizeof(want), "%s,", by_student);
    listed(tok_d, d, got, sizeof(got));
    ck_assert_str_eq(got, want);
    listed(w.tok_senior_y, d, got, sizeof(got));
    ck_assert_str_eq(got, "");
    listed(w.tok_tutor_b, d, got, sizeof(got));
    ck_assert_str_eq(got, "");
    listed(w.tok_student_a, d, got, sizeof(got));
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(tt_status("GET", "/concerns", w.tok_registry, NULL), 403);
    tt_refused("GET", "/concerns?status=pending", w.tok_senior_x, NULL, 400, "status");
    tt_refused("GET", "/concerns?kind=grumpy", w.tok_senior_x, NULL, 400, "kind");
    tt_refused("GET", "/concerns?school=lower", w.tok_senior_x, NULL, 400, "school");
    tt_refused("GET", "/concerns?cursor=QQ", w.tok_senior_x, NULL, 400, "cursor");
    free(by_tutor), free(by_student), free(tok_d);
}
END_TEST

static char *concern_state(const char *id)
{
    const char *params[1] = {id};
    return harness_sql("SELECT version || status || COALESCE(outcome, '-') FROM concerns WHERE id = $1::bigint", 1,
                       params);
}

START_TEST(test_closure_by_a_senior_tutor_of_the_school)
{
    char *id = raise_as(w.tok_tutor_a, w.student_a, "non_engaged"), path[64];
    snprintf(path, sizeof(path), "/concerns/%s/closure", id);
    static const char outcome[] = "{\"outcome\":\"Met the student; attendance plan agreed\"}";
    char *before = concern_state(id);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, outcome), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, outcome), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, outcome), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, outcome), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, outcome), 404);
    ck_assert_int_eq(tt_status("POST", "/concerns/0x1/closure", w.tok_senior_x, outcome), 404);
    tt_refused("POST", path, w.tok_senior_x, "{}", 422, "outcome");
    tt_refused("POST", path, w.tok_senior_x, "{\"outcome\":\"\"}", 422, "outcome");
    tt_refused("POST", path, w.tok_senior_x, "{\"outcome\":\"ok\",\"closed_by\":\"X\"}", 422, "closed_by");
    char *after = concern_state(id);
    ck_assert_str_eq(before, after);
    free(after);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_senior_x, outcome, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "closed");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "closed_by")), w.senior_x);
    ck_assert(json_is_string(json_object_get(r.json, "closed_at")));
    ck_assert(json_is_string(json_object_get(r.json, "raiser_notified_at")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'concern.closed' AND subject = $1"
                              " AND payload ->> 'raised_by' IS NOT NULL",
                              id),
                     1);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, outcome), 409);
    after = concern_state(id);
    ck_assert_str_eq(after, "2closedMet the student; attendance plan agreed");
    free(after), free(before), free(id);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_tutor_makes_a_referral,
        test_referral_access_by_role,
        test_referral_list_filters,
        test_referral_bad_input,
        test_referral_status_moves_on,
        test_tutor_and_student_raise_concerns,
        test_refused_raisers_change_nothing,
        test_concern_bad_input,
        test_concern_list_by_role,
        test_closure_by_a_senior_tutor_of_the_school,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "referrals_concerns", .tests = tests, .start = world_start, .stop = world_stop, .timeout = 120};
    return harness_run(&suite);
}
