/* helpers.c — shared fixtures for the engine's unit tests. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const TEST_CALENDAR_JSON =
    "{\"time_zone\": \"Europe/London\","
    " \"years\": ["
    "  {\"label\": \"2026/27\", \"start\": \"2026-09-01\", \"end\": \"2027-08-31\", \"terms\": ["
    "    {\"name\": \"Autumn\", \"start\": \"2026-09-28\", \"end\": \"2026-12-11\"},"
    "    {\"name\": \"Spring\", \"start\": \"2027-01-11\", \"end\": \"2027-03-26\"},"
    "    {\"name\": \"Summer\", \"start\": \"2027-04-26\", \"end\": \"2027-06-11\"}]},"
    "  {\"label\": \"2027/28\", \"start\": \"2027-09-01\", \"end\": \"2028-08-31\", \"terms\": ["
    "    {\"name\": \"Autumn\", \"start\": \"2027-09-27\", \"end\": \"2027-12-10\"},"
    "    {\"name\": \"Winter vacation\", \"start\": \"2027-12-11\", \"end\": \"2028-01-09\","
    "     \"teaching\": false},"
    "    {\"name\": \"Spring\", \"start\": \"2028-01-10\", \"end\": \"2028-03-31\"},"
    "    {\"name\": \"Summer\", \"start\": \"2028-04-24\", \"end\": \"2028-06-09\"}]}],"
    " \"closures\": ["
    "  {\"date\": \"2026-12-25\", \"reason\": \"Christmas Day\"},"
    "  {\"date\": \"2026-12-28\", \"reason\": \"Boxing Day (substitute)\"},"
    "  {\"date\": \"2027-01-01\", \"reason\": \"New Year's Day\"},"
    "  {\"date\": \"2027-03-26\", \"reason\": \"Good Friday\"},"
    "  {\"date\": \"2027-03-29\", \"reason\": \"Easter Monday\"},"
    "  {\"date\": \"2027-05-03\", \"reason\": \"Early May bank holiday\"},"
    "  {\"date\": \"2027-05-31\", \"reason\": \"Spring bank holiday\"},"
    "  {\"date\": \"2026-11-20\", \"reason\": \"University closure day\"},"
    "  {\"date\": \"2027-12-27\", \"reason\": \"Christmas Day (substitute)\"},"
    "  {\"date\": \"2027-12-28\", \"reason\": \"Boxing Day (substitute)\"},"
    "  {\"date\": \"2028-01-03\", \"reason\": \"New Year's Day (substitute)\"}]}";

pe_date D(const char *s) {
  pe_date d = 0;
  ck_assert_msg(pe_date_parse(s, &d) == PE_OK, "bad date literal %s", s);
  return d;
}

pe_instant T(const char *s) {
  pe_instant t = 0;
  ck_assert_msg(pe_instant_parse(s, &t) == PE_OK, "bad instant literal %s", s);
  return t;
}

pe_calendar *test_calendar(void) {
  return calendar_from_json(TEST_CALENDAR_JSON);
}

pe_policy *test_policy(const char *json) {
  pe_policy *p = NULL;
  json_t *errs = NULL;
  pe_err rc = pe_policy_parse_string(json, strlen(json), &p, &errs);
  char *dump = errs ? json_dumps(errs, 0) : NULL;
  ck_assert_msg(rc == PE_OK, "policy invalid: %s", dump ? dump : "");
  free(dump);
  json_decref(errs);
  return p;
}

pe_contact C(int64_t id, pe_contact_kind kind, const char *at) {
  pe_contact c;
  memset(&c, 0, sizeof c);
  c.id = id;
  c.kind = kind;
  c.direction = PE_DIR_TO_STUDENT;
  strcpy(c.staff, "T1");
  c.at = T(at);
  c.attendance = PE_ATT_ATTENDED;
  return c;
}

const pe_finding *find_rule(const pe_findings *f, const char *rule_id) {
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->items[i].rule_id, rule_id) == 0) return &f->items[i];
  ck_abort_msg("no finding for rule %s", rule_id);
  return NULL;
}

void world_init_policy(world *w, const char *policy_json) {
  memset(w, 0, sizeof *w);
  w->cal = test_calendar();
  w->policy[0] = test_policy(policy_json);
  w->n_policies = 1;
  w->student = (pe_student){.registered_on = D("2026-09-21"),
                            .course_start = PE_NO_DATE,
                            .date_of_birth = D("2007-05-01"),
                            .level = PE_LEVEL_4,
                            .cohort = PE_COHORT_UG,
                            .statuses = w->statuses};
  w->allocs[0] = (pe_allocation){"T1", PE_ALLOC_PERSONAL, D("2026-09-22"), PE_NO_DATE};
  w->allocs[1] = (pe_allocation){"T4", PE_ALLOC_COVER, D("2027-01-11"), D("2027-01-31")};
  w->absences[0] = (pe_absence){D("2026-11-02"), D("2026-11-20"), "T2"};
  w->tutors[0] = (pe_tutor){.staff = "T1",
                            .started_on = D("2020-01-01"),
                            .absences = w->absences,
                            .n_absences = 1,
                            .training = w->training,
                            .tutees = 10,
                            .capacity = 0};
  w->in.cal = w->cal;
  w->in.student = &w->student;
  w->in.allocations = w->allocs;
  w->in.n_allocations = 2;
  w->in.contacts = w->contacts;
  w->in.tutors = w->tutors;
  w->in.n_tutors = 1;
  w->in.concerns = w->concerns;
  pe_findings_init(&w->findings);
}

void world_init(world *w, const char *rule_json) {
  char buf[4096];
  snprintf(buf, sizeof buf,
           "{\"name\": \"test\", \"effective_from\": \"2026-01-01\", \"rules\": [%s]}", rule_json);
  world_init_policy(w, buf);
}

void world_add(world *w, pe_contact c) {
  ck_assert_uint_lt(w->n_contacts, 128);
  w->contacts[w->n_contacts++] = c;
}

void world_status(world *w, pe_student_status s, const char *from) {
  w->statuses[w->student.n_statuses++] = (pe_status_entry){s, D(from)};
}

void world_judge(world *w, const char *as_of) {
  char buf[40];
  if (strlen(as_of) == 10) {
    snprintf(buf, sizeof buf, "%sT12:00:00Z", as_of);
    as_of = buf;
  }
  pe_contacts_sort(w->contacts, w->n_contacts);
  w->in.n_contacts = w->n_contacts;
  w->in.versions = (const pe_policy *const *)w->policy;
  w->in.n_versions = w->n_policies;
  w->in.as_of = T(as_of);
  pe_findings_clear(&w->findings);
  ck_assert_int_eq(pe_evaluate_student(&w->in, &w->findings), PE_OK);
}

const pe_finding *world_eval(world *w, const char *as_of, const char *rule_id) {
  world_judge(w, as_of);
  return find_rule(&w->findings, rule_id);
}

int64_t world_evidence(const world *w, const pe_finding *f, size_t i) {
  ck_assert_uint_lt(i, f->ev_n);
  return w->findings.ids[f->ev_off + i];
}

void world_free(world *w) {
  pe_findings_free(&w->findings);
  for (size_t i = 0; i < w->n_policies; i++) pe_policy_free(w->policy[i]);
  pe_calendar_free(w->cal);
}

int run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- helpers for the second-round rules (test_new_rules.c) ---- */

