/* listing.h — one page of a list resource: rows rendered as JSON by the database become
 * {"items": [...], "next_cursor": ...} (SPEC §4b), with keyset pagination. */
#ifndef TUTORD_LISTING_H
#define TUTORD_LISTING_H

#include <ulfius.h>

#include "db.h"
#include "strbuf.h"

/* Runs `sql` whose rows are (json text, keyset key) and whose last parameter is the row limit: the
 * caller passes `limit` rows wanted and leaves params[nparams - 1] for this function to fill (limit + 1,
 * to learn whether another page follows). Appends a JSON array of the first `limit` rows to *items and
 * sets *next_key (malloc'd) to the last row's key when more follow, else NULL. Returns APP_OK or the
 * database failure. Not thread-safe on one connection (libpq). */
enum app_status listing_query(struct db_conn *conn, const char *sql, int nparams, const char **params, int limit,
                              struct strbuf *items, char **next_key);

/* Answers 200 with {"items": <items>, "next_cursor": <cursor of next_key or null>}; takes the items
 * buffer's content and frees next_key. Returns U_CALLBACK_COMPLETE. */
int listing_respond(struct _u_response *resp, struct strbuf *items, char *next_key);

/* Answers a list failure (st != APP_OK): frees the buffer and the key, returns the problem. */
int listing_fail(struct _u_response *resp, enum app_status st, struct strbuf *items, char *next_key);

#endif
