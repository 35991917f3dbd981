/* http_list.h — the HTTP half of the one paginator (SPEC §4b): `limit` and `cursor` read from the query
 * (http_page), the opaque cursor a page's next key becomes, the {"items": [...], "next_cursor": ...}
 * envelope, a 400 for a cursor this service did not issue, and the strict checks of a list's filters.
 * The rows come from the store half (page_query.h). */
#ifndef TUTORD_HTTP_LIST_H
#define TUTORD_HTTP_LIST_H

#include <jansson.h>
#include <ulfius.h>

#include "app.h"
#include "http.h"
#include "page_query.h"

/* http_page for a list keyed by row id: also refuses (400, "cursor") a cursor that is not a decimal id.
 * Returns 0, or -1 after answering. Free the page with http_page_free. */
int http_list_page_ids(const struct _u_request *req, struct _u_response *resp, struct page *page);

/* The list body {"items": <items>, "next_cursor": <cursor of next_key or null>}, malloc'd (NULL when
 * out of memory); empties *rows. */
char *http_list_envelope(struct page_rows *rows);

/* Answers a list: 200 with the envelope of *rows when st is APP_OK, else the problem for st, where
 * APP_INVALID (the database could not read the cursor's key) is a 400 naming "cursor". Frees *rows.
 * Returns U_CALLBACK_COMPLETE. */
int http_list_respond(struct _u_response *resp, enum app_status st, struct page_rows *rows);

/* One page's query: fills *out for `who` (see page_query). */
typedef enum app_status (*http_list_run)(struct db_conn *conn, const struct principal *who, void *ctx,
                                         const struct page *page, struct page_rows *out);

/* Serves one page: acquires a connection, runs `run` with `ctx`, releases, frees the page, and answers
 * as http_list_respond. Returns U_CALLBACK_COMPLETE. */
int http_list_serve(struct _u_response *resp, const struct app *app, struct page *page, http_list_run run, void *ctx);

/* Appends {name, "must be one of: ..."} to errors when `value` is non-NULL and not among `values`
 * (NULL-terminated). Pure. */
void http_list_check_enum(json_t *errors, const char *name, const char *value, const char *const *values);

/* Answers 400 "a query parameter is invalid" with `errors` (stolen) when it is non-empty and returns -1;
 * otherwise frees it and returns 0. */
int http_list_filter_done(struct _u_response *resp, json_t *errors);

#endif
