/* rules_school.c — school-level rules: the number of senior tutors. */
#include "eval.h"

#include <stdio.h>

/* senior_tutors: Leicester CoP 8 "Each School appoints a Senior Tutor", 000 "All Schools will
 * have at least one Senior Personal Tutor", Westminster Appendix 1 "each School will have only
 * one senior tutor per School". Reading: the active senior tutors of the school on as_of
 * (pe_school.senior_tutors) must number at least `min` (default 1) and, when `max` is set
 * (> 0), at most `max`: met inside the bounds, breached outside; a standing condition, so no
 * due date. The detail gives the count and the bounds. */
static void judge_senior_tutors(const pe_rule *r, const pe_school *s, pe_finding *f) {
  int min = r->param[PE_P_MIN], max = r->param[PE_P_MAX], n = s->senior_tutors;
  bool ok = n >= min && (max == 0 || n <= max);
  char bounds[48];
  if (max == 0)
    snprintf(bounds, sizeof bounds, "at least %d", min);
  else if (max == min)
    snprintf(bounds, sizeof bounds, "exactly %d", min);
  else
    snprintf(bounds, sizeof bounds, "between %d and %d", min, max);
  f->status = ok ? PE_MET : PE_BREACHED;
  snprintf(f->detail, sizeof f->detail, "%d senior tutor%s (required: %s)", n, n == 1 ? "" : "s",
           bounds);
}

void pe_rule_school(const pe_rule *r, const pe_school *s, pe_date as_of, pe_finding *f) {
  f->window_start = f->window_end = as_of;
  if (r->type == PE_R_SENIOR_TUTORS)
    judge_senior_tutors(r, s, f);
  else
    pe_not_applicable(f, "not a school-level rule");
}
