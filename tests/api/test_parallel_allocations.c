/* test_parallel_allocations.c — twelve POST /allocations of one student released together by a barrier,
 * round after round with fresh students: exactly one 201 and eleven 409 each time, never a 503 (the
 * concurrent inserts once deadlocked on the "one personal tutor at a time" exclusion constraint).
 * tutord runs with as many HTTP threads and pooled connections as there are racers, so all twelve
 * transactions really run at the same time. A third test races twelve transactions in the store itself,
 * begun beforehand and released by a barrier, without the unit of work's retry: the student's row lock
 * alone must keep them from deadlocking (without it some rounds end in 40P01). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "harness.h"
#include "repo_allocations.h"
#include "worlds.h"

#define RACERS 12
#define ROUNDS 10

struct race {
    pthread_barrier_t start;
    const char *token;
    char bodies[2][256];
};

struct racer {
    pthread_t thread;
    struct race *race;
    const char *body;
    long status;
    int names_student; /* a 409 names the field "student" */
};

/* One racer: waits at the barrier with the others, then posts its allocation. */
static void *post_allocation(void *arg)
{
    struct racer *r = arg;
    struct tt_response resp;
    pthread_barrier_wait(&r->race->start);
    int rc = harness_json("POST", "/allocations", r->race->token, r->body, &resp);
    r->status = rc == 0 ? resp.status : -1;
    r->names_student = rc == 0 && tt_names_field(&resp, "student");
    if (rc == 0)
        harness_response_free(&resp);
    return NULL;
}

/* Releases RACERS allocations of `student` from 2026-11-02 together (alternating two tutors) and
 * asserts one 201 and RACERS - 1 409s naming "student". */
static void run_round(const char *student)
{
    struct race race = {.token = w.tok_senior_x};
    snprintf(race.bodies[0], sizeof(race.bodies[0]),
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"starts_on\":\"2026-11-02\"}", student, w.tutor_a);
    snprintf(race.bodies[1], sizeof(race.bodies[1]),
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"starts_on\":\"2026-11-02\"}", student, w.tutor_b);
    ck_assert_int_eq(pthread_barrier_init(&race.start, NULL, RACERS), 0);
    struct racer racers[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){.race = &race, .body = race.bodies[i % 2]};
        ck_assert_int_eq(pthread_create(&racers[i].thread, NULL, post_allocation, &racers[i]), 0);
    }
    int created = 0, refused = 0;
    for (int i = 0; i < RACERS; i++)
        pthread_join(racers[i].thread, NULL);
    for (int i = 0; i < RACERS; i++) {
        ck_assert_msg(racers[i].status == 201 || racers[i].status == 409, "student %s: racer %d got %ld", student, i,
                      racers[i].status);
        created += racers[i].status == 201;
        refused += racers[i].status == 409 && racers[i].names_student;
    }
    pthread_barrier_destroy(&race.start);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(refused, RACERS - 1);
}

/* The personal allocations of `student` in force on 2026-11-02 and the allocation.created events. */
static void assert_one_winner_recorded(const char *student, long created_events)
{
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1 AND kind = 'personal'"
                              " AND period @> date '2026-11-02'",
                              student),
                     1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE kind = 'allocation.created' AND subject = $1", student),
        created_events);
}

START_TEST(test_twelve_allocations_of_new_students)
{
    ck_assert_int_eq(tt_status("GET", "/healthz", NULL, NULL), 200); /* curl initialised on this thread */
    for (int round = 0; round < ROUNDS; round++) {
        char student[24];
        harness_unique("P", student, sizeof(student));
        tt_student(student, w.school_x);
        run_round(student);
        assert_one_winner_recorded(student, 1);
    }
}
END_TEST

START_TEST(test_twelve_reallocations)
{
    ck_assert_int_eq(tt_status("GET", "/healthz", NULL, NULL), 200);
    for (int round = 0; round < ROUNDS; round++) {
        char student[24];
        harness_unique("Q", student, sizeof(student));
        tt_student(student, w.school_x);
        tt_allocate(student, w.tutor_a, "2026-10-01");
        run_round(student);
        assert_one_winner_recorded(student, 1); /* the SQL-made first allocation has no event */
        ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1"
                                  " AND ends_on = date '2026-11-01'",
                                  student),
                         1);
    }
}
END_TEST

