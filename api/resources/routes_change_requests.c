/* routes_change_requests.c — POST /students/{student_number}/change-requests (the student themself),
 * GET /change-requests (admin; senior tutor: own schools; student: own), POST /change-requests/{id}/decision
 * (the senior tutor of the student's school; an approval may reallocate in the same transaction). */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "refusal.h"
#include "repo_change_requests.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const STATUSES[] = {"open", "approved", "declined", NULL};
static const char *const DECISIONS[] = {"approved", "declined", NULL};

/* Fields of a request a caller never sets. */
#define REQUEST_READONLY                                                                                               \
    {"id", FT_INT, F_READONLY, 0, 0, NULL}, {"student", FT_ID, F_READONLY, 1, 20, NULL},                               \
        {"student_number", FT_ID, F_READONLY, 1, 20, NULL}, {"status", FT_STRING, F_READONLY, 0, 0, NULL},             \
        {"requested_at", FT_INSTANT, F_READONLY, 0, 0, NULL}, {"decided_by", FT_STRING, F_READONLY, 0, 0, NULL},       \
        {"decided_at", FT_INSTANT, F_READONLY, 0, 0, NULL},                                                            \
    {                                                                                                                  \
        "allocation_id", FT_INT, F_READONLY, 0, 0, NULL                                                                \
    }

static const struct field_spec REQUEST_FIELDS[] = {
    {"reason", FT_STRING, F_NULLABLE, 0, 2000, NULL},
    {"comment", FT_STRING, F_READONLY, 0, 0, NULL},
    {"new_tutor", FT_ID, F_READONLY, 1, 20, NULL},
    REQUEST_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec DECISION_FIELDS[] = {
    {"decision", FT_ENUM, F_REQUIRED, 0, 0, DECISIONS},
    {"comment", FT_STRING, F_NULLABLE, 0, 2000, NULL},
    {"new_tutor", FT_ID, F_NULLABLE, 1, 20, NULL},
    {"starts_on", FT_DATE, F_NULLABLE, 0, 0, NULL},
    {"reason", FT_STRING, F_READONLY, 0, 0, NULL},
    REQUEST_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

static const char *string_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Parses and validates a body against specs; NULL after answering (415/413/400/422). */
static json_t *valid_body(const struct _u_request *req, struct _u_response *resp, const struct field_spec *specs)
{
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (body && validate_object(body, specs, 0, errors) > 0) {
        http_problem(resp, 422, NULL, "the request body is not valid", errors);
        errors = NULL;
        json_decref(body);
        body = NULL;
    }
    json_decref(errors);
    return body;
}

/* ---- POST /students/{student_number}/change-requests ------------------------------------------------- */

static int callback_change_requests_post(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    const char *student = http_path_param(req, "student_number");
    if (!access_has_role(who, ROLE_STUDENT))
        return http_problem_for(resp, APP_FORBIDDEN, "only the student may ask to change their tutor");
    if (strcmp(who->sub, student) != 0)
        return http_problem_for(resp, APP_NOT_FOUND, "no such student");
    json_t *body = valid_body(req, resp, REQUEST_FIELDS);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct change_request_work work = {.who = who, .student = student, .reason = string_of(body, "reason")};
    enum app_status st = uow_run(app->pool, repo_change_request_open_work, &work, NULL);
    json_decref(body);
    if (st == APP_OK)
        return http_json_text(resp, 201, work.json);
    free(work.json);
    return refusal_respond(resp, st, &work.why, "no such student", NULL);
}

/* ---- GET /change-requests -------------------------------------------------------------------------- */

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct change_request_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->status = http_query(req, "status");
    f->school = http_query(req, "school");
    json_t *errors = json_array();
    http_list_check_enum(errors, "status", f->status, STATUSES);
    if (f->school && !validate_is_code(f->school))
        validate_error(errors, "school", "must be a school code");
    return http_list_filter_done(resp, errors);
}

static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    struct change_request_filter *filter = ctx;
    filter->after = page->after;
    filter->limit = page->limit;
    return repo_change_request_list(conn, who, filter, out);
}

static int callback_change_requests_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN | ROLE_SENIOR_TUTOR | ROLE_STUDENT))
        return http_problem_for(resp, APP_FORBIDDEN, "only senior tutors, admins and students read change requests");
    struct change_request_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, app, &page, run_list, &filter);
}

/* ---- POST /change-requests/{id}/decision ------------------------------------------------------------ */

static int callback_change_requests_decide(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    const char *id = http_path_param(req, "id");
    if (!access_has_role(who, ROLE_SENIOR_TUTOR))
        return http_problem_for(resp, APP_FORBIDDEN, "only a senior tutor decides change requests");
    if (!page_is_row_id(id))
        return http_problem_for(resp, APP_NOT_FOUND, "no such change request");
    json_t *body = valid_body(req, resp, DECISION_FIELDS);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct change_decision d = {string_of(body, "decision"), string_of(body, "comment"), string_of(body, "new_tutor"),
                                string_of(body, "starts_on")};
    struct change_request_work work = {.who = who, .id = id, .decision = &d};
    enum app_status st = uow_run(app->pool, repo_change_request_decide_work, &work, NULL);
    json_decref(body);
    if (st == APP_OK)
        return http_json_text(resp, 200, work.json);
    free(work.json);
    return refusal_respond(resp, st, &work.why, "no such change request", NULL);
}

int routes_change_requests_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/students/@student_number/change-requests", HTTP_IDEMPOTENT,
                      callback_change_requests_post) |
           http_route(instance, app, "GET", "/change-requests", 0, callback_change_requests_list) |
           http_route(instance, app, "POST", "/change-requests/@id/decision", HTTP_IDEMPOTENT,
                      callback_change_requests_decide);
}
