/* idempotency.c — reserve, replay or refuse an Idempotency-Key; store the response. See idempotency.h. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sha256.h"

#define KEY_MAX 255

/* One idempotent request: who, which key, and what the request was. */
struct idem {
    const char *principal;
    const char *key;
    char route[2100]; /* "POST /path?query" */
    char hash[65];    /* SHA-256 of content type, a newline and the body */
};

/* An earlier use of the key, as the database holds it. */
struct stored {
    char *route, *hash, *content_type, *body;
    long status; /* 0 while that request is still in flight */
};

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

static int key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return 0;
    return 1;
}

static void fingerprint(const struct _u_request *req, struct idem *idem)
{
    const char *type = http_header(req, "Content-Type");
    snprintf(idem->route, sizeof(idem->route), "%s %s", req->http_verb, req->http_url ? req->http_url : "");
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, type ? type : "", type ? strlen(type) : 0);
    sha256_update(&h, "\n", 1);
    sha256_update(&h, req->binary_body, req->binary_body ? req->binary_body_length : 0);
    sha256_hex(&h, idem->hash);
}

static void stored_free(struct stored *s)
{
    free(s->route);
    free(s->hash);
    free(s->content_type);
    free(s->body);
    memset(s, 0, sizeof(*s));
}

/* Reads the earlier use of the key; APP_NOT_FOUND when it vanished (released after a 5xx). */
static enum app_status lookup(struct db_conn *conn, const struct idem *idem, struct stored *out)
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
static enum app_status reserve(struct db_conn *conn, const struct idem *idem, int *reserved, struct stored *earlier)
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

static int replay(struct _u_response *resp, const struct stored *s)
{
    ulfius_set_binary_body_response(resp, (unsigned int)s->status, s->body, strlen(s->body));
    u_map_put(resp->map_header, "Content-Type", s->content_type);
    u_map_put(resp->map_header, "Idempotent-Replayed", "true");
    struct request_ctx *ctx = http_ctx(resp);
    if (ctx)
        ctx->status = s->status;
    return U_CALLBACK_COMPLETE;
}

/* The content type marking a stored response that is only the created record's id (a replayer's). */
#define REFERENCE_TYPE "application/vnd.tutord.created-id"

/* A replay through the route's replayer, from the stored id. */
static int replay_reference(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                            http_replayer replayer, const struct stored *s)
{
    int rc = replayer(req, resp, (void *)app, s->body);
    u_map_put(resp->map_header, "Idempotent-Replayed", "true");
    return rc;
}

/* Answers from an earlier use of the key: replay, 409 while it runs, 422 for a different request. */
static int answer_earlier(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                          http_replayer replayer, const struct idem *idem, const struct stored *s)
{
    if (strcmp(s->route, idem->route) != 0 || strcmp(s->hash, idem->hash) != 0)
        return http_problem_field(resp, 422, "Idempotency-Key",
                                  "this Idempotency-Key was already used with a different request");
    if (s->status == 0) {
        u_map_put(resp->map_header, "Retry-After", "1");
        return http_problem(resp, 409, NULL,
                            "a request with this Idempotency-Key is still being processed; retry shortly", NULL);
    }
    if (replayer && strcmp(s->content_type, REFERENCE_TYPE) == 0)
        return replay_reference(req, resp, app, replayer, s);
    return replay(resp, s);
}

/* The "id" member of a JSON response body as text (malloc'd), or NULL. */
static char *created_id(const struct _u_response *resp)
{
    json_t *doc = json_loadb(resp->binary_body ? resp->binary_body : "", resp->binary_body_length, 0, NULL);
    const json_t *id = json_object_get(doc, "id");
    char text[32], *out = NULL;
    if (json_is_integer(id))
        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(id));
    if (json_is_integer(id) || (json_is_string(id) && snprintf(text, sizeof(text), "%s", json_string_value(id)) < 32))
        out = strdup(text);
    json_decref(doc);
    return out;
}

/* Stores the handler's response under the key (only the created id when the route has a replayer and
 * it succeeded), or releases the key after a 5xx or when the id cannot be read. */
static void complete(const struct app *app, const struct idem *idem, const struct _u_response *resp, int by_reference)
{
    char status[8], *body = NULL;
    snprintf(status, sizeof(status), "%ld", resp->status);
    const char *type = u_map_get_case(resp->map_header, "Content-Type");
    int release = resp->status >= 500;
    by_reference = by_reference && resp->status < 300;
    if (by_reference)
        type = REFERENCE_TYPE;
    if (!release &&
        !(body = by_reference ? created_id(resp)
                              : strndup(resp->binary_body ? resp->binary_body : "", resp->binary_body_length)))
        release = 1;
    const char *params[5] = {idem->principal, idem->key, status, type ? type : "", body};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK && release)
        st = db_query(conn, "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status IS NULL", 2,
                      params, NULL, NULL);
    else if (st == APP_OK)
        st = db_query(conn,
                      "UPDATE idempotency_keys SET status = $3::integer, content_type = $4, body = $5"
                      " WHERE principal = $1 AND key = $2 AND status IS NULL",
                      5, params, NULL, NULL);
    if (st != APP_OK)
        log_msg(LOG_WARN, "could not record an idempotent response; the key stays reserved for 10 minutes");
    db_release(app->pool, conn);
    free(body);
}

int idempotency_run(const struct _u_request *req, struct _u_response *resp, const struct app *app, http_handler handler,
                    http_replayer replayer)
{
    const char *key = http_header(req, "Idempotency-Key");
    const struct principal *who = http_principal(resp);
    if (!key || !who)
        return handler(req, resp, (void *)app);
    if (!key_is_valid(key))
        return http_problem_field(resp, 400, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    struct idem idem = {.principal = who->sub, .key = key};
    fingerprint(req, &idem);
    struct stored earlier = {0};
    int reserved = 0, rc;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = reserve(conn, &idem, &reserved, &earlier);
    db_release(app->pool, conn); /* the handler takes its own connection */
    if (st != APP_OK)
        rc = http_problem_for(resp, st, NULL);
    else if (!reserved)
        rc = answer_earlier(req, resp, app, replayer, &idem, &earlier);
    else {
        rc = handler(req, resp, (void *)app);
        complete(app, &idem, resp, replayer != NULL);
    }
    stored_free(&earlier);
    return rc;
}
