/* heavy_pool.h — a bounded pool of threads, with a bounded queue, for heavy requests (reports, school
 * compliance, imports, auto-allocation), so that however many of them arrive the request threads stay
 * free for everything else (health checks, single records). A job whose client has hung up before it
 * starts is not run; one whose client hangs up while it runs has its database statements stopped. */
#ifndef TUTORD_HEAVY_POOL_H
#define TUTORD_HEAVY_POOL_H

struct heavy_pool;

/* A job's work: `client_gone` is 1 when the client's connection (fd) was closed before the job
 * started — the work should then be skipped. Runs on a pool thread; must finish the job (the pool
 * forgets it after the call). */
typedef void (*heavy_work)(void *arg, int client_gone);

/* Starts `threads` threads and a queue of at most `queue` waiting jobs. NULL on failure. */
struct heavy_pool *heavy_pool_start(int threads, int queue);

/* Queues a job for the client on socket `fd`. Returns 0, or -1 when the queue is full or the pool is
 * stopping (the job was not taken: answer 503). Thread-safe. */
int heavy_pool_submit(struct heavy_pool *pool, int fd, heavy_work work, void *arg);

/* How many jobs are waiting (not yet running). Thread-safe. */
int heavy_pool_waiting(struct heavy_pool *pool);

/* What the pool is doing now, for the metrics: its threads, those running a job, the jobs waiting and
 * how many submissions were refused since it started. */
struct heavy_pool_stats {
    int threads, busy, waiting;
    unsigned long long rejected;
};

/* Fills *out under the pool's lock. Thread-safe. */
void heavy_pool_stats(struct heavy_pool *pool, struct heavy_pool_stats *out);

/* Cuts the work short (a shutdown's deadline has passed): takes no more jobs, runs the waiting ones with
 * client_gone = 1, and cancels the statement each running job runs now (its later ones fail at once),
 * so each ends with its 503 answer. Does not wait; heavy_pool_stop does. NULL-safe. */
void heavy_pool_cut(struct heavy_pool *pool);

/* Stops taking jobs (submit answers -1 from now on), runs every waiting job with client_gone = 1 and
 * waits for the running ones. NULL-safe, idempotent; the pool stays valid until heavy_pool_free. */
void heavy_pool_stop(struct heavy_pool *pool);

/* Stops the pool (as heavy_pool_stop) and frees it. NULL-safe. */
void heavy_pool_free(struct heavy_pool *pool);

/* True when the peer of socket `fd` has closed or reset the connection (checked without blocking and
 * without consuming any data). */
int heavy_client_gone(int fd);

#endif
