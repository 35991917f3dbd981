/* app.h — what every part of the service shares: the error enum and the application handle. */
#ifndef TUTORD_APP_H
#define TUTORD_APP_H

/* Internal outcome of an operation; http_status_of() maps it to an HTTP status. */
enum app_status {
    APP_OK = 0,
    APP_NOT_FOUND,           /* 404: no such record, or not visible to the caller */
    APP_FORBIDDEN,           /* 403: authenticated but not allowed */
    APP_CONFLICT,            /* 409: a unique or exclusion constraint refused it */
    APP_INVALID,             /* 422: the data breaks a rule */
    APP_PRECONDITION_FAILED, /* 412: If-Match did not match */
    APP_UNAVAILABLE,         /* 503: the database is unreachable or the pool exhausted */
    APP_DB,                  /* 500: an unexpected database error (logged, never returned) */
    APP_NOMEM                /* 500: out of memory */
};

struct config;
struct db_pool;
struct auth_verifier;
struct route_table;
struct rate_limiter;

/* The application handle given to every route module; owned by main, read-only while serving. */
struct app {
    const struct config *config;
    struct db_pool *pool;
    struct db_pool *replica; /* the heavy read routes' pool on a streaming replica (heavy_read.h); NULL = none */
    const struct auth_verifier *auth;
    struct route_table *routes;
    struct rate_limiter *limiter; /* request quotas (ratelimit.h), set by server_run; NULL = none */
};

#endif
