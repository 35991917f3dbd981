/* repo_allocations.c — allocate, reallocate, end and list allocations; events and audit alongside. */
#include "repo_allocations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"

/* The database's today (YYYY-MM-DD), the day "in force now" is judged on. */
static enum app_status today(struct db_conn *conn, char out[11])
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, "SELECT current_date::text", 0, NULL, &res, NULL);
    if (st == APP_OK)
        snprintf(out, 11, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

enum app_status alloc_refuse(struct alloc_refusal *why, enum app_status st, const char *field, const char *message)
{
    snprintf(why->field, sizeof(why->field), "%s", field);
    snprintf(why->message, sizeof(why->message), "%s", message);
    return st;
}

/* Appends the event and the audit row for one allocation change; `json` is the allocation. */
static enum app_status record_change(struct db_conn *conn, const struct principal *who, const char *verb,
                                     const char *id, const char *student, const char *json)
{
    char kind[32], action[32];
    snprintf(kind, sizeof(kind), "allocation.%s", strcmp(verb, "create") == 0 ? "created" : "ended");
    snprintf(action, sizeof(action), "allocation.%s", verb);
    return audit_change(conn, who, kind, action, "allocation", id, student, json);
}

enum app_status repo_allocation_authorize(struct db_conn *conn, const struct principal *who, const char *student,
                                          const char *kind)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[7] = {
        student, scope.params[0], scope.params[1], scope.params[2], scope.params[3], scope.params[4], kind};
    return access_senior_gate(
        conn, who,
        "SELECT (s.school = ANY (x.sch) OR ($7 = 'secondary' AND s.partner_school = ANY (x.sch)))::int"
        "  FROM students s, LATERAL (SELECT tutord_senior_schools($4::text[], $5) AS sch) x"
        " WHERE s.student_number = $1 AND " ACCESS_VISIBLE(2, 3, 4, 5, 6),
        7, params);
}

/* The facts the checks need: does the student exist, and what of the tutor. Locks the student's row
 * (FOR NO KEY UPDATE, which row references do not wait for) until the transaction ends, so allocations
 * of one student run one after another: concurrent inserts checked by the exclusion constraint
 * allocations_one_personal_tutor each add their index entry before looking for conflicts, and two
 * that see each other's entry wait for each other — a deadlock (40P01) PostgreSQL breaks after
 * deadlock_timeout. Behind the lock the later one sees the winner committed and gets 23P01 (409). */
static enum app_status check_parties(struct db_conn *conn, const struct allocation_input *in, struct alloc_refusal *why)
{
    const char *params[2] = {in->student, in->tutor};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT s.partner_school, t.staff_number IS NOT NULL, COALESCE(t.active, false),"
                 "       COALESCE(t.roles && '{tutor,senior_tutor}'::text[], false), t.school"
                 "  FROM students s LEFT JOIN staff t ON t.staff_number = $2 WHERE s.student_number = $1"
                 "   FOR NO KEY UPDATE OF s",
                 2, params, &res, NULL);
    if (st != APP_OK)
        return st;
    if (PQntuples(res) == 0)
        st = alloc_refuse(why, APP_INVALID, "student", "no such student");
    else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
        st = alloc_refuse(why, APP_INVALID, "tutor", "no such staff member");
    else if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
        st = alloc_refuse(why, APP_INVALID, "tutor", "the tutor is not active");
    else if (strcmp(PQgetvalue(res, 0, 3), "t") != 0)
        st = alloc_refuse(why, APP_INVALID, "tutor", "the staff member is not a tutor");
    else if (strcmp(in->kind, "secondary") == 0 &&
             (PQgetisnull(res, 0, 0) || strcmp(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 4)) != 0))
        st = alloc_refuse(why, APP_INVALID, "tutor", "a secondary tutor must belong to the student's partner school");
    PQclear(res);
    return st;
}

