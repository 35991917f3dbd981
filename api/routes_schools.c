/* routes_schools.c — GET/PUT /schools/{code}. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "validate.h"

static const struct field_spec SCHOOL_FIELDS[] = {
    {"code", FT_CODE, 0, 1, 16, NULL},
    {"name", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static int callback_schools_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *params[1] = {http_path_param(req, "code")};
    struct db_conn *conn = NULL;
    PGresult *res = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = db_query(conn, "SELECT tutord_school_json(s)::text, s.version::text FROM schools s WHERE s.code = $1", 1,
                      params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    int rc;
    if (st == APP_OK) {
        http_set_etag(resp, PQgetvalue(res, 0, 1));
        rc = http_json_text(resp, 200, strdup(PQgetvalue(res, 0, 0)));
    } else {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such school" : NULL);
    }
    PQclear(res);
    db_release(app->pool, conn);
    return rc;
}

static const char UPSERT_SQL[] =
    "INSERT INTO schools AS s (code, name) VALUES ($1, $2)"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, version = s.version + 1, updated_at = now()"
    " WHERE s.name IS DISTINCT FROM EXCLUDED.name"
    " RETURNING (xmax = 0)::int::text, tutord_school_json(s)::text, s.version::text";

/* Within a transaction: If-Match against the locked row, then the upsert. */
static int put_school(const struct _u_request *req, struct _u_response *resp, struct db_conn *conn,
                      const char *code, const char *name)
{
    const char *params[2] = {code, name};
    PGresult *res = NULL;
    struct db_error err;
    memset(&err, 0, sizeof(err));
    enum app_status st = db_query(conn, "SELECT version::text FROM schools WHERE code = $1 FOR UPDATE", 1, params,
                                  &res, NULL);
    if (st != APP_OK)
        return http_problem_for(resp, st, NULL);
    int rc = http_check_if_match(req, resp, PQntuples(res) ? PQgetvalue(res, 0, 0) : NULL);
    PQclear(res);
    res = NULL;
    if (rc != 0)
        return U_CALLBACK_COMPLETE;
    st = db_query(conn, UPSERT_SQL, 2, params, &res, &err);
    if (st == APP_OK && PQntuples(res) == 0) { /* unchanged */
        PQclear(res);
        st = db_query(conn, "SELECT '0', tutord_school_json(s)::text, s.version::text FROM schools s WHERE code = $1",
                      1, params, &res, &err);
    }
    if (st == APP_OK)
        st = db_commit(conn);
    if (st != APP_OK) {
        PQclear(res);
        return http_problem_db(resp, st, &err, "schools");
    }
    http_set_etag(resp, PQgetvalue(res, 0, 2));
    rc = http_json_text(resp, strcmp(PQgetvalue(res, 0, 0), "1") == 0 ? 201 : 200, strdup(PQgetvalue(res, 0, 1)));
    PQclear(res);
    return rc;
}

static int callback_schools_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin may change schools", NULL);
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
        struct db_conn *conn = NULL;
        enum app_status st = db_acquire(app->pool, &conn);
        if (st == APP_OK)
            st = db_begin(conn);
        rc = st == APP_OK ? put_school(req, resp, conn, code, json_string_value(json_object_get(body, "name")))
                          : http_problem_for(resp, st, NULL);
        db_release(app->pool, conn);
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
