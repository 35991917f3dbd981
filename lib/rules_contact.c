/* rules_contact.c — per-term and per-month contact rules (judged by rules_periodic.c). */
#include "eval.h"

static bool kind_in(const pe_contact *c, int32_t mask) {
  return (mask >> c->kind) & 1;
}

/* Any tutor-initiated contact of the listed kinds that was not cancelled; meetings and
 * teaching events count whatever the recorded direction. By the student's tutor on that day
 * unless `by: any_staff`. */
static bool counts_as_contact(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  if (!kind_in(c, r->param[PE_P_KINDS]) || c->attendance == PE_ATT_CANCELLED) return false;
  if (c->direction != PE_DIR_TO_STUDENT && c->kind != PE_C_MEETING &&
      c->kind != PE_C_GROUP_MEETING && c->kind != PE_C_TEACHING_EVENT)
    return false;
  return pe_counts_by(ctx, c, r);
}

/* contact_monthly: every calendar month that overlaps a teaching term needs at least
 * `min` (default 1) contacts of `kinds` within the in-term part of that month (a month
 * only partly in term still needs one, inside the term part), counting only days on
 * which the student is registered and studying. Months are periods (rules_periodic.c). */
pe_err pe_rule_contact_monthly(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_span spans[48];
  int32_t months[48];
  pe_period periods[48];
  size_t n = pe_calendar_term_months(ctx->cal, ctx->year, spans, months, 48);
  for (size_t i = 0; i < n; i++) {
    periods[i].natural = spans[i];
    pe_spans_clip(&ctx->studying, spans[i].start, spans[i].end, &periods[i].spans);
  }
  return pe_judge_periods(ctx, r, f, periods, n, r->param[PE_P_MIN], counts_as_contact,
                          "contact(s) in the term-time part of the month");
}

/* Leicester: "there must be at least one individual email or other individual contact per
 * semester, in addition to Welcome Week, in which the Personal Tutor enquires about academic
 * progress and wellbeing." Read: an "individual" contact is to this student alone — not a
 * group meeting, not a teaching event — that enquired about progress and wellbeing, took place
 * (not missed, not cancelled), and was made by the personal tutor (or cover) on that day unless
 * `by: any_staff`. */
static bool counts_as_checkin(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  return c->wellbeing_check && c->direction == PE_DIR_TO_STUDENT && c->kind != PE_C_GROUP_MEETING &&
         c->kind != PE_C_TEACHING_EVENT && c->attendance != PE_ATT_MISSED &&
         c->attendance != PE_ATT_CANCELLED && pe_counts_by(ctx, c, r);
}

/* individual_checkin_per_term: in every teaching term (studying part; every semester with
 * `period: semester`), at least `min` individual contacts (counts_as_checkin) enquiring about
 * academic progress and wellbeing. */
pe_err pe_rule_individual_checkin_per_term(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_period periods[16];
  size_t n = pe_term_periods(ctx, r, &ctx->studying, periods, 16);
  return pe_judge_periods(ctx, r, f, periods, n, r->param[PE_P_MIN], counts_as_checkin,
                          "individual wellbeing check-in(s)");
}

/* Any contact to the student that was not cancelled or missed, by the tutor (or cover) on
 * that day unless `by: any_staff`. */
static bool counts_as_away_contact(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  return c->direction == PE_DIR_TO_STUDENT && c->attendance != PE_ATT_CANCELLED &&
         c->attendance != PE_ATT_MISSED && pe_counts_by(ctx, c, r);
}

/* away_contact_per_term: for every teaching term in which the student is away (status in
 * `statuses`, default year_abroad, placement, suspended), at least `min` (default 1)
 * contacts from the tutor (or cover; any staff with `by: any_staff`) during the away part of
 * that term (semester with `period: semester`). A student never away during term time gets
 * not_applicable. */
pe_err pe_rule_away_contact_per_term(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_spanset away;
  pe_period periods[16];
  pe_presence(ctx, (unsigned)r->param[PE_P_STATUSES], &away);
  size_t n = pe_term_periods(ctx, r, &away, periods, 16);
  return pe_judge_periods(ctx, r, f, periods, n, r->param[PE_P_MIN], counts_as_away_contact,
                          "contact(s) while away");
}
