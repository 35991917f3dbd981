/* repo_notifications.c — notifications listed, counted, and preferences read and set. */
#include "repo_notifications.h"

#include "page_query.h"
#include "repo_row.h"

static const char LIST_SQL[] =
    "SELECT json_build_object('id', n.id, 'event_id', n.event_id, 'reminder_for', n.reminder_for,"
    "       'event_kind', n.event_kind,"
    "       'category', n.category, 'person', n.person, 'email', n.email, 'subject', n.subject,"
    "       'status', n.status, 'attempts', n.attempts, 'next_attempt_at', n.next_attempt_at,"
    "       'last_error', n.last_error, 'message_id', n.message_id, 'created_at', n.created_at,"
    "       'sent_at', n.sent_at)::text, n.id::text"
    "  FROM notifications n"
    " WHERE ($1::text IS NULL OR n.status = $1) AND ($2::text IS NULL OR n.person = $2)"
    "   AND ($3::bigint IS NULL OR n.id > $3::bigint)"
    " ORDER BY n.id LIMIT $4";

static const char STATS_SQL[] =
    "SELECT json_build_object("
    "  'queued', count(*) FILTER (WHERE status = 'queued'), 'sent', count(*) FILTER (WHERE status = 'sent'),"
    "  'failed', count(*) FILTER (WHERE status = 'failed'),"
    "  'oldest_queued_age_seconds', coalesce(floor(extract(epoch FROM now() - min(created_at)"
    "                                          FILTER (WHERE status = 'queued'))), 0)::bigint,"
    "  'webhooks', (SELECT json_build_object('subscriptions', count(*), 'enabled', count(*) FILTER (WHERE enabled),"
    "                 'disabled', count(*) FILTER (WHERE NOT enabled)) FROM webhook_subscriptions))::text"
    "  FROM notifications";

static const char PREFS_SQL[] =
    "SELECT json_build_object('reminder', coalesce((SELECT enabled FROM notification_preferences"
    "                          WHERE person = $1 AND category = 'reminder'), true))::text";

static const char PREFS_PUT_SQL[] =
    "INSERT INTO notification_preferences (person, category, enabled) VALUES ($1, 'reminder', $2::boolean)"
    " ON CONFLICT (person, category) DO UPDATE SET enabled = EXCLUDED.enabled RETURNING 1";

enum app_status repo_notification_list(struct db_conn *conn, const char *status, const char *person, const char *after,
                                       int limit, struct page_rows *out)
{
    const char *params[4] = {status, person, after, NULL};
    return page_query(conn, LIST_SQL, 4, params, limit, NULL, NULL, out);
}

enum app_status repo_notification_stats(struct db_conn *conn, char **json)
{
    return repo_row(conn, STATS_SQL, 0, NULL, NULL, (char **const[]){json}, 1);
}

enum app_status repo_notification_prefs(struct db_conn *conn, const char *person, char **json)
{
    const char *params[1] = {person};
    return repo_row(conn, PREFS_SQL, 1, params, NULL, (char **const[]){json}, 1);
}

enum app_status repo_notification_prefs_set(struct db_conn *conn, const char *person, const char *reminder)
{
    const char *params[2] = {person, reminder};
    return db_query(conn, PREFS_PUT_SQL, 2, params, NULL, NULL);
}
