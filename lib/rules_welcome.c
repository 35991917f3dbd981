/* rules_welcome.c — Welcome Week: new students invited to meet their tutor, returning students
 * contacted by their tutor. (Being implemented.) */
#include "eval.h"

pe_err pe_rule_welcome_week_contact(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  (void)ctx;
  (void)r;
  pe_not_applicable(f, "not implemented yet");
  return PE_OK;
}