/* ---- the store alone, without the unit of work's retry --------------------------------------------- */

static struct db_pool *store_pool; /* a connection for every racer, to the test database */

/* One racer in the store: its transaction already begun, it waits at the barrier, then allocates. */
struct store_racer {
    pthread_t thread;
    pthread_barrier_t *start;
    struct db_conn *conn;
    const char *student, *tutor;
    enum app_status st;
    char sqlstate[6];
};

/* Allocates the racer's student as an admin in its own transaction, with no retry. */
static void *allocate_in_store(void *arg)
{
    struct store_racer *r = arg;
    struct principal admin = {.sub = "ADM1", .roles = ROLE_ADMIN};
    struct allocation_input in = {
        .student = r->student, .tutor = r->tutor, .kind = "personal", .starts_on = "2026-11-02"};
    struct allocation_work work = {.who = &admin, .in = &in};
    pthread_barrier_wait(r->start);
    r->st = repo_allocation_allocate_work(r->conn, &work);
    if (r->st == APP_OK)
        r->st = db_commit(r->conn);
    snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", r->st == APP_OK ? "" : r->conn->last_error.sqlstate);
    free(work.json);
    return NULL;
}

/* RACERS transactions allocate `student` at once; asserts one commits and the others meet the winner's
 * allocation (23P01), none a deadlock. */
static void run_store_round(const char *student)
{
    pthread_barrier_t start;
    struct store_racer racers[RACERS];
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct store_racer){.start = &start, .student = student, .tutor = i % 2 ? w.tutor_b : w.tutor_a};
        ck_assert_int_eq(db_acquire(store_pool, &racers[i].conn), APP_OK);
        ck_assert_int_eq(db_begin(racers[i].conn), APP_OK);
    }
    for (int i = 0; i < RACERS; i++)
        ck_assert_int_eq(pthread_create(&racers[i].thread, NULL, allocate_in_store, &racers[i]), 0);
    int committed = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(racers[i].thread, NULL);
        db_release(store_pool, racers[i].conn);
    }
    pthread_barrier_destroy(&start);
    for (int i = 0; i < RACERS; i++) {
        ck_assert_msg(racers[i].st == APP_OK || strcmp(racers[i].sqlstate, "23P01") == 0,
                      "student %s: racer %d ended %d with SQLSTATE %s", student, i, racers[i].st, racers[i].sqlstate);
        committed += racers[i].st == APP_OK;
    }
    ck_assert_int_eq(committed, 1);
}

START_TEST(test_twelve_transactions_never_deadlock)
{
    store_pool = db_pool_new(harness_database_url(), NULL, RACERS, 10000, NULL);
    ck_assert_ptr_nonnull(store_pool);
    for (int round = 0; round < 10 * ROUNDS; round++) {
        char student[24];
        harness_unique("R", student, sizeof(student));
        tt_student(student, w.school_x);
        run_store_round(student);
        assert_one_winner_recorded(student, 1);
    }
    db_pool_free(store_pool);
    store_pool = NULL;
}
END_TEST

/* tutord with an HTTP thread and a pooled connection for every racer. */
static void start(void)
{
    static const char *const env[] = {"TUTORD_THREADS=16", "TUTORD_DB_POOL_SIZE=16", NULL};
    harness_start_with(env);
    world_make(&w);
}

int main(void)
{
    const TTest *const tests[] = {test_twelve_allocations_of_new_students, test_twelve_reallocations,
                                  test_twelve_transactions_never_deadlock, NULL};
    const struct harness_suite suite = {.name = "parallel_allocations",
                                        .tests = tests,
                                        .start = start,
                                        .stop = world_stop,
                                        .timeout = 300,
                                        .in_process = 1};
    return harness_run(&suite);
}
