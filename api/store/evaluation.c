/* evaluation.c — load the calendar, the facts and the policies of one request, then run the engine. */
#include "evaluation.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batches.h"
#include "eval_cache.h"
#include "log.h"
#include "repo_calendar.h"
#include "strbuf.h"
#include "tzdata.h"

/* Enough for a student's personal tutors over the years, covers and secondary tutors. */
#define EVALUATION_MAX_TUTORS 32

int evaluation_parse_as_of(const char *text, struct as_of *out)
{
    memset(out, 0, sizeof(*out));
    if (!text) {
        out->instant = (pe_instant)time(NULL);
        return 0;
    }
    if (strlen(text) == 10 && pe_date_parse(text, &out->date) == PE_OK) {
        out->is_date = 1;
        return 0;
    }
    return pe_instant_parse(text, &out->instant) == PE_OK ? 0 : -1;
}

/* "<id>@<microseconds of a timestamp>": the key of a cached policy version (its row). */
#define ROW_KEY(version, at) version "::text || '@' || floor(extract(epoch FROM " at ") * 1000000)::bigint::text"

/* The calendar's stamp (every change to the calendar's tables bumps it, sql/020; NULL when its one row is
 * gone), with a setting for the rest of the snapshot in the same statement: set_config(..., true) is
 * SET LOCAL, one statement fewer per evaluation. */
#define STAMP_SETTING_SQL(name, value)                                                                                 \
    "SELECT (SELECT stamp::text FROM calendar_stamp), set_config('" name "', '" value "', true)"
/* the named statements (small sets) run their generic plans: planned once per connection, not per call
 * (left to itself, PostgreSQL plans them afresh on every call: their custom plans look cheaper) */
static const char STAMP_GENERIC_SQL[] = STAMP_SETTING_SQL("plan_cache_mode", "force_generic_plan");
/* a large set's sorts ("C" order: students, statuses, allocations) and groupings (note summaries) in memory,
 * not on disk (4 MB default); the contacts, the largest, are not sorted (repo_facts.c) */
static const char STAMP_WORK_MEM_SQL[] = STAMP_SETTING_SQL("work_mem", "64MB");
/* A school's page (FACTS_BY_SCHOOL) the same, and generic plans for all its statements: its students are
 * spread over the numbers, so the student tables' statements read them as one index descent each, whatever
 * the plan knows of the keys (IN_KEY_RANGE_PROBED, repo_facts.c), and a custom plan only added the
 * selectivity of each of the page's thousands of keys (scalararraysel) to every execution. psql, a page of the
 * largest school's students, custom against generic: the allocations 3.4-4.5 -> 1.6-2.3 ms (500 students,
 * 10,000-student bench/gen), 11-14 -> 6.1-6.7 ms (2,000, 40,000), the contacts 12-14 -> 11 ms and 53-98 ->
 * 40-47 ms. The school's compliance, the database's CPU per request (hyperfine of the route, the cluster's
 * CPU from /proc, the two binaries alternating): 46-54 -> 36-41 ms at 10,000 students, 136-143 -> 121-133 ms at 40,000,
 * 642-783 -> 590-756 ms at 160,000. */
static const char STAMP_SCHOOL_PAGE_SQL[] =
    STAMP_SETTING_SQL("work_mem", "64MB") ", set_config('plan_cache_mode', 'force_generic_plan', true)";
/* the versions in force of the schools in $1 (school_policies rows are append-only: a row's key names
 * its document for good) */
static const char POLICY_KEYS_SQL[] =
    "SELECT school, " ROW_KEY("id", "set_at") " FROM school_policy_versions WHERE school = ANY ($1::text[])"
                                              " ORDER BY school COLLATE \"C\", effective_from";
static const char POLICY_TEXT_SQL[] =
    "SELECT " ROW_KEY("id", "set_at") ", school, policy::text FROM school_policies WHERE id = ANY ($1::bigint[])";

/* The calendar document of the snapshot, stripped of its bookkeeping fields, parsed and kept in the
 * cache under `key`; ev->cal_ref holds it. */
