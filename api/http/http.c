/* http.c — route registration with limits and auth in front, the request context, problem+json. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "config.h"
#include "cursor.h"
#include "log.h"
#include "metrics.h"
#include "wire.h"

/* ---- request context ---------------------------------------------------------------------------- */

/* Frees a request's context once it is answered: counts it for the metrics and logs its access line. */
static void ctx_free(void *data)
{
    struct request_ctx *ctx = data;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - ctx->started.tv_sec) * 1e3 + (double)(now.tv_nsec - ctx->started.tv_nsec) / 1e6;
    metrics_observe(ctx->stats, ctx->status, ms / 1e3);
    log_request(ctx->request_id, ctx->method, ctx->route, ctx->status, ms,
                ctx->authenticated ? auth_primary_role(&ctx->principal) : NULL);
    free(ctx);
}

/* A request id: 64 random-looking bits from a per-thread xorshift64* seeded once from getrandom (a
 * syscall per request cost more than the id is worth; ids need to be unique, not secret). */
static uint64_t next_request_id(void)
{
    static _Thread_local uint64_t state;
    if (state == 0 && getrandom(&state, sizeof(state), 0) != (ssize_t)sizeof(state))
        state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&state;
    state |= 1;
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
}

/* Writes `id` as 16 lowercase hex digits and a NUL (what "%016llx" writes, without printf's cost). */
static void format_request_id(char out[17], uint64_t id)
{
    static const char HEX[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, id >>= 4)
        out[i] = HEX[id & 0xf];
    out[16] = '\0';
}

struct request_ctx *http_ctx_attach(struct _u_response *resp, const char *route, const char *method)
{
    if (resp->shared_data)
        return resp->shared_data;
    struct request_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    format_request_id(ctx->request_id, next_request_id());
    clock_gettime(CLOCK_MONOTONIC, &ctx->started);
    ctx->route = route;
    ctx->method = method;
    ctx->status = 500;
    resp->shared_data = ctx;
    resp->free_shared_data = ctx_free;
    u_map_put(resp->map_header, "X-Request-Id", ctx->request_id);
    return ctx;
}

struct request_ctx *http_ctx(struct _u_response *resp)
{
    return resp->shared_data;
}

const struct principal *http_principal(struct _u_response *resp)
{
    struct request_ctx *ctx = resp->shared_data;
    return ctx && ctx->authenticated ? &ctx->principal : NULL;
}

static void note_status(struct _u_response *resp, long status)
{
    struct request_ctx *ctx = resp->shared_data;
    if (ctx)
        ctx->status = status;
}

/* ---- responses ---------------------------------------------------------------------------------- */

static const struct {
    long status;
    const char *slug;
    const char *title;
} PROBLEM_KINDS[] = {
    {400, "bad-request", "Bad request"},
    {401, "unauthorized", "Unauthorized"},
    {403, "forbidden", "Forbidden"},
    {404, "not-found", "Not found"},
    {405, "method-not-allowed", "Method not allowed"},
    {409, "conflict", "Conflict"},
    {412, "precondition-failed", "Precondition failed"},
    {413, "payload-too-large", "Payload too large"},
    {414, "uri-too-long", "URI too long"},
    {415, "unsupported-media-type", "Unsupported media type"},
    {422, "validation-error", "Unprocessable content"},
    {429, "too-many-requests", "Too many requests"},
    {431, "header-fields-too-large", "Request header fields too large"},
    {503, "unavailable", "Service unavailable"},
    {500, "internal-error", "Internal server error"},
};

static void send_body(struct _u_response *resp, long status, const char *content_type, char *text)
{
    if (!text) {
        ulfius_set_string_body_response(resp, 500, "");
        note_status(resp, 500);
        return;
    }
    /* the text becomes the body as it is (ulfius_set_binary_body_response would copy it: a report's
     * megabytes twice at its peak); the response frees it */
    ulfius_set_empty_body_response(resp, (unsigned int)status);
    resp->binary_body = text;
    resp->binary_body_length = strlen(text);
    u_map_put(resp->map_header, "Content-Type", content_type);
    note_status(resp, status);
}

/* The problem document for `status` (new reference, NULL when out of memory); steals `errors`. */
static json_t *problem_body(long status, const char *title, const char *detail, json_t *errors)
{
    const char *slug = "internal-error";
    const char *default_title = "Error";
    for (size_t i = 0; i < sizeof(PROBLEM_KINDS) / sizeof(PROBLEM_KINDS[0]); i++)
        if (PROBLEM_KINDS[i].status == status) {
            slug = PROBLEM_KINDS[i].slug;
            default_title = PROBLEM_KINDS[i].title;
        }
    char type[96];
    snprintf(type, sizeof(type), "/problems/%s", slug);
    json_t *body = json_pack("{s:s, s:s, s:I}", "type", type, "title", title ? title : default_title, "status",
                             (json_int_t)status);
    if (body && detail)
        json_object_set_new(body, "detail", json_string(detail));
    if (body && errors)
        json_object_set(body, "errors", errors);
    json_decref(errors);
    return body;
}

