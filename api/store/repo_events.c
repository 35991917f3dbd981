/* repo_events.c — a page of the change feed. */
#include "repo_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the feed shows of a payload: events written before the writers stopped putting them there still
 * hold a change request's free-text reason and decision comment, or a concern's kind; the feed drops
 * them, so it carries only what every feed reader may see (ids, types, times). */
#define FEED_PAYLOAD                                                                                                   \
    "CASE WHEN e.kind LIKE 'change\\_request.%' THEN e.payload - 'reason' - 'comment'"                                 \
    "     WHEN e.kind LIKE 'concern.%' THEN e.payload - 'kind' - 'detail' ELSE e.payload END"

static const char FEED_SQL[] =
    "SELECT json_build_object('id', e.id, 'kind', e.kind, 'subject', e.subject, 'actor', e.actor,"
    "        'occurred_at', e.occurred_at, 'payload', " FEED_PAYLOAD ")::text, c.seq::text || ':' || e.id::text"
    "  FROM event_commits c JOIN events e ON e.txid = c.txid"
    " WHERE ($1::bigint IS NULL OR (c.seq, e.id) > ($1::bigint, $2::bigint))"
    " ORDER BY c.seq, e.id LIMIT $3";

enum app_status repo_event_page(struct db_conn *conn, const char *seq, const char *id, int limit, struct strbuf *body,
                                char **last)
{
    char limit_s[16];
    snprintf(limit_s, sizeof(limit_s), "%d", limit);
    const char *params[3] = {seq, id, limit_s};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, FEED_SQL, 3, params, &res, NULL);
    if (st != APP_OK)
        return st;
    int n = PQntuples(res);
    strbuf_puts(body, "[");
    for (int i = 0; i < n; i++) {
        strbuf_puts(body, i ? "," : "");
        strbuf_puts(body, PQgetvalue(res, i, 0));
    }
    strbuf_puts(body, "]");
    if (n > 0 && !(*last = strdup(PQgetvalue(res, n - 1, 1))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}
