/* context.c — what every rule needs: statuses against due dates, contact ranges by
 * binary search, presence spans from the status history, and who may act as tutor. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

pe_status pe_due_status(const pe_ctx *ctx, bool met, pe_date due) {
  if (met) return PE_MET;
  if (due == PE_NO_DATE || ctx->as_of > due) return PE_BREACHED;
  return due - ctx->as_of <= ctx->policy->warning_days ? PE_DUE_SOON : PE_PENDING;
}

void pe_not_applicable(pe_finding *f, const char *detail) {
  f->status = PE_NOT_APPLICABLE;
  pe_copy_text(f->detail, sizeof f->detail, detail);
}

size_t pe_first_at(const pe_input *in, pe_instant t) {
  size_t lo = 0, hi = in->n_contacts;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (in->contacts[mid].at < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int pe_count_in_spans(pe_ctx *ctx, const pe_spanset *spans, pe_pred pred, const pe_rule *r,
                      pe_finding *f, pe_err *err) {
  int n = 0;
  const pe_tz *tz = &ctx->cal->tz;
  for (int s = 0; s < spans->n; s++) {
    pe_instant hi = pe_local_day_end(tz, spans->s[s].end);
    if (hi > ctx->in->as_of) hi = ctx->in->as_of;
    for (size_t i = pe_first_at(ctx->in, pe_local_day_start(tz, spans->s[s].start));
         i < ctx->in->n_contacts && ctx->in->contacts[i].at <= hi; i++) {
      const pe_contact *c = &ctx->in->contacts[i];
      if (!pred(ctx, c, r)) continue;
      n++;
      if (f && pe_evidence_by(ctx, f, c->id, c->staff) != PE_OK) *err = PE_NOMEM;
    }
  }
  return n;
}

pe_student_status pe_status_on(const pe_ctx *ctx, pe_date d) {
  const pe_student *st = ctx->in->student;
  pe_student_status s = PE_ST_STUDYING;
  for (size_t i = 0; i < ctx->statuses_known && st->statuses[i].from <= d; i++)
    s = st->statuses[i].status;
  return s;
}

/* Presence: the status history as known on as_of (later entries were not true on as_of). */
void pe_presence(const pe_ctx *ctx, unsigned mask, pe_spanset *out) {
  const pe_student *st = ctx->in->student;
  size_t known = ctx->statuses_known;
  out->n = 0;
  pe_student_status cur = PE_ST_STUDYING;
  pe_date from = ctx->reg;
  for (size_t i = 0; i <= known; i++) {
    pe_date next = i < known ? st->statuses[i].from : PE_DATE_MAX;
    pe_date lo = from > ctx->reg ? from : ctx->reg;
    pe_date hi = next == PE_DATE_MAX ? PE_DATE_MAX - 1 : next - 1;
    if (hi > ctx->active_end) hi = ctx->active_end;
    if ((mask & (1u << cur)) && lo <= hi && out->n < PE_MAX_SPANS) {
      if (out->n && out->s[out->n - 1].end + 1 >= lo)
        out->s[out->n - 1].end = hi;
      else
        out->s[out->n++] = (pe_span){lo, hi};
    }
    if (i < known) {
      cur = st->statuses[i].status;
      from = next;
    }
  }
}

const pe_tutor *pe_tutor_facts(const pe_ctx *ctx, const char *staff) {
  for (size_t i = 0; i < ctx->in->n_tutors; i++)
    if (strcmp(ctx->in->tutors[i].staff, staff) == 0) return &ctx->in->tutors[i];
  return NULL;
}

static bool alloc_active(const pe_allocation *a, pe_date d) {
  return a->starts_on <= d && (a->ends_on == PE_NO_DATE || d <= a->ends_on);
}

/* True when `tutor` has an absence covering d whose cover is `staff`. */
static bool covers_absence(const pe_ctx *ctx, const char *tutor, const char *staff, pe_date d) {
  const pe_tutor *t = pe_tutor_facts(ctx, tutor);
  for (size_t i = 0; t && i < t->n_absences; i++)
    if (t->absences[i].from <= d && d <= t->absences[i].to &&
        strcmp(t->absences[i].cover, staff) == 0)
      return true;
  return false;
}

/* pe_staff_eligible: the personal or cover allocation of `staff` active on d, or the cover
 * named on an absence of an active personal tutor that covers d. */
bool pe_staff_eligible(const pe_ctx *ctx, const char *staff, pe_date d) {
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *a = &ctx->in->allocations[i];
    if (a->kind == PE_ALLOC_SECONDARY || !alloc_active(a, d)) continue;
    if (strcmp(a->tutor, staff) == 0) return true;
    if (a->kind == PE_ALLOC_PERSONAL && covers_absence(ctx, a->tutor, staff, d)) return true;
  }
  return false;
}

