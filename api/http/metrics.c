/* metrics.c — the Prometheus exposition (metrics.h): per-route counters kept lock-free in the route
 * table, gauges read from the pools when scraped, the outbox's lag from one cheap query. */
#include "metrics.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "heavy_pool.h"
#include "http.h"
#include "outbox.h"
#include "strbuf.h"

static const double BOUNDS[METRICS_N_BOUNDS] = METRICS_BOUNDS;

static char build_version[64] = "unknown";
static double start_time_s;
static struct heavy_pool *_Atomic heavy_pool;

void metrics_observe(struct route_stats *stats, long status, double seconds)
{
    if (!stats)
        return;
    if (status < METRICS_MIN_STATUS || status > METRICS_MAX_STATUS)
        status = 500;
    int b = 0;
    while (b < METRICS_N_BOUNDS && seconds > BOUNDS[b])
        b++;
    atomic_fetch_add_explicit(&stats->by_status[status - METRICS_MIN_STATUS], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&stats->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&stats->sum_us, (unsigned long long)(seconds > 0 ? seconds * 1e6 : 0),
                              memory_order_relaxed);
}

void metrics_process_started(const char *version)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    start_time_s = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    snprintf(build_version, sizeof(build_version), "%s", version ? version : "unknown");
}

void metrics_set_heavy_pool(struct heavy_pool *pool)
{
    atomic_store(&heavy_pool, pool);
}

/* ---- who may read ------------------------------------------------------------------------------- */

/* True when the request came over loopback and names no forwarding proxy's client. */
static int local_unforwarded(const struct _u_request *req)
{
    const struct sockaddr *sa = req->client_address;
    if (!sa || http_header(req, "Forwarded") || http_header(req, "X-Forwarded-For"))
        return 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

/* True when `header` is "Bearer <the first line of file>" (compared in constant time over the token). */
static int presents_token(const char *header, const char *file)
{
    char token[512] = "";
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f)
        return 0;
    int read = fgets(token, sizeof(token), f) != NULL;
    fclose(f);
    token[strcspn(token, "\r\n")] = '\0';
    if (!read || !*token || !header || strncmp(header, "Bearer ", 7) != 0)
        return 0;
    const char *given = header + 7;
    size_t n = strlen(token);
    if (strlen(given) != n)
        return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(given[i] ^ token[i]);
    return diff == 0;
}

long metrics_access(const struct app *app, const struct _u_request *req, const char **why)
{
    const char *file = app->config->metrics_token_file;
    if (local_unforwarded(req) || presents_token(http_header(req, "Authorization"), file))
        return 0;
    if (file) {
        *why = "the metrics token is required (Authorization: Bearer)";
        return 401;
    }
    *why = "metrics are served to loopback clients only";
    return 403;
}

/* ---- the exposition ------------------------------------------------------------------------------ */

/* Appends printf-formatted text (one line or a few) to the exposition. */
static void put(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct strbuf *sb, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line))
        sb->failed = 1;
    else
        strbuf_append(sb, line, (size_t)n);
}

/* The HELP and TYPE lines of a metric family. */
static void family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
    put(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of a route's series: route="/students/{student_number}",method="GET" ('@name' and ':name'
 * segments written as '{name}'; the unmatched requests as route="(unmatched)",method="(any)"). */
static void route_labels(char *out, size_t size, const char *method, const char *pattern)
{
    size_t o = (size_t)snprintf(out, size, "route=\"");
    for (const char *p = pattern; *p && o + 8 < size; p++) {
        int variable = (*p == '@' || *p == ':') && p > pattern && p[-1] == '/';
        if (variable) {
            size_t n = strcspn(p + 1, "/");
            o += (size_t)snprintf(out + o, size - o, "{%.*s}", (int)n, p + 1);
            p += n;
        } else if (*p != '"' && *p != '\\' && *p != '\n') {
            out[o++] = *p;
        }
    }
    snprintf(out + (o < size ? o : size - 1), size - (o < size ? o : size - 1), "\",method=\"%s\"",
             method ? method : "(any)");
}

/* What the exposition of the request families needs while walking the route table. */
struct walk {
    struct strbuf *sb;
    int pass; /* 0: request counts, 1: latency histograms */
};