static enum app_status load_calendar(struct db_conn *conn, const char *key, struct evaluation *ev, const char **why)
{
    char *text = NULL, *version = NULL;
    enum app_status st = repo_calendar_get(conn, &text, &version);
    ev->queries++;
    ev->round_trips++;
    json_t *doc = st == APP_OK ? json_loads(text, 0, NULL) : NULL, *errors = NULL;
    if (st == APP_OK && !doc)
        st = APP_NOMEM;
    if (st == APP_OK) {
        json_object_del(doc, "version");
        json_object_del(doc, "updated_at");
        tzdata_resolve(doc); /* an IANA zone's rule from the system's tzdata */
        pe_calendar *cal = NULL;
        pe_err pe = pe_calendar_parse(doc, &cal, &errors);
        if (pe == PE_OK && !(ev->cal_ref = eval_cache_put_calendar(key, cal)))
            pe = PE_NOMEM; /* the cache freed cal */
        if (pe == PE_NOMEM)
            st = APP_NOMEM;
        else if (pe != PE_OK)
            st = APP_CONFLICT, *why = "the calendar cannot be evaluated (is its time zone one the engine knows?)";
    }
    json_decref(errors);
    json_decref(doc);
    free(text);
    free(version);
    return st;
}

/* The snapshot's calendar into ev->cal: the cached one when its key is the snapshot's, else loaded. */
static enum app_status take_calendar(struct db_conn *conn, const char *key, struct evaluation *ev, const char **why)
{
    ev->cal_ref = key[0] ? eval_cache_calendar(key) : NULL;
    enum app_status st = ev->cal_ref ? APP_OK : load_calendar(conn, key, ev, why);
    if (st != APP_OK)
        return st;
    ev->cal = eval_shared_value(ev->cal_ref);
    if (ev->cal->n_years == 0)
        st = APP_CONFLICT, *why = "the calendar has no academic years: PUT /calendar first";
    return st;
}

/* Appends a version (borrowed from the cache) to the school's entry (rows come grouped by school). */
static int collect_version(struct evaluation *ev, const char *school, pe_policy *p)
{
    struct school_versions *sv = ev->n_schools ? &ev->schools[ev->n_schools - 1] : NULL;
    if (!sv || strcmp(sv->school, school) != 0) {
        struct school_versions *grown = realloc(ev->schools, (ev->n_schools + 1) * sizeof(*grown));
        if (!grown)
            return -1;
        ev->schools = grown;
        sv = &ev->schools[ev->n_schools++];
        memset(sv, 0, sizeof(*sv));
        snprintf(sv->school, sizeof(sv->school), "%s", school);
    }
    pe_policy **versions = realloc(sv->versions, (sv->n + 1) * sizeof(*versions));
    if (!versions)
        return -1;
    sv->versions = versions;
    sv->versions[sv->n++] = p;
    return 0;
}

/* True when one of the first `upto` students of the set is of school `code`. */
static int school_listed(const struct facts_set *set, size_t upto, const char *code)
{
    for (size_t j = 0; j < upto; j++)
        if (strcmp(set->students[j].school, code) == 0)
            return 1;
    return 0;
}

/* Appends `code` to an array literal being built ("{" so far, or "{...": a comma first). */
static void add_school(struct strbuf *sb, const char *code)
{
    strbuf_puts(sb, sb->len > 1 ? ",\"" : "\"");
    strbuf_puts(sb, code); /* school codes are [A-Z0-9_-]: nothing to escape */
    strbuf_puts(sb, "\"");
}

/* The distinct schools of the loaded students and `extra` (may be NULL), as a PostgreSQL array literal. */
static char *schools_literal(const struct facts_set *set, const char *extra)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{");
    for (size_t i = 0; i < set->n_students; i++)
        if (!school_listed(set, i, set->students[i].school))
            add_school(&sb, set->students[i].school);
    if (extra && !school_listed(set, set->n_students, extra))
        add_school(&sb, extra);
    strbuf_puts(&sb, "}");
    return strbuf_take(&sb);
}

static int cmp_school(const void *a, const void *b)
{
    return strcmp(((const struct school_versions *)a)->school, ((const struct school_versions *)b)->school);
}

/* One load (the facts_tail arg): the snapshot opened in the facts' first round trip, the calendar taken
 * from its results, and the policy versions' keys read in its last. */
