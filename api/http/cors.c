/* cors.c — the CORS allow-list (cors.h). Credentials are bearer tokens in the Authorization header,
 * never cookies, so Access-Control-Allow-Credentials is not sent. */
#include "cors.h"

#include <string.h>

#include "config.h"

/* Request headers a page may send, and response headers it may read. */
#define ALLOW_HEADERS "Authorization, Content-Type, If-Match, Idempotency-Key"
#define EXPOSE_HEADERS "ETag, Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id, Tutord-Served-By"

int cors_origin_allowed(const char *allowed, const char *origin)
{
    size_t n = origin ? strlen(origin) : 0;
    if (!allowed || n == 0 || strcmp(origin, "null") == 0)
        return 0;
    for (const char *p = allowed; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == n && strncmp(p, origin, n) == 0)
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* The request's Origin when the configuration allows it, else NULL. */
static const char *allowed_origin(const struct config *cfg, const struct _u_request *req)
{
    const char *origin = u_map_get_case(req->map_header, "Origin");
    return cors_origin_allowed(cfg->cors_origins, origin) ? origin : NULL;
}

void cors_headers(const struct config *cfg, const struct _u_request *req, struct _u_response *resp)
{
    const char *origin = allowed_origin(cfg, req);
    if (!origin)
        return;
    u_map_put(resp->map_header, "Access-Control-Allow-Origin", origin);
    u_map_put(resp->map_header, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
    u_map_put(resp->map_header, "Vary", "Origin");
}

int cors_preflight(const struct config *cfg, const struct _u_request *req, struct _u_response *resp, const char *allow)
{
    if (strcmp(req->http_verb, "OPTIONS") != 0 || !*allow ||
        !u_map_get_case(req->map_header, "Access-Control-Request-Method") || !allowed_origin(cfg, req))
        return 0;
    cors_headers(cfg, req, resp);
    u_map_put(resp->map_header, "Access-Control-Allow-Methods", allow);
    u_map_put(resp->map_header, "Access-Control-Allow-Headers", ALLOW_HEADERS);
    u_map_put(resp->map_header, "Access-Control-Max-Age", "600");
    resp->status = 204;
    return 1;
}
