/* routes_schools.c — GET/PUT /schools/{code}. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "repo_schools.h"
#include "unit_of_work.h"
#include "validate.h"
#include "versioned_answer.h"

static const struct field_spec SCHOOL_FIELDS[] = {
    {"code", FT_CODE, 0, 1, 16, NULL},
    {"name", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* A school to read, and what was read (malloc'd). */
struct school_read {
    const char *code;
    char *json, *version;
};

/* uow_work for GET /schools/{code}. */
static enum app_status read_school(struct db_conn *conn, void *ctx)
{
    struct school_read *r = ctx;
    free(r->json), free(r->version);
    return repo_school_get(conn, r->code, &r->json, &r->version);
}

static int callback_schools_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct school_read r = {.code = http_path_param(req, "code")};
    enum app_status st = uow_read(app->pool, read_school, &r);
    return versioned_read_answer(resp, st, r.json, r.version, "no such school");
}

/* Creates or renames the school in one unit of work and answers: the school (201 new, 200 otherwise)
 * with its ETag, If-Match's 400/412, or the refusal. */
static int put_school(const struct _u_request *req, struct _u_response *resp, const struct app *app, const char *code,
                      const char *name)
{
    struct school_write w = {.code = code, .name = name, .if_match = http_header(req, "If-Match")};
    enum app_status st = uow_run(app->pool, repo_school_put_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK) {
        http_set_etag(resp, w.version);
        rc = http_json_text(resp, w.created ? 201 : 200, w.json);
        w.json = NULL;
    } else if (w.stage == SCHOOL_LOCK) {
        rc = http_problem_for(resp, st, NULL);
    } else if (w.stage == SCHOOL_IF_MATCH) {
        http_check_if_match(req, resp, w.locked_version);
    } else {
        rc = http_problem_db(resp, st, &w.err, "schools");
    }
    free(w.locked_version), free(w.json), free(w.version);
    return rc;
}

static int callback_schools_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin may change schools");
    const char *code = http_path_param(req, "code");
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body) {
        json_decref(errors);
        return U_CALLBACK_COMPLETE;
    }
    validate_object(body, SCHOOL_FIELDS, 0, errors);
    const json_t *given = json_object_get(body, "code");
    if (json_is_string(given) && strcmp(json_string_value(given), code) != 0)
        validate_error(errors, "code", "must match the school code in the path");
    if (!validate_is_code(code))
        validate_error(errors, "code", "the path must name a school code");
    int rc;
    if (json_array_size(errors) > 0) {
        rc = http_problem(resp, 422, NULL, "the school is not valid", errors);
        errors = NULL;
    } else {
        rc = put_school(req, resp, app, code, json_string_value(json_object_get(body, "name")));
    }
    json_decref(errors);
    json_decref(body);
    return rc;
}

int routes_schools_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/schools/@code", 0, callback_schools_get) |
           http_route(instance, app, "PUT", "/schools/@code", 0, callback_schools_put);
}
