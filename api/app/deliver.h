/* deliver.h — the delivery worker: one thread in every `tutord serve` process that sends the outbox's
 * emails over SMTP and each webhook subscription's events, in commit order.
 *
 * Why inside serve rather than a separate `tutord deliver` process: nothing extra to deploy or
 * supervise, and the claims (FOR UPDATE SKIP LOCKED with a lease, outbox.h) already let any number of
 * processes share the work, each message going out once; a crash between sending and recording costs
 * at most one repeat, with the same Message-ID (email) or webhook-id (webhook). */
#ifndef TUTORD_DELIVER_H
#define TUTORD_DELIVER_H

#include "app.h"

struct deliverer;

/* Starts the worker on `app` (borrowed: must outlive deliver_stop). Without TUTORD_SMTP_URL it sends no
 * email (the outbox keeps recording what would have been sent) but still delivers webhooks. Returns the
 * worker, or NULL after printing why when the SMTP settings are wrong (a URL that is not smtp:// or
 * smtps://, TUTORD_SMTP_STARTTLS other than on/off, an unreadable credentials file) or the thread could
 * not start: the caller should then not serve. */
struct deliverer *deliver_start(const struct app *app);

/* Asks the worker to stop after the message in hand, waits for it and frees it; NULL-safe. */
void deliver_stop(struct deliverer *d);

#endif
