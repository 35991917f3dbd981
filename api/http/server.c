/* server.c — libmicrohttpd driven directly, with Ulfius's request and response structures carrying
 * each exchange to the pipeline (router.c). Why not ulfius_start_framework: its dispatcher reads the
 * whole body (up to one instance-wide limit) before any callback can look at the headers, so an
 * unauthenticated 67 MB body to /healthz was buffered and `Expect: 100-continue` with a 50 MB length got
 * 100 Continue. Here the access handler's first call — headers in, body not yet read — runs
 * http_before_body; a refusal is queued at once when a body was announced, so MHD sends no 100 Continue,
 * reads none of the body and closes the connection after the answer.
 *
 * MHD options: an internal polling thread pool of TUTORD_THREADS threads, or with TUTORD_THREADS=0 a thread
 * per connection; our bind address, an idle timeout per connection, connection caps per client address and
 * in total (all configurable), strict request parsing, and our URI, connection and completion callbacks.
 * In the pool, each thread serves the connections it accepted one request at a time, so a request waiting
 * on the database holds up the other connections of its thread; with a thread per connection nothing
 * waits behind it (at 32 connections on 2 CPUs, GET /students/{n} with joined reads: 24.7-28.5k req/s in
 * a pool of 64 threads, 31.9-32.8k with a thread per connection; bench/README.md). A request's headers must also be
 * in within TUTORD_HEADER_TIMEOUT of when they may begin, however slowly they trickle
 * (header_deadline.h).
 *
 * Heavy routes (HTTP_HEAVY: reports, school compliance, imports, auto-allocation) do not run on the
 * request threads: once the body is in, the connection is suspended and the request handed to the
 * heavy pool (heavy_pool.h: TUTORD_HEAVY_THREADS threads, TUTORD_HEAVY_QUEUE waiting, 503 with
 * Retry-After beyond), which resumes the connection with the answer. With a thread per connection,
 * where libmicrohttpd 0.9.75 does not resume a suspended connection, the connection's own thread waits
 * for the pool's answer instead (nothing else waits on that thread). So 64 slow reports no longer take
 * every request thread and /healthz with them, and a report whose client has hung up while it waited
 * is not run. libmicrohttpd's own messages go through the JSON log (log_text).
 *
 * Stopping (SIGTERM or SIGINT): the server drains. Every request whose headers arrive from then on —
 * /healthz included — is answered 503 "draining" with Connection: close (router.c), so a load balancer
 * takes the instance out; the requests already begun finish and are answered normally, for up to
 * TUTORD_SHUTDOWN_GRACE_MS. Any still running then are cut: their database statements are cancelled
 * (each request thread and heavy job runs its statements under a db_watch) and they answer 503. Then
 * the daemon stops listening (new connections are refused), the heavy pool and the daemon stop, and
 * main stops the delivery worker and closes the database pool. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "header_deadline.h"
#include "heavy_pool.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"

/* The function that registers every resource's routes (server_use_routes): the resources layer sits above
 * this one, so the application hands it in. */
static server_routes_fn register_routes;

void server_use_routes(server_routes_fn fn)
{
    register_routes = fn;
}

/* A request thread's watch over its database statements, so that a shutdown whose deadline has passed
 * can cut the requests still running (db.h). One per libmicrohttpd thread, made on its first request, and
 * dropped when the thread ends (a thread per connection ends with its connection). */
struct thread_watch {
    struct db_watch watch;
    struct server *srv;
    struct thread_watch *next, **prev; /* prev: the link that points at this one */
};

/* What the daemon's callbacks share. */
struct server {
    const struct app *app;
    struct header_deadlines *deadlines; /* NULL when the reaper could not start (logged) */
    struct heavy_pool *heavy;           /* the pool heavy routes run in (heavy_pool.h) */
    int header_timeout_s, idle_timeout_s;
    int per_connection;           /* a thread per connection (TUTORD_THREADS=0), not a pool */
    pthread_key_t watch_key;      /* each request thread's watch, dropped by drop_watch when it ends */
    atomic_int in_flight;         /* requests begun before the drain and not yet finished */
    pthread_mutex_t watches_lock; /* guards `watches` */
    struct thread_watch *watches; /* every request thread's watch */
};

