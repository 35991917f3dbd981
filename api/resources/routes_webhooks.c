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
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "repo_webhooks.h"
#include "unit_of_work.h"
#include "validate.h"
#include "webhooks.h"

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

/* POST /webhooks. */
static int callback_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin subscribes systems to webhooks");
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
    char secret[80], *events = events_literal(json_object_get(body, "events"));
    int have_secret = webhook_new_secret(secret, sizeof(secret)) == 0;
    struct webhook_write w = {
        .who = who, .url = json_string_value(json_object_get(body, "url")), .events = events, .secret = secret};
    enum app_status st = events && have_secret
                             ? uow_run(((const struct app *)user_data)->pool, repo_webhook_create_work, &w, NULL)
                             : APP_NOMEM;
    free(events);
    json_decref(body);
    if (st == APP_OK)
        return http_json_text(resp, 201, w.json);
    free(w.json);
    return http_problem_for(resp, st, NULL);
}

/* http_list_run for GET /webhooks. */
static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    (void)who, (void)ctx;
    return repo_webhook_list(conn, page->after, page->limit, out);
}

/* http_list_run for GET /webhooks/{id}/deliveries (ctx: the id). */
static enum app_status run_deliveries(struct db_conn *conn, const struct principal *who, void *ctx,
                                      const struct page *page, struct page_rows *out)
{
    (void)who;
    return repo_webhook_deliveries(conn, ctx, page->after, page->limit, out);
}

/* uow_work: APP_NOT_FOUND unless subscription `ctx` exists. */
static enum app_status subscription_exists(struct db_conn *conn, void *ctx)
{
    return repo_webhook_exists(conn, ctx);
}

/* Serves one keyset page of `run` to an admin. */
static int list_page(const struct _u_request *req, struct _u_response *resp, const struct app *app, http_list_run run,
                     void *ctx)
{
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin reads webhook subscriptions");
    struct page page;
    if (http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, app, &page, run, ctx);
}

/* GET /webhooks. */
static int callback_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return list_page(req, resp, user_data, run_list, NULL);
}

/* GET /webhooks/{id}/deliveries: 404 for an unknown subscription. */
static int callback_deliveries(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const char *id = http_path_param(req, "id");
    if (!page_is_row_id(id))
        return http_problem_for(resp, APP_NOT_FOUND, "no such webhook subscription");
    if (access_has_role(http_principal(resp), ROLE_ADMIN)) {
        enum app_status st = uow_read(((const struct app *)user_data)->pool, subscription_exists, (void *)id);
        if (st != APP_OK)
            return http_problem_for(resp, st, "no such webhook subscription");
    }
    return list_page(req, resp, user_data, run_deliveries, (void *)id);
}

/* POST /webhooks/{id}/replay. */
static int callback_replay(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin replays webhook deliveries");
    const char *id = http_path_param(req, "id");
    if (!page_is_row_id(id))
        return http_problem_for(resp, APP_NOT_FOUND, "no such webhook subscription");
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
    struct webhook_write w = {.who = who, .id = id, .from_event = from_s};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_webhook_replay_work, &w, NULL);
    if (st == APP_OK)
        return http_json_text(resp, 202, w.json);
    free(w.json);
    return http_problem_for(resp, st, "no such webhook subscription or event");
}

int routes_webhooks_register(struct _u_instance *instance, const struct app *app)
{
    int rc = http_route(instance, app, "POST", "/webhooks", 0, callback_create);
    rc |= http_route(instance, app, "GET", "/webhooks", 0, callback_list);
    rc |= http_route(instance, app, "GET", "/webhooks/@id/deliveries", 0, callback_deliveries);
    rc |= http_route(instance, app, "POST", "/webhooks/@id/replay", 0, callback_replay);
    return rc;
}
