/* test_policies.c — GET/PUT /schools/{code}/policy, GET /policy-presets, POST /schools/{code}/policy:simulate:
 * presets, versions, who may set a policy, a bad policy → 422 with the JSON path, and a simulation that
 * writes nothing. */
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

static long count_policies(const char *school)
{
    const char *params[1] = {school};
    return harness_sql_long("SELECT count(*) FROM school_policies WHERE school = $1", 1, params);
}

START_TEST(test_presets_listed)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/policy-presets", w.tok_tutor_a, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 3);
    const char *names[] = {"leicester", "essex", "westminster"};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(items, i);
        ck_assert_str_eq(json_string_value(json_object_get(p, "name")), names[i]);
        ck_assert(json_string_length(json_object_get(p, "description")) > 20);
        ck_assert_int_ge(json_array_size(json_object_get(p, "rules")), 3);
    }
    json_t *rules = json_object_get(json_array_get(items, 2), "rules"), *rule;
    size_t k;
    int wethrive = 0;
    json_array_foreach(rules, k, rule) wethrive |=
        strcmp(json_string_value(json_object_get(rule, "id")), "wethrive") == 0;
    ck_assert(wethrive);
    harness_response_free(&r);
    cworld_expect("GET", "/policy-presets", NULL, NULL, 401);
}
END_TEST

START_TEST(test_put_versions_and_get)
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_p);
    ck_assert_int_eq(harness_json("GET", path, w.tok_student_a, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "preset")), "leicester");
    char etag[64];
    snprintf(etag, sizeof(etag), "%s", r.etag);
    harness_response_free(&r);
    /* admin adopts Essex from a later date: a second version, the first still in use before it */
    ck_assert_int_eq(
        harness_json("PUT", path, w.tok_admin, "{\"preset\":\"essex\",\"effective_from\":\"2027-01-01\"}", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "versions")), 2);
    ck_assert_str_ne(r.etag, etag);
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(w.school_p), 2);
    /* a stale If-Match is refused and writes nothing */
    const char *headers[] = {NULL, NULL};
    char if_match[96];
    snprintf(if_match, sizeof(if_match), "If-Match: %s", etag);
    headers[0] = if_match;
    ck_assert_int_eq(
        harness_request("PUT", path, w.tok_admin, "application/json", "{\"preset\":\"westminster\"}", headers, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(w.school_p), 2);
    /* the audit trail and the change feed record each version */
    const char *params[1] = {w.school_p};
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM events WHERE kind = 'policy.set' AND subject = $1", 1, params), 2);
}
END_TEST

START_TEST(test_who_may_set_a_policy)
{
    char path[96];
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_p);
    cworld_expect("PUT", path, w.tok_tutor_a, "{\"preset\":\"essex\"}", 403);
    cworld_expect("PUT", path, w.tok_senior_q, "{\"preset\":\"essex\"}", 403);
    cworld_expect("PUT", path, w.tok_registry, "{\"preset\":\"essex\"}", 403);
    cworld_expect("PUT", path, w.tok_student_a, "{\"preset\":\"essex\"}", 403);
    cworld_expect("PUT", "/schools/NOSUCHX/policy", w.tok_admin, "{\"preset\":\"essex\"}", 404);
    ck_assert_int_eq(count_policies(w.school_p), 1);
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_q);
    cworld_expect("GET", path, w.tok_admin, NULL, 404); /* no policy yet */
    cworld_expect("PUT", path, w.tok_senior_q, "{\"preset\":\"westminster\"}", 200);
    cworld_expect("GET", path, w.tok_tutor_a, NULL, 200);
}
END_TEST

static void expect_422(const char *path, const char *body, const char *field)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("PUT", path, w.tok_admin, body, &r), 0);
    ck_assert_int_eq(r.status, 422);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    json_t *errors = json_object_get(r.json, "errors");
    int found = 0;
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) found |= strcmp(json_string_value(json_object_get(e, "field")), field) == 0;
    if (!found)
        fprintf(stderr, "expected %s in %s\n", field, r.body);
    ck_assert(found);
    harness_response_free(&r);
}

