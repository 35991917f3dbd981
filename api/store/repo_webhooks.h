/* repo_webhooks.h — webhook subscriptions in SQL: subscribe and replay (uow_work functions, each with
 * its audit row) and the keyset pages of subscriptions and of one subscription's deliveries. */
#ifndef TUTORD_REPO_WEBHOOKS_H
#define TUTORD_REPO_WEBHOOKS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "strbuf.h"

/* One subscription write for repo_webhook_create_work (url, events, secret) or
 * repo_webhook_replay_work (id, from_event). Inputs borrowed; on APP_OK `json` (malloc'd; the caller
 * frees it) is the subscription — with its secret after a create. */
struct webhook_write {
    const struct principal *who;
    const char *url, *events, *secret; /* create: events as a text[] literal */
    const char *id, *from_event;       /* replay */
    char *json;
};

/* uow_work: inserts the subscription, starting at the end of the change feed (it receives what commits
 * after it), and its webhook.create audit. Safe to run again. */
enum app_status repo_webhook_create_work(struct db_conn *conn, void *work);

/* uow_work: rewinds subscription `id` to just before event `from_event` in commit order, re-enables it,
 * and audits webhook.replay. APP_NOT_FOUND when the subscription or the event does not exist. Safe to
 * run again. */
enum app_status repo_webhook_replay_work(struct db_conn *conn, void *work);

/* APP_OK when subscription `id` exists, else APP_NOT_FOUND. */
enum app_status repo_webhook_exists(struct db_conn *conn, const char *id);

/* A page of the subscriptions (without secrets) by id after `after` (NULL: from the start): a JSON
 * array in *out with the next key when another page follows (page_query). */
enum app_status repo_webhook_list(struct db_conn *conn, const char *after, int limit, struct page_rows *out);

/* As repo_webhook_list, for the delivery attempts of subscription `id`, oldest first. */
enum app_status repo_webhook_deliveries(struct db_conn *conn, const char *id, const char *after, int limit,
                                        struct page_rows *out);

#endif
