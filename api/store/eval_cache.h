/* eval_cache.h — the immutable inputs of evaluations, parsed once per process and shared by every
 * request: the calendar, keyed by its stamp (calendar_stamp, sql/020: bumped by every change to the
 * calendar's tables), and policy versions, keyed by their row (school_policies.id and set_at: the rows
 * are append-only, so a stored version never changes). The keys are read in each request's snapshot
 * (evaluation.c), so a change is seen by the next request; only parsed inputs are kept, never a verdict.
 *
 * Thread-safe: one mutex; entries are reference-counted, so an entry replaced or evicted while a request
 * still uses it is freed by that request's release. Bounded: one calendar and EVAL_CACHE_POLICIES policy
 * versions (the least recently used is dropped first). What is left is freed at exit. */
#ifndef TUTORD_EVAL_CACHE_H
#define TUTORD_EVAL_CACHE_H

#include "pe.h"

/* Policy versions kept (all schools' versions in use fit many times over). */
#define EVAL_CACHE_POLICIES 256

/* The longest key: "<bigint>@<bigint>" (a policy row), "<bigint>" (the calendar stamp). */
#define EVAL_CACHE_KEY_LEN 48

/* A cached object with its reference count. */
struct eval_shared;

/* The parsed calendar whose key is `key`, with a reference for the caller; NULL when the cache holds
 * another or none. */
struct eval_shared *eval_cache_calendar(const char *key);

/* The calendar the cache holds, whatever its key, with a reference for the caller; NULL when none. For a
 * guess made before the snapshot's stamp is read, which the stamp then confirms or not. */
struct eval_shared *eval_cache_calendar_held(void);

/* Keeps `cal` (parsed; the cache takes it) as the calendar of `key`, dropping the one held before, and
 * returns it with a reference for the caller. NULL on OOM (cal is freed). */
struct eval_shared *eval_cache_put_calendar(const char *key, pe_calendar *cal);

/* The parsed policy version of row `key`, with a reference; NULL when not cached. */
struct eval_shared *eval_cache_policy(const char *key);

/* Keeps `p` (the cache takes it; NULL records a stored version that no longer validates) as the policy
 * version of row `key` and returns it with a reference. NULL on OOM (p is freed). */
struct eval_shared *eval_cache_put_policy(const char *key, pe_policy *p);

/* The object an entry holds (a pe_calendar or a pe_policy, possibly NULL); borrowed while referenced. */
void *eval_shared_value(const struct eval_shared *e);

/* Gives back a reference; the last one frees the entry. NULL-safe. Thread-safe. */
void eval_shared_release(struct eval_shared *e);

/* Drops every cached entry (entries still referenced live until released). Run at exit; tests use it
 * to start cold. */
void eval_cache_clear(void);

/* Entries held now: the calendar (0 or 1) and policy versions. For tests. */
void eval_cache_counts(int *calendars, int *policies);

#endif
