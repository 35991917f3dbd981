/* outbox.c — the SQL of email claiming and of webhook cursors (see outbox.h). */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>

static const char CLAIM_SQL[] =
    "UPDATE notifications n SET attempts = n.attempts + 1,"
    "       next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)"
    "  FROM (SELECT id, event_id FROM notifications WHERE status = 'queued' AND next_attempt_at <= now()"
    "         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due"
    "  LEFT JOIN events e ON e.id = due.event_id"
    " WHERE n.id = due.id"
    " RETURNING n.id::text, n.email, n.subject, n.body, n.link, n.message_id::text, coalesce(n.calendar, ''),"
    "           coalesce(e.payload ->> 'id', ''),"
    "           coalesce(extract(epoch FROM (e.payload ->> 'starts_at')::timestamptz)::bigint::text, '0'),"
    "           coalesce(extract(epoch FROM (e.payload ->> 'ends_at')::timestamptz)::bigint::text, '0'),"
    "           coalesce(e.payload ->> 'location', ''), coalesce(extract(epoch FROM e.occurred_at)::bigint::text, '0')";

struct outbox_rows {
    PGresult *res;
};

int outbox_row_count(const struct outbox_rows *rows)
{
    return rows ? PQntuples(rows->res) : 0;
}

const char *outbox_value(const struct outbox_rows *rows, int row, int column)
{
    return PQgetvalue(rows->res, row, column);
}

int outbox_is_null(const struct outbox_rows *rows, int row, int column)
{
    return PQgetisnull(rows->res, row, column);
}

void outbox_rows_free(struct outbox_rows *rows)
{
    if (rows)
        PQclear(rows->res);
    free(rows);
}

/* Runs `sql` and wraps its result as outbox rows (*out NULL on failure). */
static enum app_status rows_query(struct db_conn *conn, const char *sql, int nparams, const char *const *params,
                                  struct outbox_rows **out)
{
    *out = NULL;
    PGresult *res = NULL;
    enum app_status st = db_query(conn, sql, nparams, params, &res, NULL);
    if (st != APP_OK)
        return st;
    if (!(*out = malloc(sizeof(**out)))) {
        PQclear(res);
        return APP_NOMEM;
    }
    (*out)->res = res;
    return APP_OK;
}

enum app_status outbox_claim(struct db_conn *conn, int batch, int lease_ms, struct outbox_rows **out)
{
    char batch_s[16], lease_s[16];
    snprintf(batch_s, sizeof(batch_s), "%d", batch);
    snprintf(lease_s, sizeof(lease_s), "%d", lease_ms);
    const char *params[2] = {batch_s, lease_s};
    return rows_query(conn, CLAIM_SQL, 2, params, out);
}

enum app_status outbox_sent(struct db_conn *conn, const char *ids)
{
    const char *params[1] = {ids};
    return db_query(conn,
                    "UPDATE notifications SET status = 'sent', sent_at = now(), last_error = NULL"
                    " WHERE id = ANY ($1::bigint[]) AND status = 'queued'",
                    1, params, NULL, NULL);
}

enum app_status outbox_remind(struct db_conn *conn, long *written)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, "SELECT tutord_outbox_remind()", 0, NULL, &res, NULL);
    *written = st == APP_OK ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return st;
}

enum app_status outbox_release(struct db_conn *conn, const char *ids, const char *error, int base_ms)
{
    char base_s[16];
    snprintf(base_s, sizeof(base_s), "%d", base_ms);
    const char *params[3] = {ids, error, base_s};
    return db_query(conn,
                    "UPDATE notifications SET attempts = greatest(attempts - 1, 0), last_error = left($2, 500),"
                    "       next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)"
                    " WHERE id = ANY ($1::bigint[]) AND status = 'queued'",
                    3, params, NULL, NULL);
}

static const char RETRY_SQL[] =
    "UPDATE notifications SET last_error = left($2, 500),"
    "       status = CASE WHEN $3::boolean OR attempts >= $4::int THEN 'failed' ELSE 'queued' END,"
    "       next_attempt_at = now() + make_interval(secs => least($5::double precision / 1000"
    "                         * 2 ^ greatest(attempts - 1, 0), 86400) * (0.5 + random() / 2))"
    " WHERE id = $1::bigint AND status = 'queued'";

enum app_status outbox_retry(struct db_conn *conn, const char *id, const char *error, int permanent, int max_attempts,
                             int base_ms)
{
    char max_s[16], base_s[16];
    snprintf(max_s, sizeof(max_s), "%d", max_attempts);
    snprintf(base_s, sizeof(base_s), "%d", base_ms);
    const char *params[5] = {id, error, permanent ? "true" : "false", max_s, base_s};
    return db_query(conn, RETRY_SQL, 5, params, NULL, NULL);
}

/* A webhook body names the event's type and time and, of its record, only ids, types, statuses and
 * dates: never a note, a concern's detail or outcome, a change request's reason or comment, an
 * allocation's reason, names or email addresses. */
