/* repo_policies.c — policy versions in and out of school_policies (sql/007). Rows are append-only: a
 * PUT adds a version; school_policy_versions keeps the last one set for each effective_from. */
#include "repo_policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "repo_reports.h"
#include "wire.h"

/* The version in force today, else the earliest; its document with every version in use. */
static const char GET_SQL[] =
    "WITH v AS (SELECT * FROM school_policy_versions WHERE school = $1),"
    " c AS (SELECT * FROM v ORDER BY effective_from <= current_date DESC,"
    "       CASE WHEN effective_from <= current_date THEN effective_from END DESC, effective_from LIMIT 1)"
    " SELECT json_build_object('school', c.school, 'id', c.id, 'name', c.name, 'effective_from', c.effective_from,"
    " 'preset', c.preset, 'set_by', c.set_by, 'set_at', c.set_at, 'approved_by', c.approved_by,"
    " 'approved_at', c.approved_at, 'office_hours', c.office_hours, 'draft', c.draft_id, 'policy', c.policy,"
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
    "INSERT INTO school_policies (school, effective_from, name, preset, policy, set_by, approved_by, office_hours)"
    " SELECT $1, (p ->> 'effective_from')::date, p ->> 'name', $2, p, $4, $4, $5 FROM (SELECT $3::jsonb AS p) x"
    " RETURNING id::text";

enum app_status repo_policy_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *preset, const json_t *policy, const char *office_hours,
                                   struct db_error *err)
{
    char *text = json_dumps(policy, JSON_COMPACT);
    if (!text)
        return APP_NOMEM;
    const char *params[5] = {school, preset, text, who->sub, office_hours};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, INSERT_SQL, 5, params, &res, err);
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

/* ---- policy drafts ------------------------------------------------------------------------------------ */

/* Copies column c of row 0 into dst[size]. */
static void copy_col(char *dst, size_t size, const PGresult *res, int c)
{
    snprintf(dst, size, "%s", PQgetvalue(res, 0, c));
}

enum app_status repo_draft_lock(struct db_conn *conn, const char *id, struct draft_head *out)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn,
                                  "SELECT id::text, school, status, version::text FROM policy_drafts"
                                  " WHERE id = $1::bigint FOR UPDATE",
                                  1, &id, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        copy_col(out->id, sizeof(out->id), res, 0);
        copy_col(out->school, sizeof(out->school), res, 1);
        copy_col(out->status, sizeof(out->status), res, 2);
        copy_col(out->version, sizeof(out->version), res, 3);
    }
    PQclear(res);
    return st;
}