/* One route's series of the family walk->pass renders; routes never requested are left out. */
static void route_series(void *arg, const char *method, const char *pattern, const struct route_stats *s)
{
    struct walk *w = arg;
    unsigned long long count = 0, in_bucket[METRICS_N_BOUNDS + 1];
    for (int b = 0; b <= METRICS_N_BOUNDS; b++)
        count += in_bucket[b] = atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
    if (count == 0)
        return;
    char labels[256];
    route_labels(labels, sizeof(labels), method, pattern);
    if (w->pass == 0) {
        for (int i = 0; i <= METRICS_MAX_STATUS - METRICS_MIN_STATUS; i++) {
            unsigned long long n = atomic_load_explicit(&s->by_status[i], memory_order_relaxed);
            if (n)
                put(w->sb, "tutord_http_requests_total{%s,status=\"%d\"} %llu\n", labels, i + METRICS_MIN_STATUS, n);
        }
        return;
    }
    unsigned long long cumulative = 0;
    for (int b = 0; b < METRICS_N_BOUNDS; b++) {
        cumulative += in_bucket[b];
        put(w->sb, "tutord_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", labels, BOUNDS[b], cumulative);
    }
    put(w->sb, "tutord_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", labels, count);
    put(w->sb, "tutord_http_request_duration_seconds_sum{%s} %.6f\n", labels,
        (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6);
    put(w->sb, "tutord_http_request_duration_seconds_count{%s} %llu\n", labels, count);
}

/* The request counts and latency histograms of every route requested so far. */
static void render_requests(struct strbuf *sb, const struct app *app)
{
    struct walk w = {sb, 0};
    family(sb, "tutord_http_requests_total", "counter",
           "HTTP requests answered, by route pattern, method and status code.");
    http_routes_stats(app->routes, route_series, &w);
    w.pass = 1;
    family(sb, "tutord_http_request_duration_seconds", "histogram",
           "Time from a request's headers to its answer, by route pattern and method.");
    http_routes_stats(app->routes, route_series, &w);
}

/* The database pool's and the heavy pool's gauges and counters. */
static void render_pools(struct strbuf *sb, const struct app *app)
{
    struct db_pool_stats db;
    db_pool_stats(app->pool, &db);
    family(sb, "tutord_db_pool_size", "gauge", "Connections the database pool may hold.");
    put(sb, "tutord_db_pool_size %d\n", db.size);
    family(sb, "tutord_db_pool_in_use", "gauge", "Connections checked out of the pool now.");
    put(sb, "tutord_db_pool_in_use %d\n", db.in_use);
    family(sb, "tutord_db_pool_waiting", "gauge", "Threads waiting for a free connection now.");
    put(sb, "tutord_db_pool_waiting %d\n", db.waiting);
    family(sb, "tutord_db_pool_acquire_timeouts_total", "counter",
           "Waits for a connection that ended without one (the request answered 503).");
    put(sb, "tutord_db_pool_acquire_timeouts_total %llu\n", db.acquire_timeouts);
    struct heavy_pool *heavy = atomic_load(&heavy_pool);
    if (!heavy)
        return;
    struct heavy_pool_stats h;
    heavy_pool_stats(heavy, &h);
    family(sb, "tutord_heavy_threads", "gauge", "Threads of the heavy pool (reports, imports, auto-allocation).");
    put(sb, "tutord_heavy_threads %d\n", h.threads);
    family(sb, "tutord_heavy_busy", "gauge", "Heavy-pool threads running a request now.");
    put(sb, "tutord_heavy_busy %d\n", h.busy);
    family(sb, "tutord_heavy_queue_depth", "gauge", "Heavy requests waiting for a thread now.");
    put(sb, "tutord_heavy_queue_depth %d\n", h.waiting);
    family(sb, "tutord_heavy_rejected_total", "counter", "Heavy requests refused (503) because the queue was full.");
    put(sb, "tutord_heavy_rejected_total %llu\n", h.rejected);
}

/* The outbox's lag (left out when the database does not answer), the build and the start time. */
static void render_process(struct strbuf *sb, const struct app *app)
{
    long queued = 0;
    double oldest_s = 0;
    if (outbox_lag(app->pool, &queued, &oldest_s) == 0) {
        family(sb, "tutord_outbox_queued", "gauge", "Notifications queued for delivery (not yet sent or failed).");
        put(sb, "tutord_outbox_queued %ld\n", queued);
        family(sb, "tutord_outbox_oldest_age_seconds", "gauge",
               "Age of the oldest queued notification (0 when none is queued).");
        put(sb, "tutord_outbox_oldest_age_seconds %.3f\n", oldest_s);
    }
    family(sb, "tutord_build_info", "gauge", "The build serving: always 1, with its version as a label.");
    put(sb, "tutord_build_info{version=\"%s\"} 1\n", build_version);
    family(sb, "process_start_time_seconds", "gauge", "When the process started serving, in seconds since the epoch.");
    put(sb, "process_start_time_seconds %.3f\n", start_time_s);
}

char *metrics_render(const struct app *app)
{
    struct strbuf sb = {0};
    render_requests(&sb, app);
    render_pools(&sb, app);
    render_process(&sb, app);
    return strbuf_take(&sb);
}
