/* repo_annual.c — years, survey figures and the analysis of the annual school report (sql/011, sql/016). */
#include "repo_annual.h"

#include <stdio.h>
#include <string.h>

/* Runs `sql` and returns its one JSON text cell parsed (JSON null when there is no row) in *out. */
static enum app_status json_cell(struct db_conn *conn, const char *sql, int n, const char *const *params, json_t **out)
{
    PGresult *res = NULL;
    *out = NULL;
    enum app_status st = db_query(conn, sql, n, params, &res, NULL);
    if (st == APP_OK)
        *out = PQntuples(res) == 0 || PQgetisnull(res, 0, 0) ? json_null() : json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (st == APP_OK && !*out)
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_annual_years(struct db_conn *conn, const char *label, int previous, json_t **out)
{
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", previous + 1);
    const char *params[2] = {label, limit};
    enum app_status st =
        json_cell(conn,
                  "SELECT json_agg(y.label ORDER BY y.starts_on DESC) FROM (SELECT a.label, a.starts_on"
                  "  FROM academic_years a, academic_years t WHERE t.label = $1"
                  "   AND a.starts_on <= t.starts_on ORDER BY a.starts_on DESC LIMIT $2::int) y",
                  2, params, out);
    if (st == APP_OK && !json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        st = APP_NOT_FOUND;
    }
    return st;
}

enum app_status repo_annual_survey(struct db_conn *conn, const char *school, const char *year, json_t **out)
{
    const char *params[2] = {school, year};
    return json_cell(conn,
                     "SELECT json_build_object('contact_pct', contact_pct, 'positive_pct', positive_pct,"
                     " 'actions', actions)::text FROM survey_results WHERE school = $1 AND year = $2",
                     2, params, out);
}

enum app_status repo_analysis_get(struct db_conn *conn, const char *school, const char *year, json_t **out)
{
    const char *params[2] = {school, year};
    return json_cell(conn,
                     "SELECT tutord_analysis_json(a)::text FROM annual_report_analyses a"
                     " WHERE a.school = $1 AND a.year = $2",
                     2, params, out);
}

enum app_status repo_analysis_lock(struct db_conn *conn, const char *school, const char *year, struct analysis_head *h,
                                   int *found)
{
    const char *params[2] = {school, year};
    PGresult *res = NULL;
    memset(h, 0, sizeof(*h));
    *found = 0;
    enum app_status st = db_query(conn,
                                  "SELECT a.id::text, a.status, a.version::text FROM schools s"
                                  " LEFT JOIN annual_report_analyses a ON a.school = s.code AND a.year = $2"
                                  " WHERE s.code = $1 FOR UPDATE OF s",
                                  2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !PQgetisnull(res, 0, 0)) {
        *found = 1;
        snprintf(h->id, sizeof(h->id), "%s", PQgetvalue(res, 0, 0));
        snprintf(h->status, sizeof(h->status), "%s", PQgetvalue(res, 0, 1));
        snprintf(h->version, sizeof(h->version), "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return st;
}

enum app_status repo_analysis_write(struct db_conn *conn, const struct principal *who, const char *school,
                                    const char *year, const char *text, char id[24], struct db_error *err)
{
    const char *params[4] = {school, year, text, who->sub};
    PGresult *res = NULL;
    enum app_status st = db_query(conn,
                                  "INSERT INTO annual_report_analyses (school, year, analysis, written_by)"
                                  " VALUES ($1, $2, $3, $4) ON CONFLICT (school, year) DO UPDATE"
                                  " SET analysis = EXCLUDED.analysis, written_by = EXCLUDED.written_by,"
                                  " written_at = now(), status = 'draft', decided_by = NULL, decided_at = NULL,"
                                  " decision_comment = NULL, version = annual_report_analyses.version + 1"
                                  " RETURNING id::text",
                                  4, params, &res, err);
    if (st == APP_OK)
        snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

enum app_status repo_analysis_move(struct db_conn *conn, const char *id, const char *to, const struct principal *who,
                                   const char *comment)
{
    const char *params[4] = {id, to, who->sub, comment};
    return db_query(conn,
                    "UPDATE annual_report_analyses SET status = $2, version = version + 1,"
                    " decided_by = CASE WHEN $2 IN ('approved', 'returned') THEN $3 END,"
                    " decided_at = CASE WHEN $2 IN ('approved', 'returned') THEN now() END,"
                    " decision_comment = CASE WHEN $2 IN ('approved', 'returned') THEN $4 END"
                    " WHERE id = $1::bigint",
                    4, params, NULL, NULL);
}
