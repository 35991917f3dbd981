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
  snprintf(f->detail, sizeof f->detail, "%s", detail);
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
      if (!pred(&ctx->in->contacts[i], r)) continue;
      n++;
      if (f && pe_evidence(ctx, f, ctx->in->contacts[i].id) != PE_OK) *err = PE_NOMEM;
    }
  }
  return n;
}

void pe_presence(const pe_ctx *ctx, unsigned mask, pe_spanset *out) {
  const pe_student *st = ctx->in->student;
  out->n = 0;
  pe_student_status cur = PE_ST_STUDYING;
  pe_date from = ctx->reg;
  for (size_t i = 0; i <= st->n_statuses; i++) {
    pe_date next = i < st->n_statuses ? st->statuses[i].from : PE_DATE_MAX;
    pe_date lo = from > ctx->reg ? from : ctx->reg;
    pe_date hi = next == PE_DATE_MAX ? PE_DATE_MAX - 1 : next - 1;
    if (hi > ctx->active_end) hi = ctx->active_end;
    if ((mask & (1u << cur)) && lo <= hi && out->n < PE_MAX_SPANS) {
      if (out->n && out->s[out->n - 1].end + 1 >= lo)
        out->s[out->n - 1].end = hi;
      else
        out->s[out->n++] = (pe_span){lo, hi};
    }
    if (i < st->n_statuses) {
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

bool pe_staff_eligible(const pe_ctx *ctx, const char *staff, pe_date d) {
  for (size_t i = 0; i < ctx->in->n_allocations; i++) {
    const pe_allocation *a = &ctx->in->allocations[i];
    if (a->kind == PE_ALLOC_SECONDARY || !alloc_active(a, d)) continue;
    if (strcmp(a->tutor, staff) == 0) return true;
    if (a->kind == PE_ALLOC_PERSONAL && covers_absence(ctx, a->tutor, staff, d)) return true;
  }
  return false;
}