/* Set once SIGTERM or SIGINT has arrived: new requests are answered 503 (server.h). */
static atomic_int draining;

/* This thread's watch (NULL until its first request). */
static _Thread_local struct thread_watch *own_watch;

/* One request as it passes through the daemon. */
struct exchange {
    struct _u_request req;
    struct _u_response resp;
    int started;                       /* the headers were seen and http_before_body ran */
    int answered;                      /* resp already holds the answer (refused before the body) */
    int queued;                        /* the answer was handed to MHD */
    int counted;                       /* began before the drain: counted in the server's in_flight */
    size_t limit;                      /* the route's body limit */
    const struct server *srv;          /* for a heavy job: where it runs */
    struct MHD_Connection *connection; /* for a heavy job: the suspended connection to resume */
    int awaited;                       /* a heavy job with a thread per connection: its thread waits on... */
    sem_t done;                        /* ...this, posted instead of resuming the connection */
};

/* The header deadline slot of a connection (its socket context), or NULL. */
static struct header_slot *slot_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* MHD's URI callback: a new exchange for the request whose raw target (still percent-encoded) is `uri`.
 * Becomes the request's *con_cls; NULL when out of memory (MHD then drops the request). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    struct server *srv = cls;
    /* a request has begun: its headers are due within the header timeout (never later than before) */
    header_deadline_arm(srv->deadlines, slot_of(connection), srv->header_timeout_s, 1);
    struct exchange *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    if (ulfius_init_request(&x->req) != U_OK || ulfius_init_response(&x->resp) != U_OK) {
        free(x); /* ulfius frees what it allocated when init fails */
        return NULL;
    }
    if (!atomic_load(&draining)) {
        x->counted = 1;
        atomic_fetch_add(&srv->in_flight, 1);
    }
    size_t path_len = strcspn(uri, "?");
    x->req.http_url = strdup(uri);
    x->req.url_path = strndup(uri, path_len);
    return x;
}

/* MHD's connection callback: a new connection's first headers are due within the deadline; a closed
 * one's slot is freed. */
static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = fd ? header_deadline_open(srv->deadlines, fd->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        header_deadline_close(srv->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

/* Adds one header or query argument to a map, joining a repeated name's values with ',' (as Ulfius
 * did, so a repeated Content-Length shows as a list). */
static enum MHD_Result put_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct _u_map *map = cls;
    const char *had = u_map_get(map, key);
    if (!had)
        return u_map_put(map, key, value ? value : "") == U_OK ? MHD_YES : MHD_NO;
    size_t n = strlen(had) + strlen(value ? value : "") + 2;
    char *joined = malloc(n);
    if (!joined)
        return MHD_NO;
    snprintf(joined, n, "%s,%s", had, value ? value : "");
    int rc = u_map_put(map, key, joined);
    free(joined);
    return rc == U_OK ? MHD_YES : MHD_NO;
}

/* Hands the exchange's response (status, headers, body) to MHD. */
static enum MHD_Result queue(struct MHD_Connection *connection, struct exchange *x)
{
    struct _u_response *resp = &x->resp;
    http_security_headers(resp);
    if (atomic_load(&draining))
        u_map_put(resp->map_header, "Connection", "close"); /* no next request on this connection */
    /* MHD sends the body from the response, not from a copy: the exchange (and its response) is freed only
     * in on_completed, after MHD is done with the connection's request */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp->binary_body_length, resp->binary_body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    const char **keys = u_map_enum_keys(resp->map_header);
    for (size_t i = 0; keys && keys[i]; i++)
        MHD_add_response_header(r, keys[i], u_map_get(resp->map_header, keys[i]));
    enum MHD_Result rc = MHD_queue_response(connection, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    x->queued = rc == MHD_YES;
    return rc;
}

/* True when the request announces a body (a length above zero, or a transfer coding). */
static int announces_body(const struct _u_request *req)
{
    const char *length = u_map_get_case(req->map_header, "Content-Length");
    return u_map_get_case(req->map_header, "Transfer-Encoding") || (length && strspn(length, "0") != strlen(length));
}

/* Copies the connection's peer address into the request (freed with it), for per-address limits. */
static void keep_client_address(struct MHD_Connection *connection, struct _u_request *req)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr || req->client_address)
        return;
    socklen_t len = info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    struct sockaddr_storage *storage = calloc(1, sizeof(*storage)); /* room for either family */
    req->client_address = (struct sockaddr *)storage;
    if (req->client_address)
        memcpy(req->client_address, info->client_addr, len);
}

