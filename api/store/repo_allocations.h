/* repo_allocations.h — allocations in SQL: allocate or reallocate one student, end an allocation, and
 * read them. Every change appends its event (allocation.created / allocation.ended) and audit row
 * (allocation.create / allocation.end) in the caller's transaction.
 *
 * Reused by bulk and automatic allocation: call repo_allocation_authorize then repo_allocation_create
 * for each student inside ONE transaction; any failure leaves that transaction unusable (PostgreSQL
 * aborts it), so roll back and report the refusal. */
#ifndef TUTORD_REPO_ALLOCATIONS_H
#define TUTORD_REPO_ALLOCATIONS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "strbuf.h"

/* Why an allocation was refused, in the request's terms: the field ("student", "tutor", "kind",
 * "starts_on", "ends_on") and a message safe to show the caller. Empty field when none applies. */
struct alloc_refusal {
    char field[32];
    char message[160];
};

/* Fills *why with `field` and `message` and returns `st`: a one-line refusal for repositories. */
enum app_status alloc_refuse(struct alloc_refusal *why, enum app_status st, const char *field, const char *message);

/* One allocation to make. Strings are borrowed; the caller has validated their formats (ids, enum,
 * YYYY-MM-DD dates) — the database still refuses anything malformed. */
struct allocation_input {
    const char *student;    /* student number */
    const char *tutor;      /* staff number */
    const char *kind;       /* "personal", "cover" or "secondary" */
    const char *starts_on;  /* first day, YYYY-MM-DD, or NULL for the database's today */
    const char *ends_on;    /* last day (inclusive), or NULL for open-ended */
    const char *reason;     /* free text (<= 500 characters), or NULL for "" */
    const char *absence_id; /* the tutor absence a cover allocation is for, or NULL */
};

/* May `who` allocate `student` with `kind`? Admin: anyone. Senior tutor: students of their schools
 * (tutord_senior_schools), and for kind "secondary" also students whose partner school is theirs.
 * Returns APP_OK; APP_NOT_FOUND when the student does not exist or the caller may not see them (the two
 * are indistinguishable on purpose); APP_FORBIDDEN when the caller sees them but may not allocate (any
 * other role included). Read-only; inside or outside a transaction. */
enum app_status repo_allocation_authorize(struct db_conn *conn, const struct principal *who, const char *student,
                                          const char *kind);

/* Allocates (or, for "personal", reallocates) within the caller's transaction; does NOT check the
 * caller's right (see repo_allocation_authorize). Checks, refusing with APP_INVALID and *why naming
 * the field: the student exists ("student"; its row stays locked to the end of the transaction, so
 * allocations of one student run in turn and never deadlock), the tutor exists, is active and has a tutor or
 * senior_tutor role ("tutor"), a secondary tutor belongs to the student's partner school ("tutor"),
 * ends_on is not before starts_on ("ends_on"). For "personal": the student's personal allocation that
 * started before starts_on and runs into it is ended the day before starts_on (event + audit). Then
 * inserts the row; APP_CONFLICT (field "student") when another personal allocation overlaps — one that
 * starts on or after starts_on, or a concurrent caller's (the exclusion constraint decides, so of two
 * concurrent calls exactly one succeeds). On APP_OK sets *id (malloc'd decimal) and *json (malloc'd
 * allocation JSON); the caller frees both. On failure both are NULL and, after a database refusal, the
 * transaction is aborted: roll it back. Thread-safe for distinct connections. */
enum app_status repo_allocation_create(struct db_conn *conn, const struct principal *who,
                                       const struct allocation_input *in, char **id, char **json,
                                       struct alloc_refusal *why);

/* Ends allocation `id` on `ends_on` (YYYY-MM-DD, inclusive; NULL: today) within the caller's transaction, after
 * checking the caller's right (repo_allocation_authorize on its student and kind). APP_NOT_FOUND when
 * absent or invisible; APP_FORBIDDEN; APP_INVALID ("ends_on") when before its start; APP_CONFLICT
 * ("ends_on") when it already ends on or before that day. On APP_OK *json is the ended allocation
 * (malloc'd). Appends allocation.ended event and allocation.end audit. */
enum app_status repo_allocation_end(struct db_conn *conn, const struct principal *who, const char *id,
                                    const char *ends_on, char **json, struct alloc_refusal *why);

/* One allocation change for uow_run. Inputs are borrowed; `json` is the resulting allocation
 * (malloc'd on APP_OK, NULL otherwise; the caller frees it) and `why` the refusal naming a field. */
struct allocation_work {
    const struct principal *who;
    const struct allocation_input *in; /* repo_allocation_allocate_work */
    const char *id, *ends_on;          /* repo_allocation_end_work */
    char *json;
    struct alloc_refusal why;
};

/* uow_work for POST /allocations: repo_allocation_authorize on the input's student and kind, then
 * repo_allocation_create. `work` is a struct allocation_work; safe to run again after a rollback. */
enum app_status repo_allocation_allocate_work(struct db_conn *conn, void *work);

/* uow_work for DELETE /allocations/{id}: repo_allocation_end with the work's id and ends_on. `work` is
 * a struct allocation_work; safe to run again after a rollback. */
enum app_status repo_allocation_end_work(struct db_conn *conn, void *work);

struct allocation_filter {
    const char *school, *tutor, *student, *kind, *active_on; /* NULL: no filter */
    const char *after;                                       /* keyset: ids greater than this */
    int limit;
};

/* A page of the allocations whose student `who` may see (ACCESS_VISIBLE), oldest id first:
 * in *out with the next key when another page follows (page_query). */
enum app_status repo_allocation_list(struct db_conn *conn, const struct principal *who,
                                     const struct allocation_filter *f, struct page_rows *out);

#endif
