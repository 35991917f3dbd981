/* test_compliance.c — GET /students/{n}/compliance, /tutors/{staff}/compliance, /tutors/{staff}/agenda
 * and /schools/{code}/compliance over a hand-built timeline (compliance_world.h), with SPEC §2 access. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "compliance_world.h"
#include "harness.h"

static struct cworld w;

static void setup(void)
{
    cworld_make(&w);
}

static void teardown(void)
{
    cworld_free(&w);
}

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
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-11-01", w.student_a);
    json_t *body = get_json(path, w.tok_tutor_a, &r);
    ck_assert_str_eq(json_string_value(json_object_get(body, "student")), w.student_a);
    ck_assert_str_eq(json_string_value(json_object_get(body, "as_of")), "2026-11-01");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(body, "policy"), "name")),
                     "University of Leicester Code of Practice on Personal Tutoring");
    json_t *f = cworld_finding(json_object_get(body, "findings"), "response");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(json_string_value(json_object_get(f, "type")), "response_within");
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "breached");
    ck_assert_str_eq(json_string_value(json_object_get(f, "due")), "2026-10-28");
    json_t *evidence = json_object_get(f, "evidence");
    ck_assert_int_eq(json_array_size(evidence), 1);
    ck_assert_int_eq(json_integer_value(json_array_get(evidence, 0)), atoll(w.message_a));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "detail")), "2026-10-23"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(f, "source")), "3 working days"));
    harness_response_free(&r);
}
END_TEST

START_TEST(test_reply_in_time_is_met)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-11-01T12:00:00Z", w.student_b);
    json_t *f = cworld_finding(json_object_get(get_json(path, w.tok_senior_p, &r), "findings"), "response");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "met");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(f, "evidence"), 0)), atoll(w.reply_b));
    harness_response_free(&r);
    /* before the deadline, A's message is still awaited: not yet breached */
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-10-26", w.student_a);
    f = cworld_finding(json_object_get(get_json(path, w.tok_admin, &r), "findings"), "response");
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "due_soon");
    ck_assert_str_eq(json_string_value(json_object_get(f, "due")), "2026-10-28");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_student_compliance_access)
{
    char a[128], b[128];
    snprintf(a, sizeof(a), "/students/%s/compliance?as_of=2026-11-01", w.student_a);
    snprintf(b, sizeof(b), "/students/%s/compliance?as_of=2026-11-01", w.student_b);
    cworld_expect("GET", a, w.tok_student_a, NULL, 200); /* own findings */
    cworld_expect("GET", b, w.tok_student_a, NULL, 404); /* another student's: not even that it exists */
    cworld_expect("GET", a, w.tok_tutor_a, NULL, 200);
    cworld_expect("GET", b, w.tok_tutor_a, NULL, 404); /* not TA's tutee */
    cworld_expect("GET", a, w.tok_senior_p, NULL, 200);
    cworld_expect("GET", a, w.tok_senior_q, NULL, 404); /* senior tutor of another school */
    cworld_expect("GET", a, w.tok_registry, NULL, 403);
    cworld_expect("GET", a, w.tok_admin, NULL, 200);
    cworld_expect("GET", a, NULL, NULL, 401);
    cworld_expect("GET", "/students/NOSUCH0/compliance", w.tok_admin, NULL, 404);
    snprintf(a, sizeof(a), "/students/%s/compliance?as_of=2026-13-01", w.student_a);
    cworld_expect("GET", a, w.tok_admin, NULL, 400);
}
END_TEST