/* The first call: headers are in, the body is not read. Runs the pipeline's first step; a refusal of a
 * request with a body is queued now (no 100 Continue, no body read, the connection closed after). */
static enum MHD_Result start(const struct server *srv, struct MHD_Connection *connection, struct exchange *x,
                             const char *method, const char *version)
{
    const struct app *app = srv->app;
    header_deadline_disarm(srv->deadlines, slot_of(connection)); /* the headers are in */
    x->started = 1;
    x->req.http_verb = strdup(method);
    x->req.http_protocol = strdup(version);
    if (!x->req.http_url || !x->req.url_path || !x->req.http_verb || !x->req.http_protocol)
        return MHD_NO;
    int fields = MHD_get_connection_values(connection, MHD_HEADER_KIND, put_value, x->req.map_header);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, put_value, x->req.map_url);
    keep_client_address(connection, &x->req);
    if (http_before_body(app, &x->req, fields > 0 ? (size_t)fields : 0, &x->resp, &x->limit) == U_CALLBACK_IGNORE)
        return MHD_YES;
    x->answered = 1;
    return announces_body(&x->req) ? queue(connection, x) : MHD_YES;
}

/* Keeps a chunk of the body, at most limit + 1 bytes in all (the extra byte says it ran over). */
static enum MHD_Result take_body(struct exchange *x, const char *data, size_t size)
{
    size_t have = x->req.binary_body_length, room = x->limit + 1 > have ? x->limit + 1 - have : 0;
    size_t keep = size < room ? size : room;
    if (keep == 0)
        return MHD_YES;
    char *grown = realloc(x->req.binary_body, have + keep);
    if (!grown)
        return MHD_NO;
    memcpy(grown + have, data, keep);
    x->req.binary_body = grown;
    x->req.binary_body_length = have + keep;
    return MHD_YES;
}

/* A heavy job on a pool thread: runs the handler (or, when the client has hung up while it waited,
 * skips the work) and resumes the connection, whose next call to the access handler sends the answer. */
static void run_heavy(void *arg, int client_gone)
{
    struct exchange *x = arg;
    if (client_gone)
        http_problem(&x->resp, 503, NULL, "the client closed the connection before the work began", NULL);
    else
        http_after_body(x->srv->app, &x->req, &x->resp, x->limit);
    x->answered = 1;
    if (x->awaited)
        sem_post(&x->done); /* the connection's thread takes x from here on */
    else
        MHD_resume_connection(x->connection);
}

/* The heavy pool's queue is full (or it is stopping): 503 with Retry-After. */
static void refuse_heavy(struct exchange *x)
{
    u_map_put(x->resp.map_header, "Retry-After", "5");
    http_problem(&x->resp, 503, NULL, "too many reports, imports and allocations are running or waiting; retry later",
                 NULL);
    x->answered = 1;
}

/* defer_heavy with a thread per connection: the job goes to the heavy pool all the same (its bounds, its
 * watch over the client and its cut apply), and this connection's thread waits for it, then sends. */
static enum MHD_Result await_heavy(const struct server *srv, struct MHD_Connection *connection, struct exchange *x,
                                   int fd)
{
    if (sem_init(&x->done, 0, 0) != 0) {
        http_problem(&x->resp, 503, NULL, "the server could not take the request; retry later", NULL);
        x->answered = 1;
        return queue(connection, x);
    }
    x->srv = srv;
    x->awaited = 1;
    if (heavy_pool_submit(srv->heavy, fd, run_heavy, x) == 0) {
        while (sem_wait(&x->done) != 0 && errno == EINTR)
            continue;
    } else {
        refuse_heavy(x);
    }
    x->awaited = 0;
    sem_destroy(&x->done);
    return queue(connection, x);
}

/* Hands a heavy request to the heavy pool with its connection suspended (the request thread is free at
 * once). When the queue is full the answer is 503 with Retry-After, and the connection is resumed at
 * once to send it. */
