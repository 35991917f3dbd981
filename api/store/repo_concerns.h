/* repo_concerns.h — concerns in SQL: the page a caller sees, raising one (with its concern.opened event
 * and concern.open audit) and closing one (concern.closed / concern.close). The write functions are
 * uow_work functions: run them through uow_run. */
#ifndef TUTORD_REPO_CONCERNS_H
#define TUTORD_REPO_CONCERNS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_allocations.h"
#include "strbuf.h"

/* GET /concerns: filters (NULL: none), the keyset position and the page size. */
struct concern_filter {
    const char *status, *kind, *school, *student;
    const char *after; /* ids greater than this; NULL for the first page */
    int limit;
};

/* One page of the concerns `who` sees (admin: all; senior tutors: their schools'; anyone: those they
 * raised), oldest first, in *out (page_query). */
enum app_status repo_concern_list(struct db_conn *conn, const struct principal *who, const struct concern_filter *f,
                                  struct page_rows *out);

/* A concern to raise, for repo_concern_raise_work. Inputs borrowed (validated by the caller); on
 * APP_OK `json` is the concern (malloc'd; the caller frees it); on a refusal `why` names the field
 * ("student": not one the caller may raise a concern about) or `err` holds the database's refusal. */
struct concern_raise {
    const struct principal *who;
    const char *student, *kind, *detail;
    char *json;
    struct alloc_refusal why;
    struct db_error err;
};

/* uow_work: the caller's reach on the student (a student raises about themself; a tutor about a tutee
 * whose allocation is in force; a senior tutor about students of their schools), then the concern, its
 * event (ids and roles only, never the kind or detail) and audit row. APP_INVALID with why.field
 * "student" when the caller may not raise it. Safe to run again. */
enum app_status repo_concern_raise_work(struct db_conn *conn, void *work);

/* A closure, for repo_concern_close_work. `body_invalid`: the caller found the closure body invalid,
 * which is answered only once the concern is known to be there for the caller (404, 403 and 409 come
 * first). On APP_OK `json` is the closed concern (malloc'd; the caller frees it). `locked` tells the
 * caller whether a failure came after the concern was found and locked. */
struct concern_close {
    const struct principal *who;
    const char *id, *outcome;
    int body_invalid;
    int locked;
    char *json;
    struct db_error err;
};

/* uow_work: locks concern `id` if the caller sees it (APP_NOT_FOUND when absent or hidden, APP_FORBIDDEN
 * unless a senior tutor of its school, APP_CONFLICT when already closed), APP_INVALID when
 * body_invalid, else closes it with the outcome and appends its event and audit row. Safe to run again. */
enum app_status repo_concern_close_work(struct db_conn *conn, void *work);

#endif
