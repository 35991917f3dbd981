/* test_compliance.c — GET /students/{n}/compliance, /tutors/{staff}/compliance, /tutors/{staff}/agenda
 * and /schools/{code}/compliance over a hand-built timeline (worlds.h), with SPEC §2 access. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static json_t *get_json(const char *path, const char *token, struct tt_response *r)
{
    ck_assert_int_eq(harness_json("GET", path, token, NULL, r), 0);
    if (r->status != 200)
        fprintf(stderr, "GET %s -> %ld %s\n", path, r->status, r->body);
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(r->json);
    return r->json;
}

START_TEST(test_late_reply_is_breached_with_evidence)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-11-01", cw.student_a);
    json_t *body = get_json(path, cw.tok_tutor_a, &r);
    ck_assert_str_eq(json_string_value(json_object_get(body, "student")), cw.student_a);
    ck_assert_str_eq(json_string_value(json_object_get(body, "as_of")), "2026-11-01");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(body, "policy"), "name")),
                     "University of Leicester Code of Practice on Personal Tutoring");
    json_t *f = tt_finding(json_object_get(body, "findings"), "response");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(json_string_value(json_object_get(f, "type")), "response_within");
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "breached");
    ck_assert_str_eq(json_string_value(json_object_get(f, "due")), "2026-10-28");
    json_t *evidence = json_object_get(f, "evidence");
    ck_assert_int_eq(json_array_size(evidence), 1);
    ck_assert_int_eq(json_integer_value(json_array_get(evidence, 0)), atoll(cw.message_a));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "detail")), "2026-10-23"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "source")), "3 working days"));
    harness_response_free(&r);
}
END_TEST

START_TEST(test_reply_in_time_is_met)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-11-01T12:00:00Z", cw.student_b);
    json_t *f = tt_finding(json_object_get(get_json(path, cw.tok_senior_p, &r), "findings"), "response");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "met");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(f, "evidence"), 0)), atoll(cw.reply_b));
    harness_response_free(&r);
    /* before the deadline, A's message is still awaited: not yet breached */
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-10-26", cw.student_a);
    f = tt_finding(json_object_get(get_json(path, cw.tok_admin, &r), "findings"), "response");
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "due_soon");
    ck_assert_str_eq(json_string_value(json_object_get(f, "due")), "2026-10-28");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_student_compliance_access)
{
    char a[128], b[128];
    snprintf(a, sizeof(a), "/students/%s/compliance?as_of=2026-11-01", cw.student_a);
    snprintf(b, sizeof(b), "/students/%s/compliance?as_of=2026-11-01", cw.student_b);
    tt_expect_status("GET", a, cw.tok_student_a, NULL, 200); /* own findings */
    tt_expect_status("GET", b, cw.tok_student_a, NULL, 404); /* another student's: not even that it exists */
    tt_expect_status("GET", a, cw.tok_tutor_a, NULL, 200);
    tt_expect_status("GET", b, cw.tok_tutor_a, NULL, 404); /* not TA's tutee */
    tt_expect_status("GET", a, cw.tok_senior_p, NULL, 200);
    tt_expect_status("GET", a, cw.tok_senior_q, NULL, 404); /* senior tutor of another school */
    tt_expect_status("GET", a, cw.tok_registry, NULL, 403);
    tt_expect_status("GET", a, cw.tok_admin, NULL, 200);
    tt_expect_status("GET", a, NULL, NULL, 401);
    tt_expect_status("GET", "/students/NOSUCH0/compliance", cw.tok_admin, NULL, 404);
    snprintf(a, sizeof(a), "/students/%s/compliance?as_of=2026-13-01", cw.student_a);
    tt_expect_status("GET", a, cw.tok_admin, NULL, 400);
}
END_TEST

START_TEST(test_tutor_compliance)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s/compliance?as_of=2026-11-01", cw.tutor_a);
    json_t *body = get_json(path, cw.tok_tutor_a, &r);
    ck_assert_str_eq(json_string_value(json_object_get(body, "tutor")), cw.tutor_a);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "tutees")), 1);
    json_t *training = tt_finding(json_object_get(body, "findings"), "training");
    ck_assert_ptr_nonnull(training);
    ck_assert_str_eq(json_string_value(json_object_get(training, "tutor")), cw.tutor_a);
    ck_assert_ptr_nonnull(tt_finding(json_object_get(body, "findings"), "quiz"));
    json_t *rule = tt_finding(json_object_get(body, "rules"), "response");
    ck_assert_ptr_nonnull(rule);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "counts"), "breached")), 1);
    harness_response_free(&r);
    tt_expect_status("GET", path, cw.tok_senior_p, NULL, 200);
    tt_expect_status("GET", path, cw.tok_admin, NULL, 200);
    tt_expect_status("GET", path, cw.tok_tutor_b, NULL, 404); /* another tutor */
    tt_expect_status("GET", path, cw.tok_senior_q, NULL, 404);
    tt_expect_status("GET", path, cw.tok_student_a, NULL, 403);
    tt_expect_status("GET", path, cw.tok_registry, NULL, 403);
}
END_TEST

