/* repo_bulk_allocations.h — many allocations in one transaction: one row of POST /allocations:bulk at a
 * time (through repo_allocation_create, under a savepoint so that every row is judged even after one is
 * refused), and the automatic allocation of a school's unallocated students, computed in C and
 * inserted set-based. The caller owns the transaction: commit, or roll back for a dry run. */
#ifndef TUTORD_REPO_BULK_ALLOCATIONS_H
#define TUTORD_REPO_BULK_ALLOCATIONS_H

#include <jansson.h>

#include "db.h"
#include "principal.h"
#include "repo_allocations.h"

enum bulk_outcome { BULK_NEW, BULK_REALLOCATED, BULK_UNCHANGED, BULK_ERROR };

/* The outcome's name in the report: "new", "reallocated", "unchanged", "error". */
const char *bulk_outcome_name(enum bulk_outcome outcome);

/* Applies one row within the caller's transaction: checks the caller's right over the student
 * (repo_allocation_authorize), reports "unchanged" when the same tutor already holds an allocation of
 * that kind in force on starts_on (with the same end), else creates it (a personal one ending the
 * student's current personal allocation: "reallocated"). A refused row leaves the transaction usable
 * (savepoint) with *outcome BULK_ERROR and *why set. *id (malloc'd) is the allocation's id, else NULL.
 * Returns APP_OK, or the failure that makes the whole request fail (database unavailable, 500). */
enum app_status repo_bulk_apply_row(struct db_conn *conn, const struct principal *who,
                                    const struct allocation_input *in, enum bulk_outcome *outcome, char **id,
                                    struct alloc_refusal *why);

/* What automatic allocation decided; JSON arrays owned by the caller (json_decref). */
struct auto_result {
    json_t *allocations; /* [{student, tutor, kind}] by student number, personal before secondary */
    json_t *unallocated; /* [student number]: no tutor of the school had room */
    json_t *tutors;      /* [{tutor, school, capacity, tutees_before, tutees_after}] */
    long personal, secondary;
};

/* Allocates every studying student of `school` with no personal allocation on or after `starts_on` to
 * the school's active tutors (role tutor): one at a time in student-number order, each to the tutor
 * with room that has the fewest tutees (personal and secondary allocations in force on starts_on), ties
 * by staff number; existing allocations stay. A joint-honours student allocated here also gets a
 * secondary tutor from the partner school the same way, when one has room. Inserts everything with one
 * statement, one allocation.created event each and one allocation.auto audit row. Serialised per school
 * (advisory lock). Deterministic for the same data. `starts_on` NULL means today; `reason` NULL means "".
 * APP_NOT_FOUND when there is no such school; APP_FORBIDDEN unless `who` is an admin or a senior tutor of
 * the school (tutord_senior_schools). The result is filled (and must be freed) in every case. */
enum app_status repo_auto_allocate(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *starts_on, const char *reason, struct auto_result *out);

/* Frees the result's arrays; NULL-safe members. */
void auto_result_free(struct auto_result *r);

#endif
