/* routes_webhooks.c — webhook subscriptions for systems (the SRS, a notifier), admin only:
 *   POST /webhooks {"url", "events": [...]}        201 with the subscription and its secret (shown once)
 *   GET  /webhooks                                  the subscriptions, without secrets
 *   GET  /webhooks/{id}/deliveries                  every delivery attempt, oldest first (keyset pages)
 *   POST /webhooks/{id}/replay {"from_event": N}    202: delivers event N and every later one it wants
 *                                                   again, in commit order; re-enables a disabled one
 * A new subscription starts at the end of the change feed: it receives what commits after it. The worker
 * (deliver.c) sends each subscription's events one at a time in commit order, signed by the Standard
 * Webhooks scheme (webhooks.h), and disables it after TUTORD_WEBHOOK_DISABLE_AFTER failures in a row. */
#include "routes.h"

#include <regex.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "repo_row.h"
#include "validate.h"
#include "webhooks.h"

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

/* Collects what is wrong with a subscription body into errors; unless `allow_private`, a URL whose host
 * resolves to an internal address (webhook_url_public) is refused. */
static void validate_subscription(const json_t *body, json_t *errors, int allow_private)
{
    const char *url = json_string_value(json_object_get(body, "url"));
    regex_t re;
    int url_ok = url && strlen(url) <= 2000 && regcomp(&re, "^https?://[^[:space:]]+$", REG_EXTENDED | REG_NOSUB) == 0;
    if (url_ok) {
        url_ok = regexec(&re, url, 0, NULL, 0) == 0;
        regfree(&re);
    }
    char why[300];
    if (!url_ok)
        validate_error(errors, "url", "must be an http:// or https:// URL of at most 2000 characters");
    else if (!allow_private && webhook_url_public(url, why, sizeof(why)) != 0)
        validate_error(errors, "url", why);
    const json_t *events = json_object_get(body, "events");
    size_t i, n = json_is_array(events) ? json_array_size(events) : 0;
    int events_ok = n >= 1 && n <= 50;
    const json_t *kind;
    json_array_foreach(events, i, kind)
    {
        const char *k = json_string_value(kind);
        if (!k || strlen(k) < 3 || strlen(k) > 64 || strspn(k, "abcdefghijklmnopqrstuvwxyz_.") != strlen(k) ||
            !strchr(k, '.'))
            events_ok = 0;
    }
    if (!events_ok)
        validate_error(errors, "events", "must list 1 to 50 event kinds such as allocation.created");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "url") != 0 && strcmp(key, "events") != 0)
            validate_error(errors, key, "is not a field of a subscription");
    }
}

/* The events array as a PostgreSQL array literal (kinds are [a-z_.] only). Caller frees. */
static char *events_literal(const json_t *events)
{
    struct strbuf b = {0};
    size_t i;
    const json_t *kind;
    strbuf_puts(&b, "{");
    json_array_foreach(events, i, kind)
    {
        strbuf_puts(&b, i ? "," : "");
        strbuf_puts(&b, json_string_value(kind));
    }
    strbuf_puts(&b, "}");
    return strbuf_take(&b);
}

/* Inserts the subscription and its audit row in one transaction; *json the answer (malloc'd). */
static enum app_status create(const struct app *app, const struct principal *who, const char *const *params,
                              char **json)
{
    struct db_conn *conn = NULL;
    char *id = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = repo_row(conn, CREATE_SQL, 4, params, NULL, (char **const[]){&id, json}, 2);
    if (st == APP_OK)
        st = audit_record(conn, who, "webhook.create", "webhook", id, NULL, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(app->pool, conn);
    free(id);
    return st;
}

/* POST /webhooks. */
static int callback_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin subscribes systems to webhooks", NULL);
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body) {
        json_decref(errors);
        return U_CALLBACK_COMPLETE;
    }
    const char *allow = ((const struct app *)user_data)->config->webhook_allow_private;
    validate_subscription(body, errors, allow && strcmp(allow, "on") == 0);
    if (json_array_size(errors) > 0) {
        json_decref(body);
        return http_problem(resp, 422, NULL, "the subscription is not valid", errors);
    }
    json_decref(errors);
    char secret[80], *json = NULL, *events = events_literal(json_object_get(body, "events"));
    int have_secret = webhook_new_secret(secret, sizeof(secret)) == 0;
    const char *params[4] = {json_string_value(json_object_get(body, "url")), events, secret, who->sub};
    enum app_status st = events && have_secret ? create(user_data, who, params, &json) : APP_NOMEM;
    free(events);
    json_decref(body);
    return st == APP_OK ? http_json_text(resp, 201, json) : http_problem_for(resp, st, NULL);
}

