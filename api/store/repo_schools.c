/* repo_schools.c — read a school; create or rename one. */
#include "repo_schools.h"

#include <stdlib.h>
#include <string.h>

#include "repo_row.h"
#include "wire.h"

static const char GET_SQL[] = "SELECT tutord_school_json(s)::text, s.version::text FROM schools s WHERE s.code = $1";

static const char LOCK_SQL[] = "SELECT version::text FROM schools WHERE code = $1 FOR UPDATE";

static const char UPSERT_SQL[] =
    "INSERT INTO schools AS s (code, name) VALUES ($1, $2)"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, version = s.version + 1, updated_at = now()"
    " WHERE s.name IS DISTINCT FROM EXCLUDED.name"
    " RETURNING (xmax = 0)::int::text, tutord_school_json(s)::text, s.version::text";

static const char UNCHANGED_SQL[] =
    "SELECT '0', tutord_school_json(s)::text, s.version::text FROM schools s WHERE code = $1";

enum app_status repo_school_get(struct db_conn *conn, const char *code, char **json, char **version)
{
    const char *params[1] = {code};
    return repo_row(conn, GET_SQL, 1, params, NULL, (char **const[]){json, version}, 2);
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct school_write *w)
{
    free(w->locked_version), free(w->json), free(w->version);
    w->locked_version = w->json = w->version = NULL;
    w->created = 0;
    w->stage = SCHOOL_LOCK;
    memset(&w->err, 0, sizeof(w->err));
}

enum app_status repo_school_put_work(struct db_conn *conn, void *work)
{
    struct school_write *w = work;
    reset_write(w);
    const char *params[2] = {w->code, w->name};
    char *created = NULL;
    enum app_status st = repo_row(conn, LOCK_SQL, 1, params, NULL, (char **const[]){&w->locked_version}, 1);
    if (st == APP_NOT_FOUND)
        st = APP_OK; /* a new school: If-Match may still say "*" or name a version, and fail */
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = SCHOOL_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK) {
        w->stage = SCHOOL_WRITE;
        st = repo_row(conn, UPSERT_SQL, 2, params, &w->err, (char **const[]){&created, &w->json, &w->version}, 3);
    }
    if (w->stage == SCHOOL_WRITE && st == APP_NOT_FOUND) /* the same name: nothing changed or returned */
        st = repo_row(conn, UNCHANGED_SQL, 1, params, &w->err, (char **const[]){&created, &w->json, &w->version}, 3);
    w->created = st == APP_OK && strcmp(created, "1") == 0;
    free(created);
    return st;
}
