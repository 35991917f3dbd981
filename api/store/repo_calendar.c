/* repo_calendar.c — the calendar document in and out of calendar_settings, academic_years, terms and
 * closures. Replacement is set-based: the validated document goes in as one JSON parameter. */
#include "repo_calendar.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "repo_row.h"
#include "wire.h"

enum app_status repo_calendar_get(struct db_conn *conn, char **json, char **version)
{
    return repo_row(conn, "SELECT tutord_calendar_json()::text, version::text FROM calendar_settings", 0, NULL, NULL,
                    (char **const[]){json, version}, 2);
}

enum app_status repo_calendar_lock(struct db_conn *conn, char **version)
{
    PGresult *res = NULL;
    *version = NULL;
    enum app_status st = db_query(conn, "SELECT version::text FROM calendar_settings FOR UPDATE", 0, NULL, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 1 && !(*version = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

int repo_calendar_known_zone(struct db_conn *conn, const char *zone)
{
    const char *params[1] = {zone};
    PGresult *res = NULL;
    if (db_query(conn, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)::int", 1, params, &res, NULL) !=
        APP_OK)
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

/* The time zone of `doc` is one PostgreSQL knows: APP_OK, APP_INVALID, or APP_UNAVAILABLE. */
static enum app_status check_zone(struct db_conn *conn, const json_t *doc)
{
    int known = repo_calendar_known_zone(conn, json_string_value(json_object_get(doc, "time_zone")));
    return known > 0 ? APP_OK : known == 0 ? APP_INVALID : APP_UNAVAILABLE;
}

enum app_status repo_calendar_replace_work(struct db_conn *conn, void *work)
{
    struct calendar_write *w = work;
    free(w->locked_version), free(w->json), free(w->version); /* an earlier attempt's, rolled back */
    w->locked_version = w->json = w->version = NULL;
    memset(&w->err, 0, sizeof(w->err));
    w->stage = CALENDAR_LOCK;
    enum app_status st = repo_calendar_lock(conn, &w->locked_version);
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = CALENDAR_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK) {
        w->stage = CALENDAR_ZONE;
        st = check_zone(conn, w->doc);
    }
    if (st == APP_OK) {
        w->stage = CALENDAR_WRITE;
        st = repo_calendar_replace(conn, w->doc, &w->err);
    }
    if (st == APP_OK)
        st = audit_record(conn, w->who, "calendar.replace", "calendar", "institution", NULL, NULL);
    if (st == APP_OK)
        st = audit_event(conn, w->who, "calendar.replaced", "institution", NULL);
    return st == APP_OK ? repo_calendar_get(conn, &w->json, &w->version) : st;
}
