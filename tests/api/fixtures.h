/* fixtures.h — what the API suites share on top of harness.h: rows made by SQL with fresh numbers
 * (schools, staff, students, allocations, contacts), the standard tokens, request helpers that assert
 * (a status, a refusal naming a field, a created id) and one Check runner for every suite.
 *
 * Every function aborts the running test through Check (or the run, via harness_sql) when the
 * database or the transport fails, so callers need no error paths. Not thread-safe unless stated: call
 * them from the test's own thread (tt_status/tt_call are safe from worker threads only after the test's
 * thread has made one request, which initialises curl). */
#ifndef TUTORD_TEST_FIXTURES_H
#define TUTORD_TEST_FIXTURES_H

#include <check.h>
#include <stddef.h>

#include "harness.h"

/* ---- rows by SQL --------------------------------------------------------------------------------- */

/* Runs `sql` with up to two text parameters ($1 = a, $2 = b; a NULL a means none, a NULL b one) and
 * discards the result. */
void tt_sql(const char *sql, const char *a, const char *b);
/* The integer first column of `sql` run with one parameter (e.g. a count). */
long tt_count(const char *sql, const char *param);

/* Inserts school `code` named `name` (NULL: "School <code>"). */
void tt_school(const char *code, const char *name);
/* Writes "<prefix><fresh digits>" into code[size] and inserts that school named `name` (NULL as above). */
void tt_new_school(char *code, size_t size, const char *prefix, const char *name);
/* Inserts an active staff member with the default capacity (30); `roles` is a text[] literal ("{tutor}"). */
void tt_staff(const char *number, const char *school, const char *roles);
/* Inserts a staff member with an explicit capacity and active flag. */
void tt_tutor(const char *number, const char *school, const char *roles, int capacity, int active);
/* Inserts a level 4 UG student of `school`, studying, registered on 2026-09-21 (fixed, so that tests
 * written against the 2026/27 calendar do not change with the day they run). */
void tt_student(const char *number, const char *school);
/* Inserts a level 4 UG student with a partner school (may be NULL), status (NULL: studying) and
 * registration date (NULL: 2026-09-21). */
void tt_student_full(const char *number, const char *school, const char *partner, const char *status,
                     const char *registered_on);
/* Inserts a personal allocation of `student` to `tutor` from `starts_on` (NULL: 2026-10-01), open-ended. */
void tt_allocate(const char *student, const char *tutor, const char *starts_on);
/* Inserts an attended contact of `kind` in `direction` at `occurred_at` (NULL: three days ago),
 * replying to contact `reply_to` (may be NULL), created by the student when it is from the student and
 * by the staff member otherwise. Writes its id into id[24] when id is not NULL. */
void tt_contact(const char *student, const char *staff, const char *kind, const char *direction,
                const char *occurred_at, const char *reply_to, char *id);

/* ---- tokens (malloc'd; the caller frees) ------------------------------------------------------------ */

char *tt_admin_token(void);                                   /* sub ADM1, admin */
char *tt_registry_token(const char *sub);                     /* registry */
char *tt_tutor_token(const char *staff);                      /* tutor */
char *tt_senior_token(const char *staff, const char *school); /* tutor and senior tutor of `school` */
char *tt_student_token(const char *student);                  /* student */

/* ---- requests ------------------------------------------------------------------------------------ */

/* One JSON request; asserts the transport worked; returns the status and leaves the response in *r
 * (the caller frees it with harness_response_free). */
long tt_call(const char *method, const char *path, const char *token, const char *body, struct tt_response *r);
/* The status of one request, the response discarded. */
long tt_status(const char *method, const char *path, const char *token, const char *body);
/* Asserts one request answers `status` (printing the body when it does not). */
void tt_expect_status(const char *method, const char *path, const char *token, const char *body, long status);
/* Asserts a request is refused with `status` as problem+json naming `field` (NULL: any or none). */
void tt_refused(const char *method, const char *path, const char *token, const char *body, long status,
                const char *field);
/* True when a problem+json response names `field` in its errors. */
int tt_names_field(const struct tt_response *r, const char *field);
/* The "id" of a created record as a malloc'd decimal string. */
char *tt_id(const struct tt_response *r);
/* POSTs `body`, asserts 201 and returns the new id (malloc'd). */
char *tt_post_id(const char *path, const char *token, const char *body);
/* The number of items GET <path>?<query> returns to `token`, or minus the status when it is not 200. */
long tt_list_count(const char *path, const char *query, const char *token);
/* The element of `items` whose "rule" is `rule` (a finding or a rule summary), or NULL. Borrowed. */
json_t *tt_finding(json_t *items, const char *rule);

/* ---- the runner ---------------------------------------------------------------------------------- */

struct harness_suite {
    const char *name;
    const TTest *const *tests; /* NULL-terminated */
    void (*start)(void);       /* once before the tests (unchecked); NULL: harness_start */
    void (*stop)(void);        /* once after them; NULL: harness_stop */
    void (*setup)(void);       /* around each test (checked); may be NULL */
    void (*teardown)(void);
    int timeout;    /* seconds per test; 0: Check's default */
    int in_process; /* 1: run the tests in this process (CK_NOFORK) */
};

/* Runs one suite as one test case; returns EXIT_SUCCESS or EXIT_FAILURE for main. */
int harness_run(const struct harness_suite *suite);
/* The common case: one tutord for the suite, `setup`/`teardown` (may be NULL) around each test, 120 s
 * per test, in this process. */
int harness_run_suite(const char *name, const TTest *const *tests, void (*setup)(void), void (*teardown)(void));

/* ---- status history and findings (added for the status history, exemption and as-of suites) ---------- */

/* The student's status_history as GET /students/{n} shows it to `token`, written compactly as
 * "status@from,status@from" (malloc'd); asserts the read answers 200. */
char *tt_status_history(const char *student, const char *token);

/* GET /students/{n}/compliance?as_of=<as_of> as `token`; asserts 200 and returns the findings array
 * (a new reference: the caller decrefs). */
json_t *tt_findings(const char *student, const char *as_of, const char *token);

/* The status of rule `rule` in `findings` ("" when the rule has no finding). Borrowed. */
const char *tt_rule_status(json_t *findings, const char *rule);

/* ---- the store in process (suites that drive db.h themselves: .in_process) -------------------------- */

struct db_conn;
struct timespec;

/* Seconds on the monotonic clock since *t0. */
double tt_seconds_since(const struct timespec *t0);
/* The single value of `sql` on conn, as an integer (a failure fails the test). */
long tt_db_value(struct db_conn *conn, const char *sql);
/* A thread body: stops the db_watch `watch` 300 ms from now (as the heavy pool does when a request's client
 * hangs up) and returns NULL. */
void *tt_stop_watch_soon(void *watch);

#endif
