/* repo_calendar.c — the calendar document in and out of calendar_settings, academic_years, terms and
 * closures. Replacement is set-based: the validated document goes in as one JSON parameter. */
#include "repo_calendar.h"

#include <stdlib.h>
#include <string.h>

#include "repo_row.h"

enum app_status repo_calendar_get(struct db_conn *conn, char **json, char **version)
{
    return repo_row(conn, "SELECT tutord_calendar_json()::text, version::text FROM calendar_settings", 0, NULL, NULL,
                    (char **const[]){json, version}, 2);
}

enum app_status repo_calendar_lock(struct db_conn *conn, char **version)
{
    PGresult *res = NULL;
    *version = NULL;
    enum app_status st =
        db_query(conn, "SELECT version::text FROM calendar_settings FOR UPDATE", 0, NULL, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 1 && !(*version = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

int repo_calendar_known_zone(struct db_conn *conn, const char *zone)
{
    const char *params[1] = {zone};
    PGresult *res = NULL;
    if (db_query(conn, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)::int", 1, params, &res,
                 NULL) != APP_OK)
        return -1;
    int known = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    return known;
}

/* The statements of a replacement, in order; those with $1 take the document, $2 the time zone. */
static const struct {
    int nparams;
    const char *sql;
} REPLACE[] = {
    {0, "DELETE FROM closures"},
    {0, "DELETE FROM terms"},
    {0, "DELETE FROM academic_years"},
    {1, "INSERT INTO academic_years (label, starts_on, ends_on)"
        " SELECT y->>'label', (y->>'start')::date, (y->>'end')::date FROM json_array_elements($1::json->'years') y"},
    {1, "INSERT INTO terms (year_label, name, starts_on, ends_on, teaching, semester)"
        " SELECT y->>'label', t->>'name', (t->>'start')::date, (t->>'end')::date,"
        "        COALESCE((t->>'teaching')::boolean, true), (t->>'semester')::smallint"
        "   FROM json_array_elements($1::json->'years') y,"
        "        json_array_elements(COALESCE(y->'terms', '[]'::json)) t"},
    {1, "INSERT INTO closures (day, reason)"
        " SELECT (c->>'date')::date, c->>'reason' FROM json_array_elements($1::json->'closures') c"},
    {2, "UPDATE calendar_settings SET time_zone = $2, version = version + 1, updated_at = now()"
        " WHERE $1::json IS NOT NULL"},
};

enum app_status repo_calendar_replace(struct db_conn *conn, const json_t *doc, struct db_error *err)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        return APP_NOMEM;
    const char *params[2] = {text, json_string_value(json_object_get(doc, "time_zone"))};
    enum app_status st = APP_OK;
    for (size_t i = 0; st == APP_OK && i < sizeof(REPLACE) / sizeof(REPLACE[0]); i++)
        st = db_query(conn, REPLACE[i].sql, REPLACE[i].nparams, params, NULL, err);
    free(text);
    return st;
}
