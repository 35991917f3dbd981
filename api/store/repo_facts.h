/* repo_facts.h — everything the policy engine needs about a set of students, loaded in a fixed number of
 * queries whatever the number of students (one per table, keyed by `student_number = ANY($1)`; for a large
 * set within the range of those keys, so that a report's batch of contiguous numbers reads an index range),
 * and turned into pe_input facts.
 *
 * A set is selected by student numbers, by a tutor's current tutees, or by a whole school, and filtered
 * by the caller's visibility (access.h) when a scope is given. Loaded per set:
 *   students (school, name, level, cohort, date of birth, registration, course start), their status
 *   history (student_status_history, sql/007 and sql/012; a student without history rows is taken as
 *   holding the current status since registration), allocations of every kind, contacts up to the day `on`
 *   (before the third day after it; sorted as the engine needs; each with summary_at, the first `shared`
 *   note on it), all concerns (open and closed, the engine judges when they were open; who raised
 *   them), exemption periods, the days each was
 *   invited to give feedback (as a tutee), and the facts of every tutor with an allocation to one of
 *   them (absences with cover, training records, current personal tutee count, capacity, "started the
 *   role" = their earliest allocation, roles, permanence and a recorded permanence exception, the days
 *   they were invited to give feedback as a tutor). Feedback days are local dates in the calendar's
 *   time zone.
 *
 * Queries run on the caller's connection, sent together in libpq pipelines: the selection, then every
 * table at once (two round trips). A small set (FACTS_NAMED_MAX students at most) uses statements
 * prepared once per connection; a large one unnamed statements planned for its keys, and its tutors'
 * tables go in a third round trip, keyed by the staff numbers of the allocations the second loaded. Run
 * them inside one read-only transaction for a consistent snapshot (evaluation.c does, through
 * facts_tail). Not thread-safe on one connection (libpq).
 *
 * A small set loaded in such a snapshot (the caller's head begins it: facts_tail.head), with every contact kind,
 * takes its students' tables from facts_cache.h when it holds every student's at the revision the selection read
 * (students.facts_rev, sql/032), for the same bound of contacts and the same senior tutors; then only the selection,
 * the tutors' tables and the tail run. Otherwise it loads them all and keeps each student's there. */
#ifndef TUTORD_REPO_FACTS_H
#define TUTORD_REPO_FACTS_H

#include <stddef.h>

#include "access.h"
#include "db.h"
#include "pe.h"

enum facts_selector {
    FACTS_BY_STUDENTS, /* the students named in `students` */
    FACTS_BY_TUTOR,    /* students with a personal or cover allocation to tutor `key` in force on `on` */
    FACTS_BY_SCHOOL,   /* students whose school is `key`: after `after`, at most `limit` of them (a page) */
};

struct facts_query {
    enum facts_selector by;
    const char *const *students; /* FACTS_BY_STUDENTS: natural keys */
    size_t n_students;
    const char *key; /* FACTS_BY_TUTOR: staff number; FACTS_BY_SCHOOL: school code */
    /* "YYYY-MM-DD": the day tutees and caseloads are counted on, and the as_of day (the contacts after it
     * are not loaded); NULL: every contact */
    const char *on;
    const struct access_scope *scope; /* only students visible to it; NULL: no filter */
    const char *contact_kinds;        /* text[] literal of the contact kinds to load ("{meeting,...}"); NULL: all */
    const char *after; /* FACTS_BY_SCHOOL: only students numbered after it ("C" order); NULL: from the first. The
                          school's own facts (facts_set.school) are loaded with the first page only */
    const char *until; /* FACTS_BY_SCHOOL: only students numbered up to it, itself included ("C" order); NULL:
                          no bound */
    size_t limit;      /* FACTS_BY_SCHOOL: at most this many students, the first in number order; 0: all */
    const struct facts_set *tutors_from; /* the tutors' facts, borrowed from a set repo_facts_load_tutors or
                                            repo_facts_load_school_tutors loaded (a report's, once for all its
                                            batches or pages) when it has every tutor the set's allocations name
                                            and the set's day; NULL: loaded with the set */
};

