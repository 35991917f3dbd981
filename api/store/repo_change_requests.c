/* repo_change_requests.c — open, list and decide change-of-tutor requests. */
#include "repo_change_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"

/* The event and audit row of one change to request `id` (`json` is the request). The audit row keeps
 * the whole request; the event keeps ids, status and times only — not the student's free-text reason
 * nor the decision comment, which every feed reader would otherwise see: a reader that needs them
 * fetches GET /change-requests with its access checks. */
static enum app_status record_change(struct db_conn *conn, const struct principal *who, const char *verb,
                                     const char *id, const char *student, const char *json)
{
    char kind[48], action[48];
    snprintf(kind, sizeof(kind), "change_request.%s", strcmp(verb, "create") == 0 ? "created" : "decided");
    snprintf(action, sizeof(action), "change_request.%s", verb);
    json_t *full = json_loads(json, 0, NULL), *event = full ? json_deep_copy(full) : NULL;
    enum app_status st = event ? APP_OK : APP_NOMEM;
    json_object_del(event, "reason");
    json_object_del(event, "comment");
    if (st == APP_OK)
        st = audit_event(conn, who, kind, student, event);
    if (st == APP_OK)
        st = audit_record(conn, who, action, "change_request", id, student, full);
    json_decref(full);
    json_decref(event);
    return st;
}

enum app_status repo_change_request_open(struct db_conn *conn, const struct principal *who, const char *student,
                                         const char *reason, char **json, struct alloc_refusal *why)
{
    const char *params[2] = {student, reason};
    PGresult *res = NULL;
    *json = NULL;
    memset(why, 0, sizeof(*why));
    enum app_status st =
        db_query(conn,
                 "INSERT INTO change_requests AS c (student_number, reason)"
                 " SELECT s.student_number, COALESCE($2, '') FROM students s WHERE s.student_number = $1"
                 " RETURNING c.id::text, tutord_change_request_json(c)::text",
                 2, params, &res, NULL);
    if (st == APP_CONFLICT)
        return alloc_refuse(why, st, "student", "a change request of this student is already open");
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK)
        st = record_change(conn, who, "create", PQgetvalue(res, 0, 0), student, PQgetvalue(res, 0, 1));
    if (st == APP_OK && !(*json = strdup(PQgetvalue(res, 0, 1))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

static const char LIST_SQL[] =
    "SELECT tutord_change_request_json(c)::text, c.id::text"
    "  FROM change_requests c JOIN students s ON s.student_number = c.student_number"
    " WHERE ($1::boolean OR s.school = ANY (tutord_senior_schools($2::text[], $3)) OR c.student_number = $4)"
    "   AND ($5::text IS NULL OR c.status = $5) AND ($6::text IS NULL OR s.school = $6)"
    "   AND ($7::bigint IS NULL OR c.id > $7::bigint)"
    " ORDER BY c.id LIMIT $8";

enum app_status repo_change_request_list(struct db_conn *conn, const struct principal *who,
                                         const struct change_request_filter *f, struct page_rows *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[8] = {access_has_role(who, ROLE_ADMIN) ? "t" : "f",
                             scope.params[2],
                             scope.params[3],
                             scope.params[1],
                             f->status,
                             f->school,
                             f->after,
                             NULL};
    return page_query(conn, LIST_SQL, 8, params, f->limit, NULL, NULL, out);
}

/* Locks request `id` if it is about a student of the senior tutor's schools: student and status. */
static enum app_status lock_request(struct db_conn *conn, const struct principal *who, const char *id, PGresult **res)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[3] = {id, scope.params[2], scope.params[3]};
    enum app_status st = db_query(conn,
                                  "SELECT c.student_number, c.status FROM change_requests c"
                                  "  JOIN students s ON s.student_number = c.student_number"
                                  " WHERE c.id = $1::bigint AND s.school = ANY (tutord_senior_schools($2::text[], $3))"
                                  " FOR UPDATE OF c",
                                  3, params, res, NULL);
    if (st == APP_OK && PQntuples(*res) == 0)
        st = APP_NOT_FOUND;
    return st;
}

/* An approval's reallocation; *alloc_id (malloc'd) is the new allocation. */
static enum app_status reallocate(struct db_conn *conn, const struct principal *who, const char *id,
                                  const char *student, const struct change_decision *d, char **alloc_id,
                                  struct alloc_refusal *why)
{
    char reason[64];
    snprintf(reason, sizeof(reason), "change request %s", id);
    struct allocation_input in = {
        .student = student, .tutor = d->new_tutor, .kind = "personal", .starts_on = d->starts_on, .reason = reason};
    char *json = NULL;
    enum app_status st = repo_allocation_create(conn, who, &in, alloc_id, &json, why);
    free(json);
    if (strcmp(why->field, "tutor") == 0)
        snprintf(why->field, sizeof(why->field), "new_tutor");
    else if (strcmp(why->field, "student") == 0)
        snprintf(why->field, sizeof(why->field), "starts_on");
    return st;
}

enum app_status repo_change_request_decide(struct db_conn *conn, const struct principal *who, const char *id,
                                           const struct change_decision *d, char **json, struct alloc_refusal *why)
{
    PGresult *res = NULL, *upd = NULL;
    char *alloc_id = NULL;
    *json = NULL;
    memset(why, 0, sizeof(*why));
    enum app_status st = lock_request(conn, who, id, &res);
    if (st != APP_OK)
        goto cleanup;
    const char *student = PQgetvalue(res, 0, 0);
    if (strcmp(PQgetvalue(res, 0, 1), "open") != 0)
        st = alloc_refuse(why, APP_CONFLICT, "decision", "the request has already been decided");
    else if (d->new_tutor && strcmp(d->decision, "approved") != 0)
        st = alloc_refuse(why, APP_INVALID, "new_tutor", "only an approval may name a new tutor");
    else if (d->new_tutor)
        st = reallocate(conn, who, id, student, d, &alloc_id, why);
    const char *params[6] = {id, d->decision, who->sub, d->comment, d->new_tutor, alloc_id};
    if (st == APP_OK)
        st = db_query(conn,
                      "UPDATE change_requests c SET status = $2, decided_by = $3, decided_at = now(), comment = $4,"
                      " new_tutor = $5, allocation_id = $6::bigint WHERE c.id = $1::bigint"
                      " RETURNING tutord_change_request_json(c)::text",
                      6, params, &upd, NULL);
    if (st == APP_OK)
        st = record_change(conn, who, "decide", id, student, PQgetvalue(upd, 0, 0));
    if (st == APP_OK && !(*json = strdup(PQgetvalue(upd, 0, 0))))
        st = APP_NOMEM;
cleanup:
    free(alloc_id);
    PQclear(res);
    PQclear(upd);
    return st;
}

enum app_status repo_change_request_open_work(struct db_conn *conn, void *work)
{
    struct change_request_work *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    return repo_change_request_open(conn, w->who, w->student, w->reason, &w->json, &w->why);
}

enum app_status repo_change_request_decide_work(struct db_conn *conn, void *work)
{
    struct change_request_work *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    return repo_change_request_decide(conn, w->who, w->id, w->decision, &w->json, &w->why);
}
