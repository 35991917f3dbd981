/* routes_allocations.c — GET /allocations, POST /allocations (allocate or reallocate one student),
 * DELETE /allocations/{id} (end it today or on ?ends_on=). */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "fields.h"
#include "http.h"
#include "http_list.h"
#include "refusal.h"
#include "repo_allocations.h"
#include "unit_of_work.h"
#include "validate.h"

/* ---- GET /allocations ---------------------------------------------------------------------------- */

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct allocation_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->school = http_query(req, "school");
    f->tutor = http_query(req, "tutor");
    f->student = http_query(req, "student");
    f->kind = http_query(req, "kind");
    f->active_on = http_query(req, "active_on");
    json_t *errors = json_array();
    http_list_check_enum(errors, "kind", f->kind, ALLOCATION_KINDS);
    if (f->school && !validate_is_code(f->school))
        validate_error(errors, "school", "must be a school code");
    if (f->tutor && !validate_is_id(f->tutor, 20))
        validate_error(errors, "tutor", "must be a staff number");
    if (f->student && !validate_is_id(f->student, 20))
        validate_error(errors, "student", "must be a student number");
    if (f->active_on && !validate_is_date(f->active_on))
        validate_error(errors, "active_on", "must be a date YYYY-MM-DD");
    return http_list_filter_done(resp, errors);
}

static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    struct allocation_filter *filter = ctx;
    filter->after = page->after;
    filter->limit = page->limit;
    return repo_allocation_list(conn, who, filter, out);
}

static int callback_allocations_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct allocation_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, app, &page, run_list, &filter);
}

/* ---- POST /allocations --------------------------------------------------------------------------- */

static const char *string_or(const json_t *obj, const char *key, const char *fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

/* One unit of work: the caller's right on the student, then allocate. A student who does not exist and
 * one the caller may not see get the same 404 as GET /students/{n} (nothing leaks, and a client reads
 * one answer for "not there for you" everywhere); 422 stays for the body's own faults. */
static int allocate(struct _u_response *resp, const struct app *app, const struct allocation_input *in)
{
    struct allocation_work work = {.who = http_principal(resp), .in = in};
    enum app_status st = uow_run(app->pool, repo_allocation_allocate_work, &work, NULL);
    if (st != APP_OK) {
        free(work.json);
        return refusal_respond(resp, st, &work.why, "no such student among those you may see",
                               "only a senior tutor of the student's school may allocate");
    }
    return http_json_text(resp, 201, work.json);
}

static int callback_allocations_post(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    if (!access_has_role(http_principal(resp), ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only a senior tutor or an admin may allocate");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body) {
        json_decref(errors);
        return U_CALLBACK_COMPLETE;
    }
    int rc;
    if (validate_object(body, ALLOCATION_FIELDS, 0, errors) > 0) {
        rc = http_problem(resp, 422, NULL, "the allocation is not valid", errors);
        errors = NULL;
    } else {
        struct allocation_input in = {.student = string_or(body, "student", NULL),
                                      .tutor = string_or(body, "tutor", NULL),
                                      .kind = string_or(body, "kind", "personal"),
                                      .starts_on = string_or(body, "starts_on", NULL),
                                      .ends_on = string_or(body, "ends_on", NULL),
                                      .reason = string_or(body, "reason", NULL)};
        rc = allocate(resp, user_data, &in);
    }
    json_decref(errors);
    json_decref(body);
    return rc;
}

/* ---- DELETE /allocations/{id} -------------------------------------------------------------------- */

static int callback_allocations_delete(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only a senior tutor or an admin may end an allocation");
    const char *id = http_path_param(req, "id"), *ends_on = http_query(req, "ends_on");
    if (!page_is_row_id(id))
        return http_problem_for(resp, APP_NOT_FOUND, "no such allocation");
    if (ends_on && !validate_is_date(ends_on))
        return http_problem_field(resp, 400, "ends_on", "must be a date YYYY-MM-DD");
    struct allocation_work work = {.who = http_principal(resp), .id = id, .ends_on = ends_on};
    enum app_status st = uow_run(app->pool, repo_allocation_end_work, &work, NULL);
    if (st != APP_OK) {
        free(work.json);
        return refusal_respond(resp, st, &work.why, "no such allocation",
                               "only a senior tutor of the student's school may end it");
    }
    return http_json_text(resp, 200, work.json);
}

int routes_allocations_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/allocations", 0, callback_allocations_list) |
           http_route(instance, app, "POST", "/allocations", HTTP_IDEMPOTENT, callback_allocations_post) |
           http_route(instance, app, "DELETE", "/allocations/@id", 0, callback_allocations_delete);
}
