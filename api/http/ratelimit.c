/* ratelimit.c — fixed-window counters in one bounded open-addressed table under a mutex. A key is
 * known by a 64-bit hash of (scope, class, key); the table never grows, so a flood of distinct callers
 * costs a bounded amount of memory: a full probe run reuses the entry whose window began first. */
#include "ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define PROBES 16 /* entries looked at for one key */

struct rate_entry {
    uint64_t id;         /* 0: unused */
    time_t window_start; /* when this key's current window began */
    int count;           /* requests counted in it */
};

struct rate_limiter {
    pthread_mutex_t lock;
    struct rate_quotas quotas;
    size_t slots;
    struct rate_entry *table;
};

struct rate_limiter *rate_limiter_new(const struct rate_quotas *quotas, size_t slots)
{
    struct rate_limiter *l = calloc(1, sizeof(*l));
    if (!l || slots < PROBES || !(l->table = calloc(slots, sizeof(*l->table)))) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->lock, NULL);
    l->quotas = *quotas;
    l->slots = slots;
    return l;
}

void rate_limiter_free(struct rate_limiter *limiter)
{
    if (!limiter)
        return;
    pthread_mutex_destroy(&limiter->lock);
    free(limiter->table);
    free(limiter);
}

const char *rate_class_name(enum rate_class class)
{
    static const char *const names[RATE_CLASSES] = {"reads", "writes", "heavy"};
    return class < RATE_CLASSES ? names[class] : "reads";
}

/* FNV-1a over scope, class and key; never 0 (0 marks an unused entry). */
static uint64_t key_id(enum rate_scope scope, enum rate_class class, const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (uint64_t)scope) * 1099511628211ULL;
    h = (h ^ (uint64_t) class) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h ? h : 1;
}

/* The entry for `id`: its own, else an unused or expired one, else the one whose window began first
 * (reset for the new key). Called with the lock held. */
static struct rate_entry *entry_for(struct rate_limiter *l, uint64_t id, time_t now)
{
    struct rate_entry *victim = NULL;
    for (size_t i = 0; i < PROBES; i++) {
        struct rate_entry *e = &l->table[(id + i) % l->slots];
        if (e->id == id)
            return e;
        if (e->id == 0 || now - e->window_start >= l->quotas.window_s) {
            victim = e; /* unused, or its window is over: free to take */
            break;
        }
        if (!victim || e->window_start < victim->window_start)
            victim = e;
    }
    victim->id = id;
    victim->window_start = now;
    victim->count = 0;
    return victim;
}

void rate_limiter_hit(struct rate_limiter *limiter, enum rate_scope scope, enum rate_class class, const char *key,
                      time_t now, struct rate_result *out)
{
    int quota = limiter && scope < RATE_SCOPES && class < RATE_CLASSES ? limiter->quotas.quota[scope][class] : 0;
    *out = (struct rate_result){0, 1, 0, 0, 0, 0};
    if (quota <= 0 || !key)
        return;
    int window = limiter->quotas.window_s;
    pthread_mutex_lock(&limiter->lock);
    struct rate_entry *e = entry_for(limiter, key_id(scope, class, key), now);
    if (now - e->window_start >= window || now < e->window_start) {
        e->window_start = now; /* a new window (or the clock went back) */
        e->count = 0;
    }
    out->allowed = e->count < quota;
    if (out->allowed)
        e->count++;
    out->remaining = quota - e->count;
    out->reset_s = (int)(e->window_start + window - now);
    pthread_mutex_unlock(&limiter->lock);
    out->limited = 1;
    out->quota = quota;
    out->window_s = window;
}
