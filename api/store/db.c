/* db.c — the connection pool (mutex + condition variable, timed acquire), transactions, SQLSTATE mapping. */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct db_pool {
    char *url;
    char options[128]; /* "-c role=..." or "" */
    int size;
    int acquire_timeout_ms;
    const struct db_statement *statements;
    struct db_conn *conns;
    struct db_conn **free_list; /* stack of idle connections */
    int n_free;
    int waiting;                         /* threads waiting in pop_free (metrics) */
    unsigned long long acquire_timeouts; /* waits that ended without a connection (metrics) */
    pthread_mutex_t lock;
    pthread_cond_t available;
    long long rest_until_ms;        /* a replica pool: not tried before this (monotonic ms) after it failed */
    struct attachment *attachments; /* db_pool_attachment's: added under `lock`, read without it */
    int joined_reads;               /* db_pool_set_joined_reads */
};

/* State a module above keeps with the pool (db_pool_attachment). */
struct attachment {
    const void *key;
    void *state;
    void (*release)(void *state);
    struct attachment *next;
};

struct db_pool *db_pool_new(const char *url, const char *role, int size, int acquire_timeout_ms,
                            const struct db_statement *statements)
{
    struct db_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pool->url = strdup(url);
    pool->conns = calloc((size_t)size, sizeof(*pool->conns));
    pool->free_list = calloc((size_t)size, sizeof(*pool->free_list));
    if (!pool->url || !pool->conns || !pool->free_list) {
        free(pool->url);
        free(pool->conns);
        free(pool->free_list);
        free(pool);
        return NULL;
    }
    pool->size = size;
    if (role && *role && strcmp(role, "none") != 0)
        snprintf(pool->options, sizeof(pool->options), "-c role=%s", role);
    pool->acquire_timeout_ms = acquire_timeout_ms;
    pool->statements = statements;
    for (int i = 0; i < size; i++) {
        pool->conns[i].statements = statements;
        pool->free_list[pool->n_free++] = &pool->conns[i];
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->available, &attr);
    pthread_condattr_destroy(&attr);
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (struct attachment *a = pool->attachments, *next; a; a = next) {
        next = a->next;
        a->release(a->state);
        free(a);
    }
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].pg)
            PQfinish(pool->conns[i].pg);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->available);
    free(pool->conns);
    free(pool->free_list);
    free(pool->url);
    free(pool);
}

/* The attachment kept under `key` in the list from `a` on, or NULL. */
static struct attachment *find_attachment(struct attachment *a, const void *key)
{
    while (a && a->key != key)
        a = a->next;
    return a;
}

