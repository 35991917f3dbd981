/* test_policies.c — GET/PUT /schools/{code}/policy, GET /policy-presets, POST /schools/{code}/policy:simulate:
 * presets, versions, who may set a policy, a bad policy → 422 with the JSON path, and a simulation that
 * writes nothing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long count_policies(const char *school)
{
    const char *params[1] = {school};
    return harness_sql_long("SELECT count(*) FROM school_policies WHERE school = $1", 1, params);
}

/* The rule of `preset` whose id is `id` in the listing's `key` array ("rules" or "encoded"), or NULL. */
static json_t *listed_rule(json_t *preset, const char *key, const char *id)
{
    json_t *rule;
    size_t k;
    json_array_foreach(json_object_get(preset, key), k, rule)
    {
        if (strcmp(json_string_value(json_object_get(rule, "id")), id) == 0)
            return rule;
    }
    return NULL;
}

/* True when some not_encoded clause of `preset` contains `text`. */
static int lists_unencoded(json_t *preset, const char *text)
{
    json_t *item;
    size_t k;
    json_array_foreach(json_object_get(preset, "not_encoded"), k, item)
    {
        if (strstr(json_string_value(json_object_get(item, "clause")), text))
            return 1;
    }
    return 0;
}

/* Every preset lists its rules in full, the clauses it encodes (id, type, a quoted source, one per rule)
 * and the clauses it does not encode with a reason; any authenticated caller may read it. */
START_TEST(test_presets_listed)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/policy-presets", cw.tok_student_a, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 3);
    const char *names[] = {"leicester", "essex", "westminster"};
    const size_t n_rules[] = {16, 8, 6};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(items, i), *e, *item;
        size_t k;
        ck_assert_str_eq(json_string_value(json_object_get(p, "name")), names[i]);
        ck_assert(json_string_length(json_object_get(p, "description")) > 20);
        ck_assert_int_ge(json_array_size(json_object_get(p, "documents")), 1);
        ck_assert_uint_eq(json_array_size(json_object_get(p, "rules")), n_rules[i]);
        ck_assert_uint_eq(json_array_size(json_object_get(p, "encoded")), n_rules[i]);
        json_array_foreach(json_object_get(p, "encoded"), k, e)
        {
            ck_assert_uint_eq(json_object_size(e), 3);
            ck_assert_ptr_nonnull(strchr(json_string_value(json_object_get(e, "source")), '"'));
            ck_assert_str_eq(
                json_string_value(json_object_get(e, "type")),
                json_string_value(json_object_get(json_array_get(json_object_get(p, "rules"), k), "type")));
        }
        ck_assert_int_ge(json_array_size(json_object_get(p, "not_encoded")), 5);
        json_array_foreach(json_object_get(p, "not_encoded"), k, item)
            ck_assert(json_string_length(json_object_get(item, "reason")) > 10);
    }
    json_t *leicester = json_array_get(items, 0), *essex = json_array_get(items, 1),
           *westminster = json_array_get(items, 2);
    ck_assert_ptr_nonnull(listed_rule(westminster, "rules", "wethrive"));
    ck_assert_int_eq(json_integer_value(json_object_get(listed_rule(westminster, "rules", "senior_tutors"), "max")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(westminster, "senior_tutor_hours"), "max")),
                     300);
    ck_assert_ptr_nonnull(listed_rule(leicester, "encoded", "welcome_week"));
    ck_assert_ptr_null(listed_rule(leicester, "rules", "non_attendance"));
    ck_assert(lists_unencoded(leicester, "Help students understand departmental and university procedures"));
    ck_assert(lists_unencoded(essex, "Student Voice Groups annually"));
    ck_assert(lists_unencoded(westminster, "consultation hours"));
    harness_response_free(&r);
    tt_expect_status("GET", "/policy-presets", NULL, NULL, 401);
}
END_TEST

/* A preset adopted by PUT is stored as the listing shows it: the same rules, in order. */
START_TEST(test_preset_adopted_as_listed)
{
    char path[96];
    struct tt_response r, list;
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    ck_assert_int_eq(harness_json("PUT", path, cw.tok_admin, "{\"preset\":\"westminster\"}", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(harness_json("GET", "/policy-presets", cw.tok_admin, NULL, &list), 0);
    json_t *listed = json_object_get(json_array_get(json_object_get(list.json, "items"), 2), "rules");
    json_t *stored = json_object_get(json_object_get(r.json, "policy"), "rules");
    ck_assert_uint_eq(json_array_size(stored), json_array_size(listed));
    ck_assert(json_equal(stored, listed));
    ck_assert(
        json_equal(json_object_get(json_object_get(r.json, "policy"), "senior_tutor_hours"),
                   json_object_get(json_array_get(json_object_get(list.json, "items"), 2), "senior_tutor_hours")));
    harness_response_free(&list);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_put_versions_and_get)
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    ck_assert_int_eq(harness_json("GET", path, cw.tok_student_a, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "preset")), "leicester");
    char etag[64];
    snprintf(etag, sizeof(etag), "%s", r.etag);
    harness_response_free(&r);
    /* admin adopts Essex from a later date: a second version, the first still in use before it */
    ck_assert_int_eq(
        harness_json("PUT", path, cw.tok_admin, "{\"preset\":\"essex\",\"effective_from\":\"2027-01-01\"}", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "versions")), 2);
    ck_assert_str_ne(r.etag, etag);
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(cw.school_p), 2);
    /* a stale If-Match is refused and writes nothing */
    const char *headers[] = {NULL, NULL};
    char if_match[96];
    snprintf(if_match, sizeof(if_match), "If-Match: %s", etag);
    headers[0] = if_match;
    ck_assert_int_eq(
        harness_request("PUT", path, cw.tok_admin, "application/json", "{\"preset\":\"westminster\"}", headers, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(cw.school_p), 2);
    /* the audit trail and the change feed record each version */
    const char *params[1] = {cw.school_p};
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM events WHERE kind = 'policy.set' AND subject = $1", 1, params), 2);
}
END_TEST

