/* db_join.c — point reads joined into one statement (db_join.h): the queue of reads waiting, the
 * statements of each kind in flight, the leader that runs a batch and hands out its rows. */
#include "db_join.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "pg_array.h"

/* Where a read stands. */
enum ask_state {
    ASK_WAITING, /* queued, or in a batch another thread runs */
    ASK_LEADING, /* handed a batch to run (itself among it) */
    ASK_DONE     /* answered: status set */
};

/* One read, on its thread's stack while it waits. Its thread sleeps on `wake` (not a condition variable:
 * woken, it would first queue for the joiner's lock, which the waker holds); whoever posts it has set
 * state (and status or batch) before, and does not touch the read after. */
struct ask {
    const char *const *keys;
    void *ctx;
    enum app_status status;
    enum ask_state state;
    struct ask *batch; /* ASK_LEADING: the reads to run, linked by next */
    struct ask *next;
    sem_t wake;
};

/* A kind's reads waiting and statements running on one pool (the pool's attachment for the kind). */
struct joiner {
    pthread_mutex_t lock;
    struct ask *head, *tail; /* waiting for a statement */
    int in_flight, max_in_flight;
};

static void *make_joiner(struct db_pool *pool)
{
    struct joiner *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    pthread_mutex_init(&j->lock, NULL);
    j->max_in_flight = db_pool_joined_reads(pool);
    return j;
}

static void free_joiner(void *state)
{
    struct joiner *j = state;
    pthread_mutex_destroy(&j->lock);
    free(j);
}

/* Takes the first DB_JOIN_MAX_BATCH reads waiting off the queue; under j->lock. */
static struct ask *take_waiting(struct joiner *j)
{
    struct ask *first = j->head, *last = first;
    for (int n = 1; last && last->next && n < DB_JOIN_MAX_BATCH; n++)
        last = last->next;
    j->head = last ? last->next : NULL;
    if (!j->head)
        j->tail = NULL;
    if (last)
        last->next = NULL;
    return first;
}

/* Key k of the batch's read i (pg_array_literal's callback; arg: struct batch_keys). */
struct batch_keys {
    struct ask *const *reads;
    int k;
};

static const char *batch_key(const void *arg, size_t i)
{
    const struct batch_keys *b = arg;
    return b->reads[i]->keys[b->k];
}

/* Runs `statement` with the n_keys parameters on a connection of the pool: its status, *res its rows. */
static enum app_status run_statement(struct db_pool *pool, const char *statement, int n_keys, const char *const *params,
                                     PGresult **res)
{
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(pool, &conn);
    if (st == APP_OK)
        st = db_query_prepared(conn, statement, n_keys, params, res, NULL);
    db_release(pool, conn);
    return st;
}

/* Runs the n reads' statement (the single one for one read) and sets each read's status (its row taken
 * by kind->take). */
static void run_batch(struct db_pool *pool, const struct db_join_kind *kind, struct ask *const *reads, int n)
{
    if (n < 1)
        return;
    char *arrays[DB_JOIN_MAX_KEYS] = {0};
    enum app_status st = APP_OK;
    for (int k = 0; k < kind->n_keys && st == APP_OK && n > 1; k++)
        if (!(arrays[k] = pg_array_literal((size_t)n, batch_key, &(struct batch_keys){reads, k})))
            st = APP_NOMEM;
    PGresult *res = NULL;
    if (st == APP_OK)
        st = n > 1 ? run_statement(pool, kind->joined, kind->n_keys, (const char *const *)arrays, &res)
                   : run_statement(pool, kind->single, kind->n_keys, reads[0]->keys, &res);
    for (int k = 0; k < kind->n_keys; k++)
        free(arrays[k]);
    int answered[DB_JOIN_MAX_BATCH] = {0};
    int last = res ? PQnfields(res) - 1 : -1;
    for (int row = 0; st == APP_OK && row < PQntuples(res); row++) {
        long at = n > 1 ? strtol(PQgetvalue(res, row, last), NULL, 10) - 1 : 0;
        if (at >= 0 && at < n && !answered[at])
            answered[at] = 1, reads[at]->status = kind->take(reads[at]->ctx, res, row);
    }
    for (int i = 0; i < n; i++)
        if (st != APP_OK)
            reads[i]->status = st;
        else if (!answered[i])
            reads[i]->status = kind->take(reads[i]->ctx, res, -1);
    PQclear(res);
}

/* Runs the batch `self` was handed (self among it, taken off the queue: this thread's alone now), then
 * answers its other reads and hands the reads waiting now, if any, to the first of them. */
static void lead(struct joiner *j, struct db_pool *pool, const struct db_join_kind *kind, struct ask *self)
{
    struct ask *reads[DB_JOIN_MAX_BATCH];
    int n = 0;
    for (struct ask *a = self->batch; a && n < DB_JOIN_MAX_BATCH; a = a->next)
        reads[n++] = a;
    run_batch(pool, kind, reads, n);
    for (int i = 0; i < n; i++)
        if (reads[i] != self) {
            reads[i]->state = ASK_DONE; /* the read's thread may return at once: not touched after */
            sem_post(&reads[i]->wake);
        }
    pthread_mutex_lock(&j->lock);
    struct ask *next = take_waiting(j);
    if (!next)
        j->in_flight--;
    pthread_mutex_unlock(&j->lock);
    if (next) { /* the slot passes to the first read waiting */
        next->batch = next;
        next->state = ASK_LEADING;
        sem_post(&next->wake);
    }
}

enum app_status db_join_read(struct db_pool *pool, const struct db_join_kind *kind, const char *const *keys, void *ctx)
{
    struct ask self = {.keys = keys, .ctx = ctx, .state = ASK_WAITING};
    if (db_pool_joined_reads(pool) <= 0) { /* not joined: the read alone, at once */
        struct ask *alone = &self;
        run_batch(pool, kind, &alone, 1);
        return self.status;
    }
    struct joiner *j = db_pool_attachment(pool, kind, make_joiner, free_joiner);
    if (!j || sem_init(&self.wake, 0, 0) != 0)
        return APP_NOMEM;
    pthread_mutex_lock(&j->lock);
    if (j->tail)
        j->tail->next = &self;
    else
        j->head = &self;
    j->tail = &self;
    int leads = j->in_flight < j->max_in_flight;
    if (leads) { /* none waits when a slot is free: the batch is this read */
        j->in_flight++;
        self.batch = take_waiting(j);
        self.state = ASK_LEADING;
    }
    pthread_mutex_unlock(&j->lock);
    while (!leads && sem_wait(&self.wake) != 0 && errno == EINTR)
        ; /* woken: the state was set before (answered, or handed a batch) */
    if (self.state == ASK_LEADING)
        lead(j, pool, kind, &self);
    sem_destroy(&self.wake);
    return self.status;
}
