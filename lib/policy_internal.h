/* policy_internal.h — policy parsing pieces shared by policy.c and policy_rules.c. */
#ifndef PE_POLICY_INTERNAL_H
#define PE_POLICY_INTERNAL_H

#include "pe.h"

/* Parses one rule object at JSON path `path` into r (zeroed first), appending every
 * problem to errs. In a cohort, {"id", "enabled": false} without a type is a
 * disable-only entry. r->source is malloc'd (free it). PE_NOMEM on OOM, else PE_OK
 * (validity is judged by errs). */
pe_err pe_rule_parse(const json_t *j, const char *path, bool in_cohort, pe_rule *r, json_t *errs);

#endif
