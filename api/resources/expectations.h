/* expectations.h — "What Tutees can expect": a school's approved policy rendered as plain statements a
 * student understands, each with the clause it comes from. The Leicester Code of Practice: "each School's
 * approach to the elements listed in the Table 'What Tutees can expect' must be shared with the Tutees to
 * which it applies". Pure: no I/O, no SQL. */
#ifndef TUTORD_EXPECTATIONS_H
#define TUTORD_EXPECTATIONS_H

#include <jansson.h>

#include "strbuf.h"

/* The statements for `policy` (a policy document as stored, borrowed) and the school's `office_hours`
 * (may be NULL): an array of {"topic", "statement", "source"} (new reference; NULL on OOM). The policy's
 * student-facing rules come first, in the policy's order (tutor- and school-level rules, which promise a
 * student nothing directly, are left out), then what every school owes its tutees whatever its rules say:
 * how to change tutor, how to raise a concern, the office-hours arrangement, and how notes are kept. */
json_t *expectations_statements(const json_t *policy, const char *office_hours);

/* Appends the printable page for the expectations document `doc` ({"school", "school_name", "policy":
 * {name, effective_from}, "items"}) to sb. */
void expectations_html(const json_t *doc, struct strbuf *sb);

#endif
