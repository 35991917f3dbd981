/* repo_idempotency.h — the idempotency_keys table (sql/006) behind the Idempotency-Key rules of
 * idempotency.h: reserve a key for a request, read its earlier use, store or release the response. Each
 * statement runs on its own (autocommit): run the work functions with uow_read. */
#ifndef TUTORD_REPO_IDEMPOTENCY_H
#define TUTORD_REPO_IDEMPOTENCY_H

#include "db.h"

/* One idempotent request: who, which key, and what the request was. */
struct idem {
    const char *principal;
    const char *key;
    char route[2100]; /* "POST /path?query" */
    char hash[65];    /* SHA-256 of content type, a newline and the body */
};

/* An earlier use of the key, as the database holds it. */
struct idem_stored {
    char *route, *hash, *content_type, *body;
    long status; /* 0 while that request is still in flight */
};

/* Frees an earlier use's strings and zeroes it. */
void idem_stored_free(struct idem_stored *s);

/* uow_work context of repo_idem_reserve_work: in `idem`; out `reserved` (1: this request owns the key),
 * else `earlier` (the caller's to idem_stored_free). */
struct idem_reserve {
    const struct idem *idem;
    int reserved;
    struct idem_stored earlier;
};

/* uow_work: purges a batch of expired keys, then reserves ctx->idem's key or reads its earlier use (a
 * few tries when it is released in between; APP_UNAVAILABLE after them). */
enum app_status repo_idem_reserve_work(struct db_conn *conn, void *ctx);

/* uow_work context of repo_idem_complete_work: the response to store under `idem`'s key (`status` as
 * text, `type`, `body`), or, with `release`, the key to free. */
struct idem_complete {
    const struct idem *idem;
    const char *status, *type, *body;
    int release;
};

/* uow_work: stores the response under the key still in flight, or releases it. */
enum app_status repo_idem_complete_work(struct db_conn *conn, void *ctx);

#endif
