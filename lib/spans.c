/* spans.c — small sorted sets of inclusive date spans (presence, terms, months). */
#include "internal.h"

void pe_spans_one(pe_spanset *out, pe_date start, pe_date end) {
  out->n = 0;
  if (start <= end) out->s[out->n++] = (pe_span){start, end};
}

void pe_spans_intersect(const pe_spanset *a, const pe_spanset *b, pe_spanset *out) {
  int i = 0, j = 0;
  out->n = 0;
  while (i < a->n && j < b->n && out->n < PE_MAX_SPANS) {
    pe_date lo = a->s[i].start > b->s[j].start ? a->s[i].start : b->s[j].start;
    pe_date hi = a->s[i].end < b->s[j].end ? a->s[i].end : b->s[j].end;
    if (lo <= hi) out->s[out->n++] = (pe_span){lo, hi};
    if (a->s[i].end < b->s[j].end)
      i++;
    else
      j++;
  }
}

void pe_spans_clip(const pe_spanset *a, pe_date start, pe_date end, pe_spanset *out) {
  pe_spanset one;
  pe_spans_one(&one, start, end);
  pe_spans_intersect(a, &one, out);
}

int32_t pe_spans_days(const pe_spanset *a) {
  int32_t n = 0;
  for (int i = 0; i < a->n; i++) n += a->s[i].end - a->s[i].start + 1;
  return n;
}

void pe_spans_subtract(const pe_spanset *a, pe_date start, pe_date end, pe_spanset *out) {
  pe_spanset r;
  r.n = 0;
  for (int i = 0; i < a->n; i++) {
    pe_span s = a->s[i];
    if (s.end < start || s.start > end) {
      if (r.n < PE_MAX_SPANS) r.s[r.n++] = s;
      continue;
    }
    if (s.start < start && r.n < PE_MAX_SPANS) r.s[r.n++] = (pe_span){s.start, start - 1};
    if (s.end > end && r.n < PE_MAX_SPANS) r.s[r.n++] = (pe_span){end + 1, s.end};
  }
  *out = r;
}