void *db_pool_attachment(struct db_pool *pool, const void *key, void *(*make)(struct db_pool *pool),
                         void (*release)(void *state))
{
    /* Found without the pool's lock (every joined read asks): an attachment is complete before it is
     * published at the list's head, and none changes or goes before db_pool_free. */
    struct attachment *a = find_attachment(__atomic_load_n(&pool->attachments, __ATOMIC_ACQUIRE), key);
    if (a)
        return a->state;
    pthread_mutex_lock(&pool->lock);
    if (!(a = find_attachment(pool->attachments, key)) && (a = calloc(1, sizeof(*a)))) {
        if ((a->state = make(pool))) {
            a->key = key;
            a->release = release;
            a->next = pool->attachments;
            __atomic_store_n(&pool->attachments, a, __ATOMIC_RELEASE);
        } else {
            free(a);
            a = NULL;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return a ? a->state : NULL;
}

void db_pool_set_joined_reads(struct db_pool *pool, int n)
{
    pool->joined_reads = n;
}

int db_pool_joined_reads(const struct db_pool *pool)
{
    return pool->joined_reads;
}

static int prepare_all(struct db_conn *conn, const struct db_statement *statements)
{
    for (const struct db_statement *s = statements; s && s->name; s++) {
        PGresult *res = PQprepare(conn->pg, s->name, s->sql, 0, NULL);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            log_msg(LOG_ERROR, "preparing %s failed: %s", s->name, PQresultErrorMessage(res));
        PQclear(res);
        if (!ok)
            return -1;
    }
    conn->prepared = 1;
    return 0;
}

/* libpq's notices and warnings, through the JSON log instead of raw on stderr. */
static void log_notice(void *cls, const char *message)
{
    (void)cls;
    log_text(LOG_WARN, "libpq", message);
}

/* The session settings the statements' text answers depend on, whatever the server, database, role or
 * URL set: dates as ISO text (the facts, the reports and the CSVs read date::text as YYYY-MM-DD). A SET of
 * its own rather than the connection's options, which would replace any options the URL gives. */
static int pin_settings(PGconn *pg)
{
    PGresult *res = PQexec(pg, "SET DateStyle = ISO");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        log_text(LOG_WARN, "libpq", PQerrorMessage(pg));
    PQclear(res);
    return ok ? 0 : -1;
}

/* Opens (or re-opens) the connection; network I/O, so never called with the pool lock held. */
static enum app_status connect_conn(struct db_pool *pool, struct db_conn *conn)
{
    static const char *const keys[] = {"dbname", "connect_timeout", "application_name", "options", NULL};
    const char *values[] = {pool->url, "3", "tutord", pool->options, NULL};
    if (conn->pg)
        PQfinish(conn->pg);
    conn->prepared = 0;
    conn->n_named = 0;
    conn->in_tx = 0;
    conn->broken = 0;
    conn->pg = PQconnectdbParams(keys, values, 1);
    if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
        log_text(LOG_WARN, "libpq", conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
        if (conn->pg)
            PQfinish(conn->pg);
        conn->pg = NULL;
        return APP_UNAVAILABLE;
    }
    PQsetNoticeProcessor(conn->pg, log_notice, NULL);
    if (pin_settings(conn->pg) != 0 || prepare_all(conn, conn->statements) != 0) {
        PQfinish(conn->pg);
        conn->pg = NULL;
        return APP_DB;
    }
    return APP_OK;
}

static void deadline_after_ms(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static struct db_conn *pop_free(struct db_pool *pool)
{
    struct timespec deadline;
    deadline_after_ms(&deadline, pool->acquire_timeout_ms);
    struct db_conn *conn = NULL;
    pthread_mutex_lock(&pool->lock);
    pool->waiting++;
    while (pool->n_free == 0) {
        if (pthread_cond_timedwait(&pool->available, &pool->lock, &deadline) == ETIMEDOUT)
            break;
    }
    pool->waiting--;
    if (pool->n_free > 0)
        conn = pool->free_list[--pool->n_free];
    else
        pool->acquire_timeouts++;
    pthread_mutex_unlock(&pool->lock);
    return conn;
}

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out)
{
    pthread_mutex_lock(&pool->lock);
    out->size = pool->size;
    out->in_use = pool->size - pool->n_free;
    out->waiting = pool->waiting;
    out->acquire_timeouts = pool->acquire_timeouts;
    pthread_mutex_unlock(&pool->lock);
}

static void push_free(struct db_pool *pool, struct db_conn *conn)
{
    pthread_mutex_lock(&pool->lock);
    pool->free_list[pool->n_free++] = conn;
    pthread_cond_signal(&pool->available);
    pthread_mutex_unlock(&pool->lock);
}

/* Hands out `conn`, just taken from the free list: connected (else back on the list). */
static enum app_status hand_out(struct db_pool *pool, struct db_conn *conn, struct db_conn **out)
{
    if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
        enum app_status st = connect_conn(pool, conn);
        if (st != APP_OK) {
            push_free(pool, conn);
            return st;
        }
    }
    conn->broken = 0;
    *out = conn;
    return APP_OK;
}

enum app_status db_acquire(struct db_pool *pool, struct db_conn **out)
{
    *out = NULL;
    struct db_conn *conn = pop_free(pool);
    if (!conn) {
        log_msg(LOG_WARN, "database pool exhausted after %d ms", pool->acquire_timeout_ms);
        return APP_UNAVAILABLE;
    }
    return hand_out(pool, conn, out);
}

enum app_status db_acquire_spare(struct db_pool *pool, struct db_conn **out)
{
    *out = NULL;
    struct db_conn *conn = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->n_free >= 2)
        conn = pool->free_list[--pool->n_free];
    pthread_mutex_unlock(&pool->lock);
    return conn ? hand_out(pool, conn, out) : APP_UNAVAILABLE;
}

