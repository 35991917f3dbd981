/* rules_setup.c — one-off deadlines: allocation, first meeting, under-18 meeting, cover. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

/* The allocation deadline. Leicester: "Each student must be allocated a Personal Tutor by the
 * end of their first week after registration (usually the first week)." — the first week is
 * `days` days counting the day of registration: due = registered_on + days - 1 (days 0 is read
 * as the day of registration itself). With `from: first_teaching_week` ("normally by the end of
 * Week 1, Semester 1", Westminster 6.5) the deadline is fixed: the end of the first week
 * (start + 6) of the year's first teaching term, for every student registered by then; a
 * student registering later gets registered_on + days - 1. */
static pe_date allocation_due(const pe_ctx *ctx, const pe_rule *r) {
  int days = r->param[PE_P_DAYS] > 0 ? r->param[PE_P_DAYS] : 1;
  if (r->param[PE_P_FIRST_WEEK] == 1 && ctx->teaching.n) {
    pe_date week1_end = ctx->teaching.s[0].start + 6;
    if (ctx->reg <= week1_end) return week1_end;
  }
  return ctx->reg + days - 1;
}

/* allocation_within: a personal allocation must start no later than the deadline (see
 * allocation_due). Judged for students new this year (pe_is_new_student: the first year of
 * the course); not_applicable for returning students, and when the due date falls after
 * withdrawal. Only allocations that started by as_of count. */
pe_err pe_rule_allocation_within(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  char a[11], b[11];
  if (!pe_is_new_student(ctx)) {
    pe_not_applicable(f, "not in the first year of the course this academic year");
    return PE_OK;
  }
  f->window_start = ctx->reg;
  f->due = f->window_end = allocation_due(ctx, r);
  if (f->due > ctx->active_end) {
    pe_not_applicable(f, "student left before the allocation deadline");
    return PE_OK;
  }
  pe_date first = PE_NO_DATE;
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *al = &ctx->in->allocations[i];
    if (al->kind == PE_ALLOC_PERSONAL && (al->ends_on == PE_NO_DATE || al->ends_on >= ctx->reg) &&
        (first == PE_NO_DATE || al->starts_on < first))
      first = al->starts_on;
  }
  bool met = first != PE_NO_DATE && first <= f->due && first <= ctx->as_of;
  f->status = pe_due_status(ctx, met, f->due);
  if (met)
    snprintf(f->detail, sizeof f->detail, "personal tutor allocated on %s",
             pe_date_format(first, a));
  else
    snprintf(f->detail, sizeof f->detail, "no personal tutor allocated by %s (registered %s)",
             pe_date_format(f->due, a), pe_date_format(ctx->reg, b));
  if (!met && f->status == PE_BREACHED) {
    f->gap_start = ctx->reg;
    f->gap_end = first != PE_NO_DATE && first <= ctx->as_of ? first - 1 : ctx->as_of;
  }
  return PE_OK;
}

/* An attended meeting or group meeting by the tutor (or cover) unless `by: any_staff`. */
static bool attended_meeting(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  return (c->kind == PE_C_MEETING || c->kind == PE_C_GROUP_MEETING) &&
         c->attendance == PE_ATT_ATTENDED && pe_counts_by(ctx, c, r);
}

/* Start of the first-meeting window, or PE_NO_DATE with f set not_applicable. */
static pe_date first_meeting_start(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  if (r->param[PE_P_APPLIES_TO] == 0 && !pe_is_new_student(ctx)) {
    pe_not_applicable(f, "returning student (rule applies to new students)");
    return PE_NO_DATE;
  }
  pe_date start = ctx->reg;
  if (r->param[PE_P_FROM] == 1 && ctx->teaching.n && ctx->teaching.s[0].start > start)
    start = ctx->teaching.s[0].start;
  if (start < ctx->year->start) start = ctx->year->start;
  pe_spanset at;
  pe_spans_clip(&ctx->studying, start, start, &at);
  if (at.n == 0) {
    pe_not_applicable(f, "student not studying at the start of the window (away or left)");
    return PE_NO_DATE;
  }
  return start;
}

/* first_meeting_within: an attended meeting (meeting or group_meeting) with the personal
 * tutor in force that day (or the cover tutor; anyone with `by: any_staff`) within `days`
 * calendar days counting the first. Leicester: "Ensure they meet with their tutees within the
 * first two weeks of their first year." — 14 days from the start inclusive, so due =
 * start + days - 1; "their first year" is the first year of the course (pe_is_new_student). The
 * start is registration, or with from=year_start the first teaching day of the year or registration
 * if later. Meetings from the academic year's start (Welcome Week) count. applies_to=new judges
 * only students in the first year of the course (pe_is_new_student); all judges every student every
 * year. Not applicable when the student is away or has left at the start, or leaves before the due
 * date. */
pe_err pe_rule_first_meeting_within(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_err err = PE_OK;
  char a[11];
  pe_date start = first_meeting_start(ctx, r, f);
  if (start == PE_NO_DATE) return PE_OK;
  f->window_start = start;
  f->due = f->window_end = start + r->param[PE_P_DAYS] - 1;
  if (f->due > ctx->active_end) {
    pe_not_applicable(f, "student left before the first-meeting deadline");
    return PE_OK;
  }
  pe_spanset window;
  pe_date from = ctx->reg > ctx->year->start ? ctx->reg : ctx->year->start;
  pe_spans_one(&window, from < start ? from : start, f->due);
  int got = pe_count_in_spans(ctx, &window, attended_meeting, r, f, &err);
  f->status = pe_due_status(ctx, got > 0, f->due);
  snprintf(f->detail, sizeof f->detail, got ? "first meeting held" : "no meeting attended by %s",
           pe_date_format(f->due, a));
  if (f->status == PE_BREACHED) {
    f->gap_start = start;
    f->gap_end = f->due;
  }
  return err;
}

