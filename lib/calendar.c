/* calendar.c — working days, closures, academic years, terms and term-time months. */
#include "pe.h"

bool pe_is_closure(const pe_calendar *cal, pe_date d) {
  size_t lo = 0, hi = cal->n_closures;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cal->closures[mid] < d)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < cal->n_closures && cal->closures[lo] == d;
}

bool pe_is_working_day(const pe_calendar *cal, pe_date d) {
  int wd = pe_weekday(d);
  return wd >= 1 && wd <= 5 && !pe_is_closure(cal, d);
}

pe_date pe_working_days_after(const pe_calendar *cal, pe_instant received, int n) {
  pe_date d = pe_local_date(&cal->tz, received);
  int counted = 0;
  while (counted < n) {
    d++;
    if (pe_is_working_day(cal, d)) counted++;
  }
  return d;
}

const pe_year *pe_calendar_year_for(const pe_calendar *cal, pe_date d) {
  const pe_year *best = NULL;
  if (cal->n_years == 0) return NULL;
  for (size_t i = 0; i < cal->n_years; i++) {
    const pe_year *y = &cal->years[i];
    if (d >= y->start && d <= y->end) return y;
    if (y->start <= d) best = y;
  }
  return best ? best : &cal->years[0];
}

const pe_term *pe_calendar_term_at(const pe_calendar *cal, pe_date d) {
  for (size_t i = 0; i < cal->n_terms; i++) {
    const pe_term *t = &cal->terms[i];
    if (t->teaching && d >= t->start && d <= t->end) return t;
  }
  return NULL;
}

size_t pe_calendar_teaching_spans(const pe_calendar *cal, const pe_year *year, pe_span *out,
                                  size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < year->n_terms && n < max; i++) {
    const pe_term *t = &cal->terms[year->first_term + i];
    if (t->teaching) out[n++] = (pe_span){t->start, t->end};
  }
  return n;
}

/* The month containing d as an index y*12+m-1, and the first day of the month after it. */
static int32_t month_of(pe_date d, pe_date *next) {
  int y, m;
  pe_date_to_ymd(d, &y, &m, NULL);
  *next = m == 12 ? pe_date_from_ymd(y + 1, 1, 1) : pe_date_from_ymd(y, m + 1, 1);
  return y * 12 + m - 1;
}

size_t pe_calendar_term_months(const pe_calendar *cal, const pe_year *year, pe_span *out,
                               int32_t *months, size_t max) {
  pe_span terms[16];
  size_t nt = pe_calendar_teaching_spans(cal, year, terms, 16), n = 0;
  for (size_t i = 0; i < nt; i++) {
    pe_date d = terms[i].start;
    while (d <= terms[i].end && n < max) {
      pe_date next;
      months[n] = month_of(d, &next);
      pe_date end = next - 1 < terms[i].end ? next - 1 : terms[i].end;
      out[n++] = (pe_span){d, end};
      d = next;
    }
  }
  return n;
}