void db_release(struct db_pool *pool, struct db_conn *conn)
{
    if (!conn)
        return;
    if (conn->in_tx)
        db_rollback(conn);
    if (conn->pg &&
        (conn->broken || PQstatus(conn->pg) != CONNECTION_OK || PQtransactionStatus(conn->pg) != PQTRANS_IDLE)) {
        PQfinish(conn->pg); /* reopened lazily by the next db_acquire */
        conn->pg = NULL;
    }
    push_free(pool, conn);
}

enum app_status db_status_of_sqlstate(const char *sqlstate)
{
    if (!sqlstate || strlen(sqlstate) != 5)
        return APP_UNAVAILABLE; /* no SQLSTATE: the connection itself failed */
    if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "23P01") == 0)
        return APP_CONFLICT;
    if (strncmp(sqlstate, "23", 2) == 0 || strncmp(sqlstate, "22", 2) == 0)
        return APP_INVALID;
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P03") == 0 || strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "55P03") == 0)
        return APP_UNAVAILABLE;
    return APP_DB;
}

static void copy_field(char *dst, size_t size, const PGresult *res, int field)
{
    const char *v = res ? PQresultErrorField(res, field) : NULL;
    snprintf(dst, size, "%s", v ? v : "");
}

/* Inspects a finished result: APP_OK, or the mapped failure with *err filled and the result cleared. */
static enum app_status check_result(struct db_conn *conn, PGresult **res, struct db_error *err)
{
    ExecStatusType st = *res ? PQresultStatus(*res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) {
        conn->last_error.sqlstate[0] = '\0';
        return APP_OK;
    }
    struct db_error local;
    if (!err)
        err = &local;
    copy_field(err->sqlstate, sizeof(err->sqlstate), *res, PG_DIAG_SQLSTATE);
    copy_field(err->constraint, sizeof(err->constraint), *res, PG_DIAG_CONSTRAINT_NAME);
    copy_field(err->column, sizeof(err->column), *res, PG_DIAG_COLUMN_NAME);
    if (strcmp(err->sqlstate, "25P02") != 0 || !conn->last_error.sqlstate[0])
        conn->last_error = *err; /* "current transaction is aborted" keeps the cause */
    enum app_status mapped = db_status_of_sqlstate(err->sqlstate);
    if (PQstatus(conn->pg) != CONNECTION_OK) {
        conn->broken = 1;
        mapped = APP_UNAVAILABLE;
    }
    if (mapped == APP_DB || mapped == APP_UNAVAILABLE)
        log_msg(mapped == APP_DB ? LOG_ERROR : LOG_WARN, "database error %s: %s", err->sqlstate,
                *res ? PQresultErrorMessage(*res) : PQerrorMessage(conn->pg));
    PQclear(*res);
    *res = NULL;
    return mapped;
}

/* ---- watches (db.h): statements another thread may stop --------------------------------------------- */

static _Thread_local struct db_watch *thread_watch;

void db_watch_init(struct db_watch *watch)
{
    pthread_mutex_init(&watch->lock, NULL);
    watch->cancel = NULL;
    watch->stopped = 0;
    watch->follower = NULL;
}

void db_watch_destroy(struct db_watch *watch)
{
    pthread_mutex_destroy(&watch->lock);
}

void db_watch_set(struct db_watch *watch)
{
    thread_watch = watch;
}

struct db_watch *db_watch_current(void)
{
    return thread_watch;
}

void db_watch_reset(struct db_watch *watch)
{
    pthread_mutex_lock(&watch->lock);
    watch->stopped = 0;
    pthread_mutex_unlock(&watch->lock);
}

void db_watch_stop(struct db_watch *watch)
{
    char why[256];
    pthread_mutex_lock(&watch->lock);
    watch->stopped = 1;
    if (watch->cancel)
        PQcancel(watch->cancel, why, sizeof(why));
    if (watch->follower) /* under the lock: db_watch_chain(watch, NULL) waits for it before the follower goes */
        db_watch_stop(watch->follower);
    pthread_mutex_unlock(&watch->lock);
}

