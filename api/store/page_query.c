/* page_query.c — keyset pages read from the database: limit + 1 rows, the JSON array of those shown and
 * the key of the next page. */
#include "page_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

enum app_status page_rows_of(const PGresult *res, int limit, struct page_rows *out)
{
    int n = PQntuples(res), shown = n > limit ? limit : n;
    out->next_key = NULL;
    strbuf_puts(&out->items, "[");
    for (int i = 0; i < shown; i++) {
        if (i)
            strbuf_puts(&out->items, ",");
        strbuf_puts(&out->items, PQgetvalue(res, i, 0));
    }
    strbuf_puts(&out->items, "]");
    if (out->items.failed)
        return APP_NOMEM;
    if (n > limit && !(out->next_key = strdup(PQgetvalue(res, shown - 1, 1))))
        return APP_NOMEM;
    return APP_OK;
}

enum app_status page_query(struct db_conn *conn, const char *sql, int nparams, const char **params, int limit,
                           page_row_fn each, void *ctx, struct page_rows *out)
{
    char limit_text[16];
    snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
    params[nparams - 1] = limit_text;
    page_rows_free(out);
    PGresult *res = NULL;
    enum app_status st = db_query(conn, sql, nparams, params, &res, NULL);
    for (int i = 0; each && st == APP_OK && i < PQntuples(res) && i < limit; i++)
        st = each(ctx, res, i);
    if (st == APP_OK)
        st = page_rows_of(res, limit, out);
    PQclear(res);
    return st;
}

void page_rows_free(struct page_rows *rows)
{
    strbuf_free(&rows->items);
    free(rows->next_key);
    memset(rows, 0, sizeof(*rows));
}

int page_is_row_id(const char *s)
{
    long id;
    return wire_whole_number(s, 0, 999999999999999999L, &id) == 0;
}
