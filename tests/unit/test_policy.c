/* test_policy.c — policy parsing errors (every one named by JSON path, all collected),
 * cohort overrides, versions, findings JSON and the agenda helper. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static json_t *errors_of(const char *text) {
  pe_policy *p = NULL;
  json_t *errs = NULL;
  ck_assert_int_eq(pe_policy_parse_string(text, strlen(text), &p, &errs), PE_INVALID);
  ck_assert_ptr_null(p);
  ck_assert_ptr_nonnull(errs);
  return errs;
}

static bool has(const json_t *errs, const char *field) {
  size_t i;
  const json_t *e;
  json_array_foreach(
      errs, i, e) if (!strcmp(json_string_value(json_object_get(e, "field")), field)) return true;
  return false;
}

START_TEST(all_errors_collected_with_paths) {
  json_t *errs = errors_of(
      "{\"name\": \"x\", \"effective_from\": \"2026-02-30\", \"colour\": 1, \"warning_days\": -1,"
      " \"rules\": ["
      "  {\"id\": \"a\", \"type\": \"no_such_rule\", \"source\": \"s\"},"
      "  {\"id\": \"b\", \"type\": \"response_within\", \"source\": \"s\", \"hours\": 3},"
      "  {\"id\": \"c\", \"type\": \"response_within\", \"working_days\": 99, \"source\": \"s\"},"
      "  {\"id\": \"d\", \"type\": \"allocation_within\", \"days\": \"seven\", \"source\": \"s\"},"
      "  {\"id\": \"a\", \"type\": \"meetings_per_year\", \"min\": 4, \"kinds\": [\"lecture\"]},"
      "  {\"id\": \"g\", \"type\": \"group_sessions\", \"level\": \"9\", \"min\": 6, \"source\": \"s\"},"
      "  {\"id\": \"h\", \"type\": \"first_meeting_within\", \"days\": 14, \"from\": \"birth\", \"source\": \"s\"},"
      "  7],"
      " \"cohorts\": [{\"match\": {\"level\": [\"4\", \"12\"], \"mood\": [\"x\"]}, \"rules\": ["
      "  {\"id\": \"zz\", \"enabled\": false},"
      "  {\"id\": \"b\", \"type\": \"response_within\", \"source\": \"s\"}]}]}");
  const char *fields[] = {"$.effective_from",
                          "$.colour",
                          "$.warning_days",
                          "$.rules[0].type",
                          "$.rules[1].working_days",
                          "$.rules[1].hours",
                          "$.rules[2].working_days",
                          "$.rules[3].days",
                          "$.rules[4]",
                          "$.rules[4].kinds[0]",
                          "$.rules[4].source",
                          "$.rules[5].level",
                          "$.rules[6].from",
                          "$.rules[7]",
                          "$.cohorts[0].match.level[1]",
                          "$.cohorts[0].match.mood",
                          "$.cohorts[0].rules[0].id",
                          "$.cohorts[0].rules[1].working_days"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    ck_assert_msg(has(errs, fields[i]), "no error for %s", fields[i]);
  ck_assert_uint_eq(json_array_size(errs), sizeof fields / sizeof fields[0]);
  json_decref(errs);
}
END_TEST

START_TEST(syntax_and_duplicate_keys) {
  json_t *errs = errors_of("{\"name\": \"x\", \"name\": \"y\"}");
  ck_assert(has(errs, "$"));
  json_decref(errs);
  errs = errors_of("{\"name\": ");
  ck_assert(has(errs, "$"));
  json_decref(errs);
  errs = errors_of("{}");
  ck_assert(has(errs, "$.name") && has(errs, "$.effective_from") && has(errs, "$.rules"));
  json_decref(errs);
}
END_TEST

#define COHORT_POLICY                                                                                            \
  "{\"name\": \"p\", \"effective_from\": \"2026-08-01\", \"rules\": ["                                           \
  "  {\"id\": \"meetings\", \"type\": \"meetings_per_year\", \"min\": 4, \"source\": \"s\"},"                    \
  "  {\"id\": \"monthly\", \"type\": \"contact_monthly\", \"source\": \"s\"}],"                                  \
  " \"cohorts\": ["                                                                                              \
  "  {\"match\": {\"level\": [\"4\"]}, \"rules\": ["                                                             \
  "    {\"id\": \"meetings\", \"type\": \"meetings_per_year\", \"min\": 6, \"source\": \"L4\"},"                 \
  "    {\"id\": \"wethrive\", \"type\": \"group_sessions\", \"level\": \"4\", \"min\": 6, \"source\": \"s\"}]}," \
  "  {\"match\": {\"cohort\": [\"DL\"], \"status\": [\"studying\"]}, \"rules\": ["                               \
  "    {\"id\": \"monthly\", \"enabled\": false}]}]}"

START_TEST(cohort_overrides) {
  pe_policy *p = test_policy(COHORT_POLICY);
  const pe_rule *r[PE_MAX_RULES];
  size_t n = pe_policy_effective_rules(p, PE_LEVEL_4, PE_COHORT_UG, PE_ST_STUDYING, r);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(r[0]->id, "meetings");
  ck_assert_int_eq(r[0]->param[PE_P_MIN], 6);
  ck_assert_str_eq(r[2]->id, "wethrive");
  n = pe_policy_effective_rules(p, PE_LEVEL_5, PE_COHORT_DL, PE_ST_STUDYING, r);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(r[0]->param[PE_P_MIN], 4);
  n = pe_policy_effective_rules(p, PE_LEVEL_5, PE_COHORT_DL, PE_ST_PLACEMENT, r);
  ck_assert_uint_eq(n, 2);
  pe_policy_free(p);
}
END_TEST

#define RESP(wd, from)                                                                             \
  "{\"name\": \"v\", \"effective_from\": \"" from "\", \"rules\": [{\"id\": \"r\","                \
  " \"type\": \"response_within\", \"working_days\": " #wd ", \"source\": \"v" #wd "\"}]}"

START_TEST(versions_use_the_version_in_force_at_due) {
  world w;
  world_init_policy(&w, RESP(3, "2026-08-01"));
  w.policy[1] = test_policy(RESP(5, "2026-10-28"));
  w.n_policies = 2;
  pe_contact m = C(1, PE_C_MESSAGE, "2026-10-23T17:00:00+01:00");
  m.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, m);
  /* v1 would be due 10-28 — already v2's day — so v2 (5 working days, due 10-30) judges */
  const pe_finding *f = world_eval(&w, "2026-10-29", "r");
  ck_assert_int_eq(f->status, PE_DUE_SOON);
  ck_assert_int_eq(f->due, D("2026-10-30"));
  ck_assert_str_eq(f->source, "v5");
  ck_assert_uint_eq(w.findings.n, 1);
  w.contacts[0].at = T("2026-10-19T10:00:00+01:00"); /* v1 due 10-22: v1 judges */
  f = world_eval(&w, "2026-10-29", "r");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_str_eq(f->source, "v3");
  ck_assert_ptr_eq(pe_policy_in_force((const pe_policy *const *)w.policy, 2, D("2026-10-27")),
                   w.policy[0]);
  ck_assert_ptr_eq(pe_policy_in_force((const pe_policy *const *)w.policy, 2, D("2026-10-28")),
                   w.policy[1]);
  world_free(&w);
}
END_TEST