void db_watch_chain(struct db_watch *watch, struct db_watch *follower)
{
    pthread_mutex_lock(&watch->lock);
    watch->follower = follower;
    int stopped = watch->stopped;
    pthread_mutex_unlock(&watch->lock);
    if (stopped && follower)
        db_watch_stop(follower);
}

/* Before a statement on `pg`: -1 when the thread's watch is stopped, else 0 with the statement
 * cancellable. No watch: 0. */
static int watch_begin(struct db_watch *w, PGconn *pg)
{
    if (!w)
        return 0;
    pthread_mutex_lock(&w->lock);
    int stopped = w->stopped;
    if (!stopped)
        w->cancel = PQgetCancel(pg);
    pthread_mutex_unlock(&w->lock);
    return stopped ? -1 : 0;
}

/* After the statement: forgets its cancel handle; returns 1 when the watch was stopped meanwhile. */
static int watch_end(struct db_watch *w)
{
    if (!w)
        return 0;
    pthread_mutex_lock(&w->lock);
    PQfreeCancel(w->cancel);
    w->cancel = NULL;
    int stopped = w->stopped;
    pthread_mutex_unlock(&w->lock);
    return stopped;
}

typedef PGresult *(*run_fn)(PGconn *, const char *, int, const char *const *);

static PGresult *run_text(PGconn *pg, const char *sql, int n, const char *const *params)
{
    return PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
}

static PGresult *run_prepared(PGconn *pg, const char *name, int n, const char *const *params)
{
    return PQexecPrepared(pg, name, n, params, NULL, NULL, 0);
}

/* Reconnects a dead connection in place; used only before anything of a request has run on it. */
static int revive(struct db_conn *conn)
{
    PQreset(conn->pg);
    if (PQstatus(conn->pg) != CONNECTION_OK)
        return -1;
    conn->broken = 0;
    conn->prepared = 0;
    conn->n_named = 0;
    return 0;
}

/* Runs a statement; a connection found dead outside a transaction is revived (re-preparing the pool's
 * statements) and the statement tried once more. */
