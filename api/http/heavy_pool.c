/* heavy_pool.c — the heavy pool: a ring of waiting jobs under a mutex, worker threads taking the
 * oldest. Bounded both ways: `threads` run at once (so at most that many database connections go to
 * heavy work), `queue` wait; beyond that the caller is told to come back later. A monitor thread looks
 * at the running jobs' clients and, when one has gone, cancels that job's statement in PostgreSQL and
 * fails the rest at once (db_watch), so abandoned work stops. */
#define _GNU_SOURCE /* POLLRDHUP */
#include "heavy_pool.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "db.h"

struct heavy_job {
    heavy_work work;
    void *arg;
    int fd;
};

/* One pool thread: the client socket of the job it runs (-1 when idle) and the watch through which the
 * monitor stops that job's statements once the client has gone. */
struct heavy_slot {
    struct heavy_pool *pool;
    struct db_watch watch;
    int fd;      /* guarded by the pool's lock */
    int stopped; /* the monitor stopped this job already */
};

struct heavy_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake, tick;
    struct heavy_job *ring;
    int cap, head, count, stopping, n_threads, monitoring;
    int busy;                    /* threads running a job now (metrics) */
    unsigned long long rejected; /* submissions refused: queue full or stopping (metrics) */
    pthread_t *threads, monitor;
    struct heavy_slot *slots;
};

#define MONITOR_MS 200 /* how often running jobs' clients are looked at */

int heavy_client_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    if (fd < 0 || poll(&p, 1, 0) < 0)
        return 0;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
        return 1;
    char c;
    /* readable: either a pipelined request (still there) or end of stream (gone) */
    return (p.revents & POLLIN) && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Takes the oldest waiting job for `slot` (marking the slot busy with its client); 0 when the pool is
 * stopping and nothing waits. */
static int take_job(struct heavy_slot *slot, struct heavy_job *job, int *stopping)
{
    struct heavy_pool *pool = slot->pool;
    pthread_mutex_lock(&pool->lock);
    while (pool->count == 0 && !pool->stopping)
        pthread_cond_wait(&pool->wake, &pool->lock);
    int have = pool->count > 0;
    if (have) {
        *job = pool->ring[pool->head];
        pool->head = (pool->head + 1) % pool->cap;
        pool->count--;
        slot->fd = job->fd;
        slot->stopped = 0;
        pool->busy++;
    }
    *stopping = pool->stopping;
    pthread_mutex_unlock(&pool->lock);
    return have;
}

/* A pool thread: runs the oldest waiting job, its statements under the slot's watch, until the pool
 * stops and nothing waits. */
static void *worker(void *cls)
{
    struct heavy_slot *slot = cls;
    struct heavy_job job;
    int stopping;
    db_watch_set(&slot->watch);
    while (take_job(slot, &job, &stopping)) {
        db_watch_reset(&slot->watch);
        job.work(job.arg, stopping || heavy_client_gone(job.fd));
        pthread_mutex_lock(&slot->pool->lock);
        slot->fd = -1;
        slot->pool->busy--;
        pthread_mutex_unlock(&slot->pool->lock);
    }
    db_watch_set(NULL);
    return NULL;
}

/* The monitor: every MONITOR_MS, stops the statements of each running job whose client has gone, so
 * that the work ends instead of running on for no one. */
static void *monitor(void *cls)
{
    struct heavy_pool *pool = cls;
    pthread_mutex_lock(&pool->lock);
    while (!pool->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += MONITOR_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&pool->tick, &pool->lock, &until);
        for (int i = 0; i < pool->n_threads && !pool->stopping; i++) {
            struct heavy_slot *slot = &pool->slots[i];
            if (slot->fd >= 0 && !slot->stopped && heavy_client_gone(slot->fd)) {
                slot->stopped = 1;
                db_watch_stop(&slot->watch); /* the slot stays busy (fd set) until the job returns */
            }
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

struct heavy_pool *heavy_pool_start(int threads, int queue)
{
    struct heavy_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pool->cap = queue > 0 ? queue : 1;
    pool->ring = calloc((size_t)pool->cap, sizeof(*pool->ring));
    pool->threads = calloc((size_t)threads, sizeof(*pool->threads));
    pool->slots = calloc((size_t)threads, sizeof(*pool->slots));
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->tick, NULL);
    if (!pool->ring || !pool->threads || !pool->slots) {
        heavy_pool_free(pool);
        return NULL;
    }
    for (int i = 0; i < threads; i++)
        pool->slots[i] = (struct heavy_slot){.pool = pool, .fd = -1};
    for (; pool->n_threads < threads; pool->n_threads++) {
        db_watch_init(&pool->slots[pool->n_threads].watch);
        if (pthread_create(&pool->threads[pool->n_threads], NULL, worker, &pool->slots[pool->n_threads]) != 0) {
            heavy_pool_free(pool);
            return NULL;
        }
    }
    pool->monitoring = pthread_create(&pool->monitor, NULL, monitor, pool) == 0;
    if (!pool->monitoring) {
        heavy_pool_free(pool);
        return NULL;
    }
    return pool;
}

int heavy_pool_submit(struct heavy_pool *pool, int fd, heavy_work work, void *arg)
{
    int rc = -1;
    pthread_mutex_lock(&pool->lock);
    if (!pool->stopping && pool->count < pool->cap) {
        pool->ring[(pool->head + pool->count) % pool->cap] = (struct heavy_job){work, arg, fd};
        pool->count++;
        pthread_cond_signal(&pool->wake);
        rc = 0;
    } else {
        pool->rejected++;
    }
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

void heavy_pool_stats(struct heavy_pool *pool, struct heavy_pool_stats *out)
{
    pthread_mutex_lock(&pool->lock);
    out->threads = pool->n_threads;
    out->busy = pool->busy;
    out->waiting = pool->count;
    out->rejected = pool->rejected;
    pthread_mutex_unlock(&pool->lock);
}

void heavy_pool_cut(struct heavy_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1; /* the waiting jobs are answered at once, not run */
    pthread_cond_broadcast(&pool->wake);
    pthread_cond_broadcast(&pool->tick);
    for (int i = 0; i < pool->n_threads; i++) {
        struct heavy_slot *slot = &pool->slots[i];
        if (slot->fd >= 0 && !slot->stopped) {
            slot->stopped = 1;
            db_watch_stop(&slot->watch);
        }
    }
    pthread_mutex_unlock(&pool->lock);
}

int heavy_pool_waiting(struct heavy_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int n = pool->count;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

void heavy_pool_stop(struct heavy_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_cond_broadcast(&pool->tick);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->n_threads; i++)
        pthread_join(pool->threads[i], NULL);
    if (pool->monitoring)
        pthread_join(pool->monitor, NULL);
    pool->monitoring = 0;
    pool->n_threads = 0;
}

void heavy_pool_free(struct heavy_pool *pool)
{
    if (!pool)
        return;
    int started = pool->n_threads;
    heavy_pool_stop(pool);
    for (int i = 0; pool->slots && i < started; i++)
        db_watch_destroy(&pool->slots[i].watch);
    pthread_cond_destroy(&pool->tick);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool->slots);
    free(pool->threads);
    free(pool->ring);
    free(pool);
}