/* Sends a problem document (steals `body`; NULL answers 500). */
static int send_problem(struct _u_response *resp, long status, json_t *body)
{
    send_body(resp, status, "application/problem+json", body ? json_dumps(body, JSON_COMPACT) : NULL);
    json_decref(body);
    return U_CALLBACK_COMPLETE;
}

int http_problem(struct _u_response *resp, long status, const char *title, const char *detail, json_t *errors)
{
    return send_problem(resp, status, problem_body(status, title, detail, errors));
}

int http_problem_counted(struct _u_response *resp, long status, const char *detail, json_t *errors, size_t count)
{
    json_t *body = problem_body(status, NULL, detail, errors);
    if (body)
        json_object_set_new(body, "error_count", json_integer((json_int_t)count));
    return send_problem(resp, status, body);
}

int http_problem_field(struct _u_response *resp, long status, const char *field, const char *message)
{
    json_t *errors = json_pack("[{s:s, s:s}]", "field", field, "message", message);
    return http_problem(resp, status, NULL, message, errors);
}

long http_status_of(enum app_status status)
{
    switch (status) {
    case APP_OK:
        return 200;
    case APP_NOT_FOUND:
        return 404;
    case APP_FORBIDDEN:
        return 403;
    case APP_CONFLICT:
        return 409;
    case APP_INVALID:
        return 422;
    case APP_PRECONDITION_FAILED:
        return 412;
    case APP_UNAVAILABLE:
        return 503;
    case APP_DB:
    case APP_NOMEM:
        break;
    }
    return 500;
}

/* The one mapping of an app_status to its problem (http.h). */
int http_problem_of(struct _u_response *resp, enum app_status status, const char *detail, const char *field,
                    const char *field_message)
{
    long code = http_status_of(status);
    if (code == 503) {
        u_map_put(resp->map_header, "Retry-After", "1");
        detail = detail ? detail : "the database is unavailable; try again shortly";
    }
    if (code == 500)
        detail = NULL; /* the cause is logged, never returned */
    json_t *errors = field && *field && (status == APP_INVALID || status == APP_CONFLICT)
                         ? json_pack("[{s:s, s:s?}]", "field", field, "message", field_message)
                         : NULL;
    return http_problem(resp, code, NULL, detail, errors);
}

/* http_problem_of without a field. */
int http_problem_for(struct _u_response *resp, enum app_status status, const char *detail)
{
    return http_problem_of(resp, status, detail, NULL, NULL);
}

int http_json(struct _u_response *resp, long status, json_t *body)
{
    if (!body)
        return http_problem_for(resp, APP_NOMEM, NULL);
    send_body(resp, status, "application/json", json_dumps(body, JSON_COMPACT));
    json_decref(body);
    return U_CALLBACK_COMPLETE;
}

int http_json_text(struct _u_response *resp, long status, char *text)
{
    if (!text)
        return http_problem_for(resp, APP_NOMEM, NULL);
    send_body(resp, status, "application/json", text);
    return U_CALLBACK_COMPLETE;
}

/* The column a constraint named "<table>_<column>_<suffix>" is about, or "" when it does not say. */
static void constraint_field(const struct db_error *err, const char *table, char *out, size_t size)
{
    static const char *const suffixes[] = {"_fkey", "_check", "_key", "_pkey", "_excl"};
    size_t tl = strlen(table);
    const char *name = err->constraint;
    snprintf(out, size, "%s", err->column);
    if (*out || strncmp(name, table, tl) != 0 || name[tl] != '_')
        return;
    snprintf(out, size, "%s", name + tl + 1);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t n = strlen(out), sl = strlen(suffixes[i]);
        if (n > sl && strcmp(out + n - sl, suffixes[i]) == 0) {
            out[n - sl] = '\0';
            return;
        }
    }
}

int http_problem_db(struct _u_response *resp, enum app_status status, const struct db_error *err, const char *table)
{
    if (status != APP_CONFLICT && status != APP_INVALID)
        return http_problem_for(resp, status, NULL);
    char field[64];
    constraint_field(err, table, field, sizeof(field));
    const char *message = status == APP_CONFLICT                ? "conflicts with an existing record"
                          : strcmp(err->sqlstate, "23503") == 0 ? "refers to a record that does not exist"
                                                                : "is not an accepted value";
    char detail[160];
    snprintf(detail, sizeof(detail), "%s%s%s", field, *field ? " " : "", message);
    return http_problem_of(resp, status, detail, field, message);
}

/* The Content-Security-Policy of an HTML page (GET /docs): its own script and the Redoc bundle's
 * injected styles, fonts and images, nothing from elsewhere, never framed. */