static enum app_status run(struct db_conn *conn, run_fn fn, const char *stmt, int n, const char *const *params,
                           PGresult **out, struct db_error *err)
{
    if (watch_begin(thread_watch, conn->pg) != 0)
        return APP_UNAVAILABLE; /* stopped: the work's client has gone */
    PGresult *res = fn(conn->pg, stmt, n, params);
    if (watch_end(thread_watch)) {
        PQclear(res); /* cancelled on purpose: not a database error */
        return APP_UNAVAILABLE;
    }
    enum app_status st = check_result(conn, &res, err);
    if (st == APP_UNAVAILABLE && conn->broken && !conn->in_tx && revive(conn) == 0) {
        if (prepare_all(conn, conn->statements) != 0)
            return APP_DB;
        res = fn(conn->pg, stmt, n, params);
        st = check_result(conn, &res, err);
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return st;
}

enum app_status db_query(struct db_conn *conn, const char *sql, int nparams, const char *const *params, PGresult **out,
                         struct db_error *err)
{
    if (out)
        *out = NULL;
    return run(conn, run_text, sql, nparams, params, out, err);
}

enum app_status db_query_prepared(struct db_conn *conn, const char *name, int nparams, const char *const *params,
                                  PGresult **out, struct db_error *err)
{
    if (out)
        *out = NULL;
    return run(conn, run_prepared, name, nparams, params, out, err);
}

/* ---- a statement left running (db.h) ---------------------------------------------------------------------- */

enum app_status db_send(struct db_conn *conn, const char *sql, int nparams, const char *const *params)
{
    if (PQsendQueryParams(conn->pg, sql, nparams, NULL, params, NULL, NULL, 0))
        return APP_OK;
    log_text(LOG_WARN, "libpq", PQerrorMessage(conn->pg));
    conn->broken = 1;
    return APP_UNAVAILABLE;
}

/* Every result of the statement in flight on pg, read to the end: the first (its rows or its error). */
static PGresult *first_result(PGconn *pg)
{
    PGresult *first = NULL, *r;
    while ((r = PQgetResult(pg)))
        if (first)
            PQclear(r);
        else
            first = r;
    return first;
}

/* Cancels the statement in flight on pg and reads its results to the end. A cancel request that reaches the
 * backend before it has begun the statement is lost (it was idle, reading), so the request is sent again
 * every 50 ms, at most 200 times, until the statement's end has arrived. */
static void cancel_in_flight(PGconn *pg)
{
    PGcancel *cancel = PQgetCancel(pg);
    char why[256];
    for (int i = 0; cancel && i < 200 && PQconsumeInput(pg) && PQisBusy(pg); i++) {
        PQcancel(cancel, why, sizeof(why));
        struct pollfd fd = {.fd = PQsocket(pg), .events = POLLIN};
        (void)poll(&fd, 1, 50);
    }
    PQfreeCancel(cancel);
    PQclear(first_result(pg));
}

enum app_status db_collect(struct db_conn *conn, PGresult **out, struct db_error *err)
{
    *out = NULL;
    if (watch_begin(thread_watch, conn->pg) != 0) { /* stopped while it ran: cancel it, keep nothing */
        cancel_in_flight(conn->pg);
        return APP_UNAVAILABLE;
    }
    PGresult *res = first_result(conn->pg);
    if (watch_end(thread_watch)) {
        PQclear(res); /* cancelled on purpose: not a database error */
        return APP_UNAVAILABLE;
    }
    enum app_status st = check_result(conn, &res, err);
    *out = res;
    return st;
}

/* ---- pipelines (db.h) ----------------------------------------------------------------------------------- */

/* 1 when statement `name` is prepared on the connection. */
static int is_named(const struct db_conn *conn, const char *name)
{
    for (int i = 0; i < conn->n_named; i++)
        if (strcmp(conn->named[i], name) == 0)
            return 1;
    return 0;
}

/* 1 when step i must prepare its statement first: named, not on the session yet, not already being
 * prepared by an earlier step of the same pipeline, and room left to remember it. */
static int needs_prepare(const struct db_conn *conn, const struct db_step *steps, size_t i)
{
    if (!steps[i].name || is_named(conn, steps[i].name))
        return 0;
    for (size_t j = 0; j < i; j++)
        if (steps[j].name && strcmp(steps[j].name, steps[i].name) == 0)
            return 0;
    return conn->n_named < DB_MAX_NAMED;
}

/* Queues every step (and the Parse of each new named one, noted in prep[i]) and the sync. 0, or -1. */
static int send_steps(struct db_conn *conn, const struct db_step *steps, size_t n, int *prep)
{
    for (size_t i = 0; i < n; i++) {
        const struct db_step *s = &steps[i];
        prep[i] = needs_prepare(conn, steps, i);
        int named = s->name && (prep[i] || is_named(conn, s->name));
        for (size_t j = 0; s->name && !named && j < i; j++)
            named = prep[j] && strcmp(steps[j].name, s->name) == 0;
        if (prep[i] && !PQsendPrepare(conn->pg, s->name, s->sql, s->nparams, NULL))
            return -1;
        int ok = named ? PQsendQueryPrepared(conn->pg, s->name, s->nparams, s->params, NULL, NULL, 0)
                       : PQsendQueryParams(conn->pg, s->sql, s->nparams, NULL, s->params, NULL, NULL, 0);
        if (!ok)
            return -1;
    }
    return PQpipelineSync(conn->pg) ? 0 : -1;
}

/* The next command's result in the pipeline (and the end of that command read past); NULL when the
 * connection has failed. */
static PGresult *next_result(struct db_conn *conn)
{
    PGresult *res = PQgetResult(conn->pg);
    if (!res) {
        conn->broken = 1;
        return NULL;
    }
    if (PQresultStatus(res) != PGRES_PIPELINE_SYNC)
        PQclear(PQgetResult(conn->pg)); /* the NULL that ends each command */
    return res;
}

/* Checks one command's result: keeps it in *out when it succeeded; returns its status (APP_OK for a
 * command skipped after an earlier failure, which that failure already reports). */
static enum app_status take_result(struct db_conn *conn, PGresult *res, PGresult **out, struct db_error *err)
{
    *out = NULL;
    if (res && PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
        PQclear(res);
        return APP_OK;
    }
    enum app_status st = check_result(conn, &res, err);
    *out = res;
    return st;
}

/* Reads the results of the steps (prep[i]: a Parse came first) and the sync; the first failure. */
static enum app_status collect_steps(struct db_conn *conn, const struct db_step *steps, size_t n, const int *prep,
                                     PGresult **results, struct db_error *err)
{
    enum app_status first = APP_OK;
    for (size_t i = 0; i < n && !conn->broken; i++) {
        PGresult *parsed = NULL;
        enum app_status st = APP_OK;
        if (prep[i]) {
            st = take_result(conn, next_result(conn), &parsed, err);
            if (parsed && conn->n_named < DB_MAX_NAMED)
                conn->named[conn->n_named++] = steps[i].name;
            PQclear(parsed);
        }
        if (!conn->broken) {
            enum app_status run_st = take_result(conn, next_result(conn), &results[i], err);
            st = st == APP_OK ? run_st : st;
        }
        if (first == APP_OK)
            first = conn->broken ? APP_UNAVAILABLE : st;
    }
    if (!conn->broken)
        PQclear(next_result(conn)); /* the sync */
    return first;
}

/* One attempt: pipeline mode on, everything sent, everything read, pipeline mode off. */
static enum app_status pipeline_once(struct db_conn *conn, const struct db_step *steps, size_t n, PGresult **results,
                                     struct db_error *err)
{
    int *prep = calloc(n, sizeof(*prep));
    if (!prep)
        return APP_NOMEM;
    if (!PQenterPipelineMode(conn->pg)) {
        free(prep);
        conn->broken = 1;
        return APP_UNAVAILABLE;
    }
    enum app_status st = APP_UNAVAILABLE;
    if (send_steps(conn, steps, n, prep) == 0) {
        st = collect_steps(conn, steps, n, prep, results, err);
    } else {
        log_text(LOG_WARN, "libpq", PQerrorMessage(conn->pg));
        conn->broken = 1;
    }
    free(prep);
    if (!conn->broken && !PQexitPipelineMode(conn->pg))
        conn->broken = 1;
    return conn->broken ? APP_UNAVAILABLE : st;
}

/* Frees and forgets the results of a pipeline. */
static void clear_results(PGresult **results, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PQclear(results[i]);
        results[i] = NULL;
    }
}

