/* routes_concerns.c — GET/POST /concerns, POST /concerns/{id}/closure: escalations to the senior tutors
 * of the student's school, raised by a tutor about a tutee or by a student about their tutoring, closed
 * with an outcome, the raiser told (events concern.opened / concern.closed for the notifiers). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "pastoral.h"
#include "repo_pastoral.h"
#include "repo_row.h"
#include "validate.h"

static const char *const KINDS[] = {"non_engaged", "wellbeing", "tutoring_issue", "other", NULL};
static const char *const STATUSES[] = {"open", "closed", NULL};

#define CONCERN_READONLY                                                                                               \
    {"id", FT_INT, F_READONLY, 0, 0, NULL}, {"school", FT_CODE, F_READONLY, 0, 0, NULL},                               \
        {"raised_by", FT_ID, F_READONLY, 0, 0, NULL}, {"raised_by_role", FT_STRING, F_READONLY, 0, 0, NULL},           \
        {"raised_at", FT_INSTANT, F_READONLY, 0, 0, NULL}, {"status", FT_STRING, F_READONLY, 0, 0, NULL},              \
        {"closed_by", FT_ID, F_READONLY, 0, 0, NULL}, {"closed_at", FT_INSTANT, F_READONLY, 0, 0, NULL},               \
        {"raiser_notified_at", FT_INSTANT, F_READONLY, 0, 0, NULL},                                                    \
    {                                                                                                                  \
        "version", FT_INT, F_READONLY, 0, 0, NULL                                                                      \
    }

static const struct field_spec CONCERN_FIELDS[] = {
    {"student", FT_ID, 0, 1, 20, NULL},
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, KINDS},
    {"detail", FT_STRING, F_REQUIRED, 1, 4000, NULL},
    {"outcome", FT_STRING, F_READONLY, 0, 0, NULL},
    CONCERN_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec CLOSURE_FIELDS[] = {
    {"outcome", FT_STRING, F_REQUIRED, 1, 4000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

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

static const char *str_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

/* The visibility parameters $1..$4 for the caller. */
static void visible_params(const struct principal *who, struct access_scope *scope, const char *out[4])
{
    access_scope_of(who, scope);
    out[0] = access_has_role(who, ROLE_ADMIN) ? "t" : "f";
    out[1] = who->sub;
    out[2] = scope->params[2];
    out[3] = scope->params[3];
}

/* ---- GET /concerns ------------------------------------------------------------------------------------- */

static int callback_concerns_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "concerns are not available to this role");
    const char *params[10] = {0};
    json_t *errors = json_array();
    struct page page;
    pastoral_query_enum(req, "status", STATUSES, errors, &params[4]);
    pastoral_query_enum(req, "kind", KINDS, errors, &params[5]);
    if ((params[6] = http_query(req, "school")) && !validate_is_code(params[6]))
        validate_error(errors, "school", "must be a school code");
    if ((params[7] = http_query(req, "student")) && !validate_is_id(params[7], 20))
        validate_error(errors, "student", "must be a student number");
    if (listing_filter_done(resp, errors) != 0 || listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct access_scope scope;
    char limit[16];
    visible_params(who, &scope, params);
    snprintf(limit, sizeof(limit), "%d", page.limit + 1);
    params[8] = page.after;
    params[9] = limit;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(((const struct app *)user_data)->pool, &conn);
    if (st == APP_OK)
        st = repo_page(conn, LIST_SQL, 10, params, page.limit, NULL, NULL, &body);
    db_release(((const struct app *)user_data)->pool, conn);
    http_page_free(&page);
    return pastoral_respond_page(resp, st, &body);
}

/* ---- POST /concerns ----------------------------------------------------------------------------------- */

/* A student raises only an issue with their own tutoring; the student defaults to themself. */
static int as_student(const struct principal *who)
{
    return access_has_role(who, ROLE_STUDENT) && !access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR);
}

static const char *check_concern(const json_t *body, const struct principal *who, json_t *errors)
{
    validate_object(body, CONCERN_FIELDS, 0, errors);
    const char *student = str_of(body, "student"), *kind = str_of(body, "kind");
    if (!as_student(who)) {
        if (!json_object_get(body, "student"))
            validate_error(errors, "student", "is required");
        return student;
    }
    if (student && strcmp(student, who->sub) != 0)
        validate_error(errors, "student", "a student raises concerns only about themself");
    if (kind && strcmp(kind, "tutoring_issue") != 0)
        validate_error(errors, "kind", "a student raises a tutoring_issue");
    return who->sub;
}

/* The raiser's role for this student, or NULL when the caller may not raise a concern about them. */
static const char *raiser_role(const struct principal *who, const struct student_reach *reach)
{
    if (as_student(who))
        return reach->self ? "student" : NULL;
    return reach->senior ? "senior_tutor" : reach->tutor ? "tutor" : NULL;
}