struct eval_load {
    struct db_conn *conn;
    struct evaluation *ev;
    const struct as_of *when;
    const char *school, **why;
    int large, school_page;
    char on[11];   /* the as_of date, for the facts */
    char *schools; /* the array literal of the set's schools (NULL on OOM) */
    const char *params[1];
};

/* facts_tail.head: the read-only snapshot (generic plans for a small set, more work_mem for a large
 * one) and its calendar's stamp. */
static size_t snapshot_steps(void *arg, struct db_step *steps)
{
    const struct eval_load *l = arg;
    size_t n = 0;
    steps[n++] = (struct db_step){NULL, DB_SNAPSHOT_BEGIN, 0, NULL};
    /* a small set runs named statements, generic plans; a large one unnamed statements, which the
     * setting would force to generic plans too: they are planned for their keys, but a school's page's */
    steps[n++] = l->school_page ? (struct db_step){"eval_stamp_school_page", STAMP_SCHOOL_PAGE_SQL, 0, NULL}
                 : l->large     ? (struct db_step){"eval_stamp_work_mem", STAMP_WORK_MEM_SQL, 0, NULL}
                                : (struct db_step){"eval_stamp_generic", STAMP_GENERIC_SQL, 0, NULL};
    return n;
}

/* The instant `when` means on calendar `cal` (a day: its end there) into *at, and its local day. */
static pe_date as_of_on(const pe_calendar *cal, const struct as_of *when, pe_instant *at)
{
    *at = when->is_date ? pe_local_day_end(&cal->tz, when->date) : when->instant;
    return pe_local_date(&cal->tz, *at);
}

/* facts_tail.guess: the day snapshot_opened will set when the snapshot's calendar is the one cached now.
 * The calendar seldom changes; when it has, and the day with it, the load selects again. A tutor's agenda or
 * compliance, or a school's page, takes one round trip less by it (the head and the selection go together):
 * 19.7-20.1 context switches of the machine per agenda against 21.3-22.0 (vmstat at 32 connections, 40,000-
 * student bench/gen), for throughput within the noise of the measurement. */
static const char *snapshot_guess(void *arg, char buf[11])
{
    const struct eval_load *l = arg;
    struct eval_shared *held = eval_cache_calendar_held();
    const pe_calendar *cal = held ? eval_shared_value(held) : NULL;
    pe_instant at;
    const char *on = cal ? pe_date_format(as_of_on(cal, l->when, &at), buf) : NULL;
    eval_shared_release(held);
    return on;
}

/* facts_tail.opened: the calendar of the snapshot's stamp (cached, or loaded), the as_of instant and
 * its local date for the facts. */
static enum app_status snapshot_opened(void *arg, PGresult *const *results, const char **on)
{
    struct eval_load *l = arg;
    struct evaluation *ev = l->ev;
    const PGresult *stamp = results[1];
    char key[EVAL_CACHE_KEY_LEN];
    snprintf(key, sizeof(key), "%s", PQntuples(stamp) == 1 ? PQgetvalue(stamp, 0, 0) : "");
    enum app_status st = take_calendar(l->conn, key, ev, l->why);
    if (st != APP_OK)
        return st;
    ev->as_of_date = as_of_on(ev->cal, l->when, &ev->as_of);
    *on = pe_date_format(ev->as_of_date, l->on);
    return APP_OK;
}

/* facts_tail.build: the keys of the policy versions of the set's schools and `school`, and the end of
 * the snapshot. */
static size_t policy_steps(void *arg, const struct facts_set *set, struct db_step *steps)
{
    struct eval_load *l = arg;
    l->schools = schools_literal(set, l->school);
    l->params[0] = l->schools ? l->schools : "{}";
    steps[0] = (struct db_step){"eval_policy_keys", POLICY_KEYS_SQL, 1, l->params};
    steps[1] = (struct db_step){NULL, "ROLLBACK", 0, NULL};
    return 2;
}

/* Parses the stored versions of the rows `ids` (array literal) into the cache, and fills the holes of
 * ev->policy_refs whose keys (column 1 of `keys`) they are. Runs after the snapshot (rows never change). */
