/* rules_meetings.c — meeting counts per year and per term, group sessions, escalation. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

/* A contact of the rule's `kinds`; offered = not cancelled, attended = attended; by the
 * student's tutor on that day unless `by: any_staff` (pe_counts_by). */
static bool counts_as_meeting(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  if (!((r->param[PE_P_KINDS] >> c->kind) & 1)) return false;
  if (r->param[PE_P_COUNT] == 1 ? c->attendance == PE_ATT_CANCELLED
                                : c->attendance != PE_ATT_ATTENDED)
    return false;
  return pe_counts_by(ctx, c, r);
}

/* The teaching days on which a yearly count is judged, and how many are owed: with pro_rata
 * the teaching days studying; without it every teaching day when the student studies on the
 * last one (else pro rata as well); either way minus the days an exemption suspends the rule. */
static int required_in_year(const pe_ctx *ctx, const pe_rule *r, const pe_spanset *present,
                            int min) {
  pe_spanset owed = *present;
  pe_date last = ctx->teaching.s[ctx->teaching.n - 1].end;
  if (r->param[PE_P_PRO_RATA] == 0 && present->s[present->n - 1].end == last) owed = ctx->teaching;
  pe_exempt_spans(ctx, r, &owed);
  int32_t total = pe_spans_days(&ctx->teaching), mine = pe_spans_days(&owed);
  int required = (int)(((int64_t)min * mine + total - 1) / total);
  return required < 1 ? 1 : required;
}

/* Yearly count (see meetings_per_year) with kinds/count taken from r. */
static pe_err judge_year(pe_ctx *ctx, const pe_rule *r, pe_finding *f, int min, const char *what) {
  pe_spanset present, judged, window;
  pe_err err = PE_OK;
  char buf[11];
  pe_spans_intersect(&ctx->teaching, &ctx->studying, &present);
  judged = present;
  pe_exempt_spans(ctx, r, &judged);
  if (judged.n == 0) {
    pe_not_applicable(f, present.n ? "exempt on every teaching day studying this year"
                                   : "not registered and studying during term time this year");
    return PE_OK;
  }
  if (ctx->teaching.s[ctx->teaching.n - 1].end > ctx->active_end) {
    pe_not_applicable(f, "student left before the end of the academic year");
    return PE_OK;
  }
  int required = required_in_year(ctx, r, &present, min);
  pe_spans_clip(&ctx->studying, ctx->year->start, ctx->year->end, &window);
  pe_exempt_spans(ctx, r, &window);
  int got = pe_count_in_spans(ctx, &window, counts_as_meeting, r, f, &err);
  f->window_start = window.s[0].start;
  f->due = f->window_end = present.s[present.n - 1].end;
  f->status = pe_due_status(ctx, got >= required, f->due);
  snprintf(f->detail, sizeof f->detail, "%d of %d %s in %s by %s%s", got, required, what,
           ctx->year->label, pe_date_format(f->due, buf),
           required < min ? " (pro rata: part of the year away, not registered or exempt)" : "");
  return err;
}

/* meetings_per_year: at least `min` meetings of `kinds` (default meeting, group_meeting)
 * offered (not cancelled) or attended, per `count`, between the later of the academic
 * year's start and registration, and the year's end (so Welcome Week meetings count),
 * on days the student is studying, held by the personal tutor in force that day (or the
 * cover tutor) unless `by: any_staff`. Due at the end of the last teaching term in which the
 * student studies. Not applicable when the student leaves (withdrawn, completed) before the
 * end of the teaching year, or studies no teaching day this year (away).
 * `pro_rata` (a reading, the clauses set an annual minimum without saying what a part-year
 * student owes): true (default) — a student studying for only part of the teaching year (late
 * registration, year abroad from mid-year) needs ceil(min × teaching days studying / teaching
 * days), since the minimum is a rate over the teaching year; false — the full minimum for anyone
 * studying through the end of the teaching year, however late they started (a student away at
 * the end of the year is still pro-rated: they cannot be met with in the year's last weeks).
 * Exempt days are dropped either way: they neither count towards the owed share nor hold
 * meetings that count. */
pe_err pe_rule_meetings_per_year(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  return judge_year(ctx, r, f, r->param[PE_P_MIN],
                    r->param[PE_P_COUNT] == 1 ? "meetings offered" : "meetings attended");
}

/* group_sessions: for students of `level` only (others not_applicable), at least `min`
 * group_meeting sessions offered (timetabled, not cancelled) in the year, by any staff (the
 * sessions belong to the programme, not to the personal tutor), counted and pro-rated
 * exactly like meetings_per_year (`pro_rata` likewise). `label` names the programme. */
