/* rules_meetings.c — meeting counts per year and per term, group sessions, escalation. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

/* A contact of the rule's `kinds`; offered = not cancelled, attended = attended. */
static bool counts_as_meeting(const pe_contact *c, const pe_rule *r) {
  if (!((r->param[PE_P_KINDS] >> c->kind) & 1)) return false;
  return r->param[PE_P_COUNT] == 1 ? c->attendance != PE_ATT_CANCELLED
                                   : c->attendance == PE_ATT_ATTENDED;
}

/* Yearly count (see meetings_per_year) with kinds/count taken from r. */
static pe_err judge_year(pe_ctx *ctx, const pe_rule *r, pe_finding *f, int min,
                         const char *what) {
  pe_spanset present, window;
  pe_err err = PE_OK;
  char buf[11];
  pe_spans_intersect(&ctx->teaching, &ctx->studying, &present);
  if (present.n == 0) {
    pe_not_applicable(f, "not registered and studying during term time this year");
    return PE_OK;
  }
  if (ctx->teaching.s[ctx->teaching.n - 1].end > ctx->active_end) {
    pe_not_applicable(f, "student left before the end of the academic year");
    return PE_OK;
  }
  int32_t total = pe_spans_days(&ctx->teaching), mine = pe_spans_days(&present);
  int required = (int)(((int64_t)min * mine + total - 1) / total);
  if (required < 1) required = 1;
  pe_spans_clip(&ctx->studying, ctx->year->start, ctx->year->end, &window);
  int got = pe_count_in_spans(ctx, &window, counts_as_meeting, r, f, &err);
  f->window_start = window.s[0].start;
  f->due = f->window_end = present.s[present.n - 1].end;
  f->status = pe_due_status(ctx, got >= required, f->due);
  snprintf(f->detail, sizeof f->detail, "%d of %d %s in %s by %s%s", got, required, what,
           ctx->year->label, pe_date_format(f->due, buf),
           required < min ? " (pro rata: part of the year away or not registered)" : "");
  return err;
}

/* meetings_per_year: at least `min` meetings of `kinds` (default meeting, group_meeting)
 * offered (not cancelled) or attended, per `count`, between the later of the academic
 * year's start and registration, and the year's end (so Welcome Week meetings count),
 * on days the student is studying. Due at the end of the last teaching term in which the
 * student studies. A student studying for only part of the teaching year (late
 * registration, year abroad from mid-year) needs ceil(min × teaching days studying /
 * teaching days) meetings. Not applicable when the student leaves (withdrawn, completed)
 * before the end of the teaching year, or studies no teaching day this year (away). */
pe_err pe_rule_meetings_per_year(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  return judge_year(ctx, r, f, r->param[PE_P_MIN],
                    r->param[PE_P_COUNT] == 1 ? "meetings offered" : "meetings attended");
}

/* group_sessions: for students of `level` only (others not_applicable), at least `min`
 * group_meeting sessions offered (timetabled, not cancelled) in the year, counted and
 * pro-rated exactly like meetings_per_year. `label` names the programme (e.g. WeThrive). */
pe_err pe_rule_group_sessions(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  char what[80];
  if ((int)ctx->in->student->level != r->param[PE_P_LEVEL]) {
    pe_not_applicable(f, "student is not at the level this rule applies to");
    return PE_OK;
  }
  pe_rule g = *r;
  g.param[PE_P_KINDS] = 1 << PE_C_GROUP_MEETING;
  g.param[PE_P_COUNT] = 1;
  snprintf(what, sizeof what, "%s group sessions", r->label[0] ? r->label : "");
  return judge_year(ctx, &g, f, r->param[PE_P_MIN], r->label[0] ? what : "group sessions");
}

/* meeting_each_term: in every teaching term of the year (the part of it in which the
 * student is registered and studying, i.e. not away/withdrawn), at least `min` (default 1)
 * meetings of `kinds` (default meeting, group_meeting) offered (not cancelled) or attended,
 * per `count`. Terms away are judged by away_contact_per_term instead (rules_periodic.c). */
pe_err pe_rule_meeting_each_term(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_period periods[16];
  size_t n = pe_term_periods(ctx, &ctx->studying, periods, 16);
  return pe_judge_periods(ctx, r, f, periods, n, r->param[PE_P_MIN], counts_as_meeting,
                          r->param[PE_P_COUNT] == 1 ? "meeting(s) offered"
                                                    : "meeting(s) attended");
}

static bool is_missed(const pe_contact *c, const pe_rule *r) {
  (void)r;
  return (c->kind == PE_C_MEETING || c->kind == PE_C_GROUP_MEETING) &&
         c->attendance == PE_ATT_MISSED;
}

/* True when a concern was open on day d or opened on/after it. */
static bool escalated(const pe_ctx *ctx, pe_date d) {
  for (size_t i = 0; i < ctx->in->n_concerns; i++) {
    const pe_concern *c = &ctx->in->concerns[i];
    if (c->opened_on >= d || c->closed_on == PE_NO_DATE || c->closed_on >= d) return true;
  }
  return false;
}

/* missed_meetings_escalation: once `missed` meetings (meeting or group_meeting with
 * attendance missed) have been missed in the academic year (since registration), a concern
 * must be open for the student (raised to the senior tutor) — one opened on or after the
 * day of the `missed`-th miss, or still open then — within `days` (default 30: the monthly
 * Student Success Action Plan meeting). Fewer misses: met. Evidence: the missed meetings. */
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
    if (is_missed(&ctx->in->contacts[i], r) && ++k == need)
      nth = pe_local_date(&ctx->cal->tz, ctx->in->contacts[i].at);
  f->due = nth + r->param[PE_P_DAYS];
  f->status = pe_due_status(ctx, escalated(ctx, nth), f->due);
  snprintf(f->detail, sizeof f->detail, "%d missed meetings (the %d%s on %s): %s", got, need,
           need == 1 ? "st" : need == 2 ? "nd" : need == 3 ? "rd" : "th",
           pe_date_format(nth, buf),
           f->status == PE_MET ? "referred to the senior tutor" : "no concern raised with the senior tutor");
  return err;
}
