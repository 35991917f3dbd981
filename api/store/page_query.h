/* page_query.h — the store half of the one paginator: a keyset query run for limit + 1 rows, whose rows
 * the database rendered as (JSON text, keyset key), read back as the page's JSON array and the key after
 * which the next page starts. No HTTP here: the cursor and the envelope are http_list's. */
#ifndef TUTORD_PAGE_QUERY_H
#define TUTORD_PAGE_QUERY_H

#include <libpq-fe.h>

#include "db.h"
#include "strbuf.h"

/* One page as the store read it. */
struct page_rows {
    struct strbuf items; /* the JSON array of the rows shown */
    char *next_key;      /* the last shown row's key when more rows follow, else NULL (malloc'd) */
};

/* Called for each row shown on a page (with the result and row number); returns APP_OK or a failure
 * that aborts the page. */
typedef enum app_status (*page_row_fn)(void *ctx, const PGresult *res, int row);

/* Runs `sql`, whose rows are (JSON text, keyset key, ...) and whose last parameter is the row limit:
 * the caller leaves params[nparams - 1] for this function, which asks for limit + 1 rows to learn
 * whether another page follows. Fills *out (zero-initialised by the caller; an earlier attempt's page
 * in it is freed first) with the first `limit` rows and the next key; `each` (may be NULL) sees every
 * row shown. Returns APP_OK or the failure; free *out with page_rows_free either way. Not thread-safe on one connection
 * (libpq). */
enum app_status page_query(struct db_conn *conn, const char *sql, int nparams, const char **params, int limit,
                           page_row_fn each, void *ctx, struct page_rows *out);

/* The page in a result whose rows are (JSON text, keyset key) and which holds up to limit + 1 rows:
 * appends the JSON array of the first `limit` rows to out->items and sets out->next_key to the last
 * shown row's key when more follow. Returns APP_OK or APP_NOMEM. Pure. */
enum app_status page_rows_of(const PGresult *res, int limit, struct page_rows *out);

/* Frees what *rows holds and zeroes it. */
void page_rows_free(struct page_rows *rows);

/* True when `s` is a decimal row id (1..18 digits, always a bigint): the keyset key of the lists keyed
 * by row id, and the {id} of a single row. Pure. */
int page_is_row_id(const char *s);

#endif
