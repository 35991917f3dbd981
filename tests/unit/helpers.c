/* helpers.c — shared fixtures for the engine's unit tests. */
#include "helpers.h"

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
  json_error_t jerr;
  json_t *j = json_loads(TEST_CALENDAR_JSON, 0, &jerr);
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
