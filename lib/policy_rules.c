/* policy_rules.c — the rule types, their parameters, and parsing one rule object. */
#include "internal.h"
#include "policy_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
  K_INT,
  K_ENUM,
  K_KINDS,
  K_STATUSES,
  K_LEVEL,
  K_LABEL,
  K_BOOL,
  K_ROLES,
  K_RAISED_BY
} param_kind;

typedef struct {
  const char *name;
  pe_param p;
  param_kind kind;
  bool required;
  int32_t lo, hi, def;
  const char *const *values; /* K_ENUM spellings, index = stored value */
} param_spec;

static const char *const FROM_V[] = {"registration", "year_start", NULL};
static const char *const APPLIES_V[] = {"new", "all", NULL};
static const char *const COUNT_V[] = {"attended", "offered", NULL};
static const char *const DURING_V[] = {"term", NULL};
static const char *const BY_V[] = {"personal_tutor", "any_staff", NULL};
static const char *const PERIOD_V[] = {"term", "semester", NULL};
static const char *const AUDIENCE_V[] = {"all", "new", "returning", NULL};
static const char *const ALLOC_FROM_V[] = {"registration", "first_teaching_week", NULL};
static const char *const ROLE_NAMES[] = {"tutor", "senior_tutor"};

#define MEETING_KINDS ((1 << PE_C_MEETING) | (1 << PE_C_GROUP_MEETING))
#define ALL_KINDS ((1 << PE_C__N) - 1)
#define END                                                                                        \
  { NULL, 0, K_INT, false, 0, 0, 0, NULL }

#define BY                                                                                         \
  { "by", PE_P_BY, K_ENUM, false, 0, 0, 0, BY_V }
#define PERIOD                                                                                     \
  { "period", PE_P_PERIOD, K_ENUM, false, 0, 0, 0, PERIOD_V }
#define PRO_RATA                                                                                   \
  { "pro_rata", PE_P_PRO_RATA, K_BOOL, false, 0, 1, 1, NULL }
#define ALL_ROLES (PE_ROLE_TUTOR | PE_ROLE_SENIOR_TUTOR)

static const param_spec P_ALLOCATION[] = {
    {"days", PE_P_DAYS, K_INT, true, 0, 365, 0, NULL},
    {"from", PE_P_FIRST_WEEK, K_ENUM, false, 0, 0, 0, ALLOC_FROM_V},
    END};
static const param_spec P_FIRST_MEETING[] = {
    {"days", PE_P_DAYS, K_INT, true, 1, 365, 0, NULL},
    {"from", PE_P_FROM, K_ENUM, false, 0, 0, 0, FROM_V},
    {"applies_to", PE_P_APPLIES_TO, K_ENUM, false, 0, 0, 0, APPLIES_V},
    BY,
    END};
static const param_spec P_MEETINGS_YEAR[] = {
    {"min", PE_P_MIN, K_INT, true, 1, 52, 0, NULL},
    {"count", PE_P_COUNT, K_ENUM, false, 0, 0, 0, COUNT_V},
    {"kinds", PE_P_KINDS, K_KINDS, false, 0, 0, MEETING_KINDS, NULL},
    BY,
    PRO_RATA,
    END};
static const param_spec P_MEETING_TERM[] = {
    {"min", PE_P_MIN, K_INT, false, 1, 20, 1, NULL},
    {"count", PE_P_COUNT, K_ENUM, false, 0, 0, 0, COUNT_V},
    {"kinds", PE_P_KINDS, K_KINDS, false, 0, 0, MEETING_KINDS, NULL},
    BY,
    PERIOD,
    END};
static const param_spec P_MONTHLY[] = {{"during", PE_P_DURING, K_ENUM, false, 0, 0, 0, DURING_V},
                                       {"min", PE_P_MIN, K_INT, false, 1, 31, 1, NULL},
                                       {"kinds", PE_P_KINDS, K_KINDS, false, 0, 0, ALL_KINDS, NULL},
                                       BY,
                                       END};
static const param_spec P_CHECKIN[] = {
    {"min", PE_P_MIN, K_INT, true, 1, 20, 0, NULL}, BY, PERIOD, END};
static const param_spec P_RESPONSE[] = {
    {"working_days", PE_P_WORKING_DAYS, K_INT, true, 1, 30, 0, NULL}, END};
