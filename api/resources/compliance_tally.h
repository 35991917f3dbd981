/* compliance_tally.h — what the summaries of many students share: counts of findings per rule and
 * status (school and tutor compliance, policy simulation's current vs draft), and a keyset page of the
 * students that need listing. */
#ifndef TUTORD_COMPLIANCE_TALLY_H
#define TUTORD_COMPLIANCE_TALLY_H

#include <jansson.h>

#include "pe.h"

#define TALLY_STATUSES 5 /* met, pending, due_soon, breached, not_applicable (pe_status order) */

struct rule_tally {
    char *rule; /* the rule's id, copied: the tally outlives the pages of students whose policies it counts */
    pe_rule_type type;
    long counts[TALLY_STATUSES];
};

struct tally {
    struct rule_tally *items; /* in order of first appearance */
    size_t n, cap;
};

/* Adds every finding of *f to the counts. Returns 0, or -1 on OOM. */
int tally_add(struct tally *t, const pe_findings *f);

/* Adds the counts of `from` to `into`, its rules new to `into` after those it has (in their order): as if
 * into's findings and then from's had been added to one tally. Returns 0, or -1 on OOM. */
int tally_merge(struct tally *into, const struct tally *from);

/* Frees the tally; NULL-safe; it may be reused after. */
void tally_free(struct tally *t);

/* {"met": n, "pending": n, "due_soon": n, "breached": n, "not_applicable": n}; new reference. */
json_t *tally_counts_json(const long counts[TALLY_STATUSES]);

/* [{"rule", "type", "counts": {...}}]; new reference, NULL on OOM. */
json_t *tally_to_json(const struct tally *t);

/* [{"rule", "type", "current": {...}, "draft": {...}}] over the rules of both (a rule absent from one
 * side counts zeros there); new reference, NULL on OOM. */
json_t *tally_compare_json(const struct tally *current, const struct tally *draft);

/* A page of per-student items, offered in student-number order; keeps `limit` items after `after`. */
struct student_page {
    json_t *items;     /* the page (owned) */
    const char *after; /* keyset: numbers greater than this (NULL: from the start) */
    int limit;
    int more;             /* another item follows the page */
    char last[PE_ID_LEN]; /* the last number on the page (copied: the offers may come from pages freed since) */
};

/* Starts an empty page; items is NULL on OOM. */
void student_page_init(struct student_page *p, const char *after, int limit);

/* Offers the item of student `number` (stolen; NULL: nothing to list); numbers must come ascending.
 * `number` must outlive the page. */
void student_page_offer(struct student_page *p, const char *number, json_t *item);

/* Offers the items of `from` (a page started with the same after and limit, offered students numbered after
 * every one offered to `into`) to `into`, in their order, and empties `from` for reuse: `into` is then as if
 * from's students had been offered to it. Each item names its student in "student". */
void student_page_take(struct student_page *into, struct student_page *from);

/* True when an offer for `number` could still be listed (lets callers skip building items). */
int student_page_wants(const struct student_page *p, const char *number);

/* The key the next page starts after (the last student listed), or NULL when this page is the last. The
 * HTTP layer encodes it as the page's next_cursor (http_cursor_encode). */
const char *student_page_next_key(const struct student_page *p);

#endif
