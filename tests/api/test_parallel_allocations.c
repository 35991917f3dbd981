/* test_parallel_allocations.c — twelve POST /allocations of one student released together by a barrier,
 * round after round with fresh students: exactly one 201 and eleven 409 each time, never a 503 (the
 * concurrent inserts once deadlocked on the "one personal tutor at a time" exclusion constraint).
 * tutord runs with as many HTTP threads and pooled connections as there are racers, so all twelve
 * transactions really run at the same time. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
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

/* tutord with an HTTP thread and a pooled connection for every racer. */
static void start(void)
{
    static const char *const env[] = {"TUTORD_THREADS=16", "TUTORD_DB_POOL_SIZE=16", NULL};
    harness_start_with(env);
    world_make(&w);
}

int main(void)
{
    const TTest *const tests[] = {test_twelve_allocations_of_new_students, test_twelve_reallocations, NULL};
    const struct harness_suite suite = {.name = "parallel_allocations",
                                        .tests = tests,
                                        .start = start,
                                        .stop = world_stop,
                                        .timeout = 300,
                                        .in_process = 1};
    return harness_run(&suite);
}
