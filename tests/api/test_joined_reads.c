/* test_joined_reads.c — GET /students/{n}'s store read with joined reads on (db_join.h), against the real
 * database, without HTTP: reads that queue behind a statement in flight go to the database together as
 * one statement, and each gets exactly the answer its own statement gives — its student byte for byte,
 * or not found when absent or not the tutor's tutee — whatever the other reads of its batch ask for
 * (keys with quotes, commas, braces and backslashes included). With joined reads off, every read goes
 * to the database at once. */
#include <check.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "fixtures.h"
#include "harness.h"
#include "repo_students.h"

#define N_STUDENTS 6
#define N_READS 24

static char school[24], tutor[2][24];
static char students[N_STUDENTS][24];
static char *expected[N_STUDENTS]; /* each student's JSON as an admin's lone read gives it */

static struct principal admin_principal = {.sub = "ADMIN", .roles = ROLE_ADMIN};
static struct principal tutor_principal[2];

/* Students 0-2 are tutor 0's tutees, 3-4 tutor 1's, 5 nobody's. */
static void make_rows(void)
{
    tt_new_school(school, sizeof(school), "JR", NULL);
    for (int t = 0; t < 2; t++) {
        harness_unique("JT", tutor[t], sizeof(tutor[t]));
        tt_staff(tutor[t], school, "{tutor}");
        snprintf(tutor_principal[t].sub, sizeof(tutor_principal[t].sub), "%s", tutor[t]);
        tutor_principal[t].roles = ROLE_TUTOR;
    }
    for (int i = 0; i < N_STUDENTS; i++) {
        harness_unique("JS", students[i], sizeof(students[i]));
        tt_student_full(students[i], school, NULL, NULL, "2026-09-21");
        if (i < 5)
            tt_allocate(students[i], tutor[i < 3 ? 0 : 1], "2026-09-21");
    }
}

/* A pool of `size` connections with the student statements, joining `joined` statements of a kind. */
static struct db_pool *new_pool(int size, int joined)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), "none", size, 20000, REPO_STUDENT_STATEMENTS);
    ck_assert_ptr_nonnull(pool);
    db_pool_set_joined_reads(pool, joined);
    return pool;
}

static void start(void)
{
    harness_start();
    make_rows();
    struct db_pool *alone = new_pool(1, 0);
    struct access_scope scope;
    access_scope_of(&admin_principal, &scope);
    for (int i = 0; i < N_STUDENTS; i++) {
        char *version = NULL;
        ck_assert_int_eq(repo_student_read(alone, students[i], &scope, &expected[i], &version), APP_OK);
        ck_assert_ptr_nonnull(strstr(expected[i], students[i]));
        free(version);
    }
    db_pool_free(alone);
}

static void stop(void)
{
    for (int i = 0; i < N_STUDENTS; i++)
        free(expected[i]);
    harness_stop();
}

/* One read of a batch: who asks for what, what it must get, and what it got. */
struct read {
    struct db_pool *pool;
    const struct principal *who;
    const char *number;
    int student; /* index into students, or -1: must not be found */
    enum app_status status;
    char *json, *version;
};

static void *run_read(void *arg)
{
    struct read *r = arg;
    struct access_scope scope;
    access_scope_of(r->who, &scope);
    r->status = repo_student_read(r->pool, r->number, &scope, &r->json, &r->version);
    return NULL;
}

/* Starts the n reads, each on a thread of its own. */
static void start_reads(struct read *reads, pthread_t *threads, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, run_read, &reads[i]), 0);
}

/* Waits for the n reads started, then checks each with check (its index given) and frees its answer. */
static void finish_reads(struct read *reads, pthread_t *threads, int n, void (*check)(const struct read *, int))
{
    for (int i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < n; i++) {
        check(&reads[i], i);
        free(reads[i].json), free(reads[i].version);
    }
}

/* Keys no student has, each a trap for an array literal built carelessly. */
static const char *const ABSENT[] = {"NOPE\"1", "a,b", "{x}", "back\\slash", "NULL", "sp ace"};

/* Read i of the mixed batch: admins, both tutors reading their own tutees and each other's, absent keys. */
static void mixed_read(struct read *r, struct db_pool *pool, int i)
{
    memset(r, 0, sizeof(*r));
    r->pool = pool;
    int s = i % N_STUDENTS;
    switch (i % 4) {
    case 0: /* an admin sees everyone */
        r->who = &admin_principal, r->number = students[s], r->student = s;
        break;
    case 1: /* a tutor sees their own tutee only */
        r->who = &tutor_principal[s < 3 ? 0 : 1], r->number = students[s], r->student = s < 5 ? s : -1;
        break;
    case 2: /* the other tutor's tutee, or nobody's */
        r->who = &tutor_principal[s < 3 ? 1 : 0], r->number = students[s], r->student = -1;
        break;
    default:
        r->who = i % 8 == 3 ? &admin_principal : &tutor_principal[0];
        r->number = ABSENT[(i / 4) % (sizeof(ABSENT) / sizeof(ABSENT[0]))], r->student = -1;
    }
}

