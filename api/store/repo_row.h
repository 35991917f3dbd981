/* repo_row.h — one row the database rendered: its first columns copied out as malloc'd text, or its
 * JSON object narrowed to the writable fields a PUT or PATCH starts from. */
#ifndef TUTORD_REPO_ROW_H
#define TUTORD_REPO_ROW_H

#include <jansson.h>
#include <stddef.h>

#include "db.h"

/* Runs `sql` and copies the first `ncols` columns of its first row to *out[0] .. *out[ncols - 1]
 * (malloc'd, caller frees; all NULL on any failure). APP_NOT_FOUND when no row; `err` may be NULL.
 * Not thread-safe on one connection (libpq). */
enum app_status repo_row(struct db_conn *conn, const char *sql, int nparams, const char *const *params,
                         struct db_error *err, char **const *out, int ncols);

/* Runs `sql` with the one parameter `key`, whose first row is (JSON object text, version), e.g. a
 * SELECT ... FOR UPDATE: *fields becomes a new object holding only the `n` members `names` of that
 * object (caller decrefs), *version the version (malloc'd, caller frees). APP_NOT_FOUND when no row
 * (both NULL then); APP_NOMEM. */
enum app_status repo_row_fields(struct db_conn *conn, const char *sql, const char *key, const char *const *names,
                                size_t n, json_t **fields, char **version);

#endif
