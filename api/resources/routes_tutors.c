/* routes_tutors.c — GET /tutors, GET/PUT/PATCH /tutors/{staff_number}, GET /tutors/{staff_number}/tutees.
 * A staff record carries `permanent_exception` ({agreed_by, note} or null) for a tutor who is not
 * permanent; staff readers see it, students do not. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "fields.h"
#include "http.h"
#include "http_list.h"
#include "repo_tutors.h"
#include "unit_of_work.h"
#include "validate.h"
#include "versioned_answer.h"

/* ---- GET /tutors/{staff_number} ------------------------------------------------------------------- */

/* A tutor to read as the caller may, and what was read (malloc'd). */
struct tutor_read {
    const struct principal *who;
    const char *number;
    char *json, *version;
};

/* uow_work for GET /tutors/{n}: the record with its detail. */
static enum app_status read_tutor(struct db_conn *conn, void *ctx)
{
    struct tutor_read *r = ctx;
    free(r->json), free(r->version);
    r->json = r->version = NULL;
    return repo_tutor_get(conn, r->who, r->number, 1, &r->json, &r->version);
}

static int callback_tutors_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct tutor_read r = {.who = http_principal(resp), .number = http_path_param(req, "staff_number")};
    enum app_status st = uow_read(app->pool, read_tutor, &r);
    return versioned_read_answer(resp, st, r.json, r.version, "no such tutor");
}

/* ---- GET /tutors ------------------------------------------------------------------------------------ */

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct tutor_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->school = http_query(req, "school");
    f->role = http_query(req, "role");
    const char *active = http_query(req, "active");
    json_t *errors = json_array();
    http_list_check_enum(errors, "role", f->role, STAFF_ROLES);
    if (f->school && !validate_is_code(f->school))
        validate_error(errors, "school", "must be a school code");
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        validate_error(errors, "active", "must be true or false");
    f->active = active ? (strcmp(active, "true") == 0 ? "t" : "f") : NULL;
    return http_list_filter_done(resp, errors);
}

static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    struct tutor_filter *filter = ctx;
    filter->after = page->after;
    filter->limit = page->limit;
    return repo_tutor_list(conn, who, filter, out);
}

static int callback_tutors_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN | ROLE_REGISTRY | ROLE_SENIOR_TUTOR | ROLE_TUTOR))
        return http_problem_for(resp, APP_FORBIDDEN, "students may not list staff");
    struct tutor_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, app, &page, run_list, &filter);
}

/* ---- GET /tutors/{staff_number}/tutees ------------------------------------------------------------- */

/* A page of a tutor's tutees to read: the caller, the tutor, the page and the page read. */
struct tutees_read {
    const struct principal *who;
    const char *number;
    const struct page *page;
    struct page_rows rows;
};

/* uow_work for the tutees: the tutor must be there for the caller. */
static enum app_status read_tutees(struct db_conn *conn, void *ctx)
{
    struct tutees_read *r = ctx;
    char *json = NULL, *version = NULL;
    enum app_status st = repo_tutor_get(conn, r->who, r->number, 0, &json, &version);
    free(json), free(version);
    return st == APP_OK ? repo_tutor_tutees(conn, r->who, r->number, r->page->after, r->page->limit, &r->rows) : st;
}

static int callback_tutors_tutees(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    const char *number = http_path_param(req, "staff_number");
    struct page page;
    if (http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct tutees_read r = {.who = who, .number = number, .page = &page};
    enum app_status st = uow_read(app->pool, read_tutees, &r);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&r.rows);
        return http_problem_for(resp, st, "no such tutor");
    }
    return http_list_respond(resp, st, &r.rows);
}

/* ---- PUT / PATCH /tutors/{staff_number} --------------------------------------------------------------- */

/* A permanent-tutor exception (Leicester CoP 14: personal tutors are permanent members of staff unless
 * an exception is agreed): who agreed it, and a note. */
