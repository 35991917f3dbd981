/* repo_retention.h — the SQL of retention and subject erasure (sql/016): which students' personal data is
 * past its period, anonymising one student in place (tutord_erase_student: the rows stay, so every count a
 * report makes is unchanged), and deleting audit rows past theirs (tutord_purge_audit). Not thread-safe on
 * one connection (libpq). */
#ifndef TUTORD_REPO_RETENTION_H
#define TUTORD_REPO_RETENTION_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* How much is past its period today: students whose course ended (completed or withdrawn) more than
 * `years` years ago and who are not anonymised yet, and audit rows older than `audit_years` years. */
enum app_status repo_retention_due(struct db_conn *conn, int years, int audit_years, long *students, long *audit);

/* Up to `limit` of those students' numbers, in number order: a JSON array (new reference). */
enum app_status repo_retention_batch(struct db_conn *conn, int years, int limit, json_t **numbers);

/* Within a transaction: anonymises `student` for `why` ("request" or "retention"); *result (new reference)
 * says what changed ({"student", "erased", "note_revisions", "messages", "free_text"}; erased false when it already
 * was). APP_NOT_FOUND when there is no such student. */
enum app_status repo_erase_student(struct db_conn *conn, const char *student, const char *why, json_t **result);

/* Within a transaction: deletes up to `limit` audit rows older than `audit_years` years; *deleted says how
 * many. */
enum app_status repo_purge_audit(struct db_conn *conn, int audit_years, int limit, long *deleted);

/* Sent or failed notifications (sent_at, else created_at) and webhook deliveries (attempted_at) older
 * than `days` days: how many today. Queued notifications are never past their period. */
enum app_status repo_outbox_due(struct db_conn *conn, int days, long *notifications, long *deliveries);

/* Within a transaction: deletes up to `limit` of each (oldest first); *notifications and *deliveries say how
 * many went. */
enum app_status repo_purge_outbox(struct db_conn *conn, int days, int limit, long *notifications, long *deliveries);

/* An erasure request for repo_erasure_work: by `who`, of `student`; *result (new reference, the
 * caller decrefs) says what changed. */
struct erasure_work {
    const struct principal *who;
    const char *student;
    json_t *result;
};

/* uow_work: repo_erase_student for a request, its student.erase audit and — when anything changed — the
 * student.erased event (carrying only the student number). Safe to run again. */
enum app_status repo_erasure_work(struct db_conn *conn, void *work);

#endif
