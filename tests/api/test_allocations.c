/* test_allocations.c — GET/POST /allocations and DELETE /allocations/{id}: every role, the BOLA cases,
 * reallocation, bad input leaving the database unchanged, and concurrent allocation of one student. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long allocations_of(const char *student)
{
    return tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", student);
}

static long in_force(const char *student)
{
    return tt_count("SELECT count(*) FROM allocations WHERE student_number = $1 AND kind = 'personal'"
                    " AND period @> current_date",
                    student);
}

static void body_for(char *buf, size_t size, const char *student, const char *tutor, const char *extra)
{
    snprintf(buf, size, "{\"student\":\"%s\",\"tutor\":\"%s\"%s%s}", student, tutor, extra ? "," : "",
             extra ? extra : "");
}

START_TEST(test_post_roles_and_bola)
{
    char body[512];
    body_for(body, sizeof(body), w.student_b, w.tutor_a, "\"reason\":\"rebalance\"");
    long before = allocations_of(w.student_b),
         events = tt_count("SELECT count(*) FROM events WHERE subject = $1", w.student_b);
    tt_refused("POST", "/allocations", NULL, body, 401, NULL);
    tt_refused("POST", "/allocations", w.tok_student_b, body, 403, NULL);
    tt_refused("POST", "/allocations", w.tok_tutor_a, body, 403, NULL);
    tt_refused("POST", "/allocations", w.tok_tutor_b, body, 403, NULL);
    tt_refused("POST", "/allocations", w.tok_registry, body, 403, NULL);
    tt_refused("POST", "/allocations", w.tok_senior_y, body, 404, NULL); /* school Y on school X: not seen */
    ck_assert_int_eq(allocations_of(w.student_b), before);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE subject = $1", w.student_b), events);

    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", "/allocations", w.tok_senior_x, body, &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "tutor")), w.tutor_a);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "personal");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "created_by")), w.senior_x);
    char *id = tt_id(&r);
    harness_response_free(&r);
    /* reallocation: the old one ended yesterday, the new one is the only one in force */
    ck_assert_int_eq(in_force(w.student_b), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1"
                              " AND ends_on = current_date - 1 AND kind = 'personal'",
                              w.student_b),
                     1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE subject = $1", w.student_b), events + 2);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM audit WHERE entity = 'allocation' AND entity_id = $1"
                              " AND action = 'allocation.create'",
                              id),
                     1);
    /* tutor B no longer reaches student B; tutor A does */
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", w.student_b);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200);
    free(id);
}
END_TEST

START_TEST(test_admin_allocates_anywhere)
{
    char body[512];
    body_for(body, sizeof(body), w.student_c, w.senior_y, "\"starts_on\":\"2026-09-28\"");
    ck_assert_int_eq(tt_status("POST", "/allocations", w.tok_admin, body), 201);
    ck_assert_int_eq(tt_status("POST", "/allocations", w.tok_admin, body), 409); /* same start: conflict */
    ck_assert_int_eq(allocations_of(w.student_c), 1);
}
END_TEST

START_TEST(test_list_visibility)
{
    char q[128];
    snprintf(q, sizeof(q), "student=%s", w.student_a);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_tutor_a), 1);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_tutor_b), 0); /* tutor B on tutor A's tutee */
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_student_a), 1);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_student_b), 0); /* student B on student A */
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_senior_x), 1);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_senior_y), 0); /* school Y on school X */
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_registry), 1);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_admin), 1);
    snprintf(q, sizeof(q), "school=%s&kind=personal&active_on=2026-11-01", w.school_x);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_admin), 2);
    snprintf(q, sizeof(q), "tutor=%s&limit=1", w.tutor_b);
    ck_assert_int_eq(tt_list_count("/allocations", q, w.tok_senior_x), 1);
    ck_assert_int_eq(tt_list_count("/allocations", "kind=boss", w.tok_admin), -400);
    ck_assert_int_eq(tt_list_count("/allocations", "active_on=2026-02-30", w.tok_admin), -400);
    ck_assert_int_eq(tt_list_count("/allocations", "limit=0", w.tok_admin), -400);
    ck_assert_int_eq(tt_list_count("/allocations", "", NULL), -401);
}
END_TEST