static enum app_status fetch_policies(struct db_conn *conn, const char *ids, const PGresult *keys,
                                      struct evaluation *ev)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, POLICY_TEXT_SQL, 1, &ids, &res, NULL);
    ev->queries++;
    ev->round_trips++;
    for (int r = 0; st == APP_OK && r < PQntuples(res); r++) {
        const char *text = PQgetvalue(res, r, 2);
        pe_policy *p = NULL;
        json_t *errors = NULL;
        pe_err pe = pe_policy_parse_string(text, strlen(text), &p, &errors);
        json_decref(errors);
        if (pe == PE_NOMEM)
            return APP_NOMEM;
        if (pe != PE_OK) /* stored before a stricter engine: skipped, never fatal */
            log_msg(LOG_WARN, "a stored policy version of school %s no longer validates; skipped",
                    PQgetvalue(res, r, 1));
        struct eval_shared *e = eval_cache_put_policy(PQgetvalue(res, r, 0), p);
        for (size_t k = 0; e && k < ev->n_policy_refs; k++) {
            if (!ev->policy_refs[k] && strcmp(PQgetvalue(keys, (int)k, 1), PQgetvalue(res, r, 0)) == 0) {
                ev->policy_refs[k] = e; /* the reference passes to the evaluation */
                e = NULL;
            }
        }
        eval_shared_release(e); /* not listed (cannot happen): kept by the cache alone */
    }
    PQclear(res);
    return st;
}

/* The policy versions listed in `keys` (rows: school, key, by school then effective_from) into
 * ev->schools, each from the cache, those it lacks read and parsed first. */
static enum app_status take_policies(struct db_conn *conn, const PGresult *keys, struct evaluation *ev)
{
    size_t n = (size_t)PQntuples(keys);
    if (!(ev->policy_refs = calloc(n ? n : 1, sizeof(*ev->policy_refs))))
        return APP_NOMEM;
    ev->n_policy_refs = n;
    struct strbuf missing = {0};
    for (size_t k = 0; k < n; k++) {
        const char *key = PQgetvalue(keys, (int)k, 1);
        if ((ev->policy_refs[k] = eval_cache_policy(key)))
            continue;
        strbuf_puts(&missing, missing.len ? "," : "{");
        strbuf_append(&missing, key, strcspn(key, "@")); /* the row id */
    }
    enum app_status st = APP_OK;
    if (missing.len) {
        strbuf_puts(&missing, "}");
        char *ids = strbuf_take(&missing);
        st = ids ? fetch_policies(conn, ids, keys, ev) : APP_NOMEM;
        free(ids);
    }
    for (size_t k = 0; st == APP_OK && k < n; k++) {
        if (!ev->policy_refs[k])
            st = APP_UNAVAILABLE; /* a row of the snapshot gone: cannot happen to append-only rows */
        else if (eval_shared_value(ev->policy_refs[k]) &&
                 collect_version(ev, PQgetvalue(keys, (int)k, 0), eval_shared_value(ev->policy_refs[k])) != 0)
            st = APP_NOMEM;
    }
    return st;
}

/* A set large enough to sort its contacts with more memory (a school, a report's batch). */
static int large_set(const struct facts_query *q)
{
    return q->by == FACTS_BY_SCHOOL || (q->by == FACTS_BY_STUDENTS && q->n_students > FACTS_NAMED_MAX);
}

enum app_status evaluation_load(struct db_conn *conn, const struct facts_query *q, const struct as_of *when,
                                const char *school, struct evaluation *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    struct eval_load l = {.conn = conn,
                          .ev = out,
                          .when = when,
                          .school = school,
                          .why = why,
                          .large = large_set(q),
                          .school_page = q->by == FACTS_BY_SCHOOL};
    struct facts_tail tail = {
        .head = snapshot_steps, .opened = snapshot_opened, .guess = snapshot_guess, .build = policy_steps, .arg = &l};
    enum app_status st = repo_facts_load_with(conn, q, &out->facts, &tail);
    out->queries += out->facts.queries + (int)(tail.n_head + tail.n);
    out->round_trips += out->facts.round_trips;
    if (st == APP_OK && !l.schools)
        st = APP_NOMEM;
    if (st == APP_OK)
        st = take_policies(conn, tail.results[0], out);
    for (size_t k = 0; k < tail.n; k++)
        PQclear(tail.results[k]);
    free(l.schools);
    if (st == APP_OK && out->n_schools > 1)
        qsort(out->schools, out->n_schools, sizeof(*out->schools), cmp_school);
    db_rollback(conn); /* when the facts' last round trip did not end the snapshot */
    log_msg(LOG_DEBUG, "evaluation: %zu students loaded in %d queries, %d round trips", out->facts.n_students,
            out->queries, out->round_trips);
    return st;
}

