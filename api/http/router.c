/* router.c — the request pipeline, in two steps the server (server.c) runs around the body:
 *   before the body, from the request line and headers alone: refuse ambiguous framing (two
 *                Content-Length, Content-Length with Transfer-Encoding: 400), a target that is not
 *                text (400), find the route in our table (404, or 405 with Allow), verify the bearer
 *                token unless the route is public (401) and refuse a declared length over the route's
 *                limit (413) — so nothing is read, and no 100 Continue sent, for a request refused;
 *   after the body: 413 when a chunked body ran over the limit, else put the route's path variables in
 *                the request's URL map and run its handler (inside the Idempotency-Key wrapper when it
 *                is flagged so).
 *
 * Why our own routing rather than one Ulfius endpoint per route: Ulfius matches a request by splitting
 * and comparing the URL of every registered endpoint, and that matching was 41% of the instructions of
 * GET /students/{n} with three endpoints per route, still 36% with one (callgrind). The lookup below
 * compares segments in place and allocates nothing. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "cors.h"
#include "csv.h"
#include "http.h"
#include "idempotency.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "server.h"

struct route_entry {
    char *method;
    char *path;
    size_t lead_len;   /* the length of the path's first segment ("students" of /students/@n) */
    int lead_variable; /* the first segment is a variable: any first segment may match */
    unsigned flags;
    http_handler handler;
    http_replayer replayer;   /* NULL: an idempotent replay sends the stored response */
    struct route_stats stats; /* its requests, for GET /metrics */
};

struct route_table {
    struct route_entry **entries;
    size_t n, cap;
    struct route_stats unmatched; /* requests no route matched */
};

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

/* True when the route's first segment may be the path's, whose first segment is `lead` (n bytes): a
 * comparison of lengths and bytes that settles most of the table before path_matches walks a pattern
 * (the walk of all ~100 routes was 2.5% of tutord's CPU on GET /students/{n}). */
static int lead_may_match(const struct route_entry *e, const char *lead, size_t n)
{
    return e->lead_variable || (e->lead_len == n && memcmp(e->path + 1, lead, n) == 0);
}

/* The route for METHOD + path, or NULL; `allow` (size bytes) collects the methods the path has. */
static struct route_entry *find_route(const struct route_table *table, const char *method, const char *path,
                                      char *allow, size_t size)
{
    *allow = '\0';
    const char *lead = *path == '/' ? path + 1 : path;
    size_t lead_len = strcspn(lead, "/");
    for (size_t i = 0; i < table->n; i++) {
        struct route_entry *e = table->entries[i];
        if (!lead_may_match(e, lead, lead_len) || !path_matches(e->path, path))
            continue;
        if (strcmp(e->method, method) == 0)
            return e;
        if (!strstr(allow, e->method)) {
            size_t used = strlen(allow);
            snprintf(allow + used, size - used, "%s%s", used ? ", " : "", e->method);
        }
    }
    return NULL;
}

/* 405 with Allow when the path exists under other methods, otherwise 404. */
static int answer_unmatched(const struct _u_request *req, struct _u_response *resp, const char *allow)
{
    if (*allow) {
        u_map_put(resp->map_header, "Allow", allow);
        char detail[192];
        snprintf(detail, sizeof(detail), "%s is not allowed here; allowed: %s", req->http_verb, allow);
        return http_problem(resp, 405, NULL, detail, NULL);
    }
    return http_problem(resp, 404, NULL, "no such resource", NULL);
}

/* The value of a hex digit, or -1. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes n bytes of src into dst (size bytes, NUL-terminated); a malformed escape is kept as
 * is. Returns the decoded length, which counts any NUL byte an escape made. */
static size_t percent_decode(char *dst, size_t size, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        int hi = src[i] == '%' && i + 2 < n ? hex_value(src[i + 1]) : -1;
        int lo = hi >= 0 ? hex_value(src[i + 2]) : -1;
        if (lo >= 0) {
            dst[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dst[o++] = src[i];
        }
    }
    dst[o] = '\0';
    return o;
}

/* True when the request target as sent (path and query) percent-decodes to UTF-8 text without a NUL.
 * A %00 would cut a path variable short (/students/S1%00x read as S1) and a query value that is not
 * text is dropped by the query parser (?school=LAW%FF lost its filter), so both are refused (400)
 * before any route sees them. Separators are ASCII, so checking the whole target checks each part. */