START_TEST(test_tutor_compliance)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s/compliance?as_of=2026-11-01", w.tutor_a);
    json_t *body = get_json(path, w.tok_tutor_a, &r);
    ck_assert_str_eq(json_string_value(json_object_get(body, "tutor")), w.tutor_a);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "tutees")), 1);
    json_t *training = cworld_finding(json_object_get(body, "findings"), "training");
    ck_assert_ptr_nonnull(training);
    ck_assert_str_eq(json_string_value(json_object_get(training, "tutor")), w.tutor_a);
    ck_assert_ptr_nonnull(cworld_finding(json_object_get(body, "findings"), "quiz"));
    json_t *rule = cworld_finding(json_object_get(body, "rules"), "response");
    ck_assert_ptr_nonnull(rule);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "counts"), "breached")), 1);
    harness_response_free(&r);
    cworld_expect("GET", path, w.tok_senior_p, NULL, 200);
    cworld_expect("GET", path, w.tok_admin, NULL, 200);
    cworld_expect("GET", path, w.tok_tutor_b, NULL, 404); /* another tutor */
    cworld_expect("GET", path, w.tok_senior_q, NULL, 404);
    cworld_expect("GET", path, w.tok_student_a, NULL, 403);
    cworld_expect("GET", path, w.tok_registry, NULL, 403);
}
END_TEST

START_TEST(test_agenda_soonest_first)
{
    char path[128];
    struct tt_response r;
    /* a second tutee for TA whose message of Monday 26th is awaiting a reply (due Thursday 29th) */
    char c[24], id[24];
    snprintf(c, sizeof(c), "C%.22s", w.student_a + 1);
    cworld_student(c, w.school_p, w.tutor_a);
    cworld_message(c, w.tutor_a, "2026-10-26T09:00:00+00:00", id);
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-10-27", w.tutor_a);
    json_t *body = get_json(path, w.tok_tutor_a, &r);
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
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=2026-10-27&limit=1", w.tutor_a);
    body = get_json(path, w.tok_tutor_a, &r);
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    ck_assert(json_is_string(json_object_get(body, "next_cursor")));
    harness_response_free(&r);
    cworld_expect("GET", path, w.tok_tutor_b, NULL, 404);
    cworld_expect("GET", path, w.tok_student_a, NULL, 403);
    cworld_expect("GET", path, w.tok_senior_p, NULL, 200);
}
END_TEST

START_TEST(test_school_compliance)
{
    char path[160];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/compliance?as_of=2026-11-01", w.school_p);
    json_t *body = get_json(path, w.tok_senior_p, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "students")), 2);
    json_t *counts = json_object_get(cworld_finding(json_object_get(body, "rules"), "response"), "counts");
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "breached")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(counts, "met")), 1);
    json_t *items = json_object_get(body, "items");
    ck_assert_int_ge(json_array_size(items), 1);
    json_t *first = json_array_get(items, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "student")), w.student_a);
    ck_assert_ptr_nonnull(cworld_finding(json_object_get(first, "findings"), "response"));
    size_t listed = json_array_size(items);
    harness_response_free(&r);
    /* pages of one */
    snprintf(path, sizeof(path), "/schools/%s/compliance?as_of=2026-11-01&limit=1", w.school_p);
    body = get_json(path, w.tok_admin, &r);
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    ck_assert(listed == 1 ? json_is_null(json_object_get(body, "next_cursor"))
                          : json_is_string(json_object_get(body, "next_cursor")));
    harness_response_free(&r);
    cworld_expect("GET", path, w.tok_senior_q, NULL, 403);
    cworld_expect("GET", path, w.tok_tutor_a, NULL, 403);
    cworld_expect("GET", path, w.tok_registry, NULL, 403);
    cworld_expect("GET", "/schools/NOSUCHX/compliance", w.tok_admin, NULL, 404);
    snprintf(path, sizeof(path), "/schools/%s/compliance?limit=0", w.school_p);
    cworld_expect("GET", path, w.tok_admin, NULL, 400);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compliance");
    TCase *tc = tcase_create("compliance");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_late_reply_is_breached_with_evidence);
    tcase_add_test(tc, test_reply_in_time_is_met);
    tcase_add_test(tc, test_student_compliance_access);
    tcase_add_test(tc, test_tutor_compliance);
    tcase_add_test(tc, test_agenda_soonest_first);
    tcase_add_test(tc, test_school_compliance);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