enum app_status repo_draft_get(struct db_conn *conn, const char *id, char **json, char school[20])
{
    PGresult *res = NULL;
    *json = NULL;
    enum app_status st = db_query(
        conn, "SELECT tutord_policy_draft_json(d)::text, d.school FROM policy_drafts d WHERE d.id = $1::bigint", 1, &id,
        &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !(*json = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    if (st == APP_OK)
        snprintf(school, 20, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    return st;
}

enum app_status repo_draft_list(struct db_conn *conn, const char *school, const char *status, char **json)
{
    const char *params[2] = {school, status};
    PGresult *res = NULL;
    *json = NULL;
    enum app_status st = db_query(conn,
                                  "SELECT json_build_object('items', coalesce(json_agg(tutord_policy_draft_json(d)"
                                  " ORDER BY d.id DESC), '[]'::json), 'next_cursor', NULL)::text"
                                  " FROM policy_drafts d WHERE d.school = $1 AND ($2::text IS NULL OR d.status = $2)",
                                  2, params, &res, NULL);
    if (st == APP_OK && !(*json = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_draft_insert(struct db_conn *conn, const struct principal *who, const char *school,
                                  const char *preset, const json_t *policy, const char *office_hours, char **id,
                                  struct db_error *err)
{
    char *text = json_dumps(policy, JSON_COMPACT);
    const char *params[5] = {school, preset, text, who->sub, office_hours};
    PGresult *res = NULL;
    *id = NULL;
    enum app_status st =
        text ? db_query(conn,
                        "INSERT INTO policy_drafts (school, effective_from, name, preset, policy,"
                        " proposed_by, office_hours) SELECT $1, (p ->> 'effective_from')::date,"
                        " p ->> 'name', $2, p, $4, $5 FROM (SELECT $3::jsonb AS p) x RETURNING id::text",
                        5, params, &res, err)
             : APP_NOMEM;
    if (st == APP_OK && !(*id = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    free(text);
    PQclear(res);
    return st;
}

enum app_status repo_draft_revise(struct db_conn *conn, const char *id, const char *preset, const json_t *policy,
                                  const char *office_hours, struct db_error *err)
{
    char *text = json_dumps(policy, JSON_COMPACT);
    const char *params[4] = {id, preset, text, office_hours};
    enum app_status st = text ? db_query(conn,
                                         "UPDATE policy_drafts SET policy = $3::jsonb, preset = $2,"
                                         " effective_from = ($3::jsonb ->> 'effective_from')::date,"
                                         " name = $3::jsonb ->> 'name', office_hours = $4, status = 'draft',"
                                         " decided_by = NULL, decided_at = NULL, decision_comment = NULL,"
                                         " version = version + 1, updated_at = now() WHERE id = $1::bigint",
                                         4, params, NULL, err)
                              : APP_NOMEM;
    free(text);
    return st;
}

enum app_status repo_draft_move(struct db_conn *conn, const char *id, const char *to, const struct principal *who,
                                const char *comment)
{
    const char *params[4] = {id, to, who->sub, comment};
    return db_query(conn,
                    "UPDATE policy_drafts SET status = $2, version = version + 1, updated_at = now(),"
                    " decided_by = CASE WHEN $2 = 'returned' THEN $3 END,"
                    " decided_at = CASE WHEN $2 = 'returned' THEN now() END,"
                    " decision_comment = CASE WHEN $2 = 'returned' THEN $4 END WHERE id = $1::bigint",
                    4, params, NULL, NULL);
}

/* Adopts the submitted draft as a version and marks it approved; the version's id and school. */
static const char APPROVE_SQL[] =
    "WITH d AS (SELECT * FROM policy_drafts WHERE id = $1::bigint AND status = 'submitted'),"
    " v AS (INSERT INTO school_policies (school, effective_from, name, preset, policy, set_by, approved_by,"
    "       office_hours, draft_id)"
    "       SELECT school, effective_from, name, preset, policy, proposed_by, $2, office_hours, id FROM d"
    "       RETURNING id, draft_id, school, name, effective_from, preset)"
    " UPDATE policy_drafts x SET status = 'approved', policy_id = v.id, decided_by = $2, decided_at = now(),"
    "   decision_comment = $3, version = x.version + 1, updated_at = now() FROM v WHERE x.id = v.draft_id"
    " RETURNING v.id::text, json_build_object('id', v.id, 'school', v.school, 'preset', v.preset, 'name', v.name,"
    "   'effective_from', v.effective_from, 'draft', v.draft_id)::text, v.school";

enum app_status repo_draft_approve(struct db_conn *conn, const char *id, const struct principal *who,
                                   const char *comment)
{
    const char *params[3] = {id, who->sub, comment};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, APPROVE_SQL, 3, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_CONFLICT;
    json_t *detail = st == APP_OK ? json_loads(PQgetvalue(res, 0, 1), 0, NULL) : NULL;
    if (st == APP_OK && !detail)
        st = APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, "policy.set", "school_policy", PQgetvalue(res, 0, 0), NULL, detail);
    if (st == APP_OK)
        st = audit_event(conn, who, "policy.set", PQgetvalue(res, 0, 2), detail);
    json_decref(detail);
    PQclear(res);
    return st;
}

/* ---- what tutees can expect --------------------------------------------------------------------------- */

static const char IN_FORCE_SQL[] =
    "SELECT json_build_object('school', s.code, 'school_name', s.name,"
    "  'policy', json_build_object('id', v.id, 'name', v.name, 'effective_from', v.effective_from,"
    "    'approved_by', v.approved_by, 'approved_at', v.approved_at),"
    "  'office_hours', v.office_hours, 'document', v.policy)::text"
    " FROM schools s JOIN school_policy_versions v ON v.school = s.code"
    " WHERE s.code = $1 AND v.effective_from <= " REPORT_TODAY " ORDER BY v.effective_from DESC LIMIT 1";

enum app_status repo_policy_in_force(struct db_conn *conn, const char *school, char **json)
{
    PGresult *res = NULL;
    *json = NULL;
    enum app_status st = db_query(conn, IN_FORCE_SQL, 1, &school, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !(*json = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_school_member(struct db_conn *conn, const struct principal *who, const char *school)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[5] = {school, scope.params[2], scope.params[3], who->sub,
                             access_has_role(who, ROLE_ADMIN | ROLE_DEAN) ? "t" : "f"};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT ($5::boolean OR s.code = ANY (tutord_senior_schools($2::text[], $3))"
                 "  OR EXISTS (SELECT 1 FROM students t WHERE t.student_number = $4"
                 "             AND s.code IN (t.school, t.partner_school))"
                 "  OR EXISTS (SELECT 1 FROM staff f WHERE f.staff_number = $4 AND f.school = s.code))::int"
                 "  FROM schools s WHERE s.code = $1",
                 5, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    else if (st == APP_OK && strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        st = APP_FORBIDDEN;
    PQclear(res);
    return st;
}

enum app_status repo_policy_put_work(struct db_conn *conn, void *work)
{
    struct policy_write *w = work;
    free(w->locked_version), free(w->json), free(w->version); /* an earlier attempt's, rolled back */
    w->locked_version = w->json = w->version = NULL;
    memset(&w->err, 0, sizeof(w->err));
    w->stage = POLICY_LOCK;
    enum app_status st = repo_policy_lock(conn, w->code, &w->locked_version);
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = POLICY_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK) {
        w->stage = POLICY_WRITE;
        st = repo_policy_insert(conn, w->who, w->code, w->preset, w->policy, w->office_hours, &w->err);
    }
    return st == APP_OK ? repo_policy_get(conn, w->code, &w->json, &w->version) : st;
}