/* Asserts that read r got what its own statement gives. */
static void check_read(const struct read *r, int i)
{
    if (r->student < 0) {
        ck_assert_msg(r->status == APP_NOT_FOUND, "read %d (%s as %s): status %d, not found expected", i, r->number,
                      r->who->sub, r->status);
        ck_assert_ptr_null(r->json);
        return;
    }
    ck_assert_msg(r->status == APP_OK, "read %d (%s as %s): status %d", i, r->number, r->who->sub, r->status);
    ck_assert_str_eq(r->json, expected[r->student]);
    ck_assert_ptr_nonnull(r->version);
}

/* Backends of the test database waiting for a lock on behalf of other sessions than `self`. */
static int waiting_backends(PGconn *self)
{
    PGresult *res = PQexec(self, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                 " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* Waits up to 10 s for exactly `n` backends waiting on a lock; returns how many there were last. */
static int await_waiting(PGconn *self, int n)
{
    int seen = -1;
    for (int i = 0; i < 200 && (seen = waiting_backends(self)) != n; i++)
        usleep(50 * 1000);
    return seen;
}

/* Holds students locked while N_READS mixed reads start on `pool`, checks that `waiting` backends wait
 * for the lock, releases it and checks every answer. */
static void reads_behind_a_lock(struct db_pool *pool, int waiting)
{
    PGconn *pg = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
    PQclear(PQexec(pg, "BEGIN"));
    PGresult *res = PQexec(pg, "LOCK TABLE students IN ACCESS EXCLUSIVE MODE");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    struct read reads[N_READS];
    pthread_t threads[N_READS];
    for (int i = 0; i < N_READS; i++)
        mixed_read(&reads[i], pool, i);
    start_reads(reads, threads, N_READS);
    usleep(300 * 1000); /* every thread has queued or gone to the database by now */
    ck_assert_int_eq(await_waiting(pg, waiting), waiting);
    PQclear(PQexec(pg, "COMMIT"));
    finish_reads(reads, threads, N_READS, check_read);
    PQfinish(pg);
}

/* Joined reads, one statement of a kind at a time: of the reads held up by the lock, only the first of
 * each kind (an admin's, a tutor's) reaches the database; the rest wait in their kind's queue and go as
 * one statement when it returns, each answered as alone. */
START_TEST(test_queued_reads_go_together)
{
    struct db_pool *pool = new_pool(4, 1);
    reads_behind_a_lock(pool, 2);
    reads_behind_a_lock(pool, 2); /* the joined statements, prepared now, run again */
    db_pool_free(pool);
}
END_TEST

/* Joined reads off: every read goes to the database at once, as many as the pool has connections. */
START_TEST(test_reads_alone_when_not_joined)
{
    struct db_pool *pool = new_pool(4, 0);
    reads_behind_a_lock(pool, 4);
    db_pool_free(pool);
}
END_TEST

/* Many reads of every kind at once, again and again, with two statements of a kind in flight: whatever
 * batches form, each read gets its own answer. */
START_TEST(test_concurrent_reads_each_get_their_own)
{
    struct db_pool *pool = new_pool(3, 2);
    for (int round = 0; round < 20; round++) {
        struct read reads[N_READS];
        pthread_t threads[N_READS];
        for (int i = 0; i < N_READS; i++)
            mixed_read(&reads[i], pool, i + round);
        start_reads(reads, threads, N_READS);
        finish_reads(reads, threads, N_READS, check_read);
    }
    db_pool_free(pool);
}
END_TEST

/* Asserts that read r was answered 503-unavailable, with nothing. */
static void check_unavailable(const struct read *r, int i)
{
    ck_assert_msg(r->status == APP_UNAVAILABLE, "read %d: status %d, unavailable expected", i, r->status);
    ck_assert_ptr_null(r->json);
}

/* A batch whose statement fails answers every read of it with the failure, and the next batch works:
 * the pool's database is unreachable (a port nobody listens on), then a working pool reads. */
START_TEST(test_unreachable_database_answers_every_read)
{
    struct db_pool *pool =
        db_pool_new("postgresql://127.0.0.1:1/none?connect_timeout=2", "none", 1, 2000, REPO_STUDENT_STATEMENTS);
    ck_assert_ptr_nonnull(pool);
    db_pool_set_joined_reads(pool, 1);
    struct read reads[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        mixed_read(&reads[i], pool, i * 4);
    start_reads(reads, threads, 4);
    finish_reads(reads, threads, 4, check_unavailable);
    db_pool_free(pool);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_queued_reads_go_together, test_reads_alone_when_not_joined,
                                  test_concurrent_reads_each_get_their_own,
                                  test_unreachable_database_answers_every_read, NULL};
    const struct harness_suite suite = {
        .name = "joined_reads", .tests = tests, .start = start, .stop = stop, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}
