/* repo_pastoral.h — what the pastoral resources (contacts, notes, referrals, concerns) share: the
 * caller's reach over one student, and pages of JSON the database rendered. */
#ifndef TUTORD_REPO_PASTORAL_H
#define TUTORD_REPO_PASTORAL_H

#include <libpq-fe.h>

#include "db.h"
#include "principal.h"
#include "strbuf.h"

/* What the caller may do with one student's pastoral record (SPEC §2). */
struct student_reach {
    int self;                /* the caller is this student */
    int tutor;               /* the caller holds an allocation for the student in force today */
    int senior;              /* the caller is a senior tutor of the student's school or partner school */
    char school[17];         /* the student's school */
    char personal_tutor[24]; /* the current personal tutor, "" when none */
};

/* Fills *out for student `number` as seen by `who`. APP_NOT_FOUND when the student does not exist or
 * is not visible to the caller (the two are indistinguishable on purpose). */
enum app_status repo_reach_of(struct db_conn *conn, const char *number, const struct principal *who,
                              struct student_reach *out);

/* True when the caller may read pastoral records at all: students, tutors, senior tutors and admin;
 * registry never does (SPEC §2). */
int repo_pastoral_reader(const struct principal *who);

/* True when the caller may write staff records (contacts, notes, referrals) for the student. */
int repo_reach_staff(const struct student_reach *reach);

/* Called for each row shown on a page (with the result and row number); returns APP_OK or a failure
 * that aborts the page. */
typedef enum app_status (*repo_row_fn)(void *ctx, const PGresult *res, int row);

/* Runs `sql`, whose rows are (JSON text, cursor key, ...) and whose last parameter is the row limit
 * (the caller passes page_limit + 1), and appends {"items": [...], "next_cursor": ...} to *out.
 * `each` (may be NULL) sees every row shown. */
enum app_status repo_page(struct db_conn *conn, const char *sql, int nparams, const char *const *params, int page_limit,
                          repo_row_fn each, void *ctx, struct strbuf *out);

#endif