/* Runs one keyset page of `sql` (params[nparams - 2] the cursor, the last the limit) and answers it. */
static int list_page(const struct _u_request *req, struct _u_response *resp, const struct app *app, const char *sql,
                     const char **params, int nparams)
{
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin reads webhook subscriptions", NULL);
    struct page page;
    if (listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    params[nparams - 2] = page.after;
    struct strbuf items = {0};
    char *next = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = listing_query(conn, sql, nparams, params, page.limit, &items, &next);
    db_release(app->pool, conn);
    http_page_free(&page);
    return st == APP_OK ? listing_respond(resp, &items, next) : listing_fail(resp, st, &items, next);
}

/* GET /webhooks. */
static int callback_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const char *params[2] = {NULL, NULL};
    return list_page(req, resp, user_data, LIST_SQL, params, 2);
}

/* GET /webhooks/{id}/deliveries: 404 for an unknown subscription. */
static int callback_deliveries(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const char *id = http_path_param(req, "id");
    const char *params[3] = {id, NULL, NULL};
    if (!listing_is_row_id(id))
        return http_problem(resp, 404, NULL, "no such webhook subscription", NULL);
    if (access_has_role(http_principal(resp), ROLE_ADMIN)) {
        const struct app *app = user_data;
        struct db_conn *conn = NULL;
        char *found = NULL;
        enum app_status st = db_acquire(app->pool, &conn);
        if (st == APP_OK)
            st = repo_row(conn, "SELECT id::text FROM webhook_subscriptions WHERE id = $1::bigint", 1, params, NULL,
                          (char **const[]){&found}, 1);
        db_release(app->pool, conn);
        free(found);
        if (st != APP_OK)
            return http_problem_for(resp, st, "no such webhook subscription");
    }
    return list_page(req, resp, user_data, DELIVERIES_SQL, params, 3);
}

/* Rewinds subscription `id` to event `from` and audits it, in one transaction; *json the subscription. */
static enum app_status replay(const struct app *app, const struct principal *who, const char *id, const char *from,
                              char **json)
{
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = repo_row(conn, REPLAY_SQL, 2, (const char *const[]){id, from}, NULL, (char **const[]){json}, 1);
    if (st == APP_OK)
        st = audit_record(conn, who, "webhook.replay", "webhook", id, NULL, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(app->pool, conn);
    return st;
}

/* POST /webhooks/{id}/replay. */
static int callback_replay(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin replays webhook deliveries", NULL);
    const char *id = http_path_param(req, "id");
    if (!listing_is_row_id(id))
        return http_problem(resp, 404, NULL, "no such webhook subscription", NULL);
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *from = json_object_get(body, "from_event");
    char from_s[24];
    int ok = json_is_integer(from) && json_integer_value(from) > 0 && json_object_size(body) == 1;
    snprintf(from_s, sizeof(from_s), "%lld", ok ? (long long)json_integer_value(from) : 0LL);
    json_decref(body);
    if (!ok)
        return http_problem_field(resp, 422, "from_event", "must be the id of an event (a positive integer)");
    char *json = NULL;
    enum app_status st = replay(user_data, who, id, from_s, &json);
    return st == APP_OK ? http_json_text(resp, 202, json)
                        : http_problem_for(resp, st, "no such webhook subscription or event");
}

int routes_webhooks_register(struct _u_instance *instance, const struct app *app)
{
    int rc = http_route(instance, app, "POST", "/webhooks", 0, callback_create);
    rc |= http_route(instance, app, "GET", "/webhooks", 0, callback_list);
    rc |= http_route(instance, app, "GET", "/webhooks/@id/deliveries", 0, callback_deliveries);
    rc |= http_route(instance, app, "POST", "/webhooks/@id/replay", 0, callback_replay);
    return rc;
}