static int target_is_text(const char *target)
{
    size_t n = strlen(target);
    char *buf = malloc(n + 1);
    if (!buf)
        return 0;
    size_t len = percent_decode(buf, n + 1, target, n);
    int ok = csv_text_error_line(buf, len) == 0;
    free(buf);
    return ok;
}

/* Puts each "@name" segment of the pattern, with the path's (decoded) segment, into `map`. The path
 * is known to match the pattern. Returns 0, or -1 when out of memory. */
static int put_path_variables(const char *pattern, const char *path, struct _u_map *map)
{
    while (*pattern == '/' && *path == '/') {
        pattern++;
        path++;
        size_t pl = strcspn(pattern, "/"), ul = strcspn(path, "/");
        if (*pattern == '@') {
            char name[64], value[512];
            snprintf(name, sizeof(name), "%.*s", (int)(pl - 1), pattern + 1);
            percent_decode(value, sizeof(value), path, ul);
            if (u_map_put(map, name, value) != U_OK)
                return -1;
        }
        pattern += pl;
        path += ul;
    }
    return 0;
}

/* The declared Content-Length, strictly: one header holding only digits. Returns 0 and sets *out (0
 * when there is none), or -1 for two headers (the map joins repeats with ',') or anything else. */
static int declared_length(const struct _u_request *req, unsigned long long *out)
{
    const char *length = u_map_get_case(req->map_header, "Content-Length");
    *out = 0;
    if (!length)
        return 0;
    size_t n = strlen(length);
    if (n == 0 || n > 19 || strspn(length, "0123456789") != n)
        return -1;
    *out = strtoull(length, NULL, 10);
    return 0;
}

/* Refuses what could make two servers read two different messages (RFC 9112 §6.3): Content-Length
 * given twice or not a plain number, Content-Length together with Transfer-Encoding, or a transfer
 * coding other than chunked. Returns 0, or the 400 (and the connection closes after it). */
static int refuse_framing(const struct _u_request *req, struct _u_response *resp, unsigned long long *length)
{
    const char *te = u_map_get_case(req->map_header, "Transfer-Encoding");
    const char *why = declared_length(req, length) != 0 ? "Content-Length must be given once, as a whole number"
                      : te && u_map_get_case(req->map_header, "Content-Length")
                          ? "Content-Length and Transfer-Encoding must not be sent together"
                      : te && strcasecmp(te, "chunked") != 0 ? "the only transfer coding accepted is chunked"
                                                             : NULL;
    if (!why)
        return 0;
    u_map_put(resp->map_header, "Connection", "close");
    return http_problem(resp, 400, NULL, why, NULL);
}

/* Sizes over which the target (414) and the header fields (431) are refused as problem+json, below
 * libmicrohttpd's own per-connection memory (server.c: CONNECTION_MEMORY), so that the library's fixed
 * answers for the same faults are reached only by requests larger still. The count of fields is Apache's
 * default (LimitRequestFields): a field costs libmicrohttpd some 60 bytes of that memory besides its text,
 * and 16 KB of fields in 300 lines did not fit 32 KiB. */
#define MAX_TARGET_BYTES 8192
#define MAX_HEADER_BYTES 16384
#define MAX_HEADER_FIELDS 100

/* 414 for a target over MAX_TARGET_BYTES, 431 for header fields over MAX_HEADER_BYTES or more of them
 * than MAX_HEADER_FIELDS; else 0. */
static int refuse_oversized(const struct _u_request *req, size_t fields, struct _u_response *resp)
{
    size_t headers = 0;
    const char **keys = u_map_enum_keys(req->map_header);
    for (size_t i = 0; keys && keys[i]; i++)
        headers += strlen(keys[i]) + strlen(u_map_get(req->map_header, keys[i])) + 4; /* ": " and CRLF */
    if (strlen(req->http_url) > MAX_TARGET_BYTES)
        return http_problem(resp, 414, NULL, "the path and query are longer than 8192 bytes", NULL);
    if (headers > MAX_HEADER_BYTES)
        return http_problem(resp, 431, NULL, "the request's header fields are larger than 16384 bytes", NULL);
    if (fields > MAX_HEADER_FIELDS)
        return http_problem(resp, 431, NULL, "the request has more than 100 header fields", NULL);
    return 0;
}

