/* internal.h — helpers shared inside the policy engine; not part of the public API. */
#ifndef PE_INTERNAL_H
#define PE_INTERNAL_H

#include "pe.h"

/* ---- jsonutil.c: validation that collects every error ---- */

/* Appends {field, message} to errs; message is printf-formatted. Ignores OOM. */
void pe_errors_add(json_t *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports every key of obj not in allowed (NULL-terminated) as "unknown field". */
void pe_json_unknown_keys(const json_t *obj, const char *path, const char *const *allowed,
                          json_t *errs);
/* Reads obj[key] as a "YYYY-MM-DD" date. Missing: error when required, else leaves *out.
 * Returns true when *out holds a valid value read from JSON. */
bool pe_json_date(const json_t *obj, const char *key, const char *path, bool required, pe_date *out,
                  json_t *errs);
/* Reads obj[key] as a string of at most cap-1 bytes into buf; same conventions. */
bool pe_json_string(const json_t *obj, const char *key, const char *path, bool required, char *buf,
                    size_t cap, json_t *errs);
/* Reads obj[key] as an array (required). Returns it borrowed, or NULL after an error. */
const json_t *pe_json_array(const json_t *obj, const char *key, const char *path, bool required,
                            json_t *errs);

/* ---- names.c ---- */
extern const char *const PE_RULE_TYPE_NAMES[PE_R__N + 1];
extern const char *const PE_FINDING_STATUS_NAMES[PE_STATUS__N + 1];
/* Level from "F", "4".."7"; -1 if invalid. */
int pe_level_parse(const char *s);
/* "F" or "4".."7". */
const char *pe_level_name(int level);

/* ---- spans.c: sets of inclusive date spans ---- */
#define PE_MAX_SPANS 24
typedef struct {
  pe_span s[PE_MAX_SPANS];
  int n;
} pe_spanset;

/* out = a ∩ b (both sorted, disjoint). out may not alias a or b. */
void pe_spans_intersect(const pe_spanset *a, const pe_spanset *b, pe_spanset *out);
/* out = a ∩ [start, end]. */
void pe_spans_clip(const pe_spanset *a, pe_date start, pe_date end, pe_spanset *out);
/* Total days covered. */
int32_t pe_spans_days(const pe_spanset *a);
/* out = a minus [start, end] (out may alias a). */
void pe_spans_subtract(const pe_spanset *a, pe_date start, pe_date end, pe_spanset *out);
/* Single-span set. */
void pe_spans_one(pe_spanset *out, pe_date start, pe_date end);

#endif
