/* repo_export.h — the subject access export of a student (GET /students/{student_number}/export): every
 * record held on them as one JSON document rendered by the database, and the audit row of the export,
 * written in the same transaction. */
#ifndef TUTORD_REPO_EXPORT_H
#define TUTORD_REPO_EXPORT_H

#include "db.h"
#include "principal.h"

/* The unit of work's context: the caller, the student, whether the caller is the student themself (only
 * what the student may read elsewhere); out: the document (malloc'd, the caller's to free). */
struct repo_export {
    const struct principal *who;
    const char *number;
    int as_student;
    char *json;
};

/* uow_work: renders the export of ctx->number and audits it ("student.export"). Returns APP_OK,
 * APP_NOT_FOUND (no such student) or the database failure. */
enum app_status repo_export_work(struct db_conn *conn, void *ctx);

#endif