/* Verifies the bearer token unless the route is public: 0, or the 401 answered. */
static int check_auth(const struct app *app, const struct _u_request *req, struct _u_response *resp,
                      struct request_ctx *ctx)
{
    if (ctx->route_entry->flags & HTTP_PUBLIC)
        return 0;
    const char *header = http_header(req, "Authorization");
    const char *why = "a bearer token is required";
    if (header && auth_verify(app->auth, header, time(NULL), &ctx->principal, &why) == 0) {
        ctx->authenticated = 1;
        return 0;
    }
    u_map_put(resp->map_header, "WWW-Authenticate", header ? "Bearer error=\"invalid_token\"" : "Bearer");
    return http_problem(resp, 401, NULL, why, NULL);
}

/* The route's class for the rate limits: heavy when flagged, reads for GET and HEAD, else writes. */
static enum rate_class class_of(const struct route_entry *route)
{
    if (route->flags & HTTP_HEAVY)
        return RATE_HEAVY;
    return strcmp(route->method, "GET") == 0 || strcmp(route->method, "HEAD") == 0 ? RATE_READS : RATE_WRITES;
}

/* Appends `text` to the header `name` as one more list member (", "-separated). */
static void append_header(struct _u_response *resp, const char *name, const char *text)
{
    const char *had = u_map_get(resp->map_header, name);
    char joined[256];
    snprintf(joined, sizeof(joined), "%s%s%s", had ? had : "", had ? ", " : "", text);
    u_map_put(resp->map_header, name, joined);
}

/* Counts the request against one quota (by sub or by client address) of the route's class and states
 * the policy and what remains (RateLimit-Policy and RateLimit, draft-ietf-httpapi-ratelimit-headers).
 * Returns 0, or the 429 with Retry-After answered when the quota is used up. */
static int check_rate(const struct app *app, const struct route_entry *route, enum rate_scope scope, const char *key,
                      struct _u_response *resp)
{
    struct rate_result r;
    enum rate_class class = class_of(route);
    rate_limiter_hit(app->limiter, scope, class, key, time(NULL), &r);
    if (!r.limited)
        return 0;
    const char *by = scope == RATE_BY_SUB ? "sub" : "address";
    char text[96];
    snprintf(text, sizeof(text), "\"%s-%s\";q=%d;w=%d", by, rate_class_name(class), r.quota, r.window_s);
    append_header(resp, "RateLimit-Policy", text);
    snprintf(text, sizeof(text), "\"%s-%s\";r=%d;t=%d", by, rate_class_name(class), r.remaining, r.reset_s);
    append_header(resp, "RateLimit", text);
    if (r.allowed)
        return 0;
    snprintf(text, sizeof(text), "%d", r.reset_s > 0 ? r.reset_s : 1);
    u_map_put(resp->map_header, "Retry-After", text);
    char detail[256];
    snprintf(detail, sizeof(detail), "more than %d %s requests in %d s from this %s; retry after %s s", r.quota,
             rate_class_name(class), r.window_s, scope == RATE_BY_SUB ? "principal" : "client address", text);
    return http_problem(resp, 429, NULL, detail, NULL);
}