enum app_status db_pipeline(struct db_conn *conn, const struct db_step *steps, size_t n, PGresult **results,
                            struct db_error *err)
{
    memset(results, 0, n * sizeof(*results));
    if (n == 0)
        return APP_OK;
    int was_in_tx = conn->in_tx;
    if (watch_begin(thread_watch, conn->pg) != 0)
        return APP_UNAVAILABLE; /* stopped: the work's client has gone */
    enum app_status st = pipeline_once(conn, steps, n, results, err);
    if (st == APP_UNAVAILABLE && conn->broken && !was_in_tx && !watch_end(thread_watch) && revive(conn) == 0) {
        clear_results(results, n);
        st = prepare_all(conn, conn->statements) == 0 && watch_begin(thread_watch, conn->pg) == 0
                 ? pipeline_once(conn, steps, n, results, err)
                 : APP_DB;
    }
    if (watch_end(thread_watch)) {
        clear_results(results, n); /* cancelled on purpose: not a database error */
        st = APP_UNAVAILABLE;
    }
    PGTransactionStatusType ts = conn->pg ? PQtransactionStatus(conn->pg) : PQTRANS_UNKNOWN;
    conn->in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    if (st != APP_OK)
        clear_results(results, n);
    return st;
}

enum app_status db_begin(struct db_conn *conn)
{
    enum app_status st = db_query(conn, "BEGIN", 0, NULL, NULL, NULL);
    if (st == APP_OK)
        conn->in_tx = 1;
    return st;
}

