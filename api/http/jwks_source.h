/* jwks_source.h — the identity provider's keys, kept current: a JWKS file (re-read) and/or a JWKS URL
 * (fetched with libcurl) at start, every refresh_s seconds on a thread of its own, and on demand when a token
 * names a kid the set lacks — at most one such fetch per min_refresh_s, so a flood of made-up kids cannot
 * hammer the provider. A fetch that fails or returns no usable key keeps the last good keys.
 * Every fetch runs on the refresher thread, never on a request's; readers take the published set by
 * reference (a mutex held for a pointer copy), so fetches never block them. */
#ifndef TUTORD_JWKS_SOURCE_H
#define TUTORD_JWKS_SOURCE_H

#include <stddef.h>

#include "jwks.h"

struct jwks_options {
    const char *file;  /* a JWKS document on disk, or NULL */
    const char *url;   /* https:// (http:// only to a loopback host), or NULL */
    int refresh_s;     /* the scheduled refresh period */
    int min_refresh_s; /* the least time between two fetches caused by unknown kids; also the retry period
                          after a failed fetch */
};

struct jwks_source;

/* Loads the JWKS file, starts the refresher thread and waits up to 5 s for its first fetch (file and URL).
 * A file that cannot be read or holds no usable key is fatal; an unreachable URL is not (logged; retried
 * every min_refresh_s; tokens are refused with 401 until keys arrive). Returns NULL with the reason in
 * why[size]. */
struct jwks_source *jwks_source_new(const struct jwks_options *opt, char *why, size_t size);

/* Stops the refresher and frees everything; NULL-safe. No reader may hold the source any more. */
void jwks_source_free(struct jwks_source *src);

/* The published key set with one more reference (release with jwks_set_release), or NULL while no key
 * has been loaded yet. Thread-safe. */
struct jwks_set *jwks_source_acquire(struct jwks_source *src);

/* A number that changes whenever the published keys change (for caches of verified tokens). Lock-free. */
unsigned long jwks_source_generation(const struct jwks_source *src);

/* Asks the refresher for a fetch now, for a token whose kid the set lacks (or while no key is loaded),
 * unless a request asked less than min_refresh_s ago, and then waits up to 3 s for that fetch (a slow
 * provider keeps one request thread that long, once per min_refresh_s; the others are not held). Returns 1
 * when the published keys changed meanwhile, else 0. Thread-safe. */
int jwks_source_refresh_for_unknown_kid(struct jwks_source *src);

/* True when `url` is one the source may fetch: https://, or http:// to 127.0.0.1, [::1] or localhost. */
int jwks_url_allowed(const char *url);

#endif
