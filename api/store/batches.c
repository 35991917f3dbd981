/* batches.c — a report's batches loaded on two connections at once, judged in their order (batches.h). */
#include "batches.h"

#include <pthread.h>
#include <string.h>

#include "log.h"

/* One run of batches_run, shared by the two threads. */
struct run {
    const struct batches *b;
    pthread_mutex_t lock;
    pthread_cond_t turn;      /* signalled when `next` moves or a failure is recorded */
    size_t next;              /* the batch to judge next */
    int failed;               /* a load or a judgement failed: the rest are not started */
    enum app_status status;   /* the first failure's */
    struct db_watch watch[2]; /* each thread's statements: [0] the caller's, [1] the helper's */
};

/* One thread's share: batches first, first + step, ... on conn. */
struct share {
    struct run *r;
    struct db_conn *conn;
    size_t first, step;
    int thread; /* its index in r->watch */
};

/* Records the first failure (under r->lock) and wakes a thread waiting for its turn; one_batch then stops
 * both threads' statements: the other's, which would be thrown away, and this thread's own later ones. */
static void fail(struct run *r, enum app_status st)
{
    if (!r->failed) {
        r->failed = 1;
        r->status = st;
    }
    pthread_cond_broadcast(&r->turn);
}

/* Loads batch b on s->conn (and works out its ahead()), waits for its turn, judges it. Returns 0 to go on, -1
 * when the run has failed. */
static int one_batch(const struct share *s, size_t b)
{
    struct run *r = s->r;
    struct evaluation ev;
    memset(&ev, 0, sizeof(ev));
    enum app_status st = r->b->load(s->conn, b, r->b->ctx, &ev);
    if (st == APP_OK && r->b->ahead)
        st = r->b->ahead(b, &ev, r->b->ctx);
    pthread_mutex_lock(&r->lock);
    while (st == APP_OK && !r->failed && r->next != b)
        pthread_cond_wait(&r->turn, &r->lock);
    int go = st == APP_OK && !r->failed;
    pthread_mutex_unlock(&r->lock);
    if (go) /* its turn: no other judgement runs until `next` moves on */
        st = r->b->judge(b, &ev, r->b->ctx);
    pthread_mutex_lock(&r->lock);
    if (go && st == APP_OK) {
        r->next = b + 1;
        pthread_cond_broadcast(&r->turn);
    } else if (st != APP_OK) {
        fail(r, st);
    }
    int failed = r->failed;
    pthread_mutex_unlock(&r->lock);
    if (failed)
        db_watch_stop(&r->watch[0]); /* and, chained, the helper's */
    evaluation_free_batch(&ev);
    return failed ? -1 : 0;
}

static void *run_share(void *arg)
{
    const struct share *s = arg;
    db_watch_set(&s->r->watch[s->thread]);
    for (size_t b = s->first; b < s->r->b->n; b += s->step)
        if (one_batch(s, b) != 0)
            break;
    db_watch_set(NULL);
    return NULL;
}

enum app_status batches_run(struct db_conn *conn, struct db_conn *second, const struct batches *b)
{
    struct run r = {.b = b, .status = APP_OK};
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.turn, NULL);
    db_watch_init(&r.watch[0]);
    db_watch_init(&r.watch[1]);
    /* the caller's watch (the request's) stops this run's, which stops the helper's */
    struct db_watch *request = db_watch_current();
    db_watch_chain(&r.watch[0], &r.watch[1]);
    if (request)
        db_watch_chain(request, &r.watch[0]);
    struct share mine = {&r, conn, 0, 1, 0}, helper = {&r, second, 1, 2, 1};
    pthread_t thread;
    int helped = second && b->n > 1 && pthread_create(&thread, NULL, run_share, &helper) == 0;
    if (second && b->n > 1 && !helped)
        log_msg(LOG_WARN, "batches: no helper thread; the batches run on one connection");
    mine.step = helped ? 2 : 1;
    run_share(&mine);
    if (helped)
        pthread_join(thread, NULL);
    db_watch_set(request);
    if (request)
        db_watch_chain(request, NULL);
    pthread_cond_destroy(&r.turn);
    pthread_mutex_destroy(&r.lock);
    db_watch_destroy(&r.watch[0]);
    db_watch_destroy(&r.watch[1]);
    return r.failed ? r.status : APP_OK;
}