bool pe_contact_by_tutor(const pe_ctx *ctx, const pe_contact *c) {
  bool any_direction =
      c->kind == PE_C_MEETING || c->kind == PE_C_GROUP_MEETING || c->kind == PE_C_TEACHING_EVENT;
  if (!c->staff[0] || (c->direction == PE_DIR_FROM_STUDENT && !any_direction)) return false;
  return pe_staff_eligible(ctx, c->staff, pe_local_date(&ctx->cal->tz, c->at));
}

bool pe_counts_by(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r) {
  return r->param[PE_P_BY] == 1 || pe_contact_by_tutor(ctx, c);
}

/* True when exemption e names rule r (or names none: every student-level rule). */
static bool exemption_names(const pe_exemption *e, const pe_rule *r) {
  if (e->n_rules == 0) return true;
  for (int i = 0; i < e->n_rules && i < PE_EXEMPT_MAX_RULES; i++)
    if (strcmp(e->rules[i], r->id) == 0) return true;
  return false;
}

bool pe_exempt(const pe_ctx *ctx, const pe_rule *r, pe_date d, int64_t *exemption_id) {
  const pe_student *st = ctx->in->student;
  for (size_t i = 0; i < st->n_exemptions; i++) {
    const pe_exemption *e = &st->exemptions[i];
    if (e->from <= d && d <= e->to && exemption_names(e, r)) {
      if (exemption_id) *exemption_id = e->id;
      return true;
    }
  }
  return false;
}

void pe_exempt_spans(const pe_ctx *ctx, const pe_rule *r, pe_spanset *spans) {
  const pe_student *st = ctx->in->student;
  for (size_t i = 0; i < st->n_exemptions; i++)
    if (exemption_names(&st->exemptions[i], r))
      pe_spans_subtract(spans, st->exemptions[i].from, st->exemptions[i].to, spans);
}

const pe_exemption *pe_exemption_by_id(const pe_ctx *ctx, int64_t id) {
  const pe_student *st = ctx->in->student;
  for (size_t i = 0; i < st->n_exemptions; i++)
    if (st->exemptions[i].id == id) return &st->exemptions[i];
  return NULL;
}

/* "first year" / "new students": the first year of the course, i.e. the course began after the
 * previous academic year ended (the calendar's year before this one; without one, the day
 * before this year starts) and no later than this year's end. A first-year whose course starts
 * with this year but who registered a few days before it is still new. */
bool pe_is_new_student(const pe_ctx *ctx) {
  const pe_student *st = ctx->in->student;
  pe_date begun = st->course_start != PE_NO_DATE ? st->course_start : st->registered_on;
  pe_date prev_end = ctx->year->start - 1;
  for (size_t i = 0; i < ctx->cal->n_years; i++)
    if (&ctx->cal->years[i] == ctx->year && i > 0) prev_end = ctx->cal->years[i - 1].end;
  return begun > prev_end && begun <= ctx->year->end;
}

void pe_deadlines_init(pe_deadlines *t) {
  *t = (pe_deadlines){0, 0, 0, PE_NO_DATE, PE_NO_DATE};
}

void pe_deadlines_unmet(const pe_ctx *ctx, pe_deadlines *t, size_t m, pe_date due) {
  if (due < ctx->as_of) {
    if (t->breaches++ == 0) {
      t->first_breach = m;
      t->breach_due = due;
    }
  } else if (t->open_due == PE_NO_DATE) {
    t->first_open = m;
    t->open_due = due;
  }
}

long pe_deadlines_conclude(pe_ctx *ctx, const pe_deadlines *t, pe_finding *f) {
  if (!t->breaches && t->open_due == PE_NO_DATE) return -1;
  ctx->out->n_ids = f->ev_off;
  f->ev_n = 0;
  f->due = t->breaches ? t->breach_due : t->open_due;
  f->status = t->breaches ? PE_BREACHED : pe_due_status(ctx, false, f->due);
  return (long)(t->breaches ? t->first_breach : t->first_open);
}

pe_date pe_latest_in_year(const pe_date *dates, size_t n, const pe_year *y, pe_date as_of) {
  pe_date latest = PE_NO_DATE;
  for (size_t i = 0; i < n; i++)
    if (dates[i] >= y->start && dates[i] <= y->end && dates[i] <= as_of &&
        (latest == PE_NO_DATE || dates[i] > latest))
      latest = dates[i];
  return latest;
}
