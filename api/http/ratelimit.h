/* ratelimit.h — request quotas per principal (the token's sub) and per client address, per route
 * class (reads, writes, heavy), in fixed windows, per instance.
 *
 * Behind a load balancer each instance counts alone: with N instances a caller may make up to N times
 * the quota in a window (fewer when the balancer keeps a client on one instance). Set the quotas to the
 * intended total divided by the number of instances. The client address is the peer of the TCP
 * connection: behind a proxy it is the proxy's, so set the per-address quotas for what one proxy
 * forwards, or 0 to leave them off. */
#ifndef TUTORD_RATELIMIT_H
#define TUTORD_RATELIMIT_H

#include <stddef.h>
#include <time.h>

enum rate_class { RATE_READS = 0, RATE_WRITES, RATE_HEAVY, RATE_CLASSES };

enum rate_scope { RATE_BY_SUB = 0, RATE_BY_ADDRESS, RATE_SCOPES };

/* The quotas: requests per window for each scope and class; 0 leaves that pair unlimited. */
struct rate_quotas {
    int window_s;
    int quota[RATE_SCOPES][RATE_CLASSES];
};

/* The outcome of one count, enough for the RateLimit-Policy and RateLimit headers. */
struct rate_result {
    int limited;   /* 0 when the pair has no quota (nothing counted) */
    int allowed;   /* 1 when the request is within the quota */
    int quota;     /* q: requests per window */
    int window_s;  /* w */
    int remaining; /* r: requests left in this window after this one */
    int reset_s;   /* t: seconds until the window ends */
};

struct rate_limiter;

/* A limiter with room for `slots` keys (a fixed table: memory does not grow with the number of
 * callers; when it is full the entry whose window is oldest is reused). NULL when out of memory. */
struct rate_limiter *rate_limiter_new(const struct rate_quotas *quotas, size_t slots);

/* Frees the limiter; NULL-safe. */
void rate_limiter_free(struct rate_limiter *limiter);

/* Counts one request of `class` for `key` (a sub or an address) in `scope` at time `now` and fills
 * *out. A refused request is not counted. Thread-safe. */
void rate_limiter_hit(struct rate_limiter *limiter, enum rate_scope scope, enum rate_class class, const char *key,
                      time_t now, struct rate_result *out);

/* The class's name in headers and logs: "reads", "writes" or "heavy". */
const char *rate_class_name(enum rate_class class);

#endif