START_TEST(test_agenda_soonest_first)
{
    char path[128];
    struct tt_response r;
    /* a second tutee for TA whose message of Monday 26th is awaiting a reply (due Thursday 29th) */
    char c[24], id[24];
    snprintf(c, sizeof(c), "C%.22s", cw.student_a + 1);
    cworld_student(c, cw.school_p, cw.tutor_a);
    tt_contact(c, cw.tutor_a, "message", "from_student", "2026-10-26T09:00:00+00:00", NULL, id);
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-10-27", cw.tutor_a);
    json_t *body = get_json(path, cw.tok_tutor_a, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "tutees")), 2);
    json_t *items = json_object_get(body, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    const char *prev = "";
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *due = json_string_value(json_object_get(item, "due"));
        ck_assert_ptr_nonnull(due);
        ck_assert_int_le(strcmp(prev, due), 0);
        ck_assert_ptr_nonnull(json_object_get(item, "rule"));
        ck_assert_ptr_nonnull(json_object_get(item, "status"));
        ck_assert_ptr_nonnull(json_object_get(item, "detail"));
        prev = due;
    }
    harness_response_free(&r);
    /* limit=1 pages through the same list */
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-10-27&limit=1", cw.tutor_a);
    body = get_json(path, cw.tok_tutor_a, &r);
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    ck_assert(json_is_string(json_object_get(body, "next_cursor")));
    harness_response_free(&r);
    tt_expect_status("GET", path, cw.tok_tutor_b, NULL, 404);
    tt_expect_status("GET", path, cw.tok_student_a, NULL, 403);
    tt_expect_status("GET", path, cw.tok_senior_p, NULL, 200);
}
END_TEST

START_TEST(test_school_compliance)
{
    char path[160];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/compliance?as_of=2026-11-01", cw.school_p);
    json_t *body = get_json(path, cw.tok_senior_p, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "students")), 2);
    json_t *counts = json_object_get(tt_finding(json_object_get(body, "rules"), "response"), "counts");
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "breached")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "met")), 1);
    json_t *items = json_object_get(body, "items");
    ck_assert_int_ge(json_array_size(items), 1);
    json_t *first = json_array_get(items, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "student")), cw.student_a);
    ck_assert_ptr_nonnull(tt_finding(json_object_get(first, "findings"), "response"));
    size_t listed = json_array_size(items);
    harness_response_free(&r);
    /* pages of one */
    snprintf(path, sizeof(path), "/schools/%s/compliance?as_of=2026-11-01&limit=1", cw.school_p);
    body = get_json(path, cw.tok_admin, &r);
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    ck_assert(listed == 1 ? json_is_null(json_object_get(body, "next_cursor"))
                          : json_is_string(json_object_get(body, "next_cursor")));
    harness_response_free(&r);
    tt_expect_status("GET", path, cw.tok_senior_q, NULL, 403);
    tt_expect_status("GET", path, cw.tok_tutor_a, NULL, 403);
    tt_expect_status("GET", path, cw.tok_registry, NULL, 403);
    tt_expect_status("GET", "/schools/NOSUCHX/compliance", cw.tok_admin, NULL, 404);
    snprintf(path, sizeof(path), "/schools/%s/compliance?limit=0", cw.school_p);
    tt_expect_status("GET", path, cw.tok_admin, NULL, 400);
}
END_TEST

/* GET `path` as `token` answers `status` with a detail that contains `detail`. */
static void expect_detail(const char *path, const char *token, long status, const char *detail)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", path, token, NULL, &r), 0);
    ck_assert_int_eq(r.status, status);
    const char *said = json_string_value(json_object_get(r.json, "detail"));
    ck_assert_msg(said && strstr(said, detail), "GET %s: detail %s, wanted %s", path, said ? said : "(none)", detail);
    harness_response_free(&r);
}

/* Each refusal says which step refused: the student, the tutor, the school, the school's authority. */
START_TEST(test_refusals_name_what_refused)
{
    char path[160];
    expect_detail("/students/NOSUCH0/compliance", cw.tok_admin, 404, "no such student");
    expect_detail("/tutors/NOSUCH0/compliance", cw.tok_admin, 404, "no such tutor");
    expect_detail("/tutors/NOSUCH0/agenda", cw.tok_admin, 404, "no such tutor");
    expect_detail("/schools/NOSUCHX/compliance", cw.tok_admin, 404, "no such school");
    snprintf(path, sizeof(path), "/schools/%s/compliance", cw.school_p);
    expect_detail(path, cw.tok_senior_q, 403, "only a senior tutor of the school or an admin");
    snprintf(path, sizeof(path), "/tutors/%s/compliance", cw.tutor_a);
    expect_detail(path, cw.tok_student_a, 403, "only tutors, senior tutors and admins");
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_late_reply_is_breached_with_evidence,
        test_reply_in_time_is_met,
        test_student_compliance_access,
        test_tutor_compliance,
        test_agenda_soonest_first,
        test_school_compliance,
        test_refusals_name_what_refused,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "compliance", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
