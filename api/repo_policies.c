/* repo_policies.c — policy versions in and out of school_policies (sql/007). Rows are append-only: a
 * PUT adds a version; school_policy_versions keeps the last one set for each effective_from. */
#include "repo_policies.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"

static const char VERSIONS_SQL[] =
    "SELECT school, policy::text FROM school_policy_versions WHERE school = ANY ($1::text[])"
    " ORDER BY school COLLATE \"C\", effective_from";

enum app_status repo_policy_versions(struct db_conn *conn, const char *schools, policy_version_fn fn, void *arg)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, VERSIONS_SQL, 1, &schools, &res, NULL);
    for (int r = 0; st == APP_OK && r < PQntuples(res); r++)
        if (fn(arg, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1)) != 0)
            st = APP_NOMEM;
    PQclear(res);
    return st;
}

/* The version in force today, else the earliest; its document with every version in use. */
static const char GET_SQL[] =
    "WITH v AS (SELECT * FROM school_policy_versions WHERE school = $1),"
    " c AS (SELECT * FROM v ORDER BY effective_from <= current_date DESC,"
    "       CASE WHEN effective_from <= current_date THEN effective_from END DESC, effective_from LIMIT 1)"
    " SELECT json_build_object('school', c.school, 'id', c.id, 'name', c.name, 'effective_from', c.effective_from,"
    " 'preset', c.preset, 'set_by', c.set_by, 'set_at', c.set_at, 'policy', c.policy,"
    " 'versions', (SELECT json_agg(json_build_object('id', v.id, 'name', v.name, 'effective_from', v.effective_from,"
    "   'preset', v.preset, 'set_by', v.set_by, 'set_at', v.set_at) ORDER BY v.effective_from) FROM v))::text,"
    " (SELECT max(p.id) FROM school_policies p WHERE p.school = $1)::text FROM c";

enum app_status repo_policy_get(struct db_conn *conn, const char *school, char **json, char **version)
{
    PGresult *res = NULL;
    *json = *version = NULL;
    enum app_status st = db_query(conn, GET_SQL, 1, &school, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && (!(*json = strdup(PQgetvalue(res, 0, 0))) || !(*version = strdup(PQgetvalue(res, 0, 1)))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_policy_lock(struct db_conn *conn, const char *school, char **version)
{
    PGresult *res = NULL;
    *version = NULL;
    enum app_status st = db_query(conn,
                                  "SELECT (SELECT max(p.id) FROM school_policies p WHERE p.school = s.code)::text"
                                  " FROM schools s WHERE s.code = $1 FOR UPDATE",
                                  1, &school, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !PQgetisnull(res, 0, 0) && !(*version = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

static const char INSERT_SQL[] =
    "INSERT INTO school_policies (school, effective_from, name, preset, policy, set_by)"
    " SELECT $1, (p ->> 'effective_from')::date, p ->> 'name', $2, p, $4 FROM (SELECT $3::jsonb AS p) x"
    " RETURNING id::text";

enum app_status repo_policy_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *preset, const json_t *policy, struct db_error *err)
{
    char *text = json_dumps(policy, JSON_COMPACT);
    if (!text)
        return APP_NOMEM;
    const char *params[4] = {school, preset, text, who->sub};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, INSERT_SQL, 4, params, &res, err);
    free(text);
    json_t *detail = NULL;
    if (st == APP_OK) {
        detail =
            json_pack("{s:s, s:s?, s:O?, s:O?}", "school", school, "preset", preset, "name",
                      json_object_get(policy, "name"), "effective_from", json_object_get(policy, "effective_from"));
        json_object_set_new(detail, "id", json_integer(strtoll(PQgetvalue(res, 0, 0), NULL, 10)));
        st = audit_record(conn, who, "policy.set", "school_policy", PQgetvalue(res, 0, 0), NULL, detail);
    }
    if (st == APP_OK)
        st = audit_event(conn, who, "policy.set", school, detail);
    json_decref(detail);
    PQclear(res);
    return st;
}

enum app_status repo_school_authority(struct db_conn *conn, const struct principal *who, const char *school)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[3] = {school, scope.params[2], scope.params[3]};
    return access_senior_gate(conn, who,
                              "SELECT (s.code = ANY (tutord_senior_schools($2::text[], $3)))::int"
                              "  FROM schools s WHERE s.code = $1",
                              3, params);
}