START_TEST(test_list_pages)
{
    char q[160], path[256];
    snprintf(q, sizeof(q), "/allocations?school=%s&limit=1", w.school_x);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", q, w.tok_admin, NULL, &r), 200);
    const char *cursor = json_string_value(json_object_get(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    snprintf(path, sizeof(path), "%s&cursor=%s", q, cursor);
    json_int_t first = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    json_int_t second = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    ck_assert(second > first);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", "/allocations?cursor=%21%21", w.tok_admin, NULL), 400);
}
END_TEST

START_TEST(test_bad_input_changes_nothing)
{
    char body[512], inactive[24];
    harness_unique("TI", inactive, sizeof(inactive));
    tt_staff(inactive, w.school_x, "{tutor}");
    tt_sql("UPDATE staff SET active = false WHERE staff_number = $1", inactive, NULL);
    long before = allocations_of(w.student_a);
    const char *S = w.tok_senior_x;
    tt_refused("POST", "/allocations", S, "{\"student\":1,\"tutor\":\"T1\"}", 422, "student");
    tt_refused("POST", "/allocations", S, "{\"tutor\":\"T1\"}", 422, "student");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"colour\":\"red\"");
    tt_refused("POST", "/allocations", S, body, 422, "colour");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"starts_on\":\"2026-02-30\"");
    tt_refused("POST", "/allocations", S, body, 422, "starts_on");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"kind\":\"primary\"");
    tt_refused("POST", "/allocations", S, body, 422, "kind");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"starts_on\":\"2026-12-01\",\"ends_on\":\"2026-11-30\"");
    tt_refused("POST", "/allocations", S, body, 422, "ends_on");
    body_for(body, sizeof(body), w.student_a, "NOSUCH1", NULL);
    tt_refused("POST", "/allocations", S, body, 422, "tutor");
    body_for(body, sizeof(body), "NOSUCH2", w.tutor_b, NULL);
    tt_refused("POST", "/allocations", S, body, 404, NULL);
    body_for(body, sizeof(body), w.student_a, inactive, NULL);
    tt_refused("POST", "/allocations", S, body, 422, "tutor");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"kind\":\"secondary\""); /* no partner school */
    tt_refused("POST", "/allocations", S, body, 422, "tutor");
    /* mass assignment */
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"id\":7");
    tt_refused("POST", "/allocations", S, body, 422, "id");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"created_at\":\"2026-01-01T00:00:00Z\"");
    tt_refused("POST", "/allocations", S, body, 422, "created_at");
    body_for(body, sizeof(body), w.student_a, w.tutor_b, "\"created_by\":\"SOMEONE\"");
    tt_refused("POST", "/allocations", S, body, 422, "created_by");
    tt_refused("POST", "/allocations", S, "[1]", 400, NULL);
    tt_refused("POST", "/allocations", S, "{\"student\":", 400, NULL);
    ck_assert_int_eq(allocations_of(w.student_a), before);
    ck_assert_int_eq(in_force(w.student_a), 1);
}
END_TEST

START_TEST(test_secondary_from_partner_school)
{
    char body[512];
    tt_sql("UPDATE students SET partner_school = $2 WHERE student_number = $1", w.student_a, w.school_y);
    body_for(body, sizeof(body), w.student_a, w.senior_y, "\"kind\":\"secondary\"");
    ck_assert_int_eq(tt_status("POST", "/allocations", w.tok_senior_x, body), 201);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM allocations WHERE student_number = $1 AND kind = 'secondary'", w.student_a), 1);
    ck_assert_int_eq(in_force(w.student_a), 1); /* the personal allocation stays */
}
END_TEST