static enum MHD_Result defer_heavy(const struct server *srv, struct MHD_Connection *connection, struct exchange *x)
{
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (srv->per_connection)
        return await_heavy(srv, connection, x, fd ? fd->connect_fd : -1);
    x->srv = srv;
    x->connection = connection;
    MHD_suspend_connection(connection);
    if (heavy_pool_submit(srv->heavy, fd ? fd->connect_fd : -1, run_heavy, x) == 0)
        return MHD_YES;
    refuse_heavy(x);
    MHD_resume_connection(connection);
    return MHD_YES;
}

/* Gives the calling request thread its watch on first use, so its statements can be cut (db.h). */
static void watch_this_thread(struct server *srv)
{
    if (own_watch)
        return;
    struct thread_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return; /* this thread's requests cannot be cut; they still finish or time out */
    db_watch_init(&w->watch);
    w->srv = srv;
    pthread_mutex_lock(&srv->watches_lock);
    w->next = srv->watches;
    w->prev = &srv->watches;
    if (w->next)
        w->next->prev = &w->next;
    srv->watches = w;
    pthread_mutex_unlock(&srv->watches_lock);
    pthread_setspecific(srv->watch_key, w);
    db_watch_set(&w->watch);
    own_watch = w;
}

/* A request thread has ended: its watch leaves the list and is freed (pthread key destructor). */
static void drop_watch(void *arg)
{
    struct thread_watch *w = arg;
    pthread_mutex_lock(&w->srv->watches_lock);
    *w->prev = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&w->srv->watches_lock);
    db_watch_destroy(&w->watch);
    free(w);
}

/* True when the exchange's route runs in the heavy pool. */
static int is_heavy(struct exchange *x)
{
    const struct request_ctx *ctx = http_ctx(&x->resp);
    return ctx && ctx->route_entry && http_route_is_heavy(ctx->route_entry);
}

/* MHD's access handler: called with the headers, then with each piece of the body, then once more. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct server *srv = cls;
    const struct app *app = srv->app;
    struct exchange *x = *con_cls;
    (void)url; /* already decoded by MHD; the pipeline reads the raw target on_uri kept */
    if (!x)
        return MHD_NO;
    if (!x->started)
        return start(srv, connection, x, method, version);
    if (*upload_size) {
        size_t size = *upload_size;
        *upload_size = 0;
        if (x->answered)
            return MHD_YES; /* the answer is queued or decided: the rest is discarded */
        enum MHD_Result rc = take_body(x, upload, size);
        if (rc == MHD_YES && x->req.binary_body_length > x->limit) {
            x->answered = 1;
            http_after_body(app, &x->req, &x->resp, x->limit); /* the 413, sent now if MHD allows */
            queue(connection, x);
        }
        return rc;
    }
    if (x->queued)
        return MHD_YES;
    if (!x->answered && srv->heavy && is_heavy(x))
        return defer_heavy(srv, connection, x);
    if (!x->answered) {
        watch_this_thread(srv);
        http_after_body(app, &x->req, &x->resp, x->limit);
    }
    return queue(connection, x);
}

/* MHD's completion callback: logs the request (the context's free function does) and frees it; the
 * connection may idle, then its next headers are due. */
static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    (void)toe;
    /* idle until the next request, then its headers: MHD's idle timeout, then the header timeout */
    header_deadline_arm(srv->deadlines, slot_of(connection), srv->idle_timeout_s + srv->header_timeout_s, 0);
    struct exchange *x = *con_cls;
    if (!x)
        return;
    if (x->counted)
        atomic_fetch_sub(&srv->in_flight, 1);
    void *shared = x->resp.shared_data;
    void (*free_shared)(void *) = x->resp.free_shared_data;
    x->resp.shared_data = NULL;
    x->resp.free_shared_data = NULL;
    if (shared && free_shared)
        free_shared(shared);
    ulfius_clean_request(&x->req);
    ulfius_clean_response(&x->resp);
    free(x);
    *con_cls = NULL;
}

/* libmicrohttpd's error log, through ours (one JSON line, URLs left out) instead of raw on stderr. */
static void log_mhd(void *cls, const char *format, va_list ap)
{
    (void)cls;
    char text[1024];
    vsnprintf(text, sizeof(text), format, ap);
    log_text(LOG_WARN, "libmicrohttpd", text);
}

