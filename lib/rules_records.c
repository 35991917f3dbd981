/* rules_records.c — meeting summaries provided to the student, the annual feedback invitation, and
 * a named personal tutor while studying. */
#include "eval.h"

#include <stdio.h>

/* ---- meeting_summary_within ---- */

typedef struct {
  int meetings, summarised;
  pe_deadlines due;
} summary_tally;

/* An attended meeting of the rule's `kinds` held by the personal tutor (or cover): the meetings
 * the Personal Tutor must ensure a summary of. */
static bool is_summarisable(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  return ((r->param[PE_P_KINDS] >> c->kind) & 1) && c->attendance == PE_ATT_ATTENDED &&
         pe_contact_by_tutor(ctx, c);
}

/* Judges meeting m: in time when a summary was recorded by the end of its deadline day and no
 * later than as_of (a summary written after as_of was not there on as_of). Meetings whose
 * deadline falls before the academic year (judged with their own year), after withdrawal, or
 * inside an exemption naming the rule, are not judged. */
static pe_err judge_meeting(pe_ctx *ctx, const pe_rule *r, pe_finding *f, size_t m,
                            summary_tally *t) {
  const pe_contact *c = &ctx->in->contacts[m];
  pe_date due = pe_working_days_after(ctx->cal, c->at, r->param[PE_P_WORKING_DAYS]);
  if (due < ctx->year->start || due > ctx->active_end || pe_exempt(ctx, r, due, NULL)) return PE_OK;
  pe_instant until = pe_local_day_end(&ctx->cal->tz, due);
  bool in_time = c->summary_at != 0 && c->summary_at <= until && c->summary_at <= ctx->in->as_of;
  t->meetings++;
  if (in_time) {
    t->summarised++;
    return t->due.breaches ? PE_OK : pe_evidence_by(ctx, f, c->id, c->staff);
  }
  pe_deadlines_unmet(ctx, &t->due, m, due);
  return PE_OK;
}

/* Status, due, evidence and detail from the tally: the first late meeting (breached), else the
 * oldest meeting still within its deadline (pending/due_soon), else met with the summarised
 * meetings as evidence. */
static pe_err conclude_summaries(pe_ctx *ctx, const pe_rule *r, pe_finding *f,
                                 const summary_tally *t) {
  char a[11], b[11];
  int n = r->param[PE_P_WORKING_DAYS];
  long m = pe_deadlines_conclude(ctx, &t->due, f);
  if (m < 0) {
    f->status = PE_MET;
    snprintf(f->detail, sizeof f->detail, "%d of %d meetings summarised within %d working days",
             t->summarised, t->meetings, n);
    return PE_OK;
  }
  const pe_contact *c = &ctx->in->contacts[m];
  pe_date_format(pe_local_date(&ctx->cal->tz, c->at), a);
  if (t->due.breaches)
    snprintf(f->detail, sizeof f->detail,
             "no summary of the meeting of %s within %d working days%s", a, n,
             t->due.breaches > 1 ? " (and others)" : "");
  else
    snprintf(f->detail, sizeof f->detail, "summary of the meeting of %s due by %s", a,
             pe_date_format(f->due, b));
  return pe_evidence_by(ctx, f, c->id, c->staff);
}

/* meeting_summary_within: Westminster 3.1 "The Personal Tutor will ensure that a summary of all
 * meetings are provided to the student and kept confidentially on record". Reading: every
 * attended meeting of `kinds` (default meeting, group_meeting) held by the personal tutor (or
 * cover) since registration and up to as_of needs a summary shared with the student
 * (pe_contact.summary_at) by the end of the `working_days`-th working day after the meeting's
 * local date (pe_working_days_after: weekends and closure days never count; 0 = the same day).
 * A meeting is judged in the academic year its deadline falls in, so one held at the end of
 * August whose summary is due in September is judged with the new year. Breached when any deadline
 * passed without one (evidence: the first such meeting); pending/due_soon while the oldest
 * unsummarised meeting is within its deadline; met otherwise (evidence: the summarised meetings). A
 * missed or cancelled meeting has nothing to summarise. */
pe_err pe_rule_meeting_summary_within(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  const pe_tz *tz = &ctx->cal->tz;
  pe_instant hi = pe_local_day_end(tz, ctx->year->end);
  summary_tally t = {0, 0, {0}};
  pe_deadlines_init(&t.due);
  f->window_start = ctx->year->start > ctx->reg ? ctx->year->start : ctx->reg;
  f->window_end = ctx->year->end;
  if (hi > ctx->in->as_of) hi = ctx->in->as_of;
  for (size_t i = pe_first_at(ctx->in, pe_local_day_start(tz, ctx->reg));
       i < ctx->in->n_contacts && ctx->in->contacts[i].at <= hi; i++) {
    if (!is_summarisable(ctx, &ctx->in->contacts[i], r)) continue;
    pe_err err = judge_meeting(ctx, r, f, i, &t);
    if (err != PE_OK) return err;
  }
  return conclude_summaries(ctx, r, f, &t);
}

/* ---- feedback_invited ---- */

