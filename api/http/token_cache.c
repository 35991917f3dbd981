/* token_cache.c — a set-associative cache of verified tokens (token_cache.h).
 *
 * Why shared rather than per thread: with one table per HTTP thread, each of the N threads verified every
 * caller's token once more, and a table of a few slots per thread thrashed as soon as more callers than
 * slots were active (64 tutors reading their tutees verified most tokens on every request). A set of
 * TOKEN_CACHE_WAYS entries behind one mutex keeps the lock held for a hash compare and a struct copy, and
 * with many sets two threads rarely want the same lock. */
#include "token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_CACHE_WAYS 4

struct cache_slot {
    char *token; /* NULL: empty; else exactly `len` bytes, NUL-terminated */
    size_t len;
    uint64_t hash;
    unsigned long generation;
    uint64_t used; /* the set's clock at the last use: the smallest is evicted first */
    struct verified_token value;
};

struct cache_set {
    pthread_mutex_t lock;
    uint64_t clock;
    struct cache_slot slots[TOKEN_CACHE_WAYS];
};

struct token_cache {
    size_t n_sets; /* a power of two */
    struct cache_set *sets;
};

/* A 64-bit hash of the token's bytes, eight at a time, with a final avalanche so that the low bits (the
 * set index) depend on every byte: tokens share their header and differ mostly in the last bytes. */
static uint64_t token_hash(const char *token, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, token + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)token[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

struct token_cache *token_cache_new(size_t capacity)
{
    size_t n_sets = 1;
    while (n_sets * TOKEN_CACHE_WAYS < capacity)
        n_sets *= 2;
    struct token_cache *cache = calloc(1, sizeof(*cache));
    if (!cache || !(cache->sets = calloc(n_sets, sizeof(*cache->sets)))) {
        free(cache);
        return NULL;
    }
    cache->n_sets = n_sets;
    for (size_t i = 0; i < n_sets; i++)
        pthread_mutex_init(&cache->sets[i].lock, NULL);
    return cache;
}

void token_cache_free(struct token_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->n_sets; i++) {
        for (int w = 0; w < TOKEN_CACHE_WAYS; w++)
            free(cache->sets[i].slots[w].token);
        pthread_mutex_destroy(&cache->sets[i].lock);
    }
    free(cache->sets);
    free(cache);
}

size_t token_cache_capacity(const struct token_cache *cache)
{
    return cache->n_sets * TOKEN_CACHE_WAYS;
}

/* The set a token with this hash lives in. */
static struct cache_set *set_of(struct token_cache *cache, uint64_t hash)
{
    return &cache->sets[hash & (cache->n_sets - 1)];
}

/* The slot of `set` holding exactly these bytes (under any generation), or NULL. The set is locked. */
static struct cache_slot *find_slot(struct cache_set *set, const char *token, size_t len, uint64_t hash)
{
    for (int w = 0; w < TOKEN_CACHE_WAYS; w++) {
        struct cache_slot *s = &set->slots[w];
        if (s->token && s->hash == hash && s->len == len && memcmp(s->token, token, len) == 0)
            return s;
    }
    return NULL;
}

int token_cache_get(struct token_cache *cache, const char *token, size_t len, unsigned long generation,
                    struct verified_token *out)
{
    uint64_t hash = token_hash(token, len);
    struct cache_set *set = set_of(cache, hash);
    pthread_mutex_lock(&set->lock);
    struct cache_slot *s = find_slot(set, token, len, hash);
    int hit = s && s->generation == generation;
    if (hit) {
        *out = s->value;
        s->used = ++set->clock;
    }
    pthread_mutex_unlock(&set->lock);
    return hit;
}

/* The slot to fill in a locked set: an empty one, else the least recently used. */
static struct cache_slot *victim(struct cache_set *set)
{
    struct cache_slot *oldest = &set->slots[0];
    for (int w = 0; w < TOKEN_CACHE_WAYS; w++) {
        struct cache_slot *s = &set->slots[w];
        if (!s->token)
            return s;
        if (s->used < oldest->used)
            oldest = s;
    }
    return oldest;
}

void token_cache_put(struct token_cache *cache, const char *token, size_t len, unsigned long generation,
                     const struct verified_token *value)
{
    if (len > TOKEN_CACHE_MAX_TOKEN)
        return;
    char *copy = malloc(len + 1); /* made before the lock is taken, freed after it is let go */
    if (!copy)
        return;
    memcpy(copy, token, len);
    copy[len] = '\0';
    uint64_t hash = token_hash(token, len);
    struct cache_set *set = set_of(cache, hash);
    pthread_mutex_lock(&set->lock);
    struct cache_slot *s = find_slot(set, token, len, hash); /* another thread may have verified it too */
    if (!s) {
        s = victim(set);
        char *old = s->token;
        s->token = copy;
        copy = old;
    }
    s->len = len;
    s->hash = hash;
    s->generation = generation;
    s->value = *value;
    s->used = ++set->clock;
    pthread_mutex_unlock(&set->lock);
    free(copy);
}