static const param_spec P_AWAY[] = {
    {"statuses", PE_P_STATUSES, K_STATUSES, false, 0, 0, PE_AWAY_MASK, NULL},
    {"min", PE_P_MIN, K_INT, false, 1, 20, 1, NULL},
    BY,
    PERIOD,
    END};
static const param_spec P_GROUP[] = {{"level", PE_P_LEVEL, K_LEVEL, true, 0, 0, 0, NULL},
                                     {"min", PE_P_MIN, K_INT, true, 1, 100, 0, NULL},
                                     {"label", PE_P__N, K_LABEL, false, 0, 0, 0, NULL},
                                     PRO_RATA,
                                     END};
static const param_spec P_NONE[] = {END};
static const param_spec P_MISSED[] = {{"missed", PE_P_MISSED, K_INT, true, 1, 20, 0, NULL},
                                      {"days", PE_P_DAYS, K_INT, false, 0, 365, 30, NULL},
                                      {"raised_by", PE_P_RAISED_BY, K_RAISED_BY, false, 0, 0,
                                       (1 << PE_RAISED_BY_TUTOR) | (1 << PE_RAISED_BY_SENIOR_TUTOR),
                                       NULL},
                                      END};
static const param_spec P_COVER[] = {{"days", PE_P_DAYS, K_INT, true, 0, 365, 0, NULL}, END};
static const param_spec P_TRAINING[] = {
    {"years", PE_P_YEARS, K_INT, false, 0, 10, 0, NULL},
    {"kind", PE_P_KIND, K_ENUM, false, 0, 0, PE_TR_TRAINING, PE_TRAINING_KIND_NAMES},
    {"roles", PE_P_ROLES, K_ROLES, false, 0, 0, ALL_ROLES, NULL},
    END};
static const param_spec P_QUIZ[] = {{"years", PE_P_YEARS, K_INT, true, 1, 10, 0, NULL},
                                    {"roles", PE_P_ROLES, K_ROLES, false, 0, 0, ALL_ROLES, NULL},
                                    END};
static const param_spec P_CASELOAD[] = {{"max", PE_P_MAX, K_INT, true, 1, 1000, 0, NULL}, END};
static const param_spec P_WELCOME[] = {
    {"days", PE_P_DAYS, K_INT, false, 1, 60, 14, NULL},
    {"audience", PE_P_AUDIENCE, K_ENUM, false, 0, 0, 0, AUDIENCE_V},
    BY,
    END};
static const param_spec P_SUMMARY[] = {
    {"working_days", PE_P_WORKING_DAYS, K_INT, true, 0, 60, 0, NULL},
    {"kinds", PE_P_KINDS, K_KINDS, false, 0, 0, MEETING_KINDS, NULL},
    END};
static const param_spec P_NAMED[] = {{"days", PE_P_DAYS, K_INT, false, 0, 365, 0, NULL}, END};
static const param_spec P_TUTOR_FEEDBACK[] = {
    {"roles", PE_P_ROLES, K_ROLES, false, 0, 0, ALL_ROLES, NULL}, END};
static const param_spec P_PERMANENT[] = {
    {"roles", PE_P_ROLES, K_ROLES, false, 0, 0, PE_ROLE_TUTOR, NULL}, END};
static const param_spec P_SENIORS[] = {{"min", PE_P_MIN, K_INT, false, 0, 100, 1, NULL},
                                       {"max", PE_P_MAX, K_INT, false, 0, 100, 0, NULL},
                                       END}; /* max 0 = no maximum */

