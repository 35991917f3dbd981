/* repo_concerns.c — concerns: list, raise, close; events and audit alongside. */
#include "repo_concerns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "repo_pastoral.h"
#include "repo_row.h"

/* Who sees a concern: admin all; senior tutors their schools'; anyone the concerns they raised.
 * $1 admin, $2 caller, $3 claimed schools, $4 senior tutor (or NULL). */
#define CONCERN_VISIBLE "($1::boolean OR c.raised_by = $2 OR c.school = ANY (tutord_senior_schools($3::text[], $4)))"

static const char LIST_SQL[] =
    "SELECT tutord_concern_json(c)::text, c.id::text FROM concerns c WHERE " CONCERN_VISIBLE
    " AND ($5::text IS NULL OR c.status = $5) AND ($6::text IS NULL OR c.kind = $6)"
    " AND ($7::text IS NULL OR c.school = $7) AND ($8::text IS NULL OR c.student_number = $8)"
    " AND ($9::bigint IS NULL OR c.id > $9::bigint) ORDER BY c.id LIMIT $10";

static const char LOCK_SQL[] =
    "SELECT c.student_number, c.status, (c.school = ANY (tutord_senior_schools($3::text[], $4)))::int::text,"
    " json_build_object('id', c.id, 'student', c.student_number, 'school', c.school,"
    " 'raised_by', c.raised_by, 'raised_by_role', c.raised_by_role)::text"
    " FROM concerns c WHERE c.id = $5::bigint AND " CONCERN_VISIBLE " FOR UPDATE";

static const char INSERT_SQL[] =
    "INSERT INTO concerns AS c (student_number, school, kind, detail, raised_by, raised_by_role)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " RETURNING tutord_concern_json(c)::text, c.id::text,"
    " json_build_object('id', c.id, 'student', c.student_number, 'school', c.school,"
    " 'raised_by', c.raised_by, 'raised_by_role', c.raised_by_role)::text";

static const char CLOSE_SQL[] =
    "UPDATE concerns c SET status = 'closed', outcome = $2, closed_by = $3, closed_at = now(),"
    " raiser_notified_at = now(), version = c.version + 1"
    " WHERE c.id = $1::bigint RETURNING tutord_concern_json(c)::text";

/* The visibility parameters $1..$4 for the caller. */
static void visible_params(const struct principal *who, struct access_scope *scope, const char *out[4])
{
    access_scope_of(who, scope);
    out[0] = access_has_role(who, ROLE_ADMIN) ? "t" : "f";
    out[1] = who->sub;
    out[2] = scope->params[2];
    out[3] = scope->params[3];
}

enum app_status repo_concern_list(struct db_conn *conn, const struct principal *who, const struct concern_filter *f,
                                  struct page_rows *out)
{
    struct access_scope scope;
    const char *params[10] = {0};
    visible_params(who, &scope, params);
    params[4] = f->status;
    params[5] = f->kind;
    params[6] = f->school;
    params[7] = f->student;
    params[8] = f->after;
    return page_query(conn, LIST_SQL, 10, params, f->limit, NULL, NULL, out);
}

/* A student raises only an issue with their own tutoring. */
static int as_student(const struct principal *who)
{
    return access_has_role(who, ROLE_STUDENT) && !access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR);
}

/* The raiser's role for this student, or NULL when the caller may not raise a concern about them. */
static const char *raiser_role(const struct principal *who, const struct student_reach *reach)
{
    if (as_student(who))
        return reach->self ? "student" : NULL;
    return reach->senior ? "senior_tutor" : reach->tutor ? "tutor" : NULL;
}

/* Inserts the concern and its event and audit rows. The event carries ids and roles only — never the
 * concern's kind or detail: every feed reader (registry, admin) sees the feed, and may read the concern
 * itself only through GET /concerns with its access checks. */
static enum app_status insert_concern(struct db_conn *conn, struct concern_raise *w, const char *school,
                                      const char *role)
{
    char *id = NULL, *summary = NULL;
    const char *params[6] = {w->student, school, w->kind, w->detail, w->who->sub, role};
    enum app_status st = repo_row(conn, INSERT_SQL, 6, params, &w->err, (char **const[]){&w->json, &id, &summary}, 3);
    json_t *payload = st == APP_OK ? json_loads(summary, 0, NULL) : NULL;
    if (st == APP_OK)
        st = audit_event(conn, w->who, "concern.opened", id, payload);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "concern.open", "concern", id, w->student, NULL);
    json_decref(payload);
    free(id), free(summary);
    return st;
}

enum app_status repo_concern_raise_work(struct db_conn *conn, void *work)
{
    struct concern_raise *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    memset(&w->why, 0, sizeof(w->why));
    memset(&w->err, 0, sizeof(w->err));
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, w->student, w->who, &reach);
    if (st == APP_NOT_FOUND)
        st = APP_OK; /* reach is all zero: no role, as for a student who is not the caller's */
    const char *role = st == APP_OK ? raiser_role(w->who, &reach) : NULL;
    if (st == APP_OK && !role)
        return alloc_refuse(&w->why, APP_INVALID, "student", "is not a student you may raise a concern about");
    if (st == APP_OK)
        st = insert_concern(conn, w, reach.school, role);
    if (st != APP_OK) {
        free(w->json);
        w->json = NULL;
    }
    return st;
}

struct concern_lock {
    char *student, *status, *senior, *summary;
};

/* Locks concern `id` if the caller sees it: APP_NOT_FOUND when absent or hidden, APP_FORBIDDEN unless
 * a senior tutor of its school, APP_CONFLICT when already closed. */
static enum app_status lock_concern(struct db_conn *conn, const char *id, const struct principal *who,
                                    struct concern_lock *c)
{
    struct access_scope scope;
    const char *params[5];
    visible_params(who, &scope, params);
    params[4] = id;
    enum app_status st = repo_row(conn, LOCK_SQL, 5, params, NULL,
                                  (char **const[]){&c->student, &c->status, &c->senior, &c->summary}, 4);
    if (st == APP_OK && strcmp(c->senior, "1") != 0)
        st = APP_FORBIDDEN;
    if (st == APP_OK && strcmp(c->status, "open") != 0)
        st = APP_CONFLICT;
    return st;
}

/* Closes the locked concern and appends its event (with closed_by) and audit row. */
static enum app_status close_concern(struct db_conn *conn, struct concern_close *w, const struct concern_lock *c)
{
    const char *params[3] = {w->id, w->outcome, w->who->sub};
    enum app_status st = repo_row(conn, CLOSE_SQL, 3, params, &w->err, (char **const[]){&w->json}, 1);
    json_t *payload = st == APP_OK ? json_loads(c->summary, 0, NULL) : NULL;
    if (payload)
        json_object_set_new(payload, "closed_by", json_string(w->who->sub));
    if (st == APP_OK)
        st = audit_event(conn, w->who, "concern.closed", w->id, payload);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "concern.close", "concern", w->id, c->student, NULL);
    json_decref(payload);
    return st;
}

enum app_status repo_concern_close_work(struct db_conn *conn, void *work)
{
    struct concern_close *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    w->locked = 0;
    memset(&w->err, 0, sizeof(w->err));
    struct concern_lock c = {0};
    enum app_status st = lock_concern(conn, w->id, w->who, &c);
    w->locked = st == APP_OK;
    if (st == APP_OK && w->body_invalid)
        st = APP_INVALID;
    else if (st == APP_OK)
        st = close_concern(conn, w, &c);
    if (st != APP_OK) {
        free(w->json);
        w->json = NULL;
    }
    free(c.student), free(c.status), free(c.senior), free(c.summary);
    return st;
}