/* An attended individual meeting with a senior tutor (any senior tutor). */
static bool senior_meeting(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  (void)ctx;
  (void)r;
  return c->kind == PE_C_MEETING && c->attendance == PE_ATT_ATTENDED && c->senior_tutor;
}

/* under18_senior_meeting (Essex: "SPTs are the under-18s co-ordinator for the department and
 * are responsible for monitoring and meeting with those students personally."): a student
 * under 18 at the start of the year's window (the later of year start and registration) must
 * meet a senior tutor personally (an attended individual meeting with a staff member flagged
 * senior tutor) before turning 18 and by the end of the year's teaching, whichever is earlier.
 * Others: not_applicable. The 18th birthday is pe_birthday: a student born on 29 February reaches
 * 18 on 1 March in a common year (whole years of age), so 28 February is still a day under 18. */
pe_err pe_rule_under18_senior_meeting(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  pe_err err = PE_OK;
  const pe_student *st = ctx->in->student;
  pe_date start = ctx->year->start > ctx->reg ? ctx->year->start : ctx->reg;
  pe_date eighteen =
      st->date_of_birth == PE_NO_DATE ? PE_NO_DATE : pe_birthday(st->date_of_birth, 18);
  if (eighteen == PE_NO_DATE || eighteen <= start || ctx->teaching.n == 0) {
    pe_not_applicable(f, "student is not under 18 (or date of birth unknown)");
    return PE_OK;
  }
  pe_date due = ctx->teaching.s[ctx->teaching.n - 1].end;
  if (eighteen - 1 < due) due = eighteen - 1;
  pe_spanset window;
  pe_spans_one(&window, start, due);
  int got = pe_count_in_spans(ctx, &window, senior_meeting, r, f, &err);
  f->window_start = start;
  f->due = f->window_end = due;
  f->status = due > ctx->active_end ? PE_NOT_APPLICABLE : pe_due_status(ctx, got > 0, due);
  snprintf(f->detail, sizeof f->detail, "%s",
           got ? "met personally by a senior tutor"
               : "under-18 student not yet met by a senior tutor");
  return err;
}

/* One absence of the personal tutor: needs cover when longer than `days` days; covered if
 * the absence names a cover tutor or a cover allocation for the student starts by
 * from + days. Returns the due date if uncovered, else PE_NO_DATE. */
static pe_date uncovered(const pe_ctx *ctx, const pe_absence *a, int days) {
  if (a->to - a->from + 1 <= days || a->cover[0]) return PE_NO_DATE;
  pe_date due = a->from + days;
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *al = &ctx->in->allocations[i];
    if (al->kind == PE_ALLOC_COVER && al->starts_on <= due && al->starts_on <= ctx->as_of &&
        (al->ends_on == PE_NO_DATE || al->ends_on >= due))
      return PE_NO_DATE;
  }
  return due;
}

/* cover_during_absence (Leicester senior tutor: "Provide cover in the absence of a tutor"):
 * whenever the student's personal tutor (by allocation) is absent
 * for longer than `days` days within the year and while the student is registered, cover
 * must be in place by the absence's start + days (absence.cover set, or a cover
 * allocation). `days` 0 is read as "any absence needs cover, from its first day" (every
 * absence lasts at least one day, which is longer than 0), due on the absence's first day.
 * Only absences that started by as_of, and cover allocations that started by as_of, count.
 * Breached if any past deadline was missed; pending/due_soon for an upcoming deadline; met
 * otherwise (including no absences). */
pe_err pe_rule_cover_during_absence(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  char a[11];
  pe_date worst = PE_NO_DATE;
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *al = &ctx->in->allocations[i];
    const pe_tutor *t = al->kind == PE_ALLOC_PERSONAL ? pe_tutor_facts(ctx, al->tutor) : NULL;
    for (size_t k = 0; t && k < t->n_absences; k++) {
      const pe_absence *ab = &t->absences[k];
      if (ab->to < ctx->year->start || ab->from > ctx->year->end || ab->from > ctx->as_of ||
          ab->to < al->starts_on || (al->ends_on != PE_NO_DATE && ab->from > al->ends_on) ||
          ab->to < ctx->reg || ab->from > ctx->active_end)
        continue;
      pe_date due = uncovered(ctx, ab, r->param[PE_P_DAYS]);
      if (due != PE_NO_DATE && (worst == PE_NO_DATE || due < worst)) worst = due;
    }
  }
  f->window_start = ctx->year->start;
  f->window_end = ctx->year->end;
  f->due = worst;
  f->status = worst == PE_NO_DATE ? PE_MET : pe_due_status(ctx, false, worst);
  snprintf(f->detail, sizeof f->detail,
           worst == PE_NO_DATE ? "cover in place for every absence"
                               : "tutor absent with no cover by %s",
           worst == PE_NO_DATE ? "" : pe_date_format(worst, a));
  return PE_OK;
}
