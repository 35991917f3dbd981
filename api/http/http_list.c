/* http_list.c — list pages over HTTP: cursors, the {"items", "next_cursor"} envelope, filter checks. */
#include "http_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int http_list_page_ids(const struct _u_request *req, struct _u_response *resp, struct page *page)
{
    if (http_page(req, resp, page) != 0)
        return -1;
    if (page->after && !page_is_row_id(page->after)) {
        http_page_free(page);
        http_problem_field(resp, 400, "cursor", "cursor is not one this service issued");
        return -1;
    }
    return 0;
}

char *http_list_envelope(struct page_rows *rows)
{
    struct strbuf body = {0};
    char *cursor_text = http_cursor_text(rows->next_key);
    char *items_text = strbuf_take(&rows->items);
    strbuf_puts(&body, "{\"items\":");
    strbuf_puts(&body, items_text ? items_text : "[]");
    strbuf_puts(&body, ",\"next_cursor\":");
    strbuf_puts(&body, cursor_text ? cursor_text : "null");
    strbuf_puts(&body, "}");
    free(items_text);
    free(cursor_text);
    page_rows_free(rows);
    return strbuf_take(&body);
}

int http_list_respond(struct _u_response *resp, enum app_status st, struct page_rows *rows)
{
    if (st == APP_OK)
        return http_json_text(resp, 200, http_list_envelope(rows));
    page_rows_free(rows);
    if (st == APP_INVALID)
        return http_problem_field(resp, 400, "cursor", "cursor is not one this service issued");
    return http_problem_for(resp, st, NULL);
}

int http_list_serve(struct _u_response *resp, const struct app *app, struct page *page, http_list_run run, void *ctx)
{
    struct page_rows rows = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = run(conn, http_principal(resp), ctx, page, &rows);
    db_release(app->pool, conn);
    http_page_free(page);
    return http_list_respond(resp, st, &rows);
}

void http_list_check_enum(json_t *errors, const char *name, const char *value, const char *const *values)
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

int http_list_filter_done(struct _u_response *resp, json_t *errors)
{
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    http_problem(resp, 400, NULL, "a query parameter is invalid", errors);
    return -1;
}
