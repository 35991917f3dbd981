/* repo_notifications.h — the outbox (sql/015) in SQL, seen from outside: a page of notifications, the
 * outbox's figures, and a person's notification preferences. */
#ifndef TUTORD_REPO_NOTIFICATIONS_H
#define TUTORD_REPO_NOTIFICATIONS_H

#include "db.h"
#include "page_query.h"
#include "strbuf.h"

/* A page of the notifications with `status` and for `person` (NULL: any), by id after `after` (NULL:
 * from the start): a JSON array in *out with the next key when another page follows (page_query). */
enum app_status repo_notification_list(struct db_conn *conn, const char *status, const char *person, const char *after,
                                       int limit, struct page_rows *out);

/* The outbox's figures (queued, sent, failed, the oldest queued one's age, the webhook subscriptions'
 * state) as JSON (malloc'd). */
enum app_status repo_notification_stats(struct db_conn *conn, char **json);

/* Person `person`'s preferences ({"reminder": bool}, true unless refused) as JSON (malloc'd). */
enum app_status repo_notification_prefs(struct db_conn *conn, const char *person, char **json);

/* Sets whether `person` is sent reminders ("true"/"false"). */
enum app_status repo_notification_prefs_set(struct db_conn *conn, const char *person, const char *reminder);

#endif
