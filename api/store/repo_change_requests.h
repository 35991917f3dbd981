/* repo_change_requests.h — a student's request to change personal tutor, and the senior tutor's
 * decision (which may reallocate). Events and audit rows land in the caller's transaction. */
#ifndef TUTORD_REPO_CHANGE_REQUESTS_H
#define TUTORD_REPO_CHANGE_REQUESTS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_allocations.h"
#include "strbuf.h"

/* Within a transaction: opens a request for `student` (who must exist: APP_NOT_FOUND otherwise) with
 * an optional `reason` (may be NULL). APP_CONFLICT (field "student") while another request is open
 * (a partial unique index decides). *json (malloc'd) is the request. Appends change_request.created
 * event and change_request.create audit. The caller checks that `who` is that student. */
enum app_status repo_change_request_open(struct db_conn *conn, const struct principal *who, const char *student,
                                         const char *reason, char **json, struct alloc_refusal *why);

struct change_request_filter {
    const char *status, *school; /* NULL: no filter */
    const char *after;           /* keyset: ids greater than this */
    int limit;
};

/* A page of the requests `who` may see: admin all, a senior tutor those of students of their schools,
 * a student their own; by id. */
enum app_status repo_change_request_list(struct db_conn *conn, const struct principal *who,
                                         const struct change_request_filter *f, struct page_rows *out);

/* A decision on one request. Strings borrowed; comment, new_tutor and starts_on may be NULL. */
struct change_decision {
    const char *decision; /* "approved" or "declined" */
    const char *comment;
    const char *new_tutor; /* approved only: reallocate to this tutor */
    const char *starts_on; /* the new allocation's first day; NULL: today */
};

/* Within a transaction: decides request `id` as senior tutor `who`. APP_NOT_FOUND when absent or not
 * about a student of the caller's schools; APP_CONFLICT (field "decision") when already decided;
 * APP_INVALID ("new_tutor") for a new tutor on a declined request. An approval with new_tutor
 * reallocates (repo_allocation_create; its refusals name "new_tutor" for the tutor). Appends
 * change_request.decided event and change_request.decide audit. *json (malloc'd) is the request. */
enum app_status repo_change_request_decide(struct db_conn *conn, const struct principal *who, const char *id,
                                           const struct change_decision *d, char **json, struct alloc_refusal *why);

/* One change-request write for uow_run. Inputs are borrowed; `json` is the request (malloc'd on APP_OK,
 * NULL otherwise; the caller frees it) and `why` the refusal naming a field. */
struct change_request_work {
    const struct principal *who;
    const char *student, *reason; /* repo_change_request_open_work */
    const char *id;               /* repo_change_request_decide_work */
    const struct change_decision *decision;
    char *json;
    struct alloc_refusal why;
};

/* uow_work: repo_change_request_open with the work's student and reason; safe to run again. */
enum app_status repo_change_request_open_work(struct db_conn *conn, void *work);

/* uow_work: repo_change_request_decide with the work's id and decision; safe to run again. */
enum app_status repo_change_request_decide_work(struct db_conn *conn, void *work);

#endif
