/* listing.c — keyset pages rendered by the database, wrapped as {"items", "next_cursor"}. */
#include "listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "validate.h"
#include "wire.h"

enum app_status listing_rows(const PGresult *res, int limit, struct strbuf *items, char **next_key)
{
    int n = PQntuples(res), shown = n > limit ? limit : n;
    *next_key = NULL;
    strbuf_puts(items, "[");
    for (int i = 0; i < shown; i++) {
        if (i)
            strbuf_puts(items, ",");
        strbuf_puts(items, PQgetvalue(res, i, 0));
    }
    strbuf_puts(items, "]");
    if (n > limit && !(*next_key = strdup(PQgetvalue(res, shown - 1, 1))))
        return APP_NOMEM;
    return APP_OK;
}

enum app_status listing_query(struct db_conn *conn, const char *sql, int nparams, const char **params, int limit,
                              struct strbuf *items, char **next_key)
{
    char limit_text[16];
    snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
    params[nparams - 1] = limit_text;
    PGresult *res = NULL;
    *next_key = NULL;
    enum app_status st = db_query(conn, sql, nparams, params, &res, NULL);
    if (st == APP_OK)
        st = listing_rows(res, limit, items, next_key);
    PQclear(res);
    return st;
}

char *listing_envelope(struct strbuf *items, char *next_key)
{
    struct strbuf body = {0};
    json_t *cursor = http_cursor_encode(next_key);
    char *cursor_text = cursor ? json_dumps(cursor, JSON_ENCODE_ANY) : NULL;
    char *items_text = strbuf_take(items);
    strbuf_puts(&body, "{\"items\":");
    strbuf_puts(&body, items_text ? items_text : "[]");
    strbuf_puts(&body, ",\"next_cursor\":");
    strbuf_puts(&body, cursor_text ? cursor_text : "null");
    strbuf_puts(&body, "}");
    free(items_text);
    free(cursor_text);
    json_decref(cursor);
    free(next_key);
    return strbuf_take(&body);
}

int listing_respond(struct _u_response *resp, struct strbuf *items, char *next_key)
{
    return http_json_text(resp, 200, listing_envelope(items, next_key));
}

int listing_fail(struct _u_response *resp, enum app_status st, struct strbuf *items, char *next_key)
{
    strbuf_free(items);
    free(next_key);
    return http_problem_for(resp, st, NULL);
}

int listing_is_row_id(const char *s)
{
    long id;
    return wire_whole_number(s, 0, 999999999999999999L, &id) == 0; /* 1 to 18 digits: always a bigint */
}

int listing_page_ids(const struct _u_request *req, struct _u_response *resp, struct page *page)
{
    if (http_page(req, resp, page) != 0)
        return -1;
    if (page->after && !listing_is_row_id(page->after)) {
        http_page_free(page);
        http_problem_field(resp, 400, "cursor", "cursor is not one this service issued");
        return -1;
    }
    return 0;
}

void listing_check_enum(json_t *errors, const char *name, const char *value, const char *const *values)
{
    const char *const *v = values;
    while (value && *v && strcmp(*v, value) != 0)
        v++;
    if (!value || *v)
        return;
    char message[256];
    size_t used = (size_t)snprintf(message, sizeof(message), "must be one of: ");
    for (v = values; *v && used < sizeof(message); v++)
        used += (size_t)snprintf(message + used, sizeof(message) - used, "%s%s", v == values ? "" : ", ", *v);
    validate_error(errors, name, message);
}

int listing_filter_done(struct _u_response *resp, json_t *errors)
{
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    http_problem(resp, 400, NULL, "a query parameter is invalid", errors);
    return -1;
}

int listing_serve(struct _u_response *resp, const struct app *app, struct page *page, listing_run run, void *ctx)
{
    struct strbuf items = {0};
    char *next = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = run(conn, http_principal(resp), ctx, page, &items, &next);
    db_release(app->pool, conn);
    http_page_free(page);
    return st == APP_OK ? listing_respond(resp, &items, next) : listing_fail(resp, st, &items, next);
}
