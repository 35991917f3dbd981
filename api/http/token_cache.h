/* token_cache.h — the bearer tokens a verifier has already verified, shared by every HTTP thread.
 *
 * A portal sends the same token with every call, and one instance serves many callers at once; verifying
 * a token (base64, HMAC or RSA/EC, two JSON parses) is most of the CPU the service spends on a small read
 * that misses. The cache maps a token's exact text to what its verification established: the time claims
 * (which the caller checks again against the clock on every use) and the principal. An entry is valid only
 * for the key-set generation it was verified under, so new keys (a JWKS refresh) make every older entry
 * miss. Bounded: a fixed number of entries, tokens longer than TOKEN_CACHE_MAX_TOKEN are not kept.
 * Thread-safe: the entries are split in small sets, each behind its own lock. */
#ifndef TUTORD_TOKEN_CACHE_H
#define TUTORD_TOKEN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "principal.h"

/* The longest token kept (bytes); longer ones are verified on every request. */
#define TOKEN_CACHE_MAX_TOKEN 4096

/* The time claims of a verified token: any int64 value the JSON held; has_nbf/has_iat say whether the
 * optional ones were present (no value is reserved as "absent", so nbf = INT64_MIN is an ordinary past). */
struct token_times {
    int64_t exp, nbf, iat;
    int has_nbf, has_iat;
};

/* What a token's verification established. */
struct verified_token {
    struct token_times times;
    struct principal principal;
};

struct token_cache;

/* A cache of at least `capacity` entries (rounded up to a whole number of sets); NULL when out of memory. */
struct token_cache *token_cache_new(size_t capacity);

/* NULL-safe. */
void token_cache_free(struct token_cache *cache);

/* How many entries the cache holds at most. */
size_t token_cache_capacity(const struct token_cache *cache);

/* Copies the entry for the `len` bytes of `token` verified under key generation `generation` to *out:
 * 1, or 0 when there is none (never verified, evicted, or verified under other keys). */
int token_cache_get(struct token_cache *cache, const char *token, size_t len, unsigned long generation,
                    struct verified_token *out);

/* Remembers `value` for the `len` bytes of `token`, verified under key generation `generation`, evicting
 * the least recently used entry of its set when the set is full. Does nothing for a token longer than
 * TOKEN_CACHE_MAX_TOKEN or when out of memory (the token is then simply verified again next time). */
void token_cache_put(struct token_cache *cache, const char *token, size_t len, unsigned long generation,
                     const struct verified_token *value);

#endif
