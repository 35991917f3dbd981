/* policy.c — parse and validate a policy (SPEC §4a), cohort overrides, versions. */
#include "internal.h"
#include "policy_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const POLICY_KEYS[] = {"name",
                                          "effective_from",
                                          "warning_days",
                                          "rules",
                                          "cohorts",
                                          "description",
                                          "senior_tutor_hours",
                                          "not_fulfilling_pct",
                                          "max_open_bookings",
                                          NULL};
static const char *const HOURS_KEYS[] = {"base", "up_to", "per", "max", NULL};
static const char *const COHORT_KEYS[] = {"name", "match", "rules", NULL};
static const char *const MATCH_KEYS[] = {"level", "cohort", "status", NULL};

static void free_rules(pe_rule *rules, size_t n) {
  for (size_t i = 0; rules && i < n; i++) free(rules[i].source);
  free(rules);
}

void pe_policy_free(pe_policy *p) {
  if (!p) return;
  free(p->name);
  free_rules(p->rules, p->n_rules);
  for (size_t i = 0; p->cohorts && i < p->n_cohorts; i++)
    free_rules(p->cohorts[i].rules, p->cohorts[i].n_rules);
  free(p->cohorts);
  free(p);
}

/* Parses arr[] of rules into a new array; reports duplicate ids. */
static pe_err parse_rule_list(const json_t *arr, const char *path, bool in_cohort, pe_rule **out,
                              size_t *n, json_t *errs) {
  char field[512];
  size_t count = json_array_size(arr);
  *n = 0;
  *out = calloc(count + 1, sizeof(pe_rule));
  if (!*out) return PE_NOMEM;
  if (count > PE_MAX_RULES) pe_errors_add(errs, path, "at most %d rules", PE_MAX_RULES);
  for (size_t i = 0; i < count && i < PE_MAX_RULES; i++) {
    snprintf(field, sizeof field, "%s[%zu]", path, i);
    if (pe_rule_parse(json_array_get(arr, i), field, in_cohort, &(*out)[i], errs) != PE_OK)
      return PE_NOMEM;
    *n = i + 1;
    for (size_t k = 0; k < i; k++)
      if ((*out)[i].id[0] && strcmp((*out)[k].id, (*out)[i].id) == 0)
        pe_errors_add(errs, field, "duplicate rule id \"%s\" (also at index %zu)", (*out)[i].id, k);
  }
  return PE_OK;
}

/* Reads match.<key> (array of names) into a bit mask; `names` indexed by bit. */
static unsigned read_match(const json_t *match, const char *key, const char *path,
                           const char *const *names, int n, json_t *errs) {
  char field[512];
  const json_t *arr = pe_json_array(match, key, path, false, errs);
  unsigned mask = 0;
  size_t i;
  const json_t *e;
  json_array_foreach(arr, i, e) {
    int k = pe_name_index(json_string_value(e), names, n);
    snprintf(field, sizeof field, "%s.%s[%zu]", path, key, i);
    if (k < 0)
      pe_errors_add(errs, field, "unknown %s", key);
    else
      mask |= 1u << k;
  }
  return mask;
}

static void parse_match(const json_t *m, const char *path, pe_cohort *c, json_t *errs) {
  static const char *const LEVELS[8] = {"F", NULL, NULL, NULL, "4", "5", "6", "7"};
  if (!json_is_object(m)) {
    pe_errors_add(errs, path, m ? "must be an object" : "is required");
    return;
  }
  pe_json_unknown_keys(m, path, MATCH_KEYS, errs);
  c->levels = read_match(m, "level", path, LEVELS, 8, errs);
  c->cohorts = read_match(m, "cohort", path, PE_COHORT_NAMES, PE_COHORT__N, errs);
  c->statuses = read_match(m, "status", path, PE_STATUS_NAMES, PE_ST__N, errs);
}

/* A disable-only cohort entry must name a base rule. */
static void check_disables(const pe_policy *p, const pe_cohort *c, const char *path, json_t *errs) {
  char field[512];
  for (size_t i = 0; i < c->n_rules; i++) {
    if (!c->rules[i].disable_only) continue;
    bool found = false;
    for (size_t k = 0; k < p->n_rules && !found; k++)
      found = !strcmp(p->rules[k].id, c->rules[i].id);
    snprintf(field, sizeof field, "%s.rules[%zu].id", path, i);
    if (!found) pe_errors_add(errs, field, "disables a rule id that the policy does not define");
  }
}

