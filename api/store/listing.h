/* listing.h — one page of a list resource: rows rendered as JSON by the database become
 * {"items": [...], "next_cursor": ...} (SPEC §4b), with keyset pagination. */
#ifndef TUTORD_LISTING_H
#define TUTORD_LISTING_H

#include <ulfius.h>

#include "db.h"
#include "http.h"
#include "strbuf.h"

/* Runs `sql` whose rows are (json text, keyset key) and whose last parameter is the row limit: the
 * caller passes `limit` rows wanted and leaves params[nparams - 1] for this function to fill (limit + 1,
 * to learn whether another page follows). Appends a JSON array of the first `limit` rows to *items and
 * sets *next_key (malloc'd) to the last row's key when more follow, else NULL. Returns APP_OK or the
 * database failure. Not thread-safe on one connection (libpq). */
enum app_status listing_query(struct db_conn *conn, const char *sql, int nparams, const char **params, int limit,
                              struct strbuf *items, char **next_key);

/* The page in a result whose rows are (json text, keyset key) and which holds up to limit + 1 rows:
 * appends a JSON array of the first `limit` rows to *items and sets *next_key (malloc'd) to the last
 * shown row's key when more follow, else NULL. Returns APP_OK or APP_NOMEM. Pure. */
enum app_status listing_rows(const PGresult *res, int limit, struct strbuf *items, char **next_key);

/* The list body {"items": <items>, "next_cursor": <cursor of next_key or null>}, malloc'd (NULL when
 * out of memory); takes the items buffer's content and frees next_key. */
char *listing_envelope(struct strbuf *items, char *next_key);

/* True when `s` is a decimal row id (1..18 digits), as in /allocations/{id}. Pure. */
int listing_is_row_id(const char *s);

/* http_page for a list keyed by row id: also refuses (400, "cursor") a cursor that is not a decimal id.
 * Returns 0, or -1 after answering. Free the page with http_page_free. */
int listing_page_ids(const struct _u_request *req, struct _u_response *resp, struct page *page);

/* Appends {name, "must be one of: ..."} to errors when `value` is non-NULL and not among `values`
 * (NULL-terminated). Pure. */
void listing_check_enum(json_t *errors, const char *name, const char *value, const char *const *values);

/* Answers 400 "a query parameter is invalid" with `errors` (stolen) when it is non-empty and returns -1;
 * otherwise frees it and returns 0. */
int listing_filter_done(struct _u_response *resp, json_t *errors);

/* One page's query: appends the items for `who` to *items and sets *next_key, as listing_query does. */
typedef enum app_status (*listing_run)(struct db_conn *conn, const struct principal *who, void *ctx,
                                       const struct page *page, struct strbuf *items, char **next_key);

/* Serves one page: acquires a connection, runs `run` with `ctx`, releases, frees the page, and answers
 * the list (or the problem). Returns U_CALLBACK_COMPLETE. */
int listing_serve(struct _u_response *resp, const struct app *app, struct page *page, listing_run run, void *ctx);

/* Answers 200 with {"items": <items>, "next_cursor": <cursor of next_key or null>}; takes the items
 * buffer's content and frees next_key. Returns U_CALLBACK_COMPLETE. */
int listing_respond(struct _u_response *resp, struct strbuf *items, char *next_key);

/* Answers a list failure (st != APP_OK): frees the buffer and the key, returns the problem. */
int listing_fail(struct _u_response *resp, enum app_status st, struct strbuf *items, char *next_key);

#endif
