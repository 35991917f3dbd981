/* evaluate.c — builds the evaluation context and runs each applicable rule.
 *
 * Policy versions: every version is evaluated over the same window, and each finding is
 * kept only from the version in force on its due date (on as_of when it has no due date):
 * version i owns dates in [effective_from(i), effective_from(i+1)), the first version also
 * owns everything before it. So a window straddling two versions is judged by the version
 * in force at the window's due date. Only versions known on as_of take part (effective_from on
 * or before it): a version that comes into force later was not true on as_of, so the latest
 * known version also owns the due dates after as_of. */
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(PE_R__N <= 32, "pe_input.rule_types holds one bit per rule type");

static const pe_rule_fn RULES[PE_R__N] = {
    [PE_R_ALLOCATION_WITHIN] = pe_rule_allocation_within,
    [PE_R_FIRST_MEETING_WITHIN] = pe_rule_first_meeting_within,
    [PE_R_MEETINGS_PER_YEAR] = pe_rule_meetings_per_year,
    [PE_R_MEETING_EACH_TERM] = pe_rule_meeting_each_term,
    [PE_R_CONTACT_MONTHLY] = pe_rule_contact_monthly,
    [PE_R_INDIVIDUAL_CHECKIN_PER_TERM] = pe_rule_individual_checkin_per_term,
    [PE_R_RESPONSE_WITHIN] = pe_rule_response_within,
    [PE_R_AWAY_CONTACT_PER_TERM] = pe_rule_away_contact_per_term,
    [PE_R_GROUP_SESSIONS] = pe_rule_group_sessions,
    [PE_R_UNDER18_SENIOR_MEETING] = pe_rule_under18_senior_meeting,
    [PE_R_MISSED_MEETINGS_ESCALATION] = pe_rule_missed_meetings_escalation,
    [PE_R_COVER_DURING_ABSENCE] = pe_rule_cover_during_absence,
    [PE_R_WELCOME_WEEK_CONTACT] = pe_rule_welcome_week_contact,
    [PE_R_MEETING_SUMMARY_WITHIN] = pe_rule_meeting_summary_within,
    [PE_R_FEEDBACK_INVITED] = pe_rule_feedback_invited,
    [PE_R_PERSONAL_TUTOR_NAMED] = pe_rule_personal_tutor_named,
};