/* One page of evaluation_school_pages on conn: at most `limit` (0: all) of the school's students numbered
 * after `after` (NULL: from the first, and then the first page), judged (slot 0). *got is the page's students
 * and `last` the number of its last one (untouched when none). */
static enum app_status one_page(struct db_conn *conn, const struct facts_query *q, const char *after, size_t limit,
                                const struct as_of *when, const char *school, const struct page_judge *judge,
                                const char **why, char last[PE_ID_LEN], size_t *got)
{
    struct facts_query pq = *q;
    struct evaluation ev;
    pq.after = after;
    pq.until = NULL;
    pq.limit = limit;
    enum app_status st = evaluation_load(conn, &pq, when, school, &ev, why);
    if (st == APP_OK && ((judge->ahead && judge->ahead(&ev, 0, judge->arg) != 0) ||
                         judge->each(&ev, after == NULL, 0, judge->arg) != 0))
        st = APP_NOMEM;
    size_t n = ev.facts.n_students;
    if ((*got = n) > 0)
        pe_copy_text(last, PE_ID_LEN, ev.facts.students[n - 1].number);
    evaluation_free_batch(&ev);
    return st;
}

/* evaluation_school_pages on two connections: the school's pages (repo_facts_school_bounds) as the batches of one
 * batches_run, so that one connection loads the next page while the other's is judged. */
struct school_run {
    const struct facts_query *q;
    const struct as_of *when;
    const char *school;
    const struct page_judge *judge;
    char (*bounds)[PE_ID_LEN]; /* the last student of each page but the last */
    size_t n;                  /* pages */
    pthread_mutex_t lock;      /* guards what follows, which both threads write */
    const char *why;           /* the earliest page's evaluation_load's */
    size_t why_page;
    char on[11]; /* the day the first page loaded was judged on (every page's: `when` is the request's) */
    enum { LEND_NOT_YET, LEND_LOADING, LEND_READY, LEND_FAILED } lend;
    struct facts_set tutors; /* the school's, once LEND_READY */
};

/* The school's tutors to lend to a page, loaded on conn by the first page that asks once a page has given their
 * day; NULL while another page loads them (that page loads its own, rather than wait) or before a day is known.
 * Every page of a large school has nearly every one of its tutors: loaded per page, they grew with the square of
 * the school. APP_OK, or the load's failure. */
static enum app_status lent_tutors(struct db_conn *conn, struct school_run *r, const struct facts_set **out)
{
    enum app_status st = APP_OK;
    *out = NULL;
    pthread_mutex_lock(&r->lock);
    if (r->lend == LEND_NOT_YET && r->on[0]) {
        char on[sizeof(r->on)];
        struct facts_set tutors;
        memcpy(on, r->on, sizeof(on));
        r->lend = LEND_LOADING;
        pthread_mutex_unlock(&r->lock);
        st = repo_facts_load_school_tutors(conn, r->q->key, on, &tutors);
        pthread_mutex_lock(&r->lock);
        if (st == APP_OK) {
            r->tutors = tutors;
            r->lend = LEND_READY;
        } else {
            repo_facts_free(&tutors);
            r->lend = LEND_FAILED;
        }
    }
    if (r->lend == LEND_READY)
        *out = &r->tutors;
    pthread_mutex_unlock(&r->lock);
    return st;
}

/* batches.load: page b, from the student after the last of page b - 1 to the last of page b (the last page: to
 * the school's last). Pages after the first two borrow the school's tutors. */
static enum app_status load_school_page(struct db_conn *conn, size_t b, void *ctx, struct evaluation *ev)
{
    struct school_run *r = ctx;
    struct facts_query pq = *r->q;
    pq.after = b > 0 ? r->bounds[b - 1] : NULL;
    pq.until = b + 1 < r->n ? r->bounds[b] : NULL;
    pq.limit = 0;
    const struct facts_set *lent = NULL;
    enum app_status st = b >= 2 ? lent_tutors(conn, r, &lent) : APP_OK;
    if (st != APP_OK)
        return st;
    if (lent)
        pq.tutors_from = lent;
    const char *why = NULL;
    st = evaluation_load(conn, &pq, r->when, r->school, ev, &why);
    pthread_mutex_lock(&r->lock);
    if (why && (!r->why || b < r->why_page)) {
        r->why = why;
        r->why_page = b;
    }
    if (st == APP_OK && !r->on[0])
        pe_date_format(ev->as_of_date, r->on);
    pthread_mutex_unlock(&r->lock);
    return st;
}

