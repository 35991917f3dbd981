/* rules_tutor.c — tutor-level rules: training and quiz recency, caseload, the annual feedback
 * invitation, permanence. */
#include "eval.h"

#include <stdio.h>

/* How a finding names each training kind. */
static const char *const KIND_WORDS[PE_TR__N] = {
    "training", "quiz", "Mental Health First Aid training", "essential training"};

/* The tutor's roles; a tutor whose roles are not recorded (0) is taken to hold the tutor
 * role: the engine is only given facts for staff acting as personal tutors. */
static unsigned tutor_roles(const pe_tutor *t) {
  return t->roles ? t->roles : PE_ROLE_TUTOR;
}

/* met, or the status of an unmet obligation due on `due`: breached after it, due_soon
 * within the warning window, pending (or `early`, e.g. met so far) before. */
static pe_status tutor_status(pe_date as_of, pe_date due, int warn, pe_status early) {
  if (as_of > due) return PE_BREACHED;
  return due - as_of <= warn ? PE_DUE_SOON : early;
}

/* Latest record of kind on or before as_of, or NULL. */
static const pe_training *latest(const pe_tutor *t, pe_training_kind kind, pe_date as_of) {
  const pe_training *best = NULL;
  for (size_t i = 0; i < t->n_training; i++) {
    const pe_training *x = &t->training[i];
    if (x->kind == kind && x->on <= as_of && (!best || x->on > best->on)) best = x;
  }
  return best;
}

/* tutor_training_within (`kind`, default training) / tutor_quiz_within (the quiz). Leicester CoP:
 * "Schools must offer this training to Personal Tutors within one year of starting the role, and
 * so that it can be taken subsequently every three years"; Essex: "Senior Personal Tutors complete
 * Mental Health First Aid training". Reading: with `years` > 0 the latest record of the kind must
 * be no older than `years`: due = latest + years (29 Feb → 28 Feb, pe_date_add_years). With
 * `years` 0 (or absent) one record ever suffices (met, no due date). With no record the tutor is
 * due one year after starting the role (started_on + 1 year), or at once if the start is
 * unknown. Breached after due; due_soon within the policy's warning window; met (or pending with
 * no record) before. */
static void judge_recency(const pe_rule *r, const pe_tutor *t, pe_date as_of, int warn,
                          pe_finding *f) {
  int years = r->param[PE_P_YEARS];
  pe_training_kind kind =
      r->type == PE_R_TUTOR_QUIZ_WITHIN ? PE_TR_QUIZ : (pe_training_kind)r->param[PE_P_KIND];
  const pe_training *last = latest(t, kind, as_of);
  char a[11], b[11];
  f->window_start = years ? pe_date_add_years(as_of, -years) : t->started_on;
  f->window_end = as_of;
  if (last && !years) {
    f->status = PE_MET;
    snprintf(f->detail, sizeof f->detail, "%s completed on %s", KIND_WORDS[kind],
             pe_date_format(last->on, a));
    return;
  }
  if (last)
    f->due = pe_date_add_years(last->on, years);
  else
    f->due = t->started_on == PE_NO_DATE ? as_of : pe_date_add_years(t->started_on, 1);
  f->status = tutor_status(as_of, f->due, warn, last ? PE_MET : PE_PENDING);
  if (!last)
    snprintf(f->detail, sizeof f->detail, "no %s recorded; due by %s", KIND_WORDS[kind],
             pe_date_format(f->due, a));
  else if (kind == PE_TR_QUIZ && last->score >= 0)
    snprintf(f->detail, sizeof f->detail, "quiz taken on %s (score %d); next due by %s",
             pe_date_format(last->on, a), last->score, pe_date_format(f->due, b));
  else
    snprintf(f->detail, sizeof f->detail, "%s completed on %s; next due by %s", KIND_WORDS[kind],
             pe_date_format(last->on, a), pe_date_format(f->due, b));
}

/* tutor_caseload_max: current tutees must not exceed `max`, nor the tutor's own capacity
 * when that is set and lower. Breached when over; met otherwise; no due date. */
