/* router.c — every route is three Ulfius callbacks: limits (priority 0), auth (1), the handler (3);
 * unmatched requests get 404 or 405 problem+json from the default endpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "http.h"
#include "idempotency.h"
#include "log.h"

struct route_entry {
    char *method;
    char *path;
    unsigned flags;
    const struct app *app;
    http_handler handler;
};

struct route_table {
    struct route_entry **entries;
    size_t n, cap;
};

static int body_too_large(const struct _u_request *req, size_t limit)
{
    const char *length = u_map_get_case(req->map_header, "Content-Length");
    if (length && strtoull(length, NULL, 10) > limit)
        return 1;
    return req->binary_body_length > limit;
}

static int callback_limits(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct route_entry *route = user_data;
    if (!http_ctx_attach(resp, route->path, route->method))
        return http_problem_for(resp, APP_NOMEM, NULL);
    size_t limit = route->flags & HTTP_IMPORT ? route->app->config->max_import_bytes
                                              : route->app->config->max_body_bytes;
    if (body_too_large(req, limit)) {
        char detail[96];
        snprintf(detail, sizeof(detail), "the body is larger than the limit of %zu bytes", limit);
        return http_problem(resp, 413, NULL, detail, NULL);
    }
    return U_CALLBACK_IGNORE;
}

static int callback_auth(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct route_entry *route = user_data;
    if (route->flags & HTTP_PUBLIC)
        return U_CALLBACK_IGNORE;
    struct request_ctx *ctx = http_ctx(resp);
    const char *header = http_header(req, "Authorization");
    const char *why = "a bearer token is required";
    if (header && auth_verify(route->app->auth, header, time(NULL), &ctx->principal, &why) == 0) {
        ctx->authenticated = 1;
        return U_CALLBACK_IGNORE;
    }
    u_map_put(resp->map_header, "WWW-Authenticate",
              header ? "Bearer error=\"invalid_token\"" : "Bearer");
    return http_problem(resp, 401, NULL, why, NULL);
}

/* The handler of a route flagged HTTP_IDEMPOTENT: Idempotency-Key around the real handler. */
static int callback_idempotent(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct route_entry *route = user_data;
    return idempotency_run(req, resp, route->app, route->handler);
}

static struct route_entry *remember(struct route_table *table, const struct app *app, const char *method,
                                    const char *path, unsigned flags, http_handler handler)
{
    if (table->n == table->cap) {
        size_t cap = table->cap ? table->cap * 2 : 64;
        struct route_entry **grown = realloc(table->entries, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        table->entries = grown;
        table->cap = cap;
    }
    struct route_entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->method = strdup(method)) || !(e->path = strdup(path))) {
        if (e)
            free(e->method);
        free(e);
        return NULL;
    }
    e->flags = flags;
    e->app = app;
    e->handler = handler;
    table->entries[table->n++] = e;
    return e;
}

int http_route(struct _u_instance *instance, const struct app *app, const char *method, const char *path,
               unsigned flags, http_handler handler)
{
    struct route_entry *e = remember(app->routes, app, method, path, flags, handler);
    size_t import_cap = app->config->max_import_bytes + 1; /* one more byte tells us it was too large */
    if ((flags & HTTP_IMPORT) && instance->max_post_body_size < import_cap)
        instance->max_post_body_size = import_cap; /* Ulfius would truncate a larger body silently */
    int idempotent = (flags & HTTP_IDEMPOTENT) != 0;
    if (!e ||
        ulfius_add_endpoint_by_val(instance, method, NULL, path, HTTP_PRIORITY_LIMITS, callback_limits, e) !=
            U_OK ||
        ulfius_add_endpoint_by_val(instance, method, NULL, path, HTTP_PRIORITY_AUTH, callback_auth, e) != U_OK ||
        ulfius_add_endpoint_by_val(instance, method, NULL, path, HTTP_PRIORITY_APP,
                                   idempotent ? callback_idempotent : handler,
                                   idempotent ? (void *)e : (void *)app) != U_OK) {
        log_msg(LOG_ERROR, "could not register %s %s", method, path);
        return -1;
    }
    return 0;
}

/* True when a concrete path (no query) matches a route pattern segment by segment. */
static int path_matches(const char *pattern, const char *path)
{
    while (*pattern == '/' && *path == '/') {
        pattern++;
        path++;
        size_t pl = strcspn(pattern, "/"), ul = strcspn(path, "/");
        int variable = *pattern == ':' || *pattern == '@';
        if (ul == 0 || (!variable && (pl != ul || strncmp(pattern, path, pl) != 0)))
            return 0;
        pattern += pl;
        path += ul;
    }
    if (*path == '/' && path[1] == '\0')
        path++; /* a trailing slash is tolerated, as Ulfius does */
    return *pattern == '\0' && *path == '\0';
}

static int callback_default(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    http_ctx_attach(resp, "(unmatched)", req->http_verb);
    char allow[128] = "";
    for (size_t i = 0; i < app->routes->n; i++) {
        const struct route_entry *e = app->routes->entries[i];
        if (!path_matches(e->path, req->url_path) || strstr(allow, e->method))
            continue;
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof(allow) - used, "%s%s", used ? ", " : "", e->method);
    }
    if (*allow) {
        u_map_put(resp->map_header, "Allow", allow);
        char detail[192];
        snprintf(detail, sizeof(detail), "%s is not allowed here; allowed: %s", req->http_verb, allow);
        return http_problem(resp, 405, NULL, detail, NULL);
    }
    return http_problem(resp, 404, NULL, "no such resource", NULL);
}

int http_install_default(struct _u_instance *instance, const struct app *app)
{
    return ulfius_set_default_endpoint(instance, callback_default, (void *)app) == U_OK ? 0 : -1;
}

struct route_table *http_routes_new(void)
{
    return calloc(1, sizeof(struct route_table));
}

void http_routes_free(struct route_table *table)
{
    if (!table)
        return;
    for (size_t i = 0; i < table->n; i++) {
        free(table->entries[i]->method);
        free(table->entries[i]->path);
        free(table->entries[i]);
    }
    free(table->entries);
    free(table);
}

void http_routes_print(const struct route_table *table, FILE *out)
{
    for (size_t i = 0; i < table->n; i++)
        fprintf(out, "%s %s\n", table->entries[i]->method, table->entries[i]->path);
}