/* batches.ahead: the judge's ahead() on page b, into slot b % 2 (batches.h: two pages in hand at most). */
static enum app_status ahead_school_page(size_t b, const struct evaluation *ev, void *ctx)
{
    const struct school_run *r = ctx;
    return r->judge->ahead(ev, b % 2, r->judge->arg) == 0 ? APP_OK : APP_NOMEM;
}

/* batches.judge: each() on page b, the first of them all starting the school. */
static enum app_status judge_school_page(size_t b, const struct evaluation *ev, void *ctx)
{
    const struct school_run *r = ctx;
    return r->judge->each(ev, b == 0, b % 2, r->judge->arg) == 0 ? APP_OK : APP_NOMEM;
}

/* evaluation_school_pages on two connections. A page runs to its bound, not to a count: a student added to the
 * school meanwhile is read by the page of its number's range, and the last page takes every student after the
 * last bound. The school compliance of the largest school of a 160,000-student bench/gen institution (16,000
 * students, eight pages) was read a pair of pages at a time: each pair waited for its slower page and for both
 * to be judged before the next pair's pages were asked for, and the school's tutors were loaded between the first
 * pair and the second while both connections idled. */
static enum app_status school_pages_run(struct db_conn *conn, struct db_conn *second, const struct facts_query *q,
                                        const struct as_of *when, const char *school, size_t half,
                                        const struct page_judge *judge, const char **why)
{
    struct school_run r = {.q = q, .when = when, .school = school, .judge = judge};
    enum app_status st = repo_facts_school_bounds(conn, q->key, half, &r.bounds, &r.n);
    if (st != APP_OK)
        return st;
    pthread_mutex_init(&r.lock, NULL);
    const struct batches pages = {r.n, load_school_page, judge_school_page, &r,
                                  judge->ahead ? ahead_school_page : NULL};
    st = batches_run(conn, second, &pages);
    *why = r.why;
    pthread_mutex_destroy(&r.lock);
    repo_facts_free(&r.tutors);
    free(r.bounds);
    return st;
}

enum app_status evaluation_school_pages(struct db_conn *conn, struct db_conn *second, const struct facts_query *q,
                                        const struct as_of *when, const char *school, size_t page,
                                        const struct page_judge *judge, const char **why)
{
    *why = NULL;
    if (second && page >= 2)
        return school_pages_run(conn, second, q, when, school, page / 2, judge, why);
    char after[PE_ID_LEN];
    const char *from = NULL;
    size_t got = 0;
    enum app_status st;
    do {
        st = one_page(conn, q, from, page, when, school, judge, why, after, &got);
        if (got > 0)
            from = after;
    } while (st == APP_OK && page > 0 && got == page);
    return st;
}

/* glibc's allocator initialises itself on its first use, and that initialisation is not thread-safe. In a
 * build with AddressSanitizer, which serves malloc and free but not malloc_trim, the first use of glibc's
 * allocator may be malloc_trim in evaluation_free_batch on two batch threads at once: a CI run's tutord
 * died of it ("malloc assertion failure in __malloc_arena_thread_freeres: a->attached_threads > 0"), and a
 * test program of eight threads calling malloc_trim at once crashed in 12 of 500 runs under ASan, in none
 * once the main thread had called it first. So it is called once before main, while the process has one
 * thread (a no-op where glibc's allocator already serves). */
__attribute__((constructor)) static void allocator_ready(void)
{
    malloc_trim(0);
}