/* feedback_invited: Leicester CoP "Evaluation": "Tutees and Personal Tutors must be given the
 * opportunity to provide feedback on Personal Tutoring within their School at least once a
 * year"; 000: "offer all tutees the opportunity at least once per year to comment on the
 * provision of student support". Reading: the student was invited (pe_student.feedback_invited)
 * on a day of the academic year up to as_of; the opportunity may come at any time in the year,
 * so it is due at the year's end (pending/due_soon before, breached after). Not applicable to a
 * student not invited who left (withdrawn, completed) before the year's end: the invitation may
 * legitimately have come after they left. */
pe_err pe_rule_feedback_invited(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  const pe_student *st = ctx->in->student;
  char a[11];
  (void)r;
  pe_date invited =
      pe_latest_in_year(st->feedback_invited, st->n_feedback_invited, ctx->year, ctx->as_of);
  f->window_start = ctx->year->start > ctx->reg ? ctx->year->start : ctx->reg;
  f->window_end = ctx->year->end;
  if (invited == PE_NO_DATE && ctx->active_end < ctx->year->end) {
    pe_not_applicable(f, "student left before the end of the academic year");
    return PE_OK;
  }
  f->due = ctx->year->end;
  f->status = pe_due_status(ctx, invited != PE_NO_DATE, f->due);
  if (invited != PE_NO_DATE)
    snprintf(f->detail, sizeof f->detail, "invited to give feedback on %s (%s)",
             pe_date_format(invited, a), ctx->year->label);
  else
    snprintf(f->detail, sizeof f->detail, "not invited to give feedback in %s (due by %s)",
             ctx->year->label, pe_date_format(f->due, a));
  return PE_OK;
}

/* ---- personal_tutor_named ---- */

/* The personal allocation in force on d (started by d, not ended before it), or NULL. */
static const pe_allocation *personal_on(const pe_ctx *ctx, pe_date d) {
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *a = &ctx->in->allocations[i];
    if (a->kind == PE_ALLOC_PERSONAL && a->starts_on <= d &&
        (a->ends_on == PE_NO_DATE || d <= a->ends_on))
      return a;
  }
  return NULL;
}

/* The first day in [from, to] with no personal allocation in force (PE_NO_DATE if none), and in
 * *gap_end the last day of that uncovered run (before the next allocation starts, at most to). */
static pe_date first_gap(const pe_ctx *ctx, pe_date from, pe_date to, pe_date *gap_end) {
  pe_date d = from;
  const pe_allocation *a;
  while (d <= to && (a = personal_on(ctx, d)) != NULL) {
    if (a->ends_on == PE_NO_DATE || a->ends_on >= to) return PE_NO_DATE;
    d = a->ends_on + 1;
  }
  if (d > to) return PE_NO_DATE;
  *gap_end = to;
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *x = &ctx->in->allocations[i];
    if (x->kind == PE_ALLOC_PERSONAL && x->starts_on > d && x->starts_on - 1 < *gap_end)
      *gap_end = x->starts_on - 1;
  }
  return d;
}

/* personal_tutor_named: Essex "All undergraduate and taught postgraduate students have a named
 * Personal Tutor in their department that they can approach for information, advice and
 * guidance throughout the duration of their course". Reading: on every day of the academic year
 * up to as_of on which the student is on the course (registered, not withdrawn or completed;
 * away students — year abroad, placement, suspended — are still on their course), from `days`
 * (default 0) days after registration, a personal allocation is in force; days inside an
 * exemption naming the rule are not judged. Breached with the first uncovered run of days as the
 * gap; met otherwise. While still within the grace the finding is pending/due_soon (met once a
 * tutor is named), due on the first day that must be covered. */
pe_err pe_rule_personal_tutor_named(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_date from = ctx->reg + r->param[PE_P_DAYS];
  pe_date to = ctx->as_of < ctx->active_end ? ctx->as_of : ctx->active_end;
  pe_spanset judged;
  char a[11], b[11];
  if (from < ctx->year->start) from = ctx->year->start;
  f->window_start = from;
  f->window_end = to;
  if (from > to && ctx->as_of >= from) {
    pe_not_applicable(f, "student left before a personal tutor had to be named");
    return PE_OK;
  }
  if (from > to) {
    f->due = from;
    f->status = pe_due_status(ctx, personal_on(ctx, ctx->as_of) != NULL, from);
    snprintf(f->detail, sizeof f->detail, "%s by %s",
             f->status == PE_MET ? "a personal tutor is named; one must be"
                                 : "a personal tutor must be named",
             pe_date_format(from, a));
    return PE_OK;
  }
  pe_spans_one(&judged, from, to);
  pe_exempt_spans(ctx, r, &judged);
  for (int s = 0; s < judged.n; s++) {
    pe_date end = PE_NO_DATE, gap = first_gap(ctx, judged.s[s].start, judged.s[s].end, &end);
    if (gap == PE_NO_DATE) continue;
    f->status = PE_BREACHED;
    f->gap_start = gap;
    f->gap_end = end;
    snprintf(f->detail, sizeof f->detail, "no personal tutor named from %s to %s",
             pe_date_format(gap, a), pe_date_format(end, b));
    return PE_OK;
  }
  f->status = PE_MET;
  snprintf(f->detail, sizeof f->detail, "a personal tutor named on every day from %s",
           pe_date_format(from, a));
  return PE_OK;
}
