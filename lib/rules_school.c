/* rules_school.c — school-level rules: the number of senior tutors. (Being implemented.) */
#include "eval.h"

void pe_rule_school(const pe_rule *r, const pe_school *s, pe_date as_of, pe_finding *f) {
  (void)r;
  (void)s;
  (void)as_of;
  pe_not_applicable(f, "not implemented yet");
}
