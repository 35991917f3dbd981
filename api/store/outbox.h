/* outbox.h — the store side of notifications (sql/015): claiming due emails, recording what became of
 * them, and walking each webhook subscription's cursor through the change feed. The notifications
 * themselves are written by the database, in the transaction of the change (sql/015's trigger), so every
 * writer of events, in C or in SQL, is covered.
 *
 * Exactly once across processes: a claim takes due rows with FOR UPDATE SKIP LOCKED and, in the same
 * statement, pushes their next_attempt_at past a lease, so no other process sees them as due until the
 * lease runs out; a process killed between sending and recording leaves the row to be retried after the
 * lease, with the same Message-ID. Each function runs on the caller's connection; not thread-safe on one
 * connection (libpq). */
#ifndef TUTORD_OUTBOX_H
#define TUTORD_OUTBOX_H

#include <libpq-fe.h>

#include "db.h"

/* Rows the outbox hands out (claimed emails, a webhook message), read through the functions below so
 * that callers outside the store never touch libpq. */
struct outbox_rows;

/* How many rows; 0 for NULL. */
int outbox_row_count(const struct outbox_rows *rows);
/* The text of `column` in `row` ("" for SQL NULL); valid until outbox_rows_free. */
const char *outbox_value(const struct outbox_rows *rows, int row, int column);
/* True when `column` in `row` is SQL NULL. */
int outbox_is_null(const struct outbox_rows *rows, int row, int column);
/* Frees the rows; NULL-safe. */
void outbox_rows_free(struct outbox_rows *rows);

/* Columns of a claimed email row, in order. For a meeting (OUTBOX_CALENDAR "request" or "cancel", else
 * ""): the booking's id, start and end (Unix seconds), place, and when the change happened. */
enum outbox_column {
    OUTBOX_ID,
    OUTBOX_EMAIL,
    OUTBOX_SUBJECT,
    OUTBOX_BODY,
    OUTBOX_LINK,
    OUTBOX_MESSAGE_ID,
    OUTBOX_CALENDAR,
    OUTBOX_BOOKING,
    OUTBOX_STARTS,
    OUTBOX_ENDS,
    OUTBOX_LOCATION,
    OUTBOX_CHANGED
};

/* Claims up to `batch` due emails for `lease_ms` (autocommit). Returns APP_OK with *out (caller
 * outbox_rows_free()s) holding the rows, columns as enum outbox_column. */
enum app_status outbox_claim(struct db_conn *conn, int batch, int lease_ms, struct outbox_rows **out);

/* Records that the emails `ids` (a PostgreSQL array literal of ids, "{7,8,9}") were sent: one statement
 * (one commit) for a whole batch. */
enum app_status outbox_sent(struct db_conn *conn, const char *ids);

/* Writes the reminders due today for tomorrow's booked meetings (sql/015, tutord_outbox_remind; idempotent)
 * and sets *written to how many were new. */
enum app_status outbox_remind(struct db_conn *conn, long *written);

/* Puts the claimed emails `ids` (an array literal) back, due again after base_ms, their try not counted
 * and `error` kept: the SMTP server could not be reached, which is an outage, not the messages' failure,
 * so an outage of any length loses none of them. */
enum app_status outbox_release(struct db_conn *conn, const char *ids, const char *error, int base_ms);

/* Records a failed try of email `id`: failed for good when `permanent` or after `max_attempts` tries,
 * else due again after base_ms · 2^(tries-1), capped at a day, less up to half of it at random (jitter). */
enum app_status outbox_retry(struct db_conn *conn, const char *id, const char *error, int permanent, int max_attempts,
                             int base_ms);

/* Columns of a claimed webhook message, in order. */
enum outbox_hook_column { HOOK_SUB, HOOK_URL, HOOK_SECRET, HOOK_EVENT, HOOK_SEQ, HOOK_BODY };

/* Inside the caller's transaction: locks the next due, enabled subscription with id greater than
 * `after_sub` (SKIP LOCKED) and finds the first event after its cursor that it wants. Returns APP_OK with
 * *out one row (columns as enum outbox_hook_column; HOOK_EVENT is NULL when the subscription is up to
 * date) or no row when no subscription is due. The body carries ids and types only (see outbox.c). */
enum app_status outbox_hook_next(struct db_conn *conn, const char *after_sub, struct outbox_rows **out);

/* Inside the caller's transaction: records one delivery attempt of event `event` (seq `seq`) to
 * subscription `sub` and moves the subscription on: past the event on success; otherwise one more
 * failure, retried after base_ms · 2^streak (capped at an hour) and disabled at `disable_after`. */
enum app_status outbox_hook_done(struct db_conn *conn, const char *sub, const char *event, const char *seq, long status,
                                 const char *error, int base_ms, int disable_after);

/* For GET /metrics: the queued notifications' count and the oldest one's age in seconds, read with a
 * 500 ms statement timeout on a connection of `pool` only when one is free now (the scrape never waits).
 * Returns 0, or -1 when no connection was free or the database did not answer. Thread-safe. */
int outbox_lag(struct db_pool *pool, long *queued, double *oldest_s);

#endif