static const char PAGE_CSP[] = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                               "worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'";
/* Everything else is data, never a document: nothing may load from it and nothing may frame it. */
static const char DATA_CSP[] = "default-src 'none'; frame-ancestors 'none'";

void http_security_headers(struct _u_response *resp)
{
    const struct request_ctx *ctx = resp->shared_data;
    const char *type = u_map_get_case(resp->map_header, "Content-Type");
    int public_route = ctx && ctx->route_entry && http_route_is_public(ctx->route_entry);
    u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
    u_map_put(resp->map_header, "Referrer-Policy", "no-referrer"); /* a feed's secret URL never leaks onward */
    u_map_put(resp->map_header, "Content-Security-Policy",
              type && strncasecmp(type, "text/html", 9) == 0 ? PAGE_CSP : DATA_CSP);
    if (!public_route && !u_map_get_case(resp->map_header, "Cache-Control"))
        u_map_put(resp->map_header, "Cache-Control", "no-store");
}

/* ---- request accessors -------------------------------------------------------------------------- */

const char *http_query(const struct _u_request *req, const char *name)
{
    return u_map_get(req->map_url, name);
}

const char *http_path_param(const struct _u_request *req, const char *name)
{
    return u_map_get(req->map_url, name);
}

const char *http_header(const struct _u_request *req, const char *name)
{
    return u_map_get_case(req->map_header, name);
}

/* True when `value` is `type` optionally followed by parameters (";charset=utf-8"). */
static int media_type_is(const char *value, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(value, type, n) != 0)
        return 0;
    return value[n] == '\0' || value[n] == ';' || value[n] == ' ';
}

json_t *http_body_object(const struct _u_request *req, struct _u_response *resp, int allow_merge_patch)
{
    const char *type = http_header(req, "Content-Type");
    if (!type || !(media_type_is(type, "application/json") ||
                   (allow_merge_patch && media_type_is(type, "application/merge-patch+json")))) {
        http_problem(resp, 415, NULL,
                     allow_merge_patch ? "send the body as application/json or application/merge-patch+json"
                                       : "send the body as application/json",
                     NULL);
        return NULL;
    }
    json_error_t err;
    json_t *body =
        json_loadb(req->binary_body ? req->binary_body : "", req->binary_body_length, JSON_REJECT_DUPLICATES, &err);
    if (!body) {
        char detail[256];
        snprintf(detail, sizeof(detail), "malformed JSON at line %d, column %d: %s", err.line, err.column, err.text);
        http_problem(resp, 400, NULL, detail, NULL);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        http_problem(resp, 400, NULL, "the body must be a JSON object", NULL);
        return NULL;
    }
    return body;
}

/* ---- pagination --------------------------------------------------------------------------------- */

json_t *http_cursor_encode(const char *key)
{
    if (!key)
        return json_null();
    char *text = cursor_encode(key);
    json_t *s = text ? json_string(text) : NULL;
    free(text);
    return s;
}

char *http_cursor_text(const char *key)
{
    json_t *cursor = http_cursor_encode(key);
    char *text = cursor ? json_dumps(cursor, JSON_ENCODE_ANY) : NULL;
    json_decref(cursor);
    return text;
}

char *http_cursor_decode(const char *cursor)
{
    return cursor_decode(cursor);
}

int http_page(const struct _u_request *req, struct _u_response *resp, struct page *out)
{
    out->limit = 50;
    out->after = NULL;
    const char *limit = http_query(req, "limit");
    if (limit) {
        long v = 0;
        if (wire_whole_number(limit, 1, 1000, &v) != 0) {
            http_problem_field(resp, 400, "limit", "limit must be a whole number from 1 to 1000");
            return -1;
        }
        out->limit = (int)v;
    }
    const char *cursor = http_query(req, "cursor");
    if (cursor && !(out->after = cursor_decode(cursor))) {
        http_problem_field(resp, 400, "cursor", "cursor is not one this service issued");
        return -1;
    }
    return 0;
}

void http_page_free(struct page *page)
{
    free(page->after);
    page->after = NULL;
}

/* ---- ETags -------------------------------------------------------------------------------------- */

void http_set_etag(struct _u_response *resp, const char *version)
{
    char etag[48];
    snprintf(etag, sizeof(etag), "\"%s\"", version);
    u_map_put(resp->map_header, "ETag", etag);
}

int http_check_if_match(const struct _u_request *req, struct _u_response *resp, const char *version)
{
    int allowed = wire_if_match(http_header(req, "If-Match"), version);
    if (allowed == 1)
        return 0;
    if (allowed < 0)
        http_problem_field(resp, 400, "If-Match", "must be * or a list of entity tags such as \"3\"");
    else
        http_problem(resp, 412, NULL,
                     version ? "the record changed since you read it (If-Match does not match its ETag)"
                             : "If-Match was given but the record does not exist",
                     NULL);
    return -1;
}
