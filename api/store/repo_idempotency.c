/* repo_idempotency.c — the idempotency_keys table: reserve, look up, store, release. See
 * repo_idempotency.h. */
#include "repo_idempotency.h"

#include <stdlib.h>
#include <string.h>

static const char RESERVE_SQL[] =
    "INSERT INTO idempotency_keys AS k (principal, key, method_route, body_hash) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (principal, key) DO UPDATE SET method_route = EXCLUDED.method_route,"
    " body_hash = EXCLUDED.body_hash, status = NULL, content_type = NULL, body = NULL, created_at = now()"
    " WHERE k.created_at < now() - interval '24 hours'"
    "    OR (k.status IS NULL AND k.created_at < now() - interval '10 minutes')"
    " RETURNING 1";

static const char LOOKUP_SQL[] =
    "SELECT method_route, body_hash, COALESCE(status, 0)::text, COALESCE(content_type, ''), COALESCE(body, '')"
    " FROM idempotency_keys WHERE principal = $1 AND key = $2";

/* Expired keys go lazily, a bounded batch at a time, through the created_at index. */
static const char PURGE_SQL[] =
    "DELETE FROM idempotency_keys WHERE (principal, key) IN (SELECT principal, key FROM idempotency_keys"
    " WHERE created_at < now() - interval '24 hours' ORDER BY created_at LIMIT 100)";

/* Frees an earlier use's strings. */
void idem_stored_free(struct idem_stored *s)
{
    free(s->route);
    free(s->hash);
    free(s->content_type);
    free(s->body);
    memset(s, 0, sizeof(*s));
}

/* Reads the earlier use of the key; APP_NOT_FOUND when it vanished (released after a 5xx). */
static enum app_status lookup(struct db_conn *conn, const struct idem *idem, struct idem_stored *out)
{
    const char *params[2] = {idem->principal, idem->key};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, LOOKUP_SQL, 2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        out->route = strdup(PQgetvalue(res, 0, 0));
        out->hash = strdup(PQgetvalue(res, 0, 1));
        out->status = strtol(PQgetvalue(res, 0, 2), NULL, 10);
        out->content_type = strdup(PQgetvalue(res, 0, 3));
        out->body = strdup(PQgetvalue(res, 0, 4));
        if (!out->route || !out->hash || !out->content_type || !out->body)
            st = APP_NOMEM;
    }
    PQclear(res);
    return st;
}

/* Reserves the key: APP_OK with *reserved = 1 when this request owns it, or *reserved = 0 and *earlier
 * filled when an earlier request holds it. Each statement runs on its own (autocommit). */
static enum app_status reserve(struct db_conn *conn, const struct idem *idem, int *reserved,
                               struct idem_stored *earlier)
{
    const char *params[4] = {idem->principal, idem->key, idem->route, idem->hash};
    enum app_status st = db_query(conn, PURGE_SQL, 0, NULL, NULL, NULL);
    for (int attempt = 0; st == APP_OK && attempt < 3; attempt++) {
        PGresult *res = NULL;
        st = db_query(conn, RESERVE_SQL, 4, params, &res, NULL);
        *reserved = st == APP_OK && PQntuples(res) == 1;
        PQclear(res);
        if (st != APP_OK || *reserved)
            return st;
        st = lookup(conn, idem, earlier);
        if (st != APP_NOT_FOUND)
            return st;
        st = APP_OK; /* released between the two statements: try again */
    }
    return st == APP_OK ? APP_UNAVAILABLE : st;
}

/* uow_work: reserve (see repo_idempotency.h). */
enum app_status repo_idem_reserve_work(struct db_conn *conn, void *ctx)
{
    struct idem_reserve *r = ctx;
    idem_stored_free(&r->earlier); /* an earlier attempt's */
    r->reserved = 0;
    return reserve(conn, r->idem, &r->reserved, &r->earlier);
}

/* uow_work: store or release (see repo_idempotency.h). */
enum app_status repo_idem_complete_work(struct db_conn *conn, void *ctx)
{
    const struct idem_complete *c = ctx;
    const char *params[5] = {c->idem->principal, c->idem->key, c->status, c->type, c->body};
    if (c->release)
        return db_query(conn, "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status IS NULL", 2,
                        params, NULL, NULL);
    return db_query(conn,
                    "UPDATE idempotency_keys SET status = $3::integer, content_type = $4, body = $5"
                    " WHERE principal = $1 AND key = $2 AND status IS NULL",
                    5, params, NULL, NULL);
}