pe_calendar *calendar_from_json(const char *json) {
  json_error_t jerr;
  json_t *j = json_loads(json, 0, &jerr);
  ck_assert_msg(j != NULL, "calendar JSON: %s", jerr.text);
  pe_calendar *cal = NULL;
  json_t *errs = NULL;
  pe_err rc = pe_calendar_parse(j, &cal, &errs);
  char *dump = errs ? json_dumps(errs, 0) : NULL;
  ck_assert_msg(rc == PE_OK, "calendar invalid: %s", dump ? dump : "");
  free(dump);
  json_decref(errs);
  json_decref(j);
  return cal;
}

/* Evaluates the one tutor-level (tutor != NULL) or school-level rule of a policy made of
 * rule_json, on the test calendar; returns the single finding it gives. */
static pe_finding eval_level(const char *rule_json, const pe_tutor *tutor, const pe_school *school,
                             const char *as_of) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"name\": \"t\", \"effective_from\": \"2020-01-01\", \"rules\": [%s]}", rule_json);
  pe_policy *p = test_policy(buf);
  pe_calendar *cal = test_calendar();
  pe_findings fs;
  pe_findings_init(&fs);
  const pe_policy *v[1] = {p};
  pe_err rc = tutor ? pe_evaluate_tutor(cal, v, 1, tutor, T(as_of), &fs)
                    : pe_evaluate_school(cal, v, 1, school, T(as_of), &fs);
  ck_assert_int_eq(rc, PE_OK);
  ck_assert_uint_eq(fs.n, 1);
  pe_finding f = fs.items[0];
  if (tutor) ck_assert_str_eq(f.tutor, tutor->staff);
  pe_findings_free(&fs);
  pe_calendar_free(cal);
  pe_policy_free(p);
  f.rule_id = f.source = NULL; /* freed with the policy */
  return f;
}

pe_finding eval_tutor(const char *rule_json, const pe_tutor *t, const char *as_of) {
  return eval_level(rule_json, t, NULL, as_of);
}

pe_finding eval_school(const char *rule_json, const pe_school *s, const char *as_of) {
  return eval_level(rule_json, NULL, s, as_of);
}