/* Each connection's memory in libmicrohttpd (its request's line and header fields, and the answer's
 * header): room for the largest request the router refuses as problem+json rather than leaving it to the
 * library's fixed HTML answers (a target over 8 KB, header fields over 16 KB: router.c), with a margin
 * (tests/api/test_hostile_http.c sends each). libmicrohttpd zeroes the whole of it after every request on a
 * kept-alive connection (a memset, in perf's profile of a read): at 64 KiB a tutor reading a tutee served
 * 31.3-32.0k requests/s with 27-28 µs of tutord's CPU each, at 32 KiB 33.5-35.0k with 25-26 µs (40,000-
 * student bench/gen, 32 connections, three alternating rounds). 32 KiB holds an 8 KB target with 16 KB of
 * header fields in 120 lines; the router refuses more than 100 (router.c); beyond some 250 lines, before the
 * router sees them, libmicrohttpd answers its own 431 (it did beyond some 700 at 64 KiB). */
#define CONNECTION_MEMORY (32 * 1024)

/* Starts the daemon on `addr` with the options above; NULL when it cannot listen. */
static struct MHD_Daemon *start_daemon(struct server *srv, const struct config *cfg, struct sockaddr_in *addr)
{
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_mhd, NULL}, /* first, so that every message goes through it */
        {MHD_OPTION_SOCK_ADDR, 0, addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->connection_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_connections_per_ip, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)CONNECTION_MEMORY, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv},
        {MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, srv},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads, NULL}, /* last: ended here with a thread per connection */
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (srv->per_connection) {
        options[sizeof(options) / sizeof(options[0]) - 2].option = MHD_OPTION_END;
        flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG;
    }
    return MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/* Blocks until SIGINT or SIGTERM (blocked in every thread by main) arrives. */
static void wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    log_msg(LOG_INFO, "signal %d: stopping", sig);
}

/* Starts what serving needs beside the daemon: the header deadline reaper, the heavy pool and the
 * rate limiter (set in `app`). Returns 0, or -1 (logged) with whatever started left for stop_helpers. */
static int start_helpers(struct server *srv, struct app *app)
{
    const struct config *cfg = app->config;
    struct rate_quotas quotas = {.window_s = cfg->rate_window_s};
    memcpy(quotas.quota, cfg->rate_quota, sizeof(quotas.quota));
    srv->deadlines = header_deadlines_start(cfg->header_timeout_s);
    srv->heavy = heavy_pool_start(cfg->heavy_threads, cfg->heavy_queue);
    metrics_set_heavy_pool(srv->heavy);
    app->limiter = rate_limiter_new(&quotas, 16384);
    if (!srv->deadlines || !srv->heavy || !app->limiter) {
        log_msg(LOG_ERROR, "could not start the header deadline reaper, the heavy pool or the rate limiter");
        return -1;
    }
    return 0;
}

/* Frees what start_helpers started, once the daemon has stopped. NULL-safe throughout. */
static void stop_helpers(struct server *srv, struct app *app)
{
    metrics_set_heavy_pool(NULL);
    heavy_pool_free(srv->heavy);
    srv->heavy = NULL;
    header_deadlines_stop(srv->deadlines);
    rate_limiter_free(app->limiter);
    app->limiter = NULL;
}

int server_draining(void)
{
    return atomic_load_explicit(&draining, memory_order_relaxed);
}

#define POLL_MS 10       /* how often a drain looks at what is still in flight */
#define CUT_WAIT_MS 5000 /* after cutting, how long the cut requests get to send their 503 */

/* Waits until no request begun before the drain is in flight, or `ms` have passed. Returns 1 when
 * none is left. */
static int await_idle(struct server *srv, long ms)
{
    struct timespec start, now, pause = {0, POLL_MS * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (atomic_load(&srv->in_flight) == 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L >= ms)
            return 0;
        nanosleep(&pause, NULL);
    }
}

/* Cuts every request still running: the heavy jobs (heavy_pool_cut) and the statements of every
 * request thread, each of which then answers 503. */
