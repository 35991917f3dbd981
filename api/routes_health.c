/* routes_health.c — liveness, readiness (the database answers), and the API contract itself. */
#include "routes.h"

#include <string.h>

#include "db.h"
#include "embedded.h"
#include "http.h"

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
           http_route(instance, app, "GET", "/openapi.yaml", HTTP_PUBLIC, callback_openapi);
}
