/* facts_cache.c — students' facts kept between requests (facts_cache.h): a hash table of entries by student
 * number, chained, and a list of them from the most to the least recently used. */
#include "facts_cache.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "facts_packed.h"

struct entry {
    struct student_facts facts;     /* first: facts_cache_release finds its entry from it; contacts NULL */
    const unsigned char *contacts;  /* packed (facts_packed.h) */
    const char (*staff)[PE_ID_LEN]; /* the contacts' staff numbers */
    char student[PE_ID_LEN];
    struct facts_cache_key key;
    size_t bytes;
    int pins;            /* requests holding it */
    int listed;          /* in the table and the list (else freed once no request holds it) */
    struct entry *chain; /* the next entry of its bucket */
    struct entry *newer, *older;
    /* the arrays follow */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t at_exit_once = PTHREAD_ONCE_INIT;
static struct entry **buckets;
static size_t n_buckets; /* a power of two, or 0 */
static struct entry *newest, *oldest;
static size_t max_bytes, held_bytes, n_entries;
static unsigned long long hits, misses;

/* FNV-1a over n bytes, from h. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

#define FNV_OFFSET 14695981039346656037ULL

uint64_t facts_cache_seniors_hash(const char (*seniors)[PE_ID_LEN], size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = fnv1a(h, seniors[i], strlen(seniors[i]) + 1);
    return h;
}

static struct entry **bucket_of(const char *student)
{
    return &buckets[fnv1a(FNV_OFFSET, student, strlen(student)) & (n_buckets - 1)];
}

static void unlink_recency(struct entry *e)
{
    *(e->newer ? &e->newer->older : &newest) = e->older;
    *(e->older ? &e->older->newer : &oldest) = e->newer;
    e->newer = e->older = NULL;
}

static void link_newest(struct entry *e)
{
    e->older = newest;
    e->newer = NULL;
    *(newest ? &newest->newer : &oldest) = e;
    newest = e;
}

/* Takes e out of the table and the list (the lock held); returns it when it is to be freed now, else NULL
 * (a request holds it: freed when released). */
static struct entry *unlist_locked(struct entry *e)
{
    struct entry **p = bucket_of(e->student);
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    unlink_recency(e);
    e->listed = 0;
    held_bytes -= e->bytes;
    n_entries--;
    return e->pins == 0 ? e : NULL;
}

static struct entry *find_locked(const char *student)
{
    if (!n_buckets)
        return NULL;
    struct entry *e = *bucket_of(student);
    while (e && strcmp(e->student, student) != 0)
        e = e->chain;
    return e;
}

/* Doubles the table when it holds more entries than buckets (the lock held); stays as it is on OOM. */
static void grow_locked(void)
{
    if (n_entries < n_buckets)
        return;
    size_t n = n_buckets ? 2 * n_buckets : 1024;
    struct entry **b = calloc(n, sizeof(*b));
    if (!b)
        return;
    struct entry **old = buckets;
    size_t n_old = n_buckets;
    buckets = b;
    n_buckets = n;
    for (size_t i = 0; i < n_old; i++)
        for (struct entry *e = old[i], *next; e; e = next) {
            next = e->chain;
            struct entry **head = bucket_of(e->student);
            e->chain = *head;
            *head = e;
        }
    free(old);
}

/* Frees a list of entries chained by `chain` (outside the lock). */
static void free_chain(struct entry *e)
{
    for (struct entry *next; e; e = next) {
        next = e->chain;
        free(e);
    }
}

/* Evicts the least recently used entries until those left hold at most `limit` bytes (the lock held); the entries
 * to free are chained onto *gone. */
static void evict_beyond_locked(size_t limit, struct entry **gone)
{
    for (struct entry *e = oldest, *newer; e && held_bytes > limit; e = newer) {
        newer = e->newer;
        if (unlist_locked(e)) {
            e->chain = *gone;
            *gone = e;
        }
    }
}

static void empty_locked(struct entry **gone)
{
    evict_beyond_locked(0, gone);
    free(buckets);
    buckets = NULL;
    n_buckets = 0;
}

void facts_cache_clear(void)
{
    struct entry *gone = NULL;
    pthread_mutex_lock(&lock);
    empty_locked(&gone);
    pthread_mutex_unlock(&lock);
    free_chain(gone);
}

/* What is cached is freed when the process exits (leak checkers see nothing left). */
static void register_at_exit(void)
{
    atexit(facts_cache_clear);
}

void facts_cache_configure(size_t bytes)
{
    pthread_once(&at_exit_once, register_at_exit);
    struct entry *gone = NULL;
    pthread_mutex_lock(&lock);
    empty_locked(&gone);
    max_bytes = bytes;
    hits = misses = 0;
    pthread_mutex_unlock(&lock);
    free_chain(gone);
}

static int same_key(const struct facts_cache_key *a, const struct facts_cache_key *b)
{
    return a->rev == b->rev && a->seniors_hash == b->seniors_hash && strcmp(a->until, b->until) == 0;
}

const struct student_facts *facts_cache_get(const char *student, const struct facts_cache_key *key)
{
    pthread_mutex_lock(&lock);
    struct entry *e = max_bytes ? find_locked(student) : NULL;
    if (e && same_key(&e->key, key)) {
        e->pins++;
        unlink_recency(e);
        link_newest(e);
        hits++;
    } else {
        e = NULL;
        misses++;
    }
    pthread_mutex_unlock(&lock);
    return e ? &e->facts : NULL;
}

void facts_cache_release(const struct student_facts *facts)
{
    if (!facts)
        return;
    struct entry *e = (struct entry *)(void *)facts; /* facts is the entry's first member */
    pthread_mutex_lock(&lock);
    int done = --e->pins == 0 && !e->listed;
    pthread_mutex_unlock(&lock);
    if (done)
        free(e);
}

/* The bytes of n elements of `size`, rounded up to the strictest alignment. */
static size_t span(size_t n, size_t size)
{
    size_t a = alignof(max_align_t), bytes = n * size;
    return bytes / a * a + (bytes % a != 0) * a;
}

/* Copies n elements of `size` from src to *at, advancing *at; the copy. */
static const void *copy_out(char **at, const void *src, size_t n, size_t size)
{
    void *dst = *at;
    if (n)
        memcpy(dst, src, n * size);
    *at += span(n, size);
    return dst;
}

void facts_cache_contacts(const struct student_facts *held, pe_contact *out)
{
    const struct entry *e = (const struct entry *)(const void *)held; /* held is the entry's first member */
    facts_unpack_contacts(e->contacts, held->n_contacts, e->staff, out);
}

int facts_cache_enabled(void)
{
    pthread_mutex_lock(&lock);
    int on = max_bytes > 0;
    pthread_mutex_unlock(&lock);
    return on;
}

void facts_cache_put(const char *student, const struct facts_cache_key *key, const struct student_facts *f)
{
    if (!facts_cache_enabled())
        return;
    /* packed first, into room for the most they may take, then copied into the entry sized for what they took */
    char(*table)[PE_ID_LEN] = calloc(f->n_contacts + 1, PE_ID_LEN);
    unsigned char *packed = malloc(FACTS_PACKED_MAX(f->n_contacts) + 1);
    size_t n_staff = 0, packed_bytes = 0;
    int keepable =
        table && packed && facts_pack_contacts(f->contacts, f->n_contacts, packed, &packed_bytes, table, &n_staff);
    size_t bytes = span(1, sizeof(struct entry)) + span(f->n_statuses, sizeof(*f->statuses)) +
                   span(f->n_allocations, sizeof(*f->allocations)) + span(packed_bytes, 1) + span(n_staff, PE_ID_LEN) +
                   span(f->n_concerns, sizeof(*f->concerns)) + span(f->n_exemptions, sizeof(*f->exemptions)) +
                   span(f->n_invited, sizeof(*f->invited));
    pthread_mutex_lock(&lock);
    size_t bound = max_bytes;
    pthread_mutex_unlock(&lock);
    struct entry *e = keepable && bound && bytes <= bound ? calloc(1, bytes) : NULL;
    if (!e) {
        free(table);
        free(packed);
        return;
    }
    char *at = (char *)e + span(1, sizeof(*e));
    e->facts = (struct student_facts){
        .statuses = copy_out(&at, f->statuses, f->n_statuses, sizeof(*f->statuses)),
        .n_statuses = f->n_statuses,
        .allocations = copy_out(&at, f->allocations, f->n_allocations, sizeof(*f->allocations)),
        .n_allocations = f->n_allocations,
        .n_contacts = f->n_contacts,
        .concerns = copy_out(&at, f->concerns, f->n_concerns, sizeof(*f->concerns)),
        .n_concerns = f->n_concerns,
        .exemptions = copy_out(&at, f->exemptions, f->n_exemptions, sizeof(*f->exemptions)),
        .n_exemptions = f->n_exemptions,
        .invited = copy_out(&at, f->invited, f->n_invited, sizeof(*f->invited)),
        .n_invited = f->n_invited,
    };
    e->contacts = copy_out(&at, packed, packed_bytes, 1);
    e->staff = copy_out(&at, table, n_staff, PE_ID_LEN);
    free(table);
    free(packed);
    pe_copy_text(e->student, sizeof(e->student), student);
    e->key = *key;
    e->bytes = bytes;
    struct entry *gone = NULL;
    pthread_mutex_lock(&lock);
    int keep = bytes <= max_bytes; /* the bound may have changed meanwhile */
    if (keep) {
        struct entry *old = find_locked(student);
        if (old && unlist_locked(old)) {
            old->chain = gone;
            gone = old;
        }
        evict_beyond_locked(max_bytes - bytes, &gone);
        grow_locked();
        keep = n_buckets > 0;
    }
    if (keep) {
        struct entry **head = bucket_of(student);
        e->chain = *head;
        *head = e;
        link_newest(e);
        e->listed = 1;
        held_bytes += bytes;
        n_entries++;
    }
    pthread_mutex_unlock(&lock);
    if (!keep)
        free(e);
    free_chain(gone);
}

struct facts_cache_stats facts_cache_stats(void)
{
    pthread_mutex_lock(&lock);
    struct facts_cache_stats s = {n_entries, held_bytes, hits, misses};
    pthread_mutex_unlock(&lock);
    return s;
}
