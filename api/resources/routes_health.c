/* routes_health.c — liveness, readiness (the database answers), the metrics, and the API contract
 * itself. While the server drains before stopping every one of them answers 503 "draining" (router.c),
 * so a load balancer's health check takes the instance out. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "embedded.h"
#include "http.h"
#include "metrics.h"

static int callback_healthz(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    (void)user_data;
    return http_json_text(resp, 200, strdup("{\"status\":\"ok\"}"));
}

static int callback_readyz(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct app *app = user_data;
    if (db_ping(app->pool) != APP_OK)
        return http_problem_for(resp, APP_UNAVAILABLE, "the database is not reachable");
    return http_json_text(resp, 200, strdup("{\"status\":\"ready\"}"));
}

/* GET /metrics: the Prometheus exposition, to the callers metrics_access lets in. Public as far as the
 * bearer-token pipeline goes (no JWT, no rate limit, so scraping is never throttled); its own check
 * refuses everyone else before any work is done. */
static int callback_metrics(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *why = NULL;
    long refused = metrics_access(app, req, &why);
    if (refused == 401)
        u_map_put(resp->map_header, "WWW-Authenticate", "Bearer");
    if (refused)
        return http_problem(resp, refused, NULL, why, NULL);
    char *text = metrics_render(app);
    if (!text)
        return http_problem_for(resp, APP_NOMEM, NULL);
    ulfius_set_binary_body_response(resp, 200, text, strlen(text));
    free(text);
    u_map_put(resp->map_header, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    u_map_put(resp->map_header, "Cache-Control", "no-store");
    http_ctx(resp)->status = 200;
    return U_CALLBACK_COMPLETE;
}

static int callback_openapi(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    (void)user_data;
    const struct embedded_file *f = embedded_find("openapi.yaml");
    if (!f)
        return http_problem_for(resp, APP_NOT_FOUND, "the contract was not built in");
    ulfius_set_binary_body_response(resp, 200, f->data, f->size);
    u_map_put(resp->map_header, "Content-Type", "application/yaml");
    http_ctx(resp)->status = 200;
    return U_CALLBACK_COMPLETE;
}

int routes_health_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/healthz", HTTP_PUBLIC, callback_healthz) |
           http_route(instance, app, "GET", "/readyz", HTTP_PUBLIC, callback_readyz) |
           http_route(instance, app, "GET", "/metrics", HTTP_PUBLIC, callback_metrics) |
           http_route(instance, app, "GET", "/openapi.yaml", HTTP_PUBLIC, callback_openapi);
}