/* The parameters of each rule type (its name: PE_RULE_TYPE_NAMES). */
static const param_spec *const TYPE_PARAMS[PE_R__N] = {
    [PE_R_ALLOCATION_WITHIN] = P_ALLOCATION,
    [PE_R_FIRST_MEETING_WITHIN] = P_FIRST_MEETING,
    [PE_R_MEETINGS_PER_YEAR] = P_MEETINGS_YEAR,
    [PE_R_MEETING_EACH_TERM] = P_MEETING_TERM,
    [PE_R_CONTACT_MONTHLY] = P_MONTHLY,
    [PE_R_INDIVIDUAL_CHECKIN_PER_TERM] = P_CHECKIN,
    [PE_R_RESPONSE_WITHIN] = P_RESPONSE,
    [PE_R_AWAY_CONTACT_PER_TERM] = P_AWAY,
    [PE_R_GROUP_SESSIONS] = P_GROUP,
    [PE_R_UNDER18_SENIOR_MEETING] = P_NONE,
    [PE_R_MISSED_MEETINGS_ESCALATION] = P_MISSED,
    [PE_R_COVER_DURING_ABSENCE] = P_COVER,
    [PE_R_TUTOR_TRAINING_WITHIN] = P_TRAINING,
    [PE_R_TUTOR_QUIZ_WITHIN] = P_QUIZ,
    [PE_R_TUTOR_CASELOAD_MAX] = P_CASELOAD,
    [PE_R_WELCOME_WEEK_CONTACT] = P_WELCOME,
    [PE_R_MEETING_SUMMARY_WITHIN] = P_SUMMARY,
    [PE_R_FEEDBACK_INVITED] = P_NONE,
    [PE_R_PERSONAL_TUTOR_NAMED] = P_NAMED,
    [PE_R_TUTOR_FEEDBACK_INVITED] = P_TUTOR_FEEDBACK,
    [PE_R_TUTOR_PERMANENT] = P_PERMANENT,
    [PE_R_SENIOR_TUTORS] = P_SENIORS,
};

static const char *const COMMON_KEYS[] = {"id", "type", "source", "enabled", NULL};

const char *pe_rule_type_name(pe_rule_type t) {
  return (unsigned)t < PE_R__N ? PE_RULE_TYPE_NAMES[t] : NULL;
}

bool pe_rule_is_tutor_level(pe_rule_type t) {
  return t == PE_R_TUTOR_TRAINING_WITHIN || t == PE_R_TUTOR_QUIZ_WITHIN ||
         t == PE_R_TUTOR_CASELOAD_MAX || t == PE_R_TUTOR_FEEDBACK_INVITED ||
         t == PE_R_TUTOR_PERMANENT;
}

bool pe_rule_is_school_level(pe_rule_type t) {
  return t == PE_R_SENIOR_TUTORS;
}

/* Reads a non-empty array of names into a bit mask; `allowed` limits which bits. */
static bool read_mask(const json_t *v, const char *field, const char *const *names, int n,
                      unsigned allowed, int32_t *out, json_t *errs) {
  if (!json_is_array(v) || json_array_size(v) == 0) {
    pe_errors_add(errs, field, "must be a non-empty array of names");
    return false;
  }
  unsigned mask = 0;
  size_t i;
  const json_t *e;
  char item[600];
  json_array_foreach(v, i, e) {
    int k = pe_name_index(json_string_value(e), names, n);
    snprintf(item, sizeof item, "%s[%zu]", field, i);
    if (k < 0 || !(allowed & (1u << k)))
      pe_errors_add(errs, item, "unknown or not allowed value");
    else
      mask |= 1u << k;
  }
  *out = (int32_t)mask;
  return true;
}

static void read_int(const param_spec *ps, const json_t *v, const char *field, pe_rule *r,
                     json_t *errs) {
  if (!json_is_integer(v)) {
    pe_errors_add(errs, field, "must be an integer");
    return;
  }
  json_int_t x = json_integer_value(v);
  if (x < ps->lo || x > ps->hi)
    pe_errors_add(errs, field, "must be between %d and %d", (int)ps->lo, (int)ps->hi);
  else
    r->param[ps->p] = (int32_t)x;
}

static void read_enum(const param_spec *ps, const json_t *v, const char *field, pe_rule *r,
                      json_t *errs) {
  int n = 0;
  while (ps->values[n]) n++;
  int k = pe_name_index(json_string_value(v), ps->values, n);
  if (k < 0)
    pe_errors_add(errs, field, "must be one of the allowed values (e.g. \"%s\")", ps->values[0]);
  else
    r->param[ps->p] = k;
}