enum app_status db_commit(struct db_conn *conn)
{
    enum app_status st = db_query(conn, "COMMIT", 0, NULL, NULL, NULL);
    conn->in_tx = 0;
    return st;
}

void db_rollback(struct db_conn *conn)
{
    if (!conn->in_tx)
        return;
    PGresult *res = PQexec(conn->pg, "ROLLBACK");
    PQclear(res);
    conn->in_tx = 0;
}

enum app_status db_ping(struct db_pool *pool)
{
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(pool, &conn);
    if (st == APP_OK)
        st = db_query(conn, "SELECT 1", 0, NULL, NULL, NULL);
    db_release(pool, conn);
    return st == APP_OK ? APP_OK : APP_UNAVAILABLE;
}

/* ---- reads from a streaming replica (db.h) ----------------------------------------------------------- */

/* Milliseconds on the monotonic clock. */
static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True while the pool's server is left alone after a failure (see pool_rest). */
static int pool_resting(struct db_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int resting = pool->rest_until_ms > monotonic_ms();
    pthread_mutex_unlock(&pool->lock);
    return resting;
}

/* Leaves the pool's server alone for DB_REPLICA_RETRY_MS: the primary serves meanwhile. */
static void pool_rest(struct db_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->rest_until_ms = monotonic_ms() + DB_REPLICA_RETRY_MS;
    pthread_mutex_unlock(&pool->lock);
    log_msg(LOG_WARN, "read replica unusable: heavy reads go to the primary for %d ms", DB_REPLICA_RETRY_MS);
}

enum app_status db_primary_lsn(struct db_pool *primary, char lsn[32])
{
    struct db_conn *conn = NULL;
    PGresult *res = NULL;
    enum app_status st = db_acquire(primary, &conn);
    if (st == APP_OK)
        st = db_query(conn, "SELECT pg_current_wal_flush_lsn()::text", 0, NULL, &res, NULL);
    if (st == APP_OK)
        snprintf(lsn, 32, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    db_release(primary, conn);
    return st;
}

/* One look at the replica: 't' replayed up to $1, 'f' not yet, 'p' replay paused short of it (waiting is
 * pointless), 'n' not a replica at all. */
static const char REPLAY_SQL[] = "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'n'"
                                 " WHEN pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 't'"
                                 " WHEN pg_is_wal_replay_paused() THEN 'p' ELSE 'f' END";

int db_replica_reached(struct db_conn *conn, const char *lsn, int max_wait_ms)
{
    const char *params[] = {lsn};
    long long deadline = monotonic_ms() + max_wait_ms;
    for (;;) {
        PGresult *res = NULL;
        if (db_query(conn, REPLAY_SQL, 1, params, &res, NULL) != APP_OK)
            return -1;
        char state = PQgetvalue(res, 0, 0)[0];
        PQclear(res);
        if (state == 't')
            return 1;
        if (state != 'f' || monotonic_ms() >= deadline)
            return 0;
        struct timespec pause = {0, 2 * 1000000L}; /* replay advances in well under a millisecond per commit */
        nanosleep(&pause, NULL);
    }
}

enum app_status db_acquire_read(struct db_pool *primary, struct db_pool *replica, int max_wait_ms, struct db_conn **out,
                                struct db_pool **from, enum db_source *source)
{
    char lsn[32];
    *from = primary;
    *source = DB_FROM_PRIMARY;
    if (replica && !pool_resting(replica) && db_primary_lsn(primary, lsn) == APP_OK) {
        struct db_conn *conn = NULL;
        int reached = db_acquire(replica, &conn) == APP_OK ? db_replica_reached(conn, lsn, max_wait_ms) : -1;
        if (reached == 1) {
            *out = conn;
            *from = replica;
            *source = DB_FROM_REPLICA;
            return APP_OK;
        }
        db_release(replica, conn);
        if (reached < 0)
            pool_rest(replica);
        else
            log_msg(LOG_DEBUG, "read replica behind %s after %d ms: the primary serves", lsn, max_wait_ms);
    }
    return db_acquire(primary, out);
}
