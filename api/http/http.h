/* http.h — the HTTP layer every route module uses: route registration (limits → auth → handler),
 * the request context, problem+json errors, JSON bodies in and out, pagination and ETags. */
#ifndef TUTORD_HTTP_H
#define TUTORD_HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>
#include <ulfius.h>

#include "app.h"
#include "auth.h"
#include "db.h"

/* Route flags. */
enum {
    HTTP_PUBLIC = 1u << 0,     /* no token needed (health, the contract) */
    HTTP_IDEMPOTENT = 1u << 1, /* a creating POST: honours Idempotency-Key (idempotency.h) */
    HTTP_IMPORT = 1u << 2,     /* a bulk upload: body limit max_import_bytes instead of max_body_bytes */
    HTTP_HEAVY = 1u << 3,      /* heavy work (reports, school compliance, imports, auto-allocation): runs in the
                                  heavy pool (server.c) and counts against the "heavy" rate limits */
};

typedef int (*http_handler)(const struct _u_request *, struct _u_response *, void *);

/* Answers a replayed creating POST from the id of what the first request created (idempotency.h):
 * re-reads the record with the caller's rights now. Gets `app` as user data. */
typedef int (*http_replayer)(const struct _u_request *, struct _u_response *, void *, const char *id);

struct route_entry;
struct route_stats;

/* Per-request state, kept in the response's shared data from the first callback to the last. */
struct request_ctx {
    char request_id[17];
    struct timespec started;
    const char *route;                     /* the matched route pattern, for logs (no personal data) */
    const struct route_entry *route_entry; /* the matched route (router.c) */
    const char *method;
    long status; /* the status the response was given */
    int authenticated;
    struct principal principal;
    struct route_stats *stats; /* where the request is counted when answered (metrics.h); NULL: nowhere */
};

struct route_table;

/* Creates an empty route table; NULL on allocation failure. Free with http_routes_free. */
struct route_table *http_routes_new(void);
void http_routes_free(struct route_table *table);

/* Registers `handler` for METHOD + PATH ("/students/@student_number": "@name" is a variable, read with
 * http_path_param) in the route table the pipeline dispatches from; `handler` gets `app` as user data
 * (and runs inside the Idempotency-Key wrapper when flagged HTTP_IDEMPOTENT). Returns 0, or -1 (logged). */
int http_route(struct _u_instance *instance, const struct app *app, const char *method, const char *path,
               unsigned flags, http_handler handler);

/* As http_route with HTTP_IDEMPOTENT, for a creating POST whose response must not be kept in the key
 * store (a note's text): only the created record's id is kept, and a replay runs `replayer` on it. */
int http_route_replayed(struct _u_instance *instance, const struct app *app, const char *method, const char *path,
                        unsigned flags, http_handler handler, http_replayer replayer);

/* The pipeline's first step, run once the request line and headers are in and before any of the body
 * is read: framing (400 for Content-Length twice or with Transfer-Encoding), sizes (414 for the target,
 * 431 for the header fields: their bytes, or `header_fields`, how many the request carried, a repeated
 * name counted each time), a target that is not UTF-8 text (400), the route (404, or 405 with Allow), the
 * bearer token unless the route is public (401) and the declared length against the route's limit (413).
 * Sets *limit to the route's body limit. Returns U_CALLBACK_IGNORE to read the body, or
 * U_CALLBACK_COMPLETE with `resp` answered (problem+json). */
int http_before_body(const struct app *app, const struct _u_request *req, size_t header_fields,
                     struct _u_response *resp, size_t *limit);

/* The second step, once the body is in (at most limit + 1 bytes kept): 413 when it ran over `limit`,
 * else the route's handler. Returns U_CALLBACK_COMPLETE. Call only after http_before_body returned
 * U_CALLBACK_IGNORE for this request. */
int http_after_body(const struct app *app, const struct _u_request *req, struct _u_response *resp, size_t limit);

/* True when the route needs no token (HTTP_PUBLIC). */
int http_route_is_public(const struct route_entry *route);

/* True when the route is flagged HTTP_HEAVY. */
int http_route_is_heavy(const struct route_entry *route);

/* Adds the headers every response carries: X-Content-Type-Options: nosniff; Referrer-Policy:
 * no-referrer; a Content-Security-Policy
 * (a strict one for data, one that lets an HTML page run its own script and styles); and, unless the
 * route is public or the handler chose otherwise, Cache-Control: no-store — what a token unlocks is
 * personal data, and no shared or browser cache may keep it. Call once, just before sending. */
void http_security_headers(struct _u_response *resp);

/* Calls `visit` with each registered route's method, pattern and counters, then once for the requests
 * no route matched (method NULL, pattern "(unmatched)"). For GET /metrics. */
typedef void (*http_stats_visitor)(void *arg, const char *method, const char *pattern, const struct route_stats *stats);
void http_routes_stats(struct route_table *table, http_stats_visitor visit, void *arg);

/* Writes every registered "METHOD PATH" line to `out` (for the route-vs-contract test). */
void http_routes_print(const struct route_table *table, FILE *out);