START_TEST(findings_json_and_next_due) {
  world w;
  world_init_policy(&w,
                    "{\"name\": \"CMS\", \"effective_from\": \"2026-08-01\", \"rules\": ["
                    "{\"id\": \"response\", \"type\": \"response_within\", \"working_days\": 3,"
                    " \"source\": \"CoP\"},"
                    "{\"id\": \"monthly\", \"type\": \"contact_monthly\", \"source\": \"M\"}]}");
  pe_contact m = C(42, PE_C_MESSAGE, "2026-10-23T17:00:00+01:00");
  m.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, m);
  world_add(&w, C(43, PE_C_EMAIL, "2026-09-29T10:00:00+01:00"));
  world_eval(&w, "2026-11-01", "response");
  json_t *j = pe_compliance_to_json("S1", D("2026-11-01"), w.policy[0], &w.findings);
  json_t *f = json_array_get(json_object_get(j, "findings"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(j, "as_of")), "2026-11-01");
  ck_assert_str_eq(
      json_string_value(json_object_get(json_object_get(j, "policy"), "effective_from")),
      "2026-08-01");
  ck_assert_str_eq(json_string_value(json_object_get(f, "rule")), "response");
  ck_assert_str_eq(json_string_value(json_object_get(f, "type")), "response_within");
  ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "breached");
  ck_assert_str_eq(json_string_value(json_object_get(f, "due")), "2026-10-28");
  ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(f, "evidence"), 0)), 42);
  ck_assert_str_eq(json_string_value(json_object_get(f, "detail")),
                   "message of 2026-10-23 not answered within 3 working days");
  ck_assert_str_eq(json_string_value(json_object_get(f, "source")), "CoP");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "window"), "start")),
                   "2026-09-21");
  json_t *mf = json_array_get(json_object_get(j, "findings"), 1); /* October: no contact */
  ck_assert_str_eq(json_string_value(json_object_get(mf, "status")), "breached");
  json_t *gap = json_object_get(json_array_get(json_object_get(mf, "evidence"), 0), "gap");
  ck_assert_str_eq(json_string_value(json_object_get(gap, "start")), "2026-10-01");
  ck_assert_int_eq(pe_findings_next_due(&w.findings), 0); /* 10-28 before October's 10-31 */
  w.findings.items[0].status = PE_MET;
  ck_assert_int_eq(pe_findings_next_due(&w.findings), 1);
  w.findings.items[1].status = PE_NOT_APPLICABLE;
  ck_assert_int_eq(pe_findings_next_due(&w.findings), -1);
  json_decref(j);
  world_free(&w);
}
END_TEST

Suite *policy_suite(void) {
  Suite *s = suite_create("policy");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, all_errors_collected_with_paths);
  tcase_add_test(tc, syntax_and_duplicate_keys);
  tcase_add_test(tc, cohort_overrides);
  tcase_add_test(tc, versions_use_the_version_in_force_at_due);
  tcase_add_test(tc, findings_json_and_next_due);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(policy_suite());
}
