/* routes_students.c — GET /students, GET/PUT/PATCH /students/{student_number}. The single-student read
 * and the writes answer with status_history; a write may give status_from, the day the written status
 * holds from (sql/012 explains how the history follows), and is audited by the history trigger as the
 * caller when the history changes. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "fields.h"
#include "http.h"
#include "http_list.h"
#include "repo_students.h"
#include "unit_of_work.h"
#include "validate.h"
#include "versioned_answer.h"

/* ---- GET /students/{student_number} ------------------------------------------------------------ */

static int callback_students_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct access_scope scope;
    access_scope_of(http_principal(resp), &scope);
    char *json = NULL, *version = NULL;
    enum app_status st = repo_student_read(app->pool, http_path_param(req, "student_number"), &scope, &json, &version);
    return versioned_read_answer(resp, st, json, version, "no such student");
}

/* ---- GET /students ------------------------------------------------------------------------------- */

/* Reads and checks the list filters; returns 0 or -1 after a 400 naming the parameter. */
static int read_filter(const struct _u_request *req, struct _u_response *resp, struct student_filter *f)
{
    static const struct {
        const char *name;
        const char *const *values;
    } enums[] = {{"status", STUDENT_STATUSES}, {"level", STUDENT_LEVELS}, {"cohort", STUDENT_COHORTS}};
    memset(f, 0, sizeof(*f));
    f->school = http_query(req, "school");
    f->status = http_query(req, "status");
    f->level = http_query(req, "level");
    f->cohort = http_query(req, "cohort");
    f->tutor = http_query(req, "tutor");
    f->q = http_query(req, "q");
    const char *unallocated = http_query(req, "unallocated");
    json_t *errors = json_array();
    for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
        const char *v = http_query(req, enums[i].name);
        const char *const *ok = enums[i].values;
        while (v && *ok && strcmp(*ok, v) != 0)
            ok++;
        if (v && !*ok)
            validate_error(errors, enums[i].name, "is not one of the allowed values");
    }
    if (f->school && !validate_is_code(f->school))
        validate_error(errors, "school", "must be a school code");
    if (f->tutor && !validate_is_id(f->tutor, 20))
        validate_error(errors, "tutor", "must be a staff number");
    if (f->q && (strlen(f->q) < 2 || strlen(f->q) > 100))
        validate_error(errors, "q", "must be 2 to 100 characters");
    if (unallocated && strcmp(unallocated, "true") != 0 && strcmp(unallocated, "false") != 0)
        validate_error(errors, "unallocated", "must be true or false");
    f->unallocated = unallocated && strcmp(unallocated, "true") == 0;
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    http_problem(resp, 400, NULL, "a query parameter is invalid", errors);
    return -1;
}

/* A page of students to read: the filter, the caller's scope and the page read. */
struct list_read {
    const struct student_filter *filter;
    const struct access_scope *scope;
    struct page_rows rows;
};

/* uow_work for GET /students: the page. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct list_read *list = ctx;
    return repo_student_list(conn, list->filter, list->scope, &list->rows);
}

static int callback_students_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct student_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    filter.after = page.after;
    filter.limit = page.limit;
    struct access_scope scope;
    access_scope_of(http_principal(resp), &scope);
    struct list_read list = {.filter = &filter, .scope = &scope};
    enum app_status st = uow_read(app->pool, read_page, &list);
    http_page_free(&page);
    return http_list_respond(resp, st, &list.rows);
}

/* ---- PUT / PATCH /students/{student_number} -------------------------------------------------------- */

/* Validates a full representation; the body's student_number, when given, must name the path's;
 * status_from (optional) must not be before registered_on. */
static int validate_student(const json_t *obj, const char *number, json_t *errors)
{
    validate_object(obj, STUDENT_FIELDS, 0, errors);
    const json_t *n = json_object_get(obj, "student_number");
    if (json_is_string(n) && strcmp(json_string_value(n), number) != 0)
        validate_error(errors, "student_number", "must match the student number in the path");
    student_cross_check(obj, errors);
    return (int)json_array_size(errors);
}

/* Builds the new representation: PUT takes the body, PATCH merges it into the current one (RFC 7396). */
static json_t *next_representation(int is_patch, const json_t *body, json_t *current, json_t *errors)
{
    if (!is_patch)
        return json_deep_copy(body);
    validate_object(body, STUDENT_FIELDS, 1, errors);
    json_t *merged = json_deep_copy(current);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value) json_object_set(merged, key, value);
    return merged;
}

/* The body of a PUT or PATCH and the faults found in its next representation. */
struct next_input {
    const json_t *body;
    const char *number;
    int is_patch;
    json_t *errors;
};

/* versioned_next_fn: the next representation, validated. */
static enum app_status next_of(void *ctx, json_t *current, json_t **next)
{
    struct next_input *in = ctx;
    json_array_clear(in->errors);
    *next = next_representation(in->is_patch, in->body, current, in->errors);
    if (json_array_size(in->errors) == 0)
        validate_student(*next, in->number, in->errors);
    return json_array_size(in->errors) > 0 ? APP_INVALID : APP_OK;
}

static const struct versioned_words STUDENT_WORDS = {"no such student", "the student is not valid", "students"};

/* One unit of work: lock, If-Match, validate the next representation, upsert, event. */
static int write_student(const struct _u_request *req, struct _u_response *resp, const struct app *app, int is_patch)
{
    json_t *body = http_body_object(req, resp, is_patch);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct next_input in = {body, http_path_param(req, "student_number"), is_patch, json_array()};
    struct versioned_write w = {.ops = &repo_student_versioned,
                                .who = http_principal(resp),
                                .key = in.number,
                                .must_exist = is_patch,
                                .if_match = http_header(req, "If-Match"),
                                .next = next_of,
                                .next_ctx = &in};
    enum app_status st = uow_run(app->pool, repo_versioned_write_work, &w, NULL);
    int rc = versioned_answer(req, resp, st, &w, in.errors, &STUDENT_WORDS);
    repo_versioned_free(&w);
    json_decref(in.errors);
    json_decref(body);
    return rc;
}

static int forbid_unless_writer(struct _u_response *resp)
{
    if (access_has_role(http_principal(resp), ROLE_REGISTRY | ROLE_ADMIN))
        return 0;
    http_problem_for(resp, APP_FORBIDDEN, "only the student record system (registry) or an admin may change students");
    return -1;
}

static int callback_students_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    if (forbid_unless_writer(resp) != 0)
        return U_CALLBACK_COMPLETE;
    return write_student(req, resp, user_data, 0);
}

static int callback_students_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    if (forbid_unless_writer(resp) != 0)
        return U_CALLBACK_COMPLETE;
    return write_student(req, resp, user_data, 1);
}

int routes_students_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students", 0, callback_students_list) |
           http_route(instance, app, "GET", "/students/@student_number", 0, callback_students_get) |
           http_route(instance, app, "PUT", "/students/@student_number", 0, callback_students_put) |
           http_route(instance, app, "PATCH", "/students/@student_number", 0, callback_students_patch);
}