#define HOOK_DATA_KEYS                                                                                                 \
    "'id', 'student', 'tutor', 'kind', 'status', 'starts_on', 'ends_on', 'school', 'year', 'new_tutor',"               \
    " 'allocation_id', 'absence_id', 'cover_tutor', 'student_number', 'staff_number', 'level', 'cohort', 'slot',"      \
    " 'previous_tutor'"

static const char HOOK_NEXT_SQL[] =
    "WITH s AS (SELECT id, url, secret, events, cursor_seq, cursor_id FROM webhook_subscriptions"
    "            WHERE enabled AND next_attempt_at <= now() AND id > $1::bigint"
    "            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    "SELECT s.id::text, s.url, s.secret, n.id::text, n.seq::text, n.body FROM s"
    "  LEFT JOIN LATERAL ("
    "   SELECT e.id, c.seq, json_build_object('type', e.kind, 'timestamp', e.occurred_at, 'data',"
    "          (SELECT coalesce(jsonb_object_agg(k.key, k.value), '{}'::jsonb) FROM jsonb_each(e.payload) k"
    "            WHERE k.key IN (" HOOK_DATA_KEYS "))"
    "          || jsonb_build_object('event_id', e.id, 'subject', e.subject))::jsonb::text AS body"
    "     FROM event_commits c JOIN events e ON e.txid = c.txid"
    "    WHERE (c.seq, e.id) > (s.cursor_seq, s.cursor_id) AND e.kind = ANY (s.events)"
    "    ORDER BY c.seq, e.id LIMIT 1) n ON true";

enum app_status outbox_hook_next(struct db_conn *conn, const char *after_sub, struct outbox_rows **out)
{
    const char *params[1] = {after_sub};
    return rows_query(conn, HOOK_NEXT_SQL, 1, params, out);
}

static const char HOOK_DONE_SQL[] =
    "WITH d AS (INSERT INTO webhook_deliveries (subscription_id, event_id, event_kind, status_code, succeeded,"
    "                                           error)"
    "           SELECT $1::bigint, e.id, e.kind, nullif($4::int, 0), $5::text IS NULL, left($5, 500)"
    "             FROM events e WHERE e.id = $2::bigint)"
    "UPDATE webhook_subscriptions SET"
    "       cursor_seq = CASE WHEN $5::text IS NULL THEN $3::bigint ELSE cursor_seq END,"
    "       cursor_id = CASE WHEN $5::text IS NULL THEN $2::bigint ELSE cursor_id END,"
    "       failure_streak = CASE WHEN $5::text IS NULL THEN 0 ELSE failure_streak + 1 END,"
    "       next_attempt_at = CASE WHEN $5::text IS NULL THEN now() ELSE now() + make_interval(secs =>"
    "                         least($6::double precision / 1000 * 2 ^ least(failure_streak, 30), 3600)) END,"
    "       enabled = $5::text IS NULL OR failure_streak + 1 < $7::int,"
    "       disabled_at = CASE WHEN $5::text IS NOT NULL AND failure_streak + 1 >= $7::int THEN now()"
    "                          ELSE disabled_at END"
    " WHERE id = $1::bigint";

enum app_status outbox_hook_done(struct db_conn *conn, const char *sub, const char *event, const char *seq, long status,
                                 const char *error, int base_ms, int disable_after)
{
    char status_s[16], base_s[16], disable_s[16];
    snprintf(status_s, sizeof(status_s), "%ld", status);
    snprintf(base_s, sizeof(base_s), "%d", base_ms);
    snprintf(disable_s, sizeof(disable_s), "%d", disable_after);
    const char *params[7] = {sub, event, seq, status_s, error, base_s, disable_s};
    return db_query(conn, HOOK_DONE_SQL, 7, params, NULL, NULL);
}

/* Both read the queued rows through the partial index notifications_due_idx. */
static const char OUTBOX_LAG_SQL[] = "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8"
                                     " FROM notifications WHERE status = 'queued'";

/* Reads the queued notifications' count and the oldest one's age (seconds) with a 500 ms statement
 * timeout, on a connection only when one is free now. 0, or -1 when the database did not answer. */
int outbox_lag(struct db_pool *pool, long *queued, double *oldest_s)
{
    struct db_pool_stats db;
    db_pool_stats(pool, &db);
    struct db_conn *conn = NULL;
    if (db.in_use >= db.size || db_acquire(pool, &conn) != APP_OK)
        return -1;
    PGresult *res = NULL;
    int ok = db_begin(conn) == APP_OK &&
             db_query(conn, "SET LOCAL statement_timeout = 500", 0, NULL, NULL, NULL) == APP_OK &&
             db_query(conn, OUTBOX_LAG_SQL, 0, NULL, &res, NULL) == APP_OK && PQntuples(res) == 1;
    if (ok) {
        *queued = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        *oldest_s = strtod(PQgetvalue(res, 0, 1), NULL);
    }
    PQclear(res);
    db_rollback(conn);
    db_release(pool, conn);
    return ok ? 0 : -1;
}
