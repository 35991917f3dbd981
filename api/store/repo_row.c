/* repo_row.c — see repo_row.h. */
#include "repo_row.h"

#include <stdlib.h>
#include <string.h>

/* Copies the first row of `res` (the outcome st of its query) as repo_row does; clears `res`. */
static enum app_status take_row(enum app_status st, PGresult *res, char **const *out, int ncols)
{
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    for (int i = 0; st == APP_OK && i < ncols; i++)
        if (!(*out[i] = strdup(PQgetvalue(res, 0, i))))
            st = APP_NOMEM;
    PQclear(res);
    for (int i = 0; st != APP_OK && i < ncols; i++)
        free(*out[i]), *out[i] = NULL;
    return st;
}

static void clear_out(char **const *out, int ncols)
{
    for (int i = 0; i < ncols; i++)
        *out[i] = NULL;
}

enum app_status repo_row(struct db_conn *conn, const char *sql, int nparams, const char *const *params,
                         struct db_error *err, char **const *out, int ncols)
{
    PGresult *res = NULL;
    clear_out(out, ncols);
    enum app_status st = db_query(conn, sql, nparams, params, &res, err);
    return take_row(st, res, out, ncols);
}

enum app_status repo_row_fields(struct db_conn *conn, const char *sql, const char *key, const char *const *names,
                                size_t n, json_t **fields, char **version)
{
    const char *params[1] = {key};
    char *json = NULL;
    *fields = NULL;
    enum app_status st = repo_row(conn, sql, 1, params, NULL, (char **const[]){&json, version}, 2);
    if (st != APP_OK)
        return st;
    json_t *row = json_loads(json, 0, NULL);
    *fields = json_object();
    for (size_t i = 0; row && *fields && i < n; i++)
        json_object_set(*fields, names[i], json_object_get(row, names[i]));
    json_decref(row);
    free(json);
    return *fields ? APP_OK : APP_NOMEM;
}
