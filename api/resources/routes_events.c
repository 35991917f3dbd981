/* routes_events.c — GET /events?after=<cursor>&limit=: the change feed the SRS and notifiers follow
 * (allocation.created/ended, change_request.decided, student.upserted, staff.upserted,
 * concern.opened/closed, ...). Roles registry and admin.
 *
 * Design: a reader that follows next_cursor must see every event exactly once and in commit order,
 * even though writers commit out of order. An identity column cannot give that (a transaction holding
 * id 7 may commit after one holding id 8, and a reader already past 8 would never see 7), nor can the
 * transaction id (it orders by start, not commit). So each event-writing transaction takes a number at
 * commit time, under a lock held until its commit is visible (event_commits, sql/008): numbers are
 * handed out in commit order, and a reader that sees number N+1 already sees N. A page is the events
 * after the cursor ordered by (commit number, id); the cursor is that pair, opaque (base64url); a
 * transaction's events arrive together, in the order it wrote them, only once it has committed, and an
 * open transaction holds back nobody else. next_cursor is always where to continue (the given one when
 * nothing new is ready). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "http.h"
#include "repo_events.h"
#include "strbuf.h"
#include "unit_of_work.h"

/* A feed position "<commit seq>:<id>", both decimal. */
struct position {
    char seq[24], id[24];
};

/* Reads ?after=; 0 (pos->seq empty at the start of the feed) or -1 after a 400. */
static int read_after(const struct _u_request *req, struct _u_response *resp, struct position *pos)
{
    const char *after = http_query(req, "after");
    memset(pos, 0, sizeof(*pos));
    if (!after)
        return 0;
    char *key = http_cursor_decode(after);
    const char *colon = key ? strchr(key, ':') : NULL;
    size_t tl = colon ? (size_t)(colon - key) : 0, il = colon ? strlen(colon + 1) : 0;
    /* at most 18 digits each: always a bigint, so PostgreSQL never sees an out-of-range number */
    int ok = colon && tl > 0 && tl <= 18 && strspn(key, "0123456789") == tl && il > 0 && il <= 18 &&
             strspn(colon + 1, "0123456789") == il;
    if (ok) {
        memcpy(pos->seq, key, tl);
        memcpy(pos->id, colon + 1, il);
    }
    free(key);
    if (ok)
        return 0;
    http_problem_field(resp, 400, "after", "after is not a cursor this feed issued");
    return -1;
}

/* A page of the feed to read: the position, the size, the items and the last row's position. */
struct feed_read {
    const struct position *pos;
    int limit;
    struct strbuf body;
    char *last;
};

/* uow_work: the page after the position (the items array appended to the body). */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct feed_read *r = ctx;
    const struct position *pos = r->pos;
    return repo_event_page(conn, pos->seq[0] ? pos->seq : NULL, pos->seq[0] ? pos->id : NULL, r->limit, &r->body,
                           &r->last);
}

static int callback_events_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_REGISTRY | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN,
                                "only the student record system (registry) or an admin reads the feed");
    struct page page;
    struct position pos;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    http_page_free(&page); /* only the limit is used: the position is ?after= */
    if (read_after(req, resp, &pos) != 0)
        return U_CALLBACK_COMPLETE;
    struct feed_read r = {.pos = &pos, .limit = page.limit};
    strbuf_puts(&r.body, "{\"items\":");
    enum app_status st = uow_read(app->pool, read_page, &r);
    struct strbuf body = r.body;
    char *last = r.last;
    if (st != APP_OK) {
        strbuf_free(&body);
        free(last);
        return http_problem_for(resp, st, NULL);
    }
    const char *after = http_query(req, "after");
    json_t *cursor = last ? http_cursor_encode(last) : after ? json_string(after) : json_null();
    char *cursor_text = cursor ? json_dumps(cursor, JSON_ENCODE_ANY) : NULL;
    strbuf_puts(&body, ",\"next_cursor\":");
    strbuf_puts(&body, cursor_text ? cursor_text : "null");
    strbuf_puts(&body, "}");
    if (!cursor_text)
        body.failed = 1;
    free(cursor_text);
    json_decref(cursor);
    free(last);
    return http_json_text(resp, 200, strbuf_take(&body));
}

int routes_events_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/events", 0, callback_events_list);
}
