/* rules_tutor.c — tutor-level rules: training, quiz, caseload. */
#include "eval.h"

#include <stdio.h>

/* Latest record of kind on or before as_of, or NULL. */
static const pe_training *latest(const pe_tutor *t, pe_training_kind kind, pe_date as_of) {
  const pe_training *best = NULL;
  for (size_t i = 0; i < t->n_training; i++) {
    const pe_training *x = &t->training[i];
    if (x->kind == kind && x->on <= as_of && (!best || x->on > best->on)) best = x;
  }
  return best;
}

/* tutor_training_within / tutor_quiz_within: the latest record of the kind must be no
 * older than `years` years: due = latest + years (29 Feb → 28 Feb). A tutor with no record
 * is due one year after starting the role (Leicester: training offered within one year of
 * starting), or at once if the start is unknown. Breached after due; due_soon within the
 * policy's warning window; met (or pending with no record) before. */
static void judge_recency(const pe_rule *r, const pe_tutor *t, pe_date as_of, int warn,
                          pe_finding *f) {
  bool quiz = r->type == PE_R_TUTOR_QUIZ_WITHIN;
  const pe_training *last = latest(t, quiz ? PE_TR_QUIZ : PE_TR_TRAINING, as_of);
  char a[11], b[11];
  if (last)
    f->due = pe_date_add_years(last->on, r->param[PE_P_YEARS]);
  else
    f->due = t->started_on == PE_NO_DATE ? as_of : pe_date_add_years(t->started_on, 1);
  f->window_start = pe_date_add_years(as_of, -r->param[PE_P_YEARS]);
  f->window_end = as_of;
  f->status = as_of > f->due ? PE_BREACHED
              : f->due - as_of <= warn ? PE_DUE_SOON
              : last                   ? PE_MET
                                       : PE_PENDING;
  if (!last)
    snprintf(f->detail, sizeof f->detail, "no %s recorded; due by %s", quiz ? "quiz" : "training",
             pe_date_format(f->due, a));
  else if (quiz && last->score >= 0)
    snprintf(f->detail, sizeof f->detail, "quiz taken on %s (score %d); next due by %s",
             pe_date_format(last->on, a), last->score, pe_date_format(f->due, b));
  else
    snprintf(f->detail, sizeof f->detail, "%s completed on %s; next due by %s",
             quiz ? "quiz" : "training", pe_date_format(last->on, a), pe_date_format(f->due, b));
}

/* tutor_caseload_max: current tutees must not exceed `max`, nor the tutor's own capacity
 * when that is set and lower. Breached when over; met otherwise; no due date. */
static void judge_caseload(const pe_rule *r, const pe_tutor *t, pe_finding *f) {
  int limit = r->param[PE_P_MAX];
  if (t->capacity > 0 && t->capacity < limit) limit = t->capacity;
  f->status = t->tutees > limit ? PE_BREACHED : PE_MET;
  snprintf(f->detail, sizeof f->detail, "%d tutees (limit %d)", t->tutees, limit);
}

void pe_rule_tutor(const pe_rule *r, const pe_tutor *t, const pe_calendar *cal, pe_date as_of,
                   int warning_days, pe_finding *f) {
  (void)cal;
  snprintf(f->tutor, sizeof f->tutor, "%s", t->staff);
  if (r->type == PE_R_TUTOR_CASELOAD_MAX)
    judge_caseload(r, t, f);
  else
    judge_recency(r, t, as_of, warning_days, f);
}