/* Creates the request context on first call (request id, start time, route for logs) and returns it;
 * later calls return the same one. The context is freed, and the access line logged, with the response.
 * Returns NULL when out of memory. */
struct request_ctx *http_ctx_attach(struct _u_response *resp, const char *route, const char *method);

/* The request context (created by the limits callback); never NULL once a route matched. */
struct request_ctx *http_ctx(struct _u_response *resp);

/* The authenticated caller of this request, or NULL for a public route. */
const struct principal *http_principal(struct _u_response *resp);

/* Sets an application/problem+json response (RFC 9457) with type, title, status, detail and, when
 * `errors` is non-NULL, the `errors` array (stolen). Returns U_CALLBACK_COMPLETE. */
int http_problem(struct _u_response *resp, long status, const char *title, const char *detail, json_t *errors);

/* http_problem for a list of errors that may be cut short: `errors` (stolen) holds the first few and
 * `error_count` in the document says how many there were in all. Returns U_CALLBACK_COMPLETE. */
int http_problem_counted(struct _u_response *resp, long status, const char *detail, json_t *errors, size_t count);

/* THE answer to a store's or the engine's status (!= APP_OK): the one place an app_status becomes a problem.
 * The code is http_status_of(status); a 503 carries Retry-After and, without `detail`, says the database
 * is unavailable; a 500 never carries a detail (the cause is logged, never returned). When `field` is
 * non-empty and the status is APP_INVALID or APP_CONFLICT, errors[] is [{field, message: field_message}].
 * `detail`, `field` and `field_message` may be NULL. Returns U_CALLBACK_COMPLETE. http_problem_for,
 * http_problem_db and refusal_respond are thin callers. */
int http_problem_of(struct _u_response *resp, enum app_status status, const char *detail, const char *field,
                    const char *field_message);

/* http_problem_of without a field: the problem for an internal status (404, 403, 409, 422, 412, 503 +
 * Retry-After, 500 without detail). `detail` may be NULL. Returns U_CALLBACK_COMPLETE. */
int http_problem_for(struct _u_response *resp, enum app_status status, const char *detail);

/* The problem for a single invalid field: 422 with errors [{field, message}]. */
int http_problem_field(struct _u_response *resp, long status, const char *field, const char *message);

/* Sets an application/json response; steals `body`. Returns U_CALLBACK_COMPLETE. */
int http_json(struct _u_response *resp, long status, json_t *body);

/* Sets an application/json response from JSON text (the database's, or written by tutord); takes ownership of `text`
 * (malloc'd; NULL answers 500). Returns U_CALLBACK_COMPLETE. */
int http_json_text(struct _u_response *resp, long status, char *text);

/* Maps a database refusal to a problem naming the field: the constraint "<table>_<column>_<kind>"
 * names the column. 409 for unique/exclusion, 422 for checks and references, 503/500 otherwise. */
int http_problem_db(struct _u_response *resp, enum app_status status, const struct db_error *err, const char *table);

/* Parses the request body as one JSON object: 415 unless the content type is JSON (application/json or,
 * when allow_merge_patch, application/merge-patch+json), 413 over the limit, 400 on malformed JSON,
 * duplicate keys or a non-object. Returns the object (new reference) or NULL after responding. */
json_t *http_body_object(const struct _u_request *req, struct _u_response *resp, int allow_merge_patch);

/* Pagination: `limit` (default 50, 1..1000) and the opaque `cursor`. Returns 0, or -1 after a 400. */
struct page {
    int limit;
    char *after; /* decoded cursor key, malloc'd, NULL for the first page */
};
int http_page(const struct _u_request *req, struct _u_response *resp, struct page *out);
void http_page_free(struct page *page);
/* Encodes a keyset position as an opaque cursor (new JSON string, or JSON null when key is NULL). */
json_t *http_cursor_encode(const char *key);
/* http_cursor_encode's value as JSON text (a string, or null), malloc'd; NULL when out of memory. */
char *http_cursor_text(const char *key);
/* Decodes a cursor http_cursor_encode made: the key (malloc'd), or NULL when it is not one. */
char *http_cursor_decode(const char *cursor);

/* A query parameter, or NULL when absent. */
const char *http_query(const struct _u_request *req, const char *name);

/* A path variable ("@name" in the route). */
const char *http_path_param(const struct _u_request *req, const char *name);

/* A request header (case-insensitive), or NULL. */
const char *http_header(const struct _u_request *req, const char *name);

/* ETag for a row version: sets the header as "\"<version>\"". */
void http_set_etag(struct _u_response *resp, const char *version);

/* If-Match against the current version (wire_if_match: a list of entity tags, or "*" for an existing
 * row): 0 when absent or matching; -1 after answering 412 when it does not match, or 400 when the header
 * is not such a list. `version` is NULL when the row does not exist. */
int http_check_if_match(const struct _u_request *req, struct _u_response *resp, const char *version);

/* Maps an internal status to its HTTP status code. Pure. */
long http_status_of(enum app_status status);

#endif
