/* metrics.h — what GET /metrics shows, in the Prometheus text exposition format (version 0.0.4):
 * requests and their latency by route pattern and status, the database pool, the heavy pool, the
 * outbox's lag, the build and the process start time.
 *
 * Requests are counted in the matched route's own counters (struct route_stats, kept in the route
 * table): relaxed atomic additions, no lock, so the hot path gains no shared mutex. Labels are route
 * PATTERNS ("/students/{student_number}") and methods from the route table, and every unknown path is
 * the one route "(unmatched)", so the number of series is bounded by the routes registered. */
#ifndef TUTORD_METRICS_H
#define TUTORD_METRICS_H

#include <stdatomic.h>
#include <ulfius.h>

#include "app.h"

/* The latency histogram's upper bounds in seconds; a last, unbounded bucket (+Inf) follows. */
#define METRICS_BOUNDS                                                                                                 \
    {                                                                                                                  \
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0                                   \
    }
#define METRICS_N_BOUNDS 13
#define METRICS_MIN_STATUS 100
#define METRICS_MAX_STATUS 599

/* One route's counters: requests by status code, latency by bucket (not cumulative: the exposition
 * sums them) and the total latency in microseconds. Zero-initialised storage is ready to use. */
struct route_stats {
    _Atomic unsigned long long by_status[METRICS_MAX_STATUS - METRICS_MIN_STATUS + 1];
    _Atomic unsigned long long buckets[METRICS_N_BOUNDS + 1];
    _Atomic unsigned long long sum_us;
};

/* Counts one answered request with its status and latency. Lock-free; NULL-safe. */
void metrics_observe(struct route_stats *stats, long status, double seconds);

/* Records the build's version and the process start time for the exposition; call once, at start-up,
 * before serving. */
void metrics_process_started(const char *version);

/* The heavy pool whose gauges the exposition shows (NULL: none, e.g. once it is freed). */
struct heavy_pool;
void metrics_set_heavy_pool(struct heavy_pool *pool);

/* Who may read the metrics: a loopback client (127.0.0.0/8, ::1) whose request no proxy forwarded (no
 * Forwarded or X-Forwarded-For header), or, when TUTORD_METRICS_TOKEN_FILE is set, any client presenting
 * that file's first line as "Authorization: Bearer <token>" (the file is read on each request, so it
 * can be rotated). Returns 0 when allowed, else the status to refuse with — 401 when a token could be
 * presented, 403 when none is configured — and sets *why. */
long metrics_access(const struct app *app, const struct _u_request *req, const char **why);

/* The whole exposition text (malloc'd; NULL when out of memory). Reads the outbox's lag from the
 * database with a short statement timeout; when the database does not answer (or no connection is
 * free) those two series are left out and the rest is still rendered. */
char *metrics_render(const struct app *app);

#endif
