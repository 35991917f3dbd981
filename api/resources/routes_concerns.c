/* routes_concerns.c — GET/POST /concerns, POST /concerns/{id}/closure: escalations to the senior tutors
 * of the student's school, raised by a tutor about a tutee or by a student about their tutoring, closed
 * with an outcome, the raiser told (events concern.opened / concern.closed for the notifiers). */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "refusal.h"
#include "repo_concerns.h"
#include "repo_pastoral.h"
#include "unit_of_work.h"
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

static const char *str_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

/* ---- GET /concerns ------------------------------------------------------------------------------------- */

/* A page of concerns to read: the caller, the filter and the page's text. */
struct list_read {
    const struct principal *who;
    struct concern_filter filter;
    struct page_rows rows;
};

/* uow_work for GET /concerns. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct list_read *list = ctx;
    return repo_concern_list(conn, list->who, &list->filter, &list->rows);
}

static int callback_concerns_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "concerns are not available to this role");
    struct list_read list = {.who = who};
    struct concern_filter *f = &list.filter;
    json_t *errors = json_array();
    struct page page;
    pastoral_query_enum(req, "status", STATUSES, errors, &f->status);
    pastoral_query_enum(req, "kind", KINDS, errors, &f->kind);
    if ((f->school = http_query(req, "school")) && !validate_is_code(f->school))
        validate_error(errors, "school", "must be a school code");
    if ((f->student = http_query(req, "student")) && !validate_is_id(f->student, 20))
        validate_error(errors, "student", "must be a student number");
    if (http_list_filter_done(resp, errors) != 0 || http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    f->after = page.after;
    f->limit = page.limit;
    enum app_status st = uow_read(((const struct app *)user_data)->pool, read_page, &list);
    http_page_free(&page);
    return http_list_respond(resp, st, &list.rows);
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

static int callback_concerns_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only a tutor or the student raises a concern");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    struct concern_raise work = {.who = who, .kind = str_of(body, "kind"), .detail = str_of(body, "detail")};
    work.student = check_concern(body, who, errors);
    int rc = U_CALLBACK_COMPLETE;
    if (pastoral_body_checked(resp, errors, "concern") == 0) {
        enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_concern_raise_work, &work, NULL);
        rc = st == APP_OK        ? pastoral_respond_json(resp, 201, work.json, NULL)
             : work.why.field[0] ? refusal_respond(resp, st, &work.why, NULL, NULL)
                                 : http_problem_db(resp, st, &work.err, "concerns");
        if (st == APP_OK)
            work.json = NULL;
    }
    json_decref(body);
    json_decref(errors);
    free(work.json);
    return rc;
}

/* ---- POST /concerns/{id}/closure ---------------------------------------------------------------------- */

/* Answers a closure: the concern (taking its text), or why not — the lock's refusals (404, 403, 409),
 * the body's faults (422) once the concern was found, the database's refusal otherwise. */
static int answer_closure(struct _u_response *resp, enum app_status st, struct concern_close *work, json_t *errors)
{
    if (st == APP_OK) {
        char *json = work->json;
        work->json = NULL;
        return pastoral_respond_json(resp, 200, json, NULL);
    }
    if (!work->locked && st == APP_CONFLICT)
        return http_problem_for(resp, APP_CONFLICT, "the concern is already closed");
    if (!work->locked)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such concern" : NULL);
    if (work->body_invalid && st == APP_INVALID) {
        pastoral_body_checked(resp, errors, "closure");
        return U_CALLBACK_COMPLETE;
    }
    return http_problem_db(resp, st, &work->err, "concerns");
}

static int callback_concern_close(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only a senior tutor of the student's school closes a concern");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    struct concern_close work = {.who = who, .id = http_path_param(req, "id"), .outcome = str_of(body, "outcome")};
    validate_object(body, CLOSURE_FIELDS, 0, errors);
    work.body_invalid = json_array_size(errors) > 0; /* answered once the concern is known to be there */
    enum app_status st = page_is_row_id(work.id)
                             ? uow_run(((const struct app *)user_data)->pool, repo_concern_close_work, &work, NULL)
                             : APP_NOT_FOUND;
    int rc = answer_closure(resp, st, &work, errors);
    json_decref(body);
    json_decref(errors);
    free(work.json);
    return rc;
}

int routes_concerns_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/concerns", 0, callback_concerns_list) |
           http_route(instance, app, "POST", "/concerns", HTTP_IDEMPOTENT, callback_concerns_create) |
           http_route(instance, app, "POST", "/concerns/@id/closure", HTTP_IDEMPOTENT, callback_concern_close);
}