START_TEST(test_who_may_set_a_policy)
{
    char path[96];
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status("PUT", path, cw.tok_tutor_a, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("PUT", path, cw.tok_senior_q, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("PUT", path, cw.tok_registry, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("PUT", path, cw.tok_student_a, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("PUT", "/schools/NOSUCHX/policy", cw.tok_admin, "{\"preset\":\"essex\"}", 404);
    ck_assert_int_eq(count_policies(cw.school_p), 1);
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_q);
    tt_expect_status("GET", path, cw.tok_admin, NULL, 404); /* no policy yet */
    /* a senior tutor proposes a draft for the Dean; only an admin (or the Dean) adopts one at once */
    tt_expect_status("PUT", path, cw.tok_senior_q, "{\"preset\":\"westminster\"}", 403);
    ck_assert_int_eq(count_policies(cw.school_q), 0);
    tt_expect_status("PUT", path, cw.tok_admin, "{\"preset\":\"westminster\"}", 200);
    tt_expect_status("GET", path, cw.tok_tutor_a, NULL, 200);
}
END_TEST

static void expect_422(const char *path, const char *body, const char *field)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("PUT", path, cw.tok_admin, body, &r), 0);
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
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
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
    tt_expect_status("PUT", path, cw.tok_admin, "[1]", 400);
    ck_assert_int_eq(count_policies(cw.school_p), 1);
}
END_TEST

START_TEST(test_simulation_compares_and_writes_nothing)
{
    char path[128];
    struct tt_response r;
    const char *params[1] = {cw.school_p};
    long policies = count_policies(cw.school_p);
    long audit = harness_sql_long("SELECT count(*) FROM audit", 0, NULL);
    long events = harness_sql_long("SELECT count(*) FROM events", 0, NULL);
    snprintf(path, sizeof(path), "/schools/%s/policy:simulate?as_of=2026-11-01", cw.school_p);
    /* the draft drops the response rule (Essex has none): A's breach would disappear */
    ck_assert_int_eq(harness_json("POST", path, cw.tok_senior_p, "{\"preset\":\"essex\"}", &r), 0);
    if (r.status != 200)
        fprintf(stderr, "%s\n", r.body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "students")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "draft_policy"), "name")),
                     "University of Essex Personal Tutor Policy");
    json_t *rule = tt_finding(json_object_get(r.json, "rules"), "response");
    ck_assert_ptr_nonnull(rule);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "current"), "breached")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rule, "draft"), "breached")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "changed_students")), 2);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "student")), cw.student_a);
    json_t *change = tt_finding(json_object_get(first, "changes"), "response");
    ck_assert_str_eq(json_string_value(json_object_get(change, "current")), "breached");
    ck_assert(json_is_null(json_object_get(change, "draft")));
    harness_response_free(&r);
    ck_assert_int_eq(count_policies(cw.school_p), policies);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM audit", 0, NULL), audit);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM events", 0, NULL), events);
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM school_policies WHERE school = $1 AND preset = 'essex'", 1, params), 0);
    /* the same draft as the current policy changes nothing */
    ck_assert_int_eq(harness_json("POST", path, cw.tok_admin, "{\"preset\":\"leicester\"}", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "changed_students")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    harness_response_free(&r);
    tt_expect_status("POST", path, cw.tok_tutor_a, "{\"preset\":\"essex\"}", 403);
    tt_expect_status("POST", path, cw.tok_senior_q, "{\"preset\":\"essex\"}", 403);
    ck_assert_int_eq(harness_json("POST", path, cw.tok_admin, "{\"name\":\"x\"}", &r), 0);
    ck_assert_int_eq(r.status, 422);
    harness_response_free(&r);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_presets_listed,
        test_preset_adopted_as_listed,
        test_put_versions_and_get,
        test_who_may_set_a_policy,
        test_bad_policy_names_the_path,
        test_simulation_compares_and_writes_nothing,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "policies", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