static void judge_caseload(const pe_rule *r, const pe_tutor *t, pe_finding *f) {
  int limit = r->param[PE_P_MAX];
  if (t->capacity > 0 && t->capacity < limit) limit = t->capacity;
  f->status = t->tutees > limit ? PE_BREACHED : PE_MET;
  snprintf(f->detail, sizeof f->detail, "%d tutees (limit %d)", t->tutees, limit);
}

/* tutor_feedback_invited: Leicester CoP "Evaluation": "Tutees and Personal Tutors must be given
 * the opportunity to provide feedback on Personal Tutoring within their School at least once a
 * year". Reading: the tutor was invited (pe_tutor.feedback_invited) on a day of the academic year
 * containing as_of, up to as_of; due at the year's end (the opportunity may come at any time in
 * the year), so pending/due_soon until then, breached after. No academic year: not_applicable. */
static void judge_tutor_feedback(const pe_tutor *t, const pe_calendar *cal, pe_date as_of, int warn,
                                 pe_finding *f) {
  const pe_year *y = pe_calendar_year_for(cal, as_of);
  char a[11], b[11];
  if (!y) {
    pe_not_applicable(f, "no academic year in the calendar");
    return;
  }
  pe_date invited = pe_latest_in_year(t->feedback_invited, t->n_feedback_invited, y, as_of);
  f->window_start = y->start;
  f->window_end = f->due = y->end;
  f->status = invited != PE_NO_DATE ? PE_MET : tutor_status(as_of, y->end, warn, PE_PENDING);
  if (invited != PE_NO_DATE)
    snprintf(f->detail, sizeof f->detail, "invited to give feedback on %s (%s)",
             pe_date_format(invited, a), y->label);
  else
    snprintf(f->detail, sizeof f->detail, "not invited to give feedback in %s (due by %s)",
             y->label, pe_date_format(y->end, b));
}

/* tutor_permanent: Leicester CoP 14 "Personal Tutors should normally be permanent academic
 * members of staff. Alternative approaches can be agreed with the Dean of Personal Tutoring".
 * Reading: met when the tutor is permanent; met with the detail "exception agreed" when a
 * non-permanent tutor's exception is recorded (the alternative approach, agreed); breached
 * otherwise. No due date: it is a standing condition. */
static void judge_permanent(const pe_tutor *t, pe_finding *f) {
  f->status = t->permanent || t->permanent_exception ? PE_MET : PE_BREACHED;
  snprintf(f->detail, sizeof f->detail, "%s",
           t->permanent             ? "permanent member of staff"
           : t->permanent_exception ? "not permanent: exception agreed"
                                    : "not permanent and no exception agreed");
}

/* The rule's `roles` mask; rule types without the parameter apply to every role. */
static unsigned rule_roles(const pe_rule *r) {
  bool has = r->type == PE_R_TUTOR_TRAINING_WITHIN || r->type == PE_R_TUTOR_QUIZ_WITHIN ||
             r->type == PE_R_TUTOR_FEEDBACK_INVITED || r->type == PE_R_TUTOR_PERMANENT;
  return has ? (unsigned)r->param[PE_P_ROLES] : PE_ROLE_TUTOR | PE_ROLE_SENIOR_TUTOR;
}

/* Judges tutor-level rule r for tutor t as of as_of: not_applicable unless the tutor holds one of
 * the rule's roles, else by the rule's type. */
void pe_rule_tutor(const pe_rule *r, const pe_tutor *t, const pe_calendar *cal, pe_date as_of,
                   int warning_days, pe_finding *f) {
  pe_copy_text(f->tutor, sizeof f->tutor, t->staff);
  if (!(tutor_roles(t) & rule_roles(r))) {
    pe_not_applicable(f, "the tutor holds none of the roles this rule applies to");
    return;
  }
  switch (r->type) {
  case PE_R_TUTOR_CASELOAD_MAX:
    judge_caseload(r, t, f);
    break;
  case PE_R_TUTOR_FEEDBACK_INVITED:
    judge_tutor_feedback(t, cal, as_of, warning_days, f);
    break;
  case PE_R_TUTOR_PERMANENT:
    judge_permanent(t, f);
    break;
  default:
    judge_recency(r, t, as_of, warning_days, f);
    break;
  }
}
