/* repo_webhooks.c — webhook subscriptions: subscribe, replay, list, deliveries. */
#include "repo_webhooks.h"

#include <stdlib.h>

#include "audit.h"
#include "page_query.h"
#include "repo_row.h"

#define SUB_JSON                                                                                                       \
    "json_build_object('id', w.id, 'url', w.url, 'events', to_json(w.events), 'enabled', w.enabled,"                   \
    " 'failure_streak', w.failure_streak, 'next_attempt_at', w.next_attempt_at, 'disabled_at', w.disabled_at,"         \
    " 'created_by', w.created_by, 'created_at', w.created_at)"

static const char CREATE_SQL[] =
    "INSERT INTO webhook_subscriptions AS w (url, events, secret, cursor_seq, cursor_id, created_by)"
    " SELECT $1, $2::text[], $3, coalesce((SELECT max(seq) FROM event_commits), 0),"
    "        coalesce((SELECT max(id) FROM events), 0), $4"
    " RETURNING w.id::text, (" SUB_JSON "::jsonb || jsonb_build_object('secret', w.secret))::text";

static const char LIST_SQL[] = "SELECT " SUB_JSON "::text, w.id::text FROM webhook_subscriptions w"
                               " WHERE ($1::bigint IS NULL OR w.id > $1::bigint) ORDER BY w.id LIMIT $2";

static const char DELIVERIES_SQL[] =
    "SELECT json_build_object('id', d.id, 'event_id', d.event_id, 'event_kind', d.event_kind,"
    "       'attempted_at', d.attempted_at, 'status_code', d.status_code, 'succeeded', d.succeeded,"
    "       'error', d.error)::text, d.id::text"
    "  FROM webhook_deliveries d"
    " WHERE d.subscription_id = $1::bigint AND ($2::bigint IS NULL OR d.id > $2::bigint)"
    " ORDER BY d.id LIMIT $3";

static const char REPLAY_SQL[] =
    "UPDATE webhook_subscriptions w SET cursor_seq = c.seq, cursor_id = e.id - 1, enabled = true,"
    "       failure_streak = 0, next_attempt_at = now(), disabled_at = NULL"
    "  FROM events e JOIN event_commits c ON c.txid = e.txid"
    " WHERE w.id = $1::bigint AND e.id = $2::bigint"
    " RETURNING " SUB_JSON "::text";

enum app_status repo_webhook_create_work(struct db_conn *conn, void *work)
{
    struct webhook_write *w = work;
    char *id = NULL;
    free(w->json); /* an earlier attempt's, rolled back */
    const char *params[4] = {w->url, w->events, w->secret, w->who->sub};
    enum app_status st = repo_row(conn, CREATE_SQL, 4, params, NULL, (char **const[]){&id, &w->json}, 2);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "webhook.create", "webhook", id, NULL, NULL);
    free(id);
    return st;
}

enum app_status repo_webhook_replay_work(struct db_conn *conn, void *work)
{
    struct webhook_write *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    const char *params[2] = {w->id, w->from_event};
    enum app_status st = repo_row(conn, REPLAY_SQL, 2, params, NULL, (char **const[]){&w->json}, 1);
    return st == APP_OK ? audit_record(conn, w->who, "webhook.replay", "webhook", w->id, NULL, NULL) : st;
}

enum app_status repo_webhook_exists(struct db_conn *conn, const char *id)
{
    const char *params[1] = {id};
    char *found = NULL;
    enum app_status st = repo_row(conn, "SELECT id::text FROM webhook_subscriptions WHERE id = $1::bigint", 1, params,
                                  NULL, (char **const[]){&found}, 1);
    free(found);
    return st;
}

enum app_status repo_webhook_list(struct db_conn *conn, const char *after, int limit, struct page_rows *out)
{
    const char *params[2] = {after, NULL};
    return page_query(conn, LIST_SQL, 2, params, limit, NULL, NULL, out);
}

enum app_status repo_webhook_deliveries(struct db_conn *conn, const char *id, const char *after, int limit,
                                        struct page_rows *out)
{
    const char *params[3] = {id, after, NULL};
    return page_query(conn, DELIVERIES_SQL, 3, params, limit, NULL, NULL, out);
}