pe_err pe_rule_group_sessions(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  char what[80];
  if ((int)ctx->in->student->level != r->param[PE_P_LEVEL]) {
    pe_not_applicable(f, "student is not at the level this rule applies to");
    return PE_OK;
  }
  pe_rule g = *r;
  g.param[PE_P_KINDS] = 1 << PE_C_GROUP_MEETING;
  g.param[PE_P_COUNT] = 1;
  g.param[PE_P_BY] = 1; /* a programme's sessions are run by whoever runs it */
  snprintf(what, sizeof what, "%s group sessions", r->label[0] ? r->label : "");
  return judge_year(ctx, &g, f, r->param[PE_P_MIN], r->label[0] ? what : "group sessions");
}

/* meeting_each_term: in every teaching term of the year (the part of it in which the
 * student is registered and studying, i.e. not away/withdrawn), at least `min` (default 1)
 * meetings of `kinds` (default meeting, group_meeting) offered (not cancelled) or attended,
 * per `count`, held by the tutor in force that day (or cover) unless `by: any_staff`. With
 * `period: semester` each semester is one period (see pe_term_periods). Terms away are judged
 * by away_contact_per_term instead (rules_periodic.c). */
pe_err pe_rule_meeting_each_term(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_period periods[16];
  size_t n = pe_term_periods(ctx, r, &ctx->studying, periods, 16);
  return pe_judge_periods(ctx, r, f, periods, n, r->param[PE_P_MIN], counts_as_meeting,
                          r->param[PE_P_COUNT] == 1 ? "meeting(s) offered" : "meeting(s) attended");
}

/* A missed meeting or group meeting, whoever held it. */
static bool is_missed(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  (void)ctx;
  (void)r;
  return (c->kind == PE_C_MEETING || c->kind == PE_C_GROUP_MEETING) &&
         c->attendance == PE_ATT_MISSED;
}

/* True when a concern raised by someone in the rule's `raised_by` mask was open on day d or
 * opened after it, counting only concerns opened on or before as_of (a later one was not true
 * on as_of). */
static bool escalated(const pe_ctx *ctx, const pe_rule *r, pe_date d) {
  for (size_t i = 0; i < ctx->in->n_concerns; i++) {
    const pe_concern *c = &ctx->in->concerns[i];
    if (c->opened_on > ctx->as_of || !((r->param[PE_P_RAISED_BY] >> c->raised_by) & 1)) continue;
    if (c->opened_on >= d || c->closed_on == PE_NO_DATE || c->closed_on >= d) return true;
  }
  return false;
}

/* missed_meetings_escalation (Westminster 2.4: "Attendance at these meetings will be monitored
 * and followed up by the School Senior Tutor for escalation to the monthly Student Success
 * Action Plan meeting."): once `missed` meetings (meeting or group_meeting with
 * attendance missed) have been missed in the academic year (since registration), a concern
 * must be open for the student (raised to the senior tutor) — one opened on or after the
 * day of the `missed`-th miss, or still open then — within `days` (default 30: the monthly
 * Student Success Action Plan meeting). Fewer misses: met. Evidence: the missed meetings.
 * Escalation is a referral by staff: only concerns whose raiser is in `raised_by` (default
 * tutor and senior_tutor) count — a student's own complaint about their tutoring is not an
 * escalation of their non-attendance — and only concerns opened on or before as_of. */
pe_err pe_rule_missed_meetings_escalation(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_spanset window;
  pe_err err = PE_OK;
  char buf[11];
  int need = r->param[PE_P_MISSED];
  pe_date start = ctx->year->start > ctx->reg ? ctx->year->start : ctx->reg;
  pe_spans_one(&window, start, ctx->year->end < ctx->active_end ? ctx->year->end : ctx->active_end);
  f->window_start = start;
  f->window_end = ctx->year->end;
  int got = pe_count_in_spans(ctx, &window, is_missed, r, f, &err);
  if (got < need) {
    f->status = PE_MET;
    snprintf(f->detail, sizeof f->detail, "%d missed meeting(s); escalation after %d", got, need);
    return err;
  }
  pe_date nth = start;
  int k = 0;
  for (size_t i = pe_first_at(ctx->in, pe_local_day_start(&ctx->cal->tz, start));
       i < ctx->in->n_contacts && k < need; i++)
    if (is_missed(ctx, &ctx->in->contacts[i], r) && ++k == need)
      nth = pe_local_date(&ctx->cal->tz, ctx->in->contacts[i].at);
  f->due = nth + r->param[PE_P_DAYS];
  f->status = pe_due_status(ctx, escalated(ctx, r, nth), f->due);
  snprintf(f->detail, sizeof f->detail, "%d missed meetings (the %d%s on %s): %s", got, need,
           need == 1   ? "st"
           : need == 2 ? "nd"
           : need == 3 ? "rd"
                       : "th",
           pe_date_format(nth, buf),
           f->status == PE_MET ? "referred to the senior tutor"
                               : "no concern raised with the senior tutor");
  return err;
}