struct facts_student {
    char number[PE_ID_LEN];
    char school[20];
    char *name;
    pe_student student;      /* statuses point into facts_set.statuses, or at `current` */
    pe_status_entry current; /* the current status, since registration: used without history rows */
    size_t first_allocation, n_allocations;
    size_t first_contact, n_contacts;
    size_t first_concern, n_concerns;
    long long facts_rev; /* students.facts_rev (sql/032): the revision of the facts beyond the students row */
};

struct facts_set {
    struct facts_student *students; /* sorted by number */
    size_t n_students;
    pe_status_entry *statuses;
    size_t n_statuses;
    pe_allocation *allocations;
    size_t n_allocations;
    pe_contact *contacts; /* per student, sorted by `at` then id */
    size_t n_contacts;
    pe_concern *concerns;
    size_t n_concerns;
    pe_tutor *tutors; /* sorted by staff; absences/training point into the arrays below */
    size_t n_tutors;
    pe_absence *absences;
    size_t n_absences;
    pe_training *training;
    size_t n_training;
    pe_exemption *exemptions; /* per student, by starts_on */
    size_t n_exemptions;
    pe_date *invited; /* per student: the days they were invited to give feedback, sorted */
    size_t n_invited;
    pe_date *tutor_invited; /* per tutor: the same */
    size_t n_tutor_invited;
    char (*seniors)[PE_ID_LEN]; /* the staff numbers of every senior tutor, in "C" order (contacts' senior_tutor) */
    size_t n_seniors;
    pe_school school;    /* FACTS_BY_SCHOOL's first page: the school's own facts on `on` (whatever the scope) */
    int queries;         /* statements run by repo_facts_load (fixed: it does not grow with the set) */
    int round_trips;     /* round trips to the server they took (libpq pipelines: two, three for a large set) */
    int tutors_borrowed; /* tutors, absences, training and tutor_invited belong to q->tutors_from's set */
    char on[11];         /* a lender's (repo_facts_load_tutors, repo_facts_load_school_tutors): the day its tutors'
                            caseloads are counted on; a set borrows its tutors only when its own day is the same */
};

/* Loads the set `q` selects into *out (zeroed first; free with repo_facts_free, also after a failure).
 * FACTS_BY_TUTOR also loads the tutor's own facts when they have no tutees. Returns APP_OK, APP_NOMEM
 * or the database failure. An empty selection is APP_OK with n_students == 0. */
enum app_status repo_facts_load(struct db_conn *conn, const struct facts_query *q, struct facts_set *out);

/* Sets of more students than this are loaded with statements of their own form: a large FACTS_BY_STUDENTS set
 * (a report's batch) as a contiguous range of student numbers, its keys filtering the range rather than each
 * being looked up, with unnamed statements planned for its keys; a large school page or tutor's set with its
 * keys looked up, prepared once per connection as a small set's are. */
#define FACTS_NAMED_MAX 64

/* Statements a caller adds to a load (evaluation.c: its snapshot and calendar first, the policy
 * versions of the set's schools and the end of its transaction last). */
#define FACTS_HEAD_MAX 4
#define FACTS_TAIL_MAX 4
struct facts_tail {
    /* Writes at most FACTS_HEAD_MAX steps sent before the load's own (NULL: none): with the selection
     * when it does not need the day (FACTS_BY_STUDENTS), else in a round trip of their own. */
    size_t (*head)(void *arg, struct db_step *steps);
    /* Takes the head's results (borrowed) once they are in, before the day is needed: APP_OK with *on set
     * (the day to count on, instead of q->on; the string must live until the load returns), or the
     * failure that ends the load. May run statements of its own on the connection. */
    enum app_status (*opened)(void *arg, PGresult *const *results, const char **on);
    /* Optional (NULL: none): the day `opened` will most likely set, from what the caller holds before the
     * head is read (its cached calendar), written into buf; or NULL when it cannot tell. With a guess the
     * head goes with a selection that needs the day, in one round trip, and should `opened` set another
     * day, the selection runs again for it in a round trip of its own. */
    const char *(*guess)(void *arg, char buf[11]);
    /* Writes at most FACTS_TAIL_MAX steps sent after the set's own in its last round trip, once the
     * students are known (their text and parameters must live until the load returns); returns how many. */
    size_t (*build)(void *arg, const struct facts_set *set, struct db_step *steps);
    void *arg;
    PGresult *results[FACTS_TAIL_MAX]; /* out: the tail's results (NULL after a failure; caller PQclear()s) */
    size_t n;                          /* out: tail steps built */
    size_t n_head;                     /* out: head steps sent */
};