static int cmp_contact(const void *a, const void *b) {
  const pe_contact *x = a, *y = b;
  if (x->at != y->at) return x->at < y->at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

void pe_contacts_sort(pe_contact *c, size_t n) {
  qsort(c, n, sizeof *c, cmp_contact);
}

static bool input_ok(const pe_input *in) {
  if (!in || !in->cal || !in->student || in->n_versions == 0 || !in->versions ||
      in->cal->n_years == 0)
    return false;
  for (size_t i = 1; i < in->n_versions; i++)
    if (in->versions[i]->effective_from < in->versions[i - 1]->effective_from) return false;
  for (size_t i = 1; i < in->n_contacts; i++)
    if (in->contacts[i].at < in->contacts[i - 1].at) return false;
  return true;
}

/* Fills ctx for in: as_of's local date and academic year, registration, the last active day
 * (before a withdrawal or completion known on as_of), studying days and teaching terms. */
static void build_context(const pe_input *in, pe_findings *out, pe_ctx *ctx) {
  const pe_student *st = in->student;
  memset(ctx, 0, sizeof *ctx);
  ctx->in = in;
  ctx->cal = in->cal;
  ctx->out = out;
  ctx->as_of = pe_local_date(&in->cal->tz, in->as_of);
  ctx->year = pe_calendar_year_for(in->cal, ctx->as_of);
  ctx->reg = st->registered_on;
  ctx->active_end = PE_DATE_MAX - 1;
  while (ctx->statuses_known < st->n_statuses &&
         st->statuses[ctx->statuses_known].from <= ctx->as_of)
    ctx->statuses_known++; /* the history is sorted: entries after as_of were not true on it */
  for (size_t i = 0; i < ctx->statuses_known; i++)
    if ((st->statuses[i].status == PE_ST_WITHDRAWN || st->statuses[i].status == PE_ST_COMPLETED) &&
        st->statuses[i].from - 1 < ctx->active_end)
      ctx->active_end = st->statuses[i].from - 1;
  pe_presence(ctx, 1u << PE_ST_STUDYING, &ctx->studying);
  pe_span terms[PE_MAX_SPANS];
  ctx->teaching.n = (int)pe_calendar_teaching_spans(in->cal, ctx->year, terms, PE_MAX_SPANS);
  memcpy(ctx->teaching.s, terms, sizeof(pe_span) * (size_t)ctx->teaching.n);
}

/* Versions known on as_of: those with effective_from <= as_of, and at least the first (which
 * owns the dates before it while no version is in force yet). */
static size_t versions_known(const pe_input *in, pe_date as_of) {
  size_t n = 1;
  while (n < in->n_versions && in->versions[n]->effective_from <= as_of) n++;
  return n;
}

/* True when the finding's date falls in version v's period (of the n versions known). */
static bool owned_by(const pe_input *in, size_t v, size_t n, const pe_finding *f, pe_date as_of) {
  pe_date key = f->due != PE_NO_DATE ? f->due : as_of;
  if (v > 0 && key < in->versions[v]->effective_from) return false;
  return v + 1 == n || key < in->versions[v + 1]->effective_from;
}

/* Deadline rules with one due date: suspended when that date falls inside an exemption. */
static bool one_deadline(pe_rule_type t) {
  return t == PE_R_ALLOCATION_WITHIN || t == PE_R_FIRST_MEETING_WITHIN ||
         t == PE_R_WELCOME_WEEK_CONTACT;
}

/* Exemption periods, applied centrally to a judged finding: a one-deadline rule whose due date
 * falls inside an exemption naming it is not_applicable, with the exemption's id and reason —
 * unless it was met: what was done in time stays done (an exemption excuses, it does not erase).
 * (Periodic and yearly rules drop exempt days from their spans instead; response_within and
 * meeting_summary_within skip each message or meeting whose own deadline is exempt.) */
static void apply_exemption(const pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  int64_t id = 0;
  char a[11], b[11], c[11];
  if (!one_deadline(r->type) || f->due == PE_NO_DATE || f->status == PE_NOT_APPLICABLE ||
      f->status == PE_MET || !pe_exempt(ctx, r, f->due, &id))
    return;
  const pe_exemption *e = pe_exemption_by_id(ctx, id);
  ctx->out->n_ids = f->ev_off;
  f->ev_n = 0;
  f->gap_start = f->gap_end = PE_NO_DATE;
  f->status = PE_NOT_APPLICABLE;
  f->exemption = id;
  snprintf(f->detail, sizeof f->detail, "exempt %s..%s (%s): due %s", pe_date_format(e->from, a),
           pe_date_format(e->to, b), e->reason[0] ? e->reason : "exemption",
           pe_date_format(f->due, c));
}

/* True when in asks for rules of type t (every type when in->rule_types is 0). */
static bool wanted(const pe_input *in, pe_rule_type t) {
  return in->rule_types == 0 || (in->rule_types & (1u << t)) != 0;
}

/* Runs rule r of version v (of n known) into a new finding; drops it when v does not own it. */
static pe_err run_rule(pe_ctx *ctx, size_t v, size_t n, const pe_rule *r) {
  pe_finding *f = pe_findings_push(ctx->out, r);
  if (!f) return PE_NOMEM;
  pe_err err = PE_OK;
  if (ctx->as_of < ctx->reg)
    pe_not_applicable(f, "student not yet registered");
  else if (ctx->as_of > ctx->active_end && ctx->year->start > ctx->active_end)
    pe_not_applicable(f, "student withdrawn or completed before this academic year");
  else
    err = RULES[r->type](ctx, r, f);
  if (err == PE_OK) apply_exemption(ctx, r, f);
  if (err == PE_OK && !owned_by(ctx->in, v, n, f, ctx->as_of)) pe_findings_pop(ctx->out);
  return err;
}

pe_err pe_evaluate_student(const pe_input *in, pe_findings *out) {
  if (!input_ok(in)) return PE_INVALID;
  pe_ctx ctx;
  build_context(in, out, &ctx);
  pe_student_status now = pe_status_on(&ctx, ctx.as_of);
  const pe_rule *rules[PE_MAX_RULES];
  size_t known = versions_known(in, ctx.as_of);
  for (size_t v = 0; v < known; v++) {
    ctx.policy = in->versions[v];
    size_t n =
        pe_policy_effective_rules(ctx.policy, in->student->level, in->student->cohort, now, rules);
    for (size_t i = 0; i < n; i++) {
      if (pe_rule_is_tutor_level(rules[i]->type) || pe_rule_is_school_level(rules[i]->type) ||
          !wanted(in, rules[i]->type))
        continue;
      pe_err err = run_rule(&ctx, v, known, rules[i]);
      if (err != PE_OK) return err;
    }
  }
  return PE_OK;
}

pe_err pe_evaluate_tutor(const pe_calendar *cal, const pe_policy *const *versions,
                         size_t n_versions, const pe_tutor *tutor, pe_instant as_of,
                         pe_findings *out) {
  if (!cal || !tutor || n_versions == 0) return PE_INVALID;
  pe_date day = pe_local_date(&cal->tz, as_of);
  const pe_policy *p = pe_policy_in_force(versions, n_versions, day);
  for (size_t i = 0; i < p->n_rules; i++) {
    const pe_rule *r = &p->rules[i];
    if (!r->enabled || !pe_rule_is_tutor_level(r->type)) continue;
    pe_finding *f = pe_findings_push(out, r);
    if (!f) return PE_NOMEM;
    pe_rule_tutor(r, tutor, cal, day, p->warning_days, f);
  }
  return PE_OK;
}

pe_err pe_evaluate_school(const pe_calendar *cal, const pe_policy *const *versions,
                          size_t n_versions, const pe_school *school, pe_instant as_of,
                          pe_findings *out) {
  if (!cal || !school || n_versions == 0) return PE_INVALID;
  pe_date day = pe_local_date(&cal->tz, as_of);
  const pe_policy *p = pe_policy_in_force(versions, n_versions, day);
  for (size_t i = 0; i < p->n_rules; i++) {
    const pe_rule *r = &p->rules[i];
    if (!r->enabled || !pe_rule_is_school_level(r->type)) continue;
    pe_finding *f = pe_findings_push(out, r);
    if (!f) return PE_NOMEM;
    pe_rule_school(r, school, day, f);
  }
  return PE_OK;
}
