/* rules_records.c — meeting summaries provided to the student, the annual feedback invitation, and a
 * named personal tutor while studying. (Being implemented.) */
#include "eval.h"

pe_err pe_rule_meeting_summary_within(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  (void)ctx;
  (void)r;
  pe_not_applicable(f, "not implemented yet");
  return PE_OK;
}

pe_err pe_rule_feedback_invited(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  (void)ctx;
  (void)r;
  pe_not_applicable(f, "not implemented yet");
  return PE_OK;
}

pe_err pe_rule_personal_tutor_named(pe_ctx *ctx, const pe_rule *r, pe_finding *f) {
  (void)ctx;
  (void)r;
  pe_not_applicable(f, "not implemented yet");
  return PE_OK;
}
