/* evaluation.h — glue between the database and the policy engine: the calendar document becomes a
 * pe_calendar, each school's policy versions become pe_policy versions, repo_facts loads the students,
 * and the engine runs per student or per tutor. Everything is read per request in one read-only
 * snapshot, in two round trips (libpq pipelines): the snapshot opened with the calendar's stamp and the
 * students selected, then their facts with the policy versions' keys and the snapshot's end (one more
 * first when the selection needs the as_of date: a tutor's tutees, a school's own facts; one more last
 * for the tutors of a large set, with the policy keys and the end). The parsed calendar and policy
 * versions are shared across requests (eval_cache.h), checked against the snapshot's versions by every
 * request; the facts and every verdict are the request's own. */
#ifndef TUTORD_EVALUATION_H
#define TUTORD_EVALUATION_H

#include <jansson.h>

#include "db.h"
#include "pe.h"
#include "repo_facts.h"

/* The `as_of` query parameter: a date (judged at the end of that local day) or an RFC 3339 instant;
 * absent means now. */
struct as_of {
    int is_date;
    pe_date date;
    pe_instant instant;
};

/* Parses `text` (NULL: now). Returns 0, or -1 when it is neither a date nor an instant. */
int evaluation_parse_as_of(const char *text, struct as_of *out);

/* One school's policy versions, sorted by effective_from (owned by the evaluation). */
struct school_versions {
    char school[20];
    pe_policy **versions;
    size_t n;
};

struct eval_shared;

struct evaluation {
    pe_calendar *cal;   /* the cache's (cal_ref): never modified */
    pe_instant as_of;   /* the instant judged */
    pe_date as_of_date; /* its local date */
    struct facts_set facts;
    struct school_versions *schools; /* sorted by code; schools without a policy are absent */
    size_t n_schools;
    int queries;                      /* statements run to load it (fixed per request kind) */
    int round_trips;                  /* round trips to the server they took */
    struct eval_shared *cal_ref;      /* the cached calendar held */
    struct eval_shared **policy_refs; /* the cached policy versions held (schools[].versions point into them) */
    size_t n_policy_refs;
};

/* Loads, in one REPEATABLE READ READ ONLY transaction on `conn`: the calendar, the facts `q` selects
 * (q->on is set from the as_of date), and the policy versions of their schools and of `school` (may be
 * NULL). On APP_OK *out is ready (free with evaluation_free). APP_CONFLICT with *why (static text) when
 * the calendar cannot be evaluated (no academic years, a time zone the engine does not know); other
 * failures are the database's or APP_NOMEM. *out must be freed with evaluation_free in every case. */
enum app_status evaluation_load(struct db_conn *conn, const struct facts_query *q, const struct as_of *when,
                                const char *school, struct evaluation *out, const char **why);

/* What evaluation_school_pages does with each page of a school's students. Both return 0, or -1 to stop with
 * APP_NOMEM. */
struct page_judge {
    /* NULL, or the page's own work (what needs no other page: judging its students), into the caller's part
     * `slot` of arg: called on the thread that loaded the page, possibly beside ahead() or each() on the page
     * before or after it, which has the other slot (page b's is b % 2: two pages are in hand at most). */
    int (*ahead)(const struct evaluation *ev, size_t slot, void *arg);
    /* Then, page after page in student-number order and one at a time, the page (its ahead() done): `first`
     * when it starts the school. */
    int (*each)(const struct evaluation *ev, int first, size_t slot, void *arg);
    void *arg;
};

/* A school's students judged a page at a time, so that only one page's facts are held (a school of 16,000
 * students is 600,000 contacts). Loads q (FACTS_BY_SCHOOL: its after, until and limit are set here) `page`
 * students at a time in student-number order, each page as evaluation_load does (its own snapshot; the
 * school's own facts with the first page only), and calls judge's ahead() then each() on it, page after page
 * in that order. At least one page is loaded, even of nobody. With `second` (may be NULL) and a page of at
 * least 2, the school's students are split into pages of at most page / 2 (repo_facts_school_bounds: an even
 * number of them, at least two when the school has two students) read on both connections at once
 * (batches.h): one connection loads its next page while the other's is judged, and the pages' ahead() run
 * beside each other too. each() still sees them one at a time, in order, so whatever it adds up comes out as
 * from one connection. Returns as evaluation_load (*why with APP_CONFLICT). */
enum app_status evaluation_school_pages(struct db_conn *conn, struct db_conn *second, const struct facts_query *q,
                                        const struct as_of *when, const char *school, size_t page,
                                        const struct page_judge *judge, const char **why);

/* Frees everything the evaluation owns; NULL-safe. */
void evaluation_free(struct evaluation *ev);

/* As evaluation_free, and gives back the memory loading it grew on this thread (the thread's malloc arena): a
 * loop of batches or pages then holds one at a time, whichever thread serves it. The connection it was loaded
 * on serves on, its session's caches and prepared statements warm for the next batch or request. */
void evaluation_free_batch(struct evaluation *ev);

/* The policy versions of `school`, or NULL when it has no policy. Borrowed. */
const struct school_versions *evaluation_school(const struct evaluation *ev, const char *school);

/* The version of `sv` in force on the as_of date (else the earliest), or NULL when sv is NULL. */
const pe_policy *evaluation_policy(const struct evaluation *ev, const struct school_versions *sv);

/* Appends the findings of student i (index into ev->facts) to *out, judged by `sv` (NULL: the versions
 * of the student's own school). A student whose school has no policy gets no findings. Returns PE_OK,
 * PE_NOMEM, or PE_INVALID when the engine refuses the input. */
pe_err evaluation_student(const struct evaluation *ev, size_t i, const struct school_versions *sv, pe_findings *out);

/* As evaluation_student, judging only the rules of `rule_types` (a mask of 1u << pe_rule_type; 0: every
 * rule): for a report that reads some types alone. Their findings are those evaluation_student gives. */
pe_err evaluation_student_rules(const struct evaluation *ev, size_t i, const struct school_versions *sv,
                                unsigned rule_types, pe_findings *out);

/* Appends the tutor-level findings (training, quiz, caseload) of tutor `staff` under `sv`'s policy.
 * A tutor with no facts in the set, or sv NULL, gets none. */
pe_err evaluation_tutor(const struct evaluation *ev, const char *staff, const struct school_versions *sv,
                        pe_findings *out);

/* Appends the school-level findings (senior tutors) of the school the evaluation was loaded for
 * (FACTS_BY_SCHOOL: ev->facts.school) under `sv`'s policy; none when sv is NULL or empty. */
pe_err evaluation_school_findings(const struct evaluation *ev, const struct school_versions *sv, pe_findings *out);

/* The versions `sv` would have if `draft` were adopted (as PUT /schools/{code}/policy would): the
 * draft inserted by effective_from, superseding a version with the same effective_from. Fills *out (its
 * array malloc'd: free(out->versions); the policies are borrowed). Returns 0, or -1 on OOM. sv may be
 * NULL (the school has no policy yet). */
int evaluation_with_draft(const struct school_versions *sv, const char *school, pe_policy *draft,
                          struct school_versions *out);

#endif