static const struct field_spec EXCEPTION_FIELDS[] = {
    {"agreed_by", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"note", FT_STRING, F_NULLABLE, 0, 2000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Checks `exception` (the next permanent_exception; NULL or null: none) against the next fields: an
 * object {agreed_by, note}, and only for a tutor who is not permanent. Errors name
 * "permanent_exception[.field]". */
static void check_exception(const json_t *exception, const json_t *next, json_t *errors)
{
    if (!exception || json_is_null(exception))
        return;
    if (!json_is_object(exception)) {
        validate_error(errors, "permanent_exception", "must be an object {agreed_by, note} or null");
        return;
    }
    json_t *inner = json_array(), *e;
    size_t i;
    validate_object(exception, EXCEPTION_FIELDS, 0, inner);
    const char *agreed = json_string_value(json_object_get(exception, "agreed_by"));
    if (agreed && agreed[strspn(agreed, " \t\r\n")] == '\0')
        validate_error(inner, "agreed_by", "must name who agreed the exception");
    json_array_foreach(inner, i, e)
    {
        char field[64];
        snprintf(field, sizeof(field), "permanent_exception.%s", json_string_value(json_object_get(e, "field")));
        validate_error(errors, field, json_string_value(json_object_get(e, "message")));
    }
    json_decref(inner);
    const json_t *permanent = json_object_get(next, "permanent"); /* absent: permanent by default */
    if (!permanent || json_is_true(permanent))
        validate_error(errors, "permanent_exception", "only a tutor who is not permanent (permanent: false) has one");
}

/* The next representation: PUT's body, or PATCH's body merged into the current fields (RFC 7396). The
 * permanent_exception is checked on its own (check_exception) and put back, null when there is none. */
static json_t *next_fields(int is_patch, const char *number, const json_t *body, const json_t *current, json_t *errors)
{
    json_t *next = json_deep_copy(is_patch ? current : body), *changes = json_copy((json_t *)body);
    const json_t *from = is_patch && !json_object_get(body, "permanent_exception") ? current : body;
    json_t *exception = json_deep_copy(json_object_get(from, "permanent_exception"));
    const char *key;
    json_t *value;
    json_object_del(next, "permanent_exception");
    json_object_del(changes, "permanent_exception");
    if (is_patch) {
        validate_object(changes, TUTOR_FIELDS, 1, errors);
        json_object_foreach(changes, key, value)
        {
            json_object_set(next, key, value);
        }
    }
    json_decref(changes);
    if (json_array_size(errors) == 0)
        validate_object(next, TUTOR_FIELDS, 0, errors);
    check_exception(exception, next, errors);
    const json_t *n = json_object_get(next, "staff_number");
    if (json_is_string(n) && strcmp(json_string_value(n), number) != 0)
        validate_error(errors, "staff_number", "must match the staff number in the path");
    json_object_del(next, "staff_number");
    json_object_set_new(next, "permanent_exception", exception ? exception : json_null());
    return next;
}

/* The body of a PUT or PATCH and the faults found in its next representation. */
struct next_input {
    const json_t *body;
    const char *number;
    int is_patch;
    json_t *errors;
};

/* versioned_next_fn: the next fields, validated. */
static enum app_status next_of(void *ctx, json_t *current, json_t **next)
{
    struct next_input *in = ctx;
    json_array_clear(in->errors);
    *next = next_fields(in->is_patch, in->number, in->body, current, in->errors);
    return json_array_size(in->errors) > 0 ? APP_INVALID : APP_OK;
}

static const struct versioned_words TUTOR_WORDS = {"no such tutor", "the tutor is not valid", "staff"};

/* One unit of work: lock, If-Match, validate the next representation, upsert (event and audit). A PUT
 * creates a staff member whose number is well formed; any other write needs one that exists. */
static int put_or_patch(const struct _u_request *req, struct _u_response *resp, const struct app *app, int is_patch)
{
    if (!access_has_role(http_principal(resp), ROLE_REGISTRY | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only the registry or an admin may change staff records");
    json_t *body = http_body_object(req, resp, is_patch);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct next_input in = {body, http_path_param(req, "staff_number"), is_patch, json_array()};
    struct versioned_write w = {.ops = &repo_tutor_versioned,
                                .who = http_principal(resp),
                                .key = in.number,
                                .must_exist = is_patch || !validate_is_id(in.number, 20),
                                .if_match = http_header(req, "If-Match"),
                                .next = next_of,
                                .next_ctx = &in};
    enum app_status st = uow_run(app->pool, repo_versioned_write_work, &w, NULL);
    int rc = versioned_answer(req, resp, st, &w, in.errors, &TUTOR_WORDS);
    repo_versioned_free(&w);
    json_decref(in.errors);
    json_decref(body);
    return rc;
}

static int callback_tutors_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return put_or_patch(req, resp, user_data, 0);
}

static int callback_tutors_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return put_or_patch(req, resp, user_data, 1);
}

int routes_tutors_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/tutors", 0, callback_tutors_list) |
           http_route(instance, app, "GET", "/tutors/@staff_number", 0, callback_tutors_get) |
           http_route(instance, app, "PUT", "/tutors/@staff_number", 0, callback_tutors_put) |
           http_route(instance, app, "PATCH", "/tutors/@staff_number", 0, callback_tutors_patch) |
           http_route(instance, app, "GET", "/tutors/@staff_number/tutees", 0, callback_tutors_tutees);
}