/* Inserts the concern and its event and audit rows; *json is the concern (malloc'd). The event carries
 * ids and roles only — never the concern's kind or detail: every feed reader (registry, admin) sees the
 * feed, and may read the concern itself only through GET /concerns with its access checks. */
static enum app_status raise_concern(struct db_conn *conn, const struct principal *who, const json_t *body,
                                     const char *student, const struct student_reach *reach, const char *role,
                                     char **json, struct db_error *err)
{
    char *id = NULL, *summary = NULL;
    const char *params[6] = {student, reach->school, str_of(body, "kind"), str_of(body, "detail"), who->sub, role};
    enum app_status st = repo_row(conn, INSERT_SQL, 6, params, err, (char **const[]){json, &id, &summary}, 3);
    json_t *payload = st == APP_OK ? json_loads(summary, 0, NULL) : NULL;
    if (st == APP_OK)
        st = audit_event(conn, who, "concern.opened", id, payload);
    if (st == APP_OK)
        st = audit_record(conn, who, "concern.open", "concern", id, student, NULL);
    json_decref(payload);
    free(id), free(summary);
    return st;
}

static int callback_concerns_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only a tutor or the student raises a concern");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    struct student_reach reach;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL;
    const char *student = check_concern(body, who, errors), *role = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (pastoral_body_checked(resp, errors, "concern") != 0)
        goto cleanup;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK && (st = repo_reach_of(conn, student, who, &reach)) == APP_NOT_FOUND)
        st = APP_OK; /* reach is all zero: no role, as for a student who is not the caller's */
    if (st == APP_OK)
        role = raiser_role(who, &reach);
    if (st == APP_OK && !role) {
        rc = http_problem_field(resp, 422, "student", "is not a student you may raise a concern about");
        goto cleanup;
    }
    if (st == APP_OK)
        st = raise_concern(conn, who, body, student, &reach, role, &json, &err);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? pastoral_respond_json(resp, 201, json, NULL) : http_problem_db(resp, st, &err, "concerns");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(json);
    return rc;
}

/* ---- POST /concerns/{id}/closure ---------------------------------------------------------------------- */

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
    enum app_status st = listing_is_row_id(id) ? APP_OK : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_row(conn, LOCK_SQL, 5, params, NULL,
                      (char **const[]){&c->student, &c->status, &c->senior, &c->summary}, 4);
    if (st == APP_OK && strcmp(c->senior, "1") != 0)
        st = APP_FORBIDDEN;
    if (st == APP_OK && strcmp(c->status, "open") != 0)
        st = APP_CONFLICT;
    return st;
}

static enum app_status close_concern(struct db_conn *conn, const struct principal *who, const char *id,
                                     const struct concern_lock *c, const char *outcome, char **json,
                                     struct db_error *err)
{
    const char *params[3] = {id, outcome, who->sub};
    enum app_status st = repo_row(conn, CLOSE_SQL, 3, params, err, (char **const[]){json}, 1);
    json_t *payload = st == APP_OK ? json_loads(c->summary, 0, NULL) : NULL;
    if (payload)
        json_object_set_new(payload, "closed_by", json_string(who->sub));
    if (st == APP_OK)
        st = audit_event(conn, who, "concern.closed", id, payload);
    if (st == APP_OK)
        st = audit_record(conn, who, "concern.close", "concern", id, c->student, NULL);
    json_decref(payload);
    return st;
}

static int callback_concern_close(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only a senior tutor of the student's school closes a concern");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    const char *id = http_path_param(req, "id");
    struct concern_lock c = {0};
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = lock_concern(conn, id, who, &c);
    if (st != APP_OK) {
        rc = st == APP_CONFLICT ? http_problem(resp, 409, NULL, "the concern is already closed", NULL)
                                : http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such concern" : NULL);
        goto cleanup;
    }
    validate_object(body, CLOSURE_FIELDS, 0, errors);
    if (pastoral_body_checked(resp, errors, "closure") != 0)
        goto cleanup;
    st = close_concern(conn, who, id, &c, str_of(body, "outcome"), &json, &err);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? pastoral_respond_json(resp, 200, json, NULL) : http_problem_db(resp, st, &err, "concerns");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(json);
    free(c.student), free(c.status), free(c.senior), free(c.summary);
    return rc;
}

int routes_concerns_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/concerns", 0, callback_concerns_list) |
           http_route(instance, app, "POST", "/concerns", HTTP_IDEMPOTENT, callback_concerns_create) |
           http_route(instance, app, "POST", "/concerns/@id/closure", HTTP_IDEMPOTENT, callback_concern_close);
}