/* As repo_facts_load, in two round trips (libpq pipelines; one more when a head goes before a selection
 * that needs the day and tail->guess cannot tell it or told another, one more for a large set's tutors, or
 * for the tail alone when the set borrows its tutors): the selection, then every table of the set, with
 * `tail`'s statements (may be NULL) in the last. */
enum app_status repo_facts_load_with(struct db_conn *conn, const struct facts_query *q, struct facts_set *out,
                                     struct facts_tail *tail);

/* Loads into *out (zeroed first; free with repo_facts_free) only the tutors' part of a set: the facts of
 * every tutor with an allocation to a student numbered from `first` to `last` ("C" order; NULL: nobody),
 * a superset of the tutors of any students in that range, and of the n_staff staff numbers `staff` (those
 * a report judges whoever their tutees: the KPI's counted tutors) (absences, training, caseload on the day
 * `on`, roles, feedback days), in one read-only snapshot of its own and one round trip. A report loads them
 * once and lends them to each batch (facts_query.tutors_from): every batch of students has nearly every
 * tutor, so loading them per batch grew with the square of the institution. */
enum app_status repo_facts_load_tutors(struct db_conn *conn, const char *first, const char *last,
                                       const char *const *staff, size_t n_staff, const char *on, struct facts_set *out);

/* As repo_facts_load_tutors, for the pages of school `school` (evaluation_school_pages): the facts of everyone
 * allocated to one of its students, at any time, in one snapshot of its own and two round trips. A page whose
 * allocations name a tutor they lack (allocated since), or whose day is not `on`, loads its own tutors. */
enum app_status repo_facts_load_school_tutors(struct db_conn *conn, const char *school, const char *on,
                                              struct facts_set *out);

/* How to page school `school`'s students, in "C" order and whoever may see them, for pages of at most `half`
 * (evaluation_school_pages): as many pages as that takes, but at least two, their number rounded up to an even one
 * (the two connections of batches.h take one page in two), each then of the students over that number rounded
 * up but the last, which may be smaller (so pages may be fewer: 3 students in pages of at most 1 make 3). *n_pages is
 * how many, and (*bounds)[i] the number of the last student of page i for each page but the last (free *bounds; NULL
 * when there is one page: for nobody or for one student). APP_OK, else the database's failure or APP_NOMEM (then
 * *bounds is NULL). */
enum app_status repo_facts_school_bounds(struct db_conn *conn, const char *school, size_t half,
                                         char (**bounds)[PE_ID_LEN], size_t *n_pages);

/* Frees everything the set owns; NULL-safe; the set may be loaded again. */
void repo_facts_free(struct facts_set *set);

/* The index of student `number` in the set, or -1. Binary search. */
long repo_facts_find(const struct facts_set *set, const char *number);

/* The facts of tutor `staff`, or NULL when the set has none. Borrowed. Binary search. */
const pe_tutor *repo_facts_tutor(const struct facts_set *set, const char *staff);

/* Fills the fact fields of *in for student i (student, allocations, contacts, concerns, and its tutors:
 * copies of the tutors of its allocations, written into tutors[0..cap)); the caller sets cal, versions,
 * n_versions and as_of. The input borrows from the set and from `tutors`. */
void repo_facts_input(const struct facts_set *set, size_t i, pe_tutor *tutors, size_t cap, pe_input *in);

#endif
