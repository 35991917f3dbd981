/* repo_retention.c — retention and erasure through the SECURITY DEFINER functions of sql/016. */
#include "repo_retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "repo_reports.h"

/* The students past their period: course ended before today minus $1 years, not anonymised yet. */
#define PAST_PERIOD                                                                                                    \
    " FROM student_course_ends e WHERE e.erased_at IS NULL"                                                            \
    " AND e.ended_on < " REPORT_TODAY " - make_interval(years => $1::int)"

enum app_status repo_retention_due(struct db_conn *conn, int years, int audit_years, long *students, long *audit)
{
    char y[12], a[12];
    snprintf(y, sizeof(y), "%d", years);
    snprintf(a, sizeof(a), "%d", audit_years);
    const char *params[2] = {y, a};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT (SELECT count(*)" PAST_PERIOD ")::text,"
                 " (SELECT count(*) FROM audit WHERE at < now() - make_interval(years => $2::int))::text",
                 2, params, &res, NULL);
    if (st == APP_OK) {
        *students = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        *audit = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return st;
}

enum app_status repo_retention_batch(struct db_conn *conn, int years, int limit, json_t **numbers)
{
    char y[12], l[12];
    snprintf(y, sizeof(y), "%d", years);
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[2] = {y, l};
    PGresult *res = NULL;
    *numbers = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT coalesce(json_agg(student_number ORDER BY student_number), '[]')::text FROM"
                 " (SELECT e.student_number" PAST_PERIOD "  ORDER BY e.student_number LIMIT $2::int) x",
                 2, params, &res, NULL);
    if (st == APP_OK && !(*numbers = json_loads(PQgetvalue(res, 0, 0), 0, NULL)))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_erase_student(struct db_conn *conn, const char *student, const char *why, json_t **result)
{
    const char *params[2] = {student, why};
    PGresult *res = NULL;
    *result = NULL;
    enum app_status st = db_query(conn,
                                  "SELECT tutord_erase_student(s.student_number, $2)::text FROM students s"
                                  " WHERE s.student_number = $1",
                                  2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !(*result = json_loads(PQgetvalue(res, 0, 0), 0, NULL)))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_purge_audit(struct db_conn *conn, int audit_years, int limit, long *deleted)
{
    char a[12], l[12];
    snprintf(a, sizeof(a), "%d", audit_years);
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[2] = {a, l};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn, "SELECT tutord_purge_audit(now() - make_interval(years => $1::int), $2::int)::text", 2, params,
                 &res, NULL);
    if (st == APP_OK)
        *deleted = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return st;
}

/* The outbox rows past their period: $1 days. */
#define OLD_NOTIFICATIONS                                                                                              \
    " FROM notifications n WHERE n.status IN ('sent', 'failed')"                                                       \
    " AND coalesce(n.sent_at, n.created_at) < now() - make_interval(days => $1::int)"
#define OLD_DELIVERIES " FROM webhook_deliveries d WHERE d.attempted_at < now() - make_interval(days => $1::int)"

/* Runs `sql` (parameters: days, then limit when `limit` > 0) and reads its two counts. */
static enum app_status two_counts(struct db_conn *conn, const char *sql, int days, int limit, long *a, long *b)
{
    char d[12], l[12];
    snprintf(d, sizeof(d), "%d", days);
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[2] = {d, l};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, sql, limit > 0 ? 2 : 1, params, &res, NULL);
    if (st == APP_OK) {
        *a = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        *b = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return st;
}

enum app_status repo_outbox_due(struct db_conn *conn, int days, long *notifications, long *deliveries)
{
    return two_counts(conn,
                      "SELECT (SELECT count(*)" OLD_NOTIFICATIONS ")::text, (SELECT count(*)" OLD_DELIVERIES ")::text",
                      days, 0, notifications, deliveries);
}

enum app_status repo_purge_outbox(struct db_conn *conn, int days, int limit, long *notifications, long *deliveries)
{
    return two_counts(conn,
                      "WITH n AS (DELETE FROM notifications WHERE id IN (SELECT n.id" OLD_NOTIFICATIONS
                      "            ORDER BY n.id LIMIT $2::int) RETURNING 1),"
                      " d AS (DELETE FROM webhook_deliveries WHERE id IN (SELECT d.id" OLD_DELIVERIES
                      "            ORDER BY d.id LIMIT $2::int) RETURNING 1)"
                      "SELECT (SELECT count(*) FROM n)::text, (SELECT count(*) FROM d)::text",
                      days, limit, notifications, deliveries);
}

enum app_status repo_erasure_work(struct db_conn *conn, void *work)
{
    struct erasure_work *w = work;
    json_decref(w->result); /* an earlier attempt's, rolled back */
    w->result = NULL;
    enum app_status st = repo_erase_student(conn, w->student, "request", &w->result);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "student.erase", "student", w->student, w->student, w->result);
    json_t *payload = st == APP_OK && json_is_true(json_object_get(w->result, "erased"))
                          ? json_pack("{s:s}", "student", w->student)
                          : NULL;
    if (payload)
        st = audit_event(conn, w->who, "student.erased", w->student, payload);
    json_decref(payload);
    return st;
}