/* The connection is not closed after the batch: libpq's input buffer grows only to the largest row, and
 * the facts' rows are small. Closing it (as this did, to free libpq's buffers) made the next batch or request
 * open a new session, and plan its statements with cold catalogue caches: a 4,000-student school's
 * compliance opened two connections on every request. Kept open, that request went from 0.190-0.229 s to
 * 0.157-0.185 s, the database's CPU per request from 235-270 to 177-204 ms, and tutord's resident memory
 * after each of the KPIs, the engagement report and that school's compliance stayed as it was (24, 27-30
 * and 18-20 MB; peak 38-46 MB either way) (40k bench/gen, two runs of two alternating rounds, hyperfine
 * -r 10 and -r 4). */
void evaluation_free_batch(struct evaluation *ev)
{
    evaluation_free(ev);
    malloc_trim(0); /* each serving thread's malloc arena would keep what the batch freed */
}

void evaluation_free(struct evaluation *ev)
{
    if (!ev)
        return;
    eval_shared_release(ev->cal_ref); /* ev->cal is the cache's */
    repo_facts_free(&ev->facts);
    for (size_t i = 0; i < ev->n_schools; i++)
        free(ev->schools[i].versions); /* the versions are the cache's */
    free(ev->schools);
    for (size_t k = 0; k < ev->n_policy_refs; k++)
        eval_shared_release(ev->policy_refs[k]);
    free(ev->policy_refs);
    memset(ev, 0, sizeof(*ev));
}

const struct school_versions *evaluation_school(const struct evaluation *ev, const char *school)
{
    struct school_versions key = {0};
    snprintf(key.school, sizeof(key.school), "%s", school);
    return ev->n_schools ? bsearch(&key, ev->schools, ev->n_schools, sizeof(*ev->schools), cmp_school) : NULL;
}

const pe_policy *evaluation_policy(const struct evaluation *ev, const struct school_versions *sv)
{
    return sv ? pe_policy_in_force((const pe_policy *const *)sv->versions, sv->n, ev->as_of_date) : NULL;
}

pe_err evaluation_student(const struct evaluation *ev, size_t i, const struct school_versions *sv, pe_findings *out)
{
    return evaluation_student_rules(ev, i, sv, 0, out);
}

pe_err evaluation_student_rules(const struct evaluation *ev, size_t i, const struct school_versions *sv,
                                unsigned rule_types, pe_findings *out)
{
    if (!sv)
        sv = evaluation_school(ev, ev->facts.students[i].school);
    if (!sv || sv->n == 0)
        return PE_OK;
    pe_tutor tutors[EVALUATION_MAX_TUTORS];
    pe_input in;
    memset(&in, 0, sizeof(in));
    repo_facts_input(&ev->facts, i, tutors, EVALUATION_MAX_TUTORS, &in);
    in.cal = ev->cal;
    in.versions = (const pe_policy *const *)sv->versions;
    in.n_versions = sv->n;
    in.as_of = ev->as_of;
    in.rule_types = rule_types;
    return pe_evaluate_student(&in, out);
}

/* The tutor's facts from the set, judged by the tutor rules of sv. */
pe_err evaluation_tutor(const struct evaluation *ev, const char *staff, const struct school_versions *sv,
                        pe_findings *out)
{
    const pe_tutor *t = repo_facts_tutor(&ev->facts, staff);
    if (!t || !sv || sv->n == 0)
        return PE_OK;
    return pe_evaluate_tutor(ev->cal, (const pe_policy *const *)sv->versions, sv->n, t, ev->as_of, out);
}

pe_err evaluation_school_findings(const struct evaluation *ev, const struct school_versions *sv, pe_findings *out)
{
    if (!sv || sv->n == 0)
        return PE_OK;
    return pe_evaluate_school(ev->cal, (const pe_policy *const *)sv->versions, sv->n, &ev->facts.school, ev->as_of,
                              out);
}

int evaluation_with_draft(const struct school_versions *sv, const char *school, pe_policy *draft,
                          struct school_versions *out)
{
    size_t n = sv ? sv->n : 0, k = 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->school, sizeof(out->school), "%s", school);
    if (!(out->versions = malloc((n + 1) * sizeof(*out->versions))))
        return -1;
    for (size_t i = 0; i < n && sv->versions[i]->effective_from < draft->effective_from; i++)
        out->versions[k++] = sv->versions[i];
    out->versions[k++] = draft;
    for (size_t i = 0; i < n; i++)
        if (sv->versions[i]->effective_from > draft->effective_from)
            out->versions[k++] = sv->versions[i];
    out->n = k;
    return 0;
}