START_TEST(test_bad_policy_names_the_path)
{
    char path[96];
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_p);
    expect_422(path,
               "{\"name\":\"P 2027\",\"effective_from\":\"2027-01-01\",\"rules\":["
               "{\"id\":\"allocation\",\"type\":\"allocation_within\",\"days\":7},"
               "{\"id\":\"response\",\"type\":\"response_within\",\"working_days\":3},"
               "{\"id\":\"first\",\"type\":\"first_meeting_within\",\"days\":-1,\"from\":\"registration\","
               "\"applies_to\":\"new\"}]}",
               "$.rules[2].days");
    expect_422(path, "{\"name\":\"P\",\"effective_from\":\"2027-01-01\",\"rules\":[{\"id\":\"x\",\"type\":\"nope\"}]}",
               "$.rules[0].type");
    expect_422(path, "{\"preset\":\"oxford\"}", "preset");
    expect_422(path, "{\"preset\":\"essex\",\"effective_from\":\"2027-02-30\"}", "effective_from");
    expect_422(path, "{\"preset\":\"essex\",\"rules\":[]}", "rules");
    cworld_expect("PUT", path, w.tok_admin, "[1]", 400);
    ck_assert_int_eq(count_policies(w.school_p), 1);
}
END_TEST

START_TEST(test_simulation_compares_and_writes_nothing)
{
    char path[128];
    struct tt_response r;
    const char *params[1] = {w.school_p};
    long policies = count_policies(w.school_p);
    long audit = harness_sql_long("SELECT count(*) FROM audit", 0, NULL);
    long events = harness_sql_long("SELECT count(*) FROM events", 0, NULL);
    snprintf(path, sizeof(path), "/schools/%s/policy:simulate?as_of=2026-11-01", w.school_p);
    /* the draft drops the response rule (Essex has none): A's breach would disappear */
    ck_assert_int_eq(harness_json("POST", path, w.tok_senior_p, "{\"preset\":\"essex\"}", &r), 0);
    if (r.status != 200)
        fprintf(stderr, "%s\n", r.body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "students")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "draft_policy"), "name")),
                     "University of Essex Personal Tutor Policy");
    json_t *rule = cworld_finding(json_object_get(r.json, "rules"), "response");
    ck_assert_ptr_nonnull(rule);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "current"), "breached")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "draft"), "breached")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "changed_students")), 2);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "student")), w.student_a);
    json_t *change = cworld_finding(json_object_get(first, "changes"), "response");
    ck_assert_str_eq(json_string_value(json_object_get(change, "current")), "breached");
    ck_assert(json_is_null(json_object_get(change, "draft")));
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(w.school_p), policies);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM audit", 0, NULL), audit);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM events", 0, NULL), events);
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM school_policies WHERE school = $1 AND preset = 'essex'", 1, params), 0);
    /* the same draft as the current policy changes nothing */
    ck_assert_int_eq(harness_json("POST", path, w.tok_admin, "{\"preset\":\"leicester\"}", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "changed_students")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    harness_response_free(&r);
    cworld_expect("POST", path, w.tok_tutor_a, "{\"preset\":\"essex\"}", 403);
    cworld_expect("POST", path, w.tok_senior_q, "{\"preset\":\"essex\"}", 403);
    ck_assert_int_eq(harness_json("POST", path, w.tok_admin, "{\"name\":\"x\"}", &r), 0);
    ck_assert_int_eq(r.status, 422);
    harness_response_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policies");
    TCase *tc = tcase_create("policies");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_presets_listed);
    tcase_add_test(tc, test_put_versions_and_get);
    tcase_add_test(tc, test_who_may_set_a_policy);
    tcase_add_test(tc, test_bad_policy_names_the_path);
    tcase_add_test(tc, test_simulation_compares_and_writes_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