/* Ends the personal allocation running into the new one's first day (reallocation). */
static enum app_status end_current_personal(struct db_conn *conn, const struct principal *who,
                                            const struct allocation_input *in)
{
    const char *params[3] = {in->student, in->starts_on, who->sub};
    PGresult *res = NULL;
    enum app_status st = db_query(conn,
                                  "UPDATE allocations a SET ends_on = $2::date - 1, ended_by = $3, ended_at = now()"
                                  " WHERE a.student_number = $1 AND a.kind = 'personal' AND a.starts_on < $2::date"
                                  "   AND (a.ends_on IS NULL OR a.ends_on >= $2::date)"
                                  " RETURNING a.id::text, tutord_allocation_json(a)::text",
                                  3, params, &res, NULL);
    for (int i = 0; st == APP_OK && i < PQntuples(res); i++)
        st = record_change(conn, who, "end", PQgetvalue(res, i, 0), in->student, PQgetvalue(res, i, 1));
    PQclear(res);
    return st;
}

static enum app_status insert_allocation(struct db_conn *conn, const struct principal *who,
                                         const struct allocation_input *in, char **id, char **json,
                                         struct alloc_refusal *why)
{
    const char *params[8] = {in->student, in->tutor,  in->kind, in->starts_on,
                             in->ends_on, in->reason, who->sub, in->absence_id};
    PGresult *res = NULL;
    struct db_error err;
    memset(&err, 0, sizeof(err));
    enum app_status st = db_query(conn,
                                  "INSERT INTO allocations AS a (student_number, staff_number, kind, starts_on,"
                                  " ends_on, reason, created_by, absence_id)"
                                  " VALUES ($1, $2, $3, $4, $5, COALESCE($6, ''), $7, $8)"
                                  " RETURNING a.id::text, tutord_allocation_json(a)::text",
                                  8, params, &res, &err);
    if (st == APP_CONFLICT)
        return alloc_refuse(why, st, "student", "the student already has a personal tutor over these dates");
    if (st == APP_INVALID)
        return alloc_refuse(why, st, strstr(err.constraint, "reason") ? "reason" : "starts_on",
                            "is not an accepted value");
    if (st != APP_OK)
        return st;
    *id = strdup(PQgetvalue(res, 0, 0));
    *json = strdup(PQgetvalue(res, 0, 1));
    PQclear(res);
    return *id && *json ? APP_OK : APP_NOMEM;
}

enum app_status repo_allocation_create(struct db_conn *conn, const struct principal *who,
                                       const struct allocation_input *given, char **id, char **json,
                                       struct alloc_refusal *why)
{
    *id = *json = NULL;
    memset(why, 0, sizeof(*why));
    struct allocation_input copy = *given, *in = &copy;
    char day[11];
    if (!in->starts_on) {
        enum app_status st = today(conn, day);
        if (st != APP_OK)
            return st;
        in->starts_on = day;
    }
    if (in->ends_on && strcmp(in->ends_on, in->starts_on) < 0)
        return alloc_refuse(why, APP_INVALID, "ends_on", "must not be before starts_on");
    enum app_status st = check_parties(conn, in, why);
    if (st == APP_OK && strcmp(in->kind, "personal") == 0)
        st = end_current_personal(conn, who, in);
    if (st == APP_OK)
        st = insert_allocation(conn, who, in, id, json, why);
    if (st == APP_OK)
        st = record_change(conn, who, "create", *id, in->student, *json);
    if (st != APP_OK) {
        free(*id), free(*json);
        *id = *json = NULL;
    }
    return st;
}

/* Locks allocation `id` and reads its student, kind, start and end (empty when open-ended). */
static enum app_status lock_allocation(struct db_conn *conn, const char *id, PGresult **res)
{
    const char *params[1] = {id};
    enum app_status st = db_query(conn,
                                  "SELECT student_number, kind, starts_on::text, COALESCE(ends_on::text, '')"
                                  "  FROM allocations WHERE id = $1::bigint FOR UPDATE",
                                  1, params, res, NULL);
    if (st == APP_OK && PQntuples(*res) == 0)
        st = APP_NOT_FOUND;
    return st;
}