static void cut_requests(struct server *srv)
{
    heavy_pool_cut(srv->heavy);
    pthread_mutex_lock(&srv->watches_lock);
    for (struct thread_watch *w = srv->watches; w; w = w->next)
        db_watch_stop(&w->watch);
    pthread_mutex_unlock(&srv->watches_lock);
}

/* The graceful stop, once a signal has come: every new request is answered 503 "draining" (the
 * connection closed after it) while those already begun finish, for up to TUTORD_SHUTDOWN_GRACE_MS;
 * any still running then are cut. Then the heavy pool and the daemon stop, which closes the listening
 * socket (until then a new request is still answered 503 "draining"). Not MHD_quiesce_daemon first: in
 * libmicrohttpd 0.9.75 it takes the listening socket out of each pool thread's epoll set while that thread,
 * woken by it, may take it out too, and the loser aborts the process ("Failed to remove listen FD from
 * epoll set"): a CI run's tutord died of it at its stop. */
static void drain_and_stop(struct server *srv, struct MHD_Daemon *daemon, int grace_ms)
{
    atomic_store(&draining, 1);
    log_msg(LOG_INFO, "draining: %d requests in flight, up to %d ms", atomic_load(&srv->in_flight), grace_ms);
    if (!await_idle(srv, grace_ms)) {
        log_msg(LOG_WARN, "shutdown: %d requests still running after %d ms; cutting them", atomic_load(&srv->in_flight),
                grace_ms);
        cut_requests(srv);
        if (!await_idle(srv, CUT_WAIT_MS))
            log_msg(LOG_WARN, "shutdown: %d cut requests did not finish", atomic_load(&srv->in_flight));
    }
    heavy_pool_stop(srv->heavy);
    MHD_stop_daemon(daemon);
    log_msg(LOG_INFO, "stopped");
}

int server_run(struct app *app)
{
    const struct config *cfg = app->config;
    struct _u_instance instance;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    inet_pton(AF_INET, cfg->listen, &addr.sin_addr);
    if (ulfius_init_instance(&instance, (unsigned)cfg->port, &addr, NULL) != U_OK)
        return 1;
    int rc = 1;
    struct MHD_Daemon *daemon = NULL;
    struct server srv = {.app = app,
                         .header_timeout_s = cfg->header_timeout_s,
                         .idle_timeout_s = cfg->connection_timeout_s,
                         .per_connection = cfg->threads == 0,
                         .watches_lock = PTHREAD_MUTEX_INITIALIZER};
    atomic_store(&draining, 0);
    if (pthread_key_create(&srv.watch_key, drop_watch) != 0) {
        ulfius_clean_instance(&instance);
        log_msg(LOG_ERROR, "could not make the request threads' key");
        return 1;
    }
    if (start_helpers(&srv, app) != 0) {
        /* logged */
    } else if (!register_routes || register_routes(&instance, app) != 0) {
        log_msg(LOG_ERROR, "route registration failed");
    } else if (!(daemon = start_daemon(&srv, cfg, &addr))) {
        log_msg(LOG_ERROR, "could not listen on %s:%d", cfg->listen, cfg->port);
    } else {
        char threads[32];
        if (cfg->threads)
            snprintf(threads, sizeof(threads), "%d threads", cfg->threads);
        else
            snprintf(threads, sizeof(threads), "a thread per connection");
        log_msg(LOG_INFO, "tutord listening on %s:%d (%s, %d heavy, %d database connections)", cfg->listen, cfg->port,
                threads, cfg->heavy_threads, cfg->db_pool_size);
        wait_for_signal();
        drain_and_stop(&srv, daemon, cfg->shutdown_grace_ms);
        rc = 0;
    }
    stop_helpers(&srv, app);
    /* every request thread's watch went with its thread (drop_watch): MHD_stop_daemon joins them all */
    pthread_key_delete(srv.watch_key);
    pthread_mutex_destroy(&srv.watches_lock);
    ulfius_clean_instance(&instance);
    return rc;
}

int server_print_routes(struct app *app)
{
    struct _u_instance instance;
    if (ulfius_init_instance(&instance, (unsigned)app->config->port, NULL, NULL) != U_OK)
        return 1;
    int rc = register_routes ? register_routes(&instance, app) : 1;
    if (rc == 0)
        http_routes_print(app->routes, stdout);
    ulfius_clean_instance(&instance);
    return rc;
}