static pe_err parse_cohorts(const json_t *arr, pe_policy *p, json_t *errs) {
  char path[128], field[160];
  p->cohorts = calloc(json_array_size(arr) + 1, sizeof(pe_cohort));
  if (!p->cohorts) return PE_NOMEM;
  size_t i;
  const json_t *c;
  json_array_foreach(arr, i, c) {
    pe_cohort *co = &p->cohorts[p->n_cohorts++];
    snprintf(path, sizeof path, "$.cohorts[%zu]", i);
    if (!json_is_object(c)) {
      pe_errors_add(errs, path, "must be an object");
      continue;
    }
    pe_json_unknown_keys(c, path, COHORT_KEYS, errs);
    snprintf(field, sizeof field, "%s.match", path);
    parse_match(json_object_get(c, "match"), field, co, errs);
    snprintf(field, sizeof field, "%s.rules", path);
    const json_t *rules = pe_json_array(c, "rules", path, true, errs);
    if (parse_rule_list(rules, field, true, &co->rules, &co->n_rules, errs) != PE_OK)
      return PE_NOMEM;
    check_disables(p, co, path, errs);
  }
  return PE_OK;
}

static void parse_header(const json_t *j, pe_policy *p, json_t *errs) {
  char name[256];
  if (pe_json_string(j, "name", "$", true, name, sizeof name, errs)) p->name = strdup(name);
  pe_json_date(j, "effective_from", "$", true, &p->effective_from, errs);
  const json_t *w = json_object_get(j, "warning_days");
  p->warning_days = 7;
  if (w && (!json_is_integer(w) || json_integer_value(w) < 0 || json_integer_value(w) > 90))
    pe_errors_add(errs, "$.warning_days", "must be an integer between 0 and 90");
  else if (w)
    p->warning_days = (int)json_integer_value(w);
  const json_t *pct = json_object_get(j, "not_fulfilling_pct");
  p->not_fulfilling_pct = 25;
  if (pct &&
      (!json_is_integer(pct) || json_integer_value(pct) < 1 || json_integer_value(pct) > 100))
    pe_errors_add(errs, "$.not_fulfilling_pct", "must be an integer between 1 and 100");
  else if (pct)
    p->not_fulfilling_pct = (int)json_integer_value(pct);
  const json_t *mob = json_object_get(j, "max_open_bookings");
  p->max_open_bookings = PE_DEFAULT_MAX_OPEN_BOOKINGS;
  if (mob && (!json_is_integer(mob) || json_integer_value(mob) < 1 || json_integer_value(mob) > 50))
    pe_errors_add(errs, "$.max_open_bookings", "must be an integer between 1 and 50");
  else if (mob)
    p->max_open_bookings = (int)json_integer_value(mob);
}

/* One whole number of senior_tutor_hours, between lo and hi. */
static int hours_field(const json_t *h, const char *key, int lo, int hi, json_t *errs) {
  const json_t *v = json_object_get(h, key);
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    pe_errors_add(errs, "$.senior_tutor_hours", "\"%s\" must be an integer between %d and %d", key,
                  lo, hi);
    return lo;
  }
  return (int)json_integer_value(v);
}

/* "senior_tutor_hours": {"base", "up_to", "per", "max"} (all required), or absent. */
static void parse_hours(const json_t *j, pe_policy *p, json_t *errs) {
  const json_t *h = json_object_get(j, "senior_tutor_hours");
  if (!h) return;
  if (!json_is_object(h)) {
    pe_errors_add(errs, "$.senior_tutor_hours", "must be an object {base, up_to, per, max}");
    return;
  }
  pe_json_unknown_keys(h, "$.senior_tutor_hours", HOURS_KEYS, errs);
  p->senior_tutor_hours = (pe_senior_hours){
      true, hours_field(h, "base", 0, 10000, errs), hours_field(h, "up_to", 0, 1000000, errs),
      hours_field(h, "per", 1, 1000000, errs), hours_field(h, "max", 0, 10000, errs)};
  if (p->senior_tutor_hours.max < p->senior_tutor_hours.base)
    pe_errors_add(errs, "$.senior_tutor_hours.max", "must not be less than base");
}