enum app_status repo_allocation_end(struct db_conn *conn, const struct principal *who, const char *id,
                                    const char *ends_on, char **json, struct alloc_refusal *why)
{
    PGresult *res = NULL, *upd = NULL;
    *json = NULL;
    memset(why, 0, sizeof(*why));
    char day[11];
    enum app_status st = ends_on ? APP_OK : today(conn, day);
    if (!ends_on)
        ends_on = day;
    if (st == APP_OK)
        st = lock_allocation(conn, id, &res);
    if (st == APP_OK)
        st = repo_allocation_authorize(conn, who, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    if (st != APP_OK)
        goto cleanup;
    const char *current_end = PQgetvalue(res, 0, 3);
    if (strcmp(ends_on, PQgetvalue(res, 0, 2)) < 0) {
        st = alloc_refuse(why, APP_INVALID, "ends_on", "must not be before the allocation starts");
        goto cleanup;
    }
    if (*current_end && strcmp(current_end, ends_on) <= 0) {
        st = alloc_refuse(why, APP_CONFLICT, "ends_on", "the allocation already ends on or before that day");
        goto cleanup;
    }
    const char *params[3] = {id, ends_on, who->sub};
    st = db_query(conn,
                  "UPDATE allocations a SET ends_on = $2::date, ended_by = $3, ended_at = now()"
                  " WHERE a.id = $1::bigint RETURNING tutord_allocation_json(a)::text",
                  3, params, &upd, NULL);
    if (st == APP_OK)
        st = record_change(conn, who, "end", id, PQgetvalue(res, 0, 0), PQgetvalue(upd, 0, 0));
    if (st == APP_OK && !(*json = strdup(PQgetvalue(upd, 0, 0))))
        st = APP_NOMEM;
cleanup:
    PQclear(res);
    PQclear(upd);
    return st;
}

enum app_status repo_allocation_allocate_work(struct db_conn *conn, void *work)
{
    struct allocation_work *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    memset(&w->why, 0, sizeof(w->why));
    char *id = NULL;
    enum app_status st = repo_allocation_authorize(conn, w->who, w->in->student, w->in->kind);
    if (st == APP_OK)
        st = repo_allocation_create(conn, w->who, w->in, &id, &w->json, &w->why);
    free(id);
    return st;
}

enum app_status repo_allocation_end_work(struct db_conn *conn, void *work)
{
    struct allocation_work *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    return repo_allocation_end(conn, w->who, w->id, w->ends_on, &w->json, &w->why);
}

static const char LIST_SQL[] =
    "SELECT tutord_allocation_json(a)::text, a.id::text FROM allocations a"
    "  JOIN students s ON s.student_number = a.student_number"
    " WHERE " ACCESS_VISIBLE(
        1, 2, 3, 4, 5) "   AND ($6::text IS NULL OR s.school = $6) AND ($7::text IS NULL OR a.staff_number = $7)"
                       "   AND ($8::text IS NULL OR a.student_number = $8) AND ($9::text IS NULL OR a.kind = $9)"
                       "   AND ($10::date IS NULL OR a.period @> $10::date)"
                       "   AND ($11::bigint IS NULL OR a.id > $11::bigint)"
                       " ORDER BY a.id LIMIT $12";

enum app_status repo_allocation_list(struct db_conn *conn, const struct principal *who,
                                     const struct allocation_filter *f, struct page_rows *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[12] = {scope.params[0], scope.params[1], scope.params[2], scope.params[3],
                              scope.params[4], f->school,       f->tutor,        f->student,
                              f->kind,         f->active_on,    f->after,        NULL};
    return page_query(conn, LIST_SQL, 12, params, f->limit, NULL, NULL, out);
}
