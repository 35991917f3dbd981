/* heavy_pool.c — the heavy pool: a ring of waiting jobs under a mutex, worker threads taking the
 * oldest. Bounded both ways: `threads` run at once (so at most that many database connections go to
 * heavy work), `queue` wait; beyond that the caller is told to come back later. */
#define _GNU_SOURCE /* POLLRDHUP */
#include "heavy_pool.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

struct heavy_job {
    heavy_work work;
    void *arg;
    int fd;
};

struct heavy_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct heavy_job *ring;
    int cap, head, count, stopping, n_threads;
    pthread_t *threads;
};

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

/* A pool thread: takes the oldest waiting job and runs it, until the pool stops and nothing waits. */
static void *worker(void *cls)
{
    struct heavy_pool *pool = cls;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->count == 0 && !pool->stopping)
            pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->count == 0) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        struct heavy_job job = pool->ring[pool->head];
        pool->head = (pool->head + 1) % pool->cap;
        pool->count--;
        int stopping = pool->stopping;
        pthread_mutex_unlock(&pool->lock);
        job.work(job.arg, stopping || heavy_client_gone(job.fd));
    }
}

struct heavy_pool *heavy_pool_start(int threads, int queue)
{
    struct heavy_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pool->cap = queue > 0 ? queue : 1;
    pool->ring = calloc((size_t)pool->cap, sizeof(*pool->ring));
    pool->threads = calloc((size_t)threads, sizeof(*pool->threads));
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (!pool->ring || !pool->threads) {
        heavy_pool_free(pool);
        return NULL;
    }
    for (; pool->n_threads < threads; pool->n_threads++)
        if (pthread_create(&pool->threads[pool->n_threads], NULL, worker, pool) != 0) {
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
    }
    pthread_mutex_unlock(&pool->lock);
    return rc;
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
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->n_threads; i++)
        pthread_join(pool->threads[i], NULL);
    pool->n_threads = 0;
}

void heavy_pool_free(struct heavy_pool *pool)
{
    if (!pool)
        return;
    heavy_pool_stop(pool);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool->ring);
    free(pool);
}
