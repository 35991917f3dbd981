/* facts_cache.h — each student's facts as repo_facts.c loaded them, kept between requests in a process-wide,
 * bounded cache, and reused while the student's revision is unchanged.
 *
 * A student's revision (students.facts_rev, sql/032) changes in the transaction that changes any fact of the
 * student the cache holds: status history, allocations, contacts and the notes that date their summaries,
 * concerns, exemptions, feedback invitations, the calendar's time zone. Every request reads the revisions of
 * the students it judges in its own snapshot, with their students rows, and takes an entry only when its
 * revision is the one read: the facts a request judges are always those of its snapshot. What else an entry
 * depends on is in its key too: the bound of the contacts loaded (the day judged) and the senior tutors, whose
 * contacts are marked as such. Verdicts are never cached: each request judges the facts afresh.
 *
 * Entries are immutable: a lookup pins one (its arrays stay valid until it is released), a put replaces the
 * student's entry. The least recently used entries are evicted beyond the byte bound. Thread-safe. */
#ifndef TUTORD_FACTS_CACHE_H
#define TUTORD_FACTS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pe.h"

/* One student's facts beyond their students row, as arrays in the engine's order. */
struct student_facts {
    const pe_status_entry *statuses; /* the status history rows (none: the student has none) */
    size_t n_statuses;
    const pe_allocation *allocations;
    size_t n_allocations;
    const pe_contact *contacts; /* senior_tutor and summary_at set, staff "" from the student; NULL in an entry
                                   facts_cache_get returns (kept compact): facts_cache_contacts writes them out */
    size_t n_contacts;
    const pe_concern *concerns;
    size_t n_concerns;
    const pe_exemption *exemptions;
    size_t n_exemptions;
    const pe_date *invited;
    size_t n_invited;
};

/* What an entry is valid for besides its student. */
struct facts_cache_key {
    long long rev;         /* students.facts_rev when the facts were loaded */
    char until[11];        /* the contacts are those before this day's start (repo_facts.c contacts_until) */
    uint64_t seniors_hash; /* facts_cache_seniors_hash of the senior tutors the contacts were marked by */
};

/* Sets the bound of the cache in bytes (0, the default: nothing is cached) and empties it. */
void facts_cache_configure(size_t max_bytes);

/* Whether entries are kept (a bound above 0). */
int facts_cache_enabled(void);

/* The facts of `student` when the entry's key is `key`, pinned (release with facts_cache_release); else NULL. */
const struct student_facts *facts_cache_get(const char *student, const struct facts_cache_key *key);

/* Writes the n_contacts contacts of an entry facts_cache_get returned into out. */
void facts_cache_contacts(const struct student_facts *held, pe_contact *out);

/* Unpins an entry facts_cache_get returned. NULL-safe. */
void facts_cache_release(const struct student_facts *facts);

/* Keeps a copy of `facts` under `student` and `key`, replacing the student's entry; nothing when the cache is off,
 * the copy is larger than the bound, the contacts are with more than 255 staff numbers, or out of memory. */
void facts_cache_put(const char *student, const struct facts_cache_key *key, const struct student_facts *facts);

/* A hash of the senior tutors' staff numbers (n of them, in order). */
uint64_t facts_cache_seniors_hash(const char (*seniors)[PE_ID_LEN], size_t n);

/* Drops every entry not pinned now (pinned ones go when released). */
void facts_cache_clear(void);

/* For tests and logs: entries held, their bytes, lookups that found a valid entry and those that did not. */
struct facts_cache_stats {
    size_t entries, bytes;
    unsigned long long hits, misses;
};
struct facts_cache_stats facts_cache_stats(void);

#endif