static void read_param(const param_spec *ps, const json_t *v, const char *field, pe_rule *r,
                       json_t *errs) {
  int lvl;
  switch (ps->kind) {
  case K_INT:
    read_int(ps, v, field, r, errs);
    break;
  case K_ENUM:
    read_enum(ps, v, field, r, errs);
    break;
  case K_KINDS:
    read_mask(v, field, PE_CONTACT_KIND_NAMES, PE_C__N, ALL_KINDS, &r->param[ps->p], errs);
    break;
  case K_STATUSES:
    read_mask(v, field, PE_STATUS_NAMES, PE_ST__N, PE_AWAY_MASK, &r->param[ps->p], errs);
    break;
  case K_BOOL:
    if (!json_is_boolean(v))
      pe_errors_add(errs, field, "must be a boolean");
    else
      r->param[ps->p] = json_is_true(v);
    break;
  case K_ROLES:
    read_mask(v, field, ROLE_NAMES, 2, ALL_ROLES, &r->param[ps->p], errs);
    break;
  case K_RAISED_BY:
    read_mask(v, field, PE_RAISED_BY_NAMES, PE_RAISED_BY__N, (1u << PE_RAISED_BY__N) - 1,
              &r->param[ps->p], errs);
    break;
  case K_LEVEL:
    if ((lvl = pe_level_parse(json_string_value(v))) < 0)
      pe_errors_add(errs, field, "must be a level: \"F\", \"4\", \"5\", \"6\" or \"7\"");
    else
      r->param[ps->p] = lvl;
    break;
  case K_LABEL:
    if (!json_is_string(v) || json_string_length(v) >= sizeof r->label)
      pe_errors_add(errs, field, "must be a string of at most %zu bytes", sizeof r->label - 1);
    else
      strcpy(r->label, json_string_value(v));
    break;
  }
}

/* Parameters of r's type: defaults, then the JSON values; unknown keys reported. */
static void parse_params(const json_t *j, const char *path, pe_rule *r, json_t *errs) {
  const param_spec *ps = TYPE_PARAMS[r->type];
  char field[512];
  for (; ps->name; ps++) {
    snprintf(field, sizeof field, "%s.%s", path, ps->name);
    if (ps->p != PE_P__N) r->param[ps->p] = ps->def;
    const json_t *v = json_object_get(j, ps->name);
    if (v)
      read_param(ps, v, field, r, errs);
    else if (ps->required)
      pe_errors_add(errs, field, "is required for type %s", PE_RULE_TYPE_NAMES[r->type]);
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)j, key, v) {
    bool known = pe_name_index(key, COMMON_KEYS, 4) >= 0;
    for (ps = TYPE_PARAMS[r->type]; ps->name && !known; ps++) known = !strcmp(ps->name, key);
    snprintf(field, sizeof field, "%s.%s", path, key);
    if (!known)
      pe_errors_add(errs, field, "unknown parameter for type %s", PE_RULE_TYPE_NAMES[r->type]);
  }
}

/* Reads "enabled"; true when present and false. */
static bool read_disabled(const json_t *j, const char *path, json_t *errs) {
  const json_t *en = json_object_get(j, "enabled");
  char field[512];
  snprintf(field, sizeof field, "%s.enabled", path);
  if (en && !json_is_boolean(en)) pe_errors_add(errs, field, "must be a boolean");
  return en && json_is_false(en);
}

static void parse_type(const json_t *j, const char *path, pe_rule *r, json_t *errs) {
  char field[512];
  const json_t *t = json_object_get(j, "type");
  snprintf(field, sizeof field, "%s.type", path);
  int k = -1;
  for (int i = 0; i < PE_R__N && t; i++)
    if (json_is_string(t) && strcmp(json_string_value(t), PE_RULE_TYPE_NAMES[i]) == 0) k = i;
  if (!t && r->enabled == false && r->disable_only) return;
  if (k < 0) {
    pe_errors_add(errs, field, t ? "unknown rule type" : "is required");
    return;
  }
  r->type = (pe_rule_type)k;
  r->disable_only = false;
  parse_params(j, path, r, errs);
}

pe_err pe_rule_parse(const json_t *j, const char *path, bool in_cohort, pe_rule *r, json_t *errs) {
  char src[4096] = "";
  memset(r, 0, sizeof *r);
  r->type = PE_R__N;
  if (!json_is_object(j)) {
    pe_errors_add(errs, path, "must be an object");
    return PE_OK;
  }
  pe_json_string(j, "id", path, true, r->id, sizeof r->id, errs);
  r->enabled = !read_disabled(j, path, errs);
  r->disable_only = in_cohort && !r->enabled && !json_object_get(j, "type");
  parse_type(j, path, r, errs);
  if (r->disable_only) {
    pe_json_unknown_keys(j, path, (const char *const[]){"id", "enabled", NULL}, errs);
    return PE_OK;
  }
  if (!pe_json_string(j, "source", path, true, src, sizeof src, errs)) return PE_OK;
  r->source = strdup(src);
  return r->source ? PE_OK : PE_NOMEM;
}