START_TEST(test_delete_ends_allocation)
{
    char path[96], id[24];
    char *got = harness_sql("SELECT id::text FROM allocations WHERE student_number = $1", 1,
                            (const char *const[]){w.student_a});
    snprintf(id, sizeof(id), "%s", got);
    free(got);
    snprintf(path, sizeof(path), "/allocations/%s", id);
    ck_assert_int_eq(tt_status("DELETE", path, NULL, NULL), 401);
    ck_assert_int_eq(tt_status("DELETE", path, w.tok_tutor_a, NULL), 403);
    ck_assert_int_eq(tt_status("DELETE", path, w.tok_student_a, NULL), 403);
    ck_assert_int_eq(tt_status("DELETE", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("DELETE", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("DELETE", "/allocations/999999999", w.tok_senior_x, NULL), 404);
    ck_assert_int_eq(tt_status("DELETE", "/allocations/abc", w.tok_senior_x, NULL), 404);
    snprintf(path, sizeof(path), "/allocations/%s?ends_on=2020-01-01", id);
    tt_refused("DELETE", path, w.tok_senior_x, NULL, 422, "ends_on");
    snprintf(path, sizeof(path), "/allocations/%s?ends_on=tomorrow", id);
    tt_refused("DELETE", path, w.tok_senior_x, NULL, 400, "ends_on");
    ck_assert_int_eq(in_force(w.student_a), 1);
    snprintf(path, sizeof(path), "/allocations/%s", id);
    struct tt_response r;
    ck_assert_int_eq(tt_call("DELETE", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "ended_by")), w.senior_x);
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE id = $1::bigint AND ends_on = current_date", id),
                     1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE kind = 'allocation.ended' AND subject = $1", w.student_a), 1);
    ck_assert_int_eq(tt_status("DELETE", path, w.tok_senior_x, NULL), 409); /* already ends today */
}
END_TEST

/* ---- concurrency ----------------------------------------------------------------------------------- */

#define RACERS 12

struct racer {
    pthread_t thread;
    const char *body, *token;
    long status;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct tt_response resp;
    r->status = harness_json("POST", "/allocations", r->token, r->body, &resp) == 0 ? resp.status : -1;
    harness_response_free(&resp);
    return NULL;
}

/* Fires RACERS allocations of `student` at once (alternating tutors); returns how many got 201. */
static int run_race(const char *student)
{
    char bodies[2][256];
    body_for(bodies[0], sizeof(bodies[0]), student, w.tutor_a, "\"starts_on\":\"2026-11-02\"");
    body_for(bodies[1], sizeof(bodies[1]), student, w.tutor_b, "\"starts_on\":\"2026-11-02\"");
    struct racer racers[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (struct racer){.body = bodies[i % 2], .token = w.tok_senior_x};
        ck_assert_int_eq(pthread_create(&racers[i].thread, NULL, race, &racers[i]), 0);
    }
    int created = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(racers[i].thread, NULL);
        ck_assert_msg(racers[i].status == 201 || racers[i].status == 409, "status %ld", racers[i].status);
        created += racers[i].status == 201;
    }
    return created;
}

START_TEST(test_concurrent_allocations_one_wins)
{
    char fresh[24];
    harness_unique("F", fresh, sizeof(fresh));
    tt_student(fresh, w.school_x);
    ck_assert_int_eq(tt_status("GET", "/healthz", NULL, NULL), 200); /* curl initialised on this thread */
    ck_assert_int_eq(run_race(fresh), 1);
    ck_assert_int_eq(in_force(fresh), 1);
    ck_assert_int_eq(allocations_of(fresh), 1);
    /* reallocating a student who has a tutor: still exactly one winner */
    ck_assert_int_eq(run_race(w.student_b), 1);
    ck_assert_int_eq(in_force(w.student_b), 1);
    ck_assert_int_eq(allocations_of(w.student_b), 2);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_post_roles_and_bola,
        test_admin_allocates_anywhere,
        test_list_visibility,
        test_list_pages,
        test_bad_input_changes_nothing,
        test_secondary_from_partner_school,
        test_delete_ends_allocation,
        test_concurrent_allocations_one_wins,
        NULL,
    };
    return harness_run_suite("allocations", tests, world_setup, world_teardown);
}