int pe_senior_hours_for(const pe_senior_hours *h, int tutees) {
  if (!h || !h->present) return -1;
  int64_t extra = tutees > h->up_to ? ((int64_t)tutees - h->up_to) / h->per : 0;
  int64_t hours = h->base + extra;
  return (int)(hours > h->max ? h->max : hours);
}

pe_err pe_policy_parse(const json_t *j, pe_policy **out, json_t **errors) {
  pe_err rc = PE_NOMEM;
  json_t *errs = json_array();
  pe_policy *p = calloc(1, sizeof *p);
  *out = NULL;
  *errors = NULL;
  if (!errs || !p) goto cleanup;
  p->effective_from = PE_NO_DATE;
  if (!json_is_object(j)) {
    pe_errors_add(errs, "$", "must be an object");
    rc = PE_INVALID;
    goto cleanup;
  }
  pe_json_unknown_keys(j, "$", POLICY_KEYS, errs);
  parse_header(j, p, errs);
  parse_hours(j, p, errs);
  const json_t *rules = pe_json_array(j, "rules", "$", true, errs);
  if (parse_rule_list(rules, "$.rules", false, &p->rules, &p->n_rules, errs) != PE_OK) goto cleanup;
  if (parse_cohorts(pe_json_array(j, "cohorts", "$", false, errs), p, errs) != PE_OK) goto cleanup;
  rc = json_array_size(errs) ? PE_INVALID : PE_OK;
cleanup:
  if (rc == PE_OK) {
    *out = p;
    json_decref(errs);
  } else {
    pe_policy_free(p);
    *errors = errs;
  }
  return rc;
}

pe_err pe_policy_parse_string(const char *text, size_t len, pe_policy **out, json_t **errors) {
  json_error_t jerr;
  *out = NULL;
  *errors = NULL;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!j) {
    *errors = json_array();
    if (!*errors) return PE_NOMEM;
    pe_errors_add(*errors, "$", "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                  jerr.text);
    return PE_INVALID;
  }
  pe_err rc = pe_policy_parse(j, out, errors);
  json_decref(j);
  return rc;
}

const pe_policy *pe_policy_in_force(const pe_policy *const *versions, size_t n, pe_date d) {
  if (n == 0) return NULL;
  const pe_policy *best = versions[0];
  for (size_t i = 1; i < n; i++)
    if (versions[i]->effective_from <= d) best = versions[i];
  return best;
}

static bool cohort_matches(const pe_cohort *c, pe_level level, pe_cohort_kind cohort,
                           pe_student_status status) {
  return (!c->levels || (c->levels & (1u << level))) &&
         (!c->cohorts || (c->cohorts & (1u << cohort))) &&
         (!c->statuses || (c->statuses & (1u << status)));
}

/* Puts r into out[0..*n): replaces the entry with the same id, else appends. Every student's
 * evaluation overlays every rule on those before it, so ids are told apart by their first byte
 * before strcmp is called. */
static void overlay(const pe_rule **out, size_t *n, const pe_rule *r) {
  for (size_t i = 0; i < *n; i++)
    if (out[i]->id[0] == r->id[0] && strcmp(out[i]->id, r->id) == 0) {
      out[i] = r;
      return;
    }
  if (*n < PE_MAX_RULES) out[(*n)++] = r;
}

size_t pe_policy_effective_rules(const pe_policy *p, pe_level level, pe_cohort_kind cohort,
                                 pe_student_status status, const pe_rule **out) {
  size_t n = 0, w = 0;
  for (size_t i = 0; i < p->n_rules; i++) overlay(out, &n, &p->rules[i]);
  for (size_t c = 0; c < p->n_cohorts; c++)
    if (cohort_matches(&p->cohorts[c], level, cohort, status))
      for (size_t i = 0; i < p->cohorts[c].n_rules; i++) overlay(out, &n, &p->cohorts[c].rules[i]);
  for (size_t i = 0; i < n; i++)
    if (out[i]->enabled && !out[i]->disable_only) out[w++] = out[i];
  return w;
}