/* The client's address as text ("127.0.0.1"), or "" when unknown. */
static void client_address(const struct _u_request *req, char *out, size_t size)
{
    const struct sockaddr *sa = req->client_address;
    *out = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

/* The rate limits of a route that needs a token: per client address before the token is verified (a
 * flood of bad tokens is counted too), per principal after. Returns 0, or the answer (401 or 429). */
static int check_caller(const struct app *app, const struct _u_request *req, struct _u_response *resp,
                        struct request_ctx *ctx)
{
    const struct route_entry *route = ctx->route_entry;
    if (route->flags & HTTP_PUBLIC)
        return 0;
    char address[64];
    client_address(req, address, sizeof(address));
    if ((*address && check_rate(app, route, RATE_BY_ADDRESS, address, resp) != 0) ||
        check_auth(app, req, resp, ctx) != 0)
        return -1;
    return check_rate(app, route, RATE_BY_SUB, ctx->principal.sub, resp);
}

/* The 413 for a body over `limit`. */
static int answer_too_large(struct _u_response *resp, size_t limit)
{
    char detail[96];
    snprintf(detail, sizeof(detail), "the body is larger than the limit of %zu bytes", limit);
    u_map_put(resp->map_header, "Connection", "close");
    return http_problem(resp, 413, NULL, detail, NULL);
}

/* The 503 for a request that arrives while the server drains before stopping (server.h): the
 * connection closes after it, and a load balancer's health check sees the instance leave. */
static int answer_draining(struct _u_response *resp)
{
    u_map_put(resp->map_header, "Connection", "close");
    u_map_put(resp->map_header, "Retry-After", "1");
    return http_problem(resp, 503, NULL, "draining: this instance is shutting down; retry on another", NULL);
}

int http_before_body(const struct app *app, const struct _u_request *req, size_t header_fields,
                     struct _u_response *resp, size_t *limit)
{
    char allow[128];
    struct route_entry *route = find_route(app->routes, req->http_verb, req->url_path, allow, sizeof(allow));
    struct request_ctx *ctx = http_ctx_attach(resp, route ? route->path : "(unmatched)", req->http_verb);
    unsigned long long length = 0;
    *limit = app->config->max_body_bytes;
    if (!ctx)
        return http_problem_for(resp, APP_NOMEM, NULL);
    ctx->stats = route ? &route->stats : &app->routes->unmatched;
    if (server_draining())
        return answer_draining(resp);
    if (refuse_framing(req, resp, &length) != 0 || refuse_oversized(req, header_fields, resp) != 0)
        return U_CALLBACK_COMPLETE;
    if (!target_is_text(req->http_url))
        return http_problem(resp, 400, NULL, "the path and query must be UTF-8 text without NUL (%00)", NULL);
    if (cors_preflight(app->config, req, resp, allow)) {
        ctx->status = resp->status;
        return U_CALLBACK_COMPLETE;
    }
    cors_headers(app->config, req, resp);
    if (!route)
        return answer_unmatched(req, resp, allow);
    ctx->route_entry = route;
    if (route->flags & HTTP_IMPORT)
        *limit = app->config->max_import_bytes;
    if (check_caller(app, req, resp, ctx) != 0)
        return U_CALLBACK_COMPLETE;
    if (length > *limit)
        return answer_too_large(resp, *limit);
    return U_CALLBACK_IGNORE;
}

int http_after_body(const struct app *app, const struct _u_request *req, struct _u_response *resp, size_t limit)
{
    const struct route_entry *route = http_ctx(resp)->route_entry;
    if (req->binary_body_length > limit)
        return answer_too_large(resp, limit);
    if (put_path_variables(route->path, req->url_path, req->map_url) != 0)
        return http_problem_for(resp, APP_NOMEM, NULL);
    if (route->flags & HTTP_IDEMPOTENT)
        return idempotency_run(req, resp, app, route->handler, route->replayer);
    return route->handler(req, resp, (void *)app);
}

static struct route_entry *remember(struct route_table *table, const char *method, const char *path, unsigned flags,
                                    http_handler handler)
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
    const char *lead = *path == '/' ? path + 1 : path;
    e->lead_len = strcspn(lead, "/");
    e->lead_variable = *lead == ':' || *lead == '@' || *path != '/';
    e->flags = flags;
    e->handler = handler;
    table->entries[table->n++] = e;
    return e;
}

int http_route(struct _u_instance *instance, const struct app *app, const char *method, const char *path,
               unsigned flags, http_handler handler)
{
    if (!remember(app->routes, method, path, flags, handler)) {
        log_msg(LOG_ERROR, "could not register %s %s", method, path);
        return -1;
    }
    (void)instance; /* routes live in our table; the instance only carries them through registration */
    return 0;
}

int http_route_replayed(struct _u_instance *instance, const struct app *app, const char *method, const char *path,
                        unsigned flags, http_handler handler, http_replayer replayer)
{
    struct route_entry *e = remember(app->routes, method, path, flags | HTTP_IDEMPOTENT, handler);
    if (!e) {
        log_msg(LOG_ERROR, "could not register %s %s", method, path);
        return -1;
    }
    e->replayer = replayer;
    (void)instance;
    return 0;
}

int http_route_is_public(const struct route_entry *route)
{
    return (route->flags & HTTP_PUBLIC) != 0;
}

int http_route_is_heavy(const struct route_entry *route)
{
    return (route->flags & HTTP_HEAVY) != 0;
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

void http_routes_stats(struct route_table *table, http_stats_visitor visit, void *arg)
{
    for (size_t i = 0; i < table->n; i++)
        visit(arg, table->entries[i]->method, table->entries[i]->path, &table->entries[i]->stats);
    visit(arg, NULL, "(unmatched)", &table->unmatched);
}

void http_routes_print(const struct route_table *table, FILE *out)
{
    for (size_t i = 0; i < table->n; i++)
        fprintf(out, "%s %s\n", table->entries[i]->method, table->entries[i]->path);
}
