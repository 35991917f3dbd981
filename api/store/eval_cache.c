/* eval_cache.c — parsed calendars and policy versions shared across requests (eval_cache.h). */
#include "eval_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eval_shared {
    char key[EVAL_CACHE_KEY_LEN];
    void *value;
    void (*free_value)(void *);
    int refs;                /* the cache's own (while listed) plus one per request holding it */
    unsigned long long used; /* the tick of its last lookup: the least recent is evicted first */
};

/* A bounded list of entries. */
struct shelf {
    struct eval_shared **slots;
    int n, cap;
};

static struct eval_shared *calendar_slots[1];
static struct eval_shared *policy_slots[EVAL_CACHE_POLICIES];
static struct shelf calendars = {calendar_slots, 0, 1};
static struct shelf policies = {policy_slots, 0, EVAL_CACHE_POLICIES};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t at_exit_once = PTHREAD_ONCE_INIT;
static unsigned long long tick;

static void free_calendar(void *v)
{
    pe_calendar_free(v);
}

static void free_policy(void *v)
{
    if (v)
        pe_policy_free(v);
}

/* Drops one reference (the lock held); returns the entry when it is to be freed now, else NULL. */
static struct eval_shared *unref_locked(struct eval_shared *e)
{
    return --e->refs == 0 ? e : NULL;
}

/* Frees an entry no longer referenced (outside the lock). NULL-safe. */
static void destroy(struct eval_shared *e)
{
    if (!e)
        return;
    e->free_value(e->value);
    free(e);
}

/* The entry of `key` on the shelf with a new reference, or NULL (the lock held). */
static struct eval_shared *lookup_locked(struct shelf *s, const char *key)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->slots[i]->key, key) == 0) {
            s->slots[i]->refs++;
            s->slots[i]->used = ++tick;
            return s->slots[i];
        }
    return NULL;
}

/* As lookup_locked, taking the lock. */
static struct eval_shared *lookup(struct shelf *s, const char *key)
{
    pthread_mutex_lock(&lock);
    struct eval_shared *found = lookup_locked(s, key);
    pthread_mutex_unlock(&lock);
    return found;
}

/* Removes slot i from the shelf (the lock held); returns the entry to free, if any. */
static struct eval_shared *evict_locked(struct shelf *s, int i)
{
    struct eval_shared *gone = unref_locked(s->slots[i]);
    s->slots[i] = s->slots[--s->n];
    return gone;
}

/* The slot of the least recently used entry (the shelf is not empty). */
static int least_recent(const struct shelf *s)
{
    int lru = 0;
    for (int i = 1; i < s->n; i++)
        if (s->slots[i]->used < s->slots[lru]->used)
            lru = i;
    return lru;
}

/* What is cached is freed when the process exits (leak checkers see nothing left). */
static void register_at_exit(void)
{
    atexit(eval_cache_clear);
}

/* Puts `value` on the shelf under `key` (or, when another thread put it there first, frees value and
 * takes that entry); returns the entry with a reference for the caller, or NULL on OOM. */
static struct eval_shared *put(struct shelf *s, const char *key, void *value, void (*free_value)(void *))
{
    pthread_once(&at_exit_once, register_at_exit);
    struct eval_shared *e = calloc(1, sizeof(*e)), *existing = NULL, *gone = NULL;
    if (!e) {
        free_value(value);
        return NULL;
    }
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->value = value;
    e->free_value = free_value;
    e->refs = 2;
    pthread_mutex_lock(&lock);
    existing = lookup_locked(s, key);
    if (!existing) {
        if (s->n == s->cap)
            gone = evict_locked(s, least_recent(s));
        e->used = ++tick;
        s->slots[s->n++] = e;
    }
    pthread_mutex_unlock(&lock);
    destroy(gone);
    if (existing) {
        destroy(e);
        return existing;
    }
    return e;
}

struct eval_shared *eval_cache_calendar(const char *key)
{
    return lookup(&calendars, key);
}

struct eval_shared *eval_cache_calendar_held(void)
{
    pthread_mutex_lock(&lock);
    struct eval_shared *held = calendars.n ? calendars.slots[0] : NULL;
    if (held)
        held->refs++; /* not a use: `used` matters between policies alone */
    pthread_mutex_unlock(&lock);
    return held;
}

struct eval_shared *eval_cache_put_calendar(const char *key, pe_calendar *cal)
{
    return put(&calendars, key, cal, free_calendar);
}

struct eval_shared *eval_cache_policy(const char *key)
{
    return lookup(&policies, key);
}

struct eval_shared *eval_cache_put_policy(const char *key, pe_policy *p)
{
    return put(&policies, key, p, free_policy);
}

void *eval_shared_value(const struct eval_shared *e)
{
    return e->value;
}

void eval_shared_release(struct eval_shared *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&lock);
    struct eval_shared *gone = unref_locked(e);
    pthread_mutex_unlock(&lock);
    destroy(gone);
}

/* Empties one shelf (the lock held), freeing the entries no request holds. */
static void empty_locked(struct shelf *s)
{
    while (s->n > 0)
        destroy(evict_locked(s, s->n - 1));
}

void eval_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    empty_locked(&calendars);
    empty_locked(&policies);
    pthread_mutex_unlock(&lock);
}

void eval_cache_counts(int *calendars_held, int *policies_held)
{
    pthread_mutex_lock(&lock);
    *calendars_held = calendars.n;
    *policies_held = policies.n;
    pthread_mutex_unlock(&lock);
}
