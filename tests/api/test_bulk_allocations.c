/* test_bulk_allocations.c — POST /allocations:bulk (new / reallocated / unchanged / error, all or
 * nothing, dry_run writing nothing, who may) and POST /schools/{code}/allocations:auto (balance and
 * capacity on generated cohorts, existing allocations kept, joint honours, determinism, dry_run). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"

static char *admin;

static void start(void)
{
    harness_start();
    admin = harness_token("ADMBULK", "admin", NULL);
}

static void stop(void)
{
    free(admin);
    harness_stop();
}

static long count_allocations(const char *school)
{
    return tt_count("SELECT count(*) FROM allocations a JOIN students s USING (student_number) WHERE s.school = $1",
                    school);
}

static long count_events(const char *school)
{
    return tt_count("SELECT count(*) FROM events e JOIN students s ON s.student_number = e.subject"
                    " WHERE s.school = $1",
                    school);
}

static const char *outcome(const struct tt_response *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r->json, "results"), i), "outcome"));
}

/* ---- bulk ---------------------------------------------------------------------------------------- */

START_TEST(test_bulk_outcomes_and_dry_run)
{
    char school[32], s[4][40], t1[40], t2[40], body[2048];
    tt_new_school(school, sizeof(school), "BK", "Bulk School");
    snprintf(t1, sizeof(t1), "%sT1", school + 2);
    snprintf(t2, sizeof(t2), "%sT2", school + 2);
    tt_tutor(t1, school, "{tutor}", 30, 1);
    tt_tutor(t2, school, "{tutor}", 30, 1);
    for (int i = 0; i < 4; i++) {
        snprintf(s[i], sizeof(s[i]), "%sS%d", school + 2, i);
        tt_student_full(s[i], school, NULL, "studying", "2026-09-21");
    }
    tt_allocate(s[2], t1, "2026-09-01"); /* to be reallocated */
    tt_allocate(s[3], t1, "2026-09-01"); /* already so: unchanged */
    snprintf(body, sizeof(body),
             "{\"allocations\":["
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"personal\",\"starts_on\":\"2026-10-01\"},"
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"starts_on\":\"2026-10-01\",\"reason\":\"bulk\"},"
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"personal\",\"starts_on\":\"2026-10-01\"},"
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"personal\",\"starts_on\":\"2026-10-01\"}]}",
             s[0], t1, s[1], t2, s[2], t2, s[3], t1);
    long before = count_allocations(school), events = count_events(school);
    struct tt_response r;
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk?dry_run=true", admin, body, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(outcome(&r, 0), "new");
    ck_assert_str_eq(outcome(&r, 1), "new");
    ck_assert_str_eq(outcome(&r, 2), "reallocated");
    ck_assert_str_eq(outcome(&r, 3), "unchanged");
    ck_assert(json_is_true(json_object_get(r.json, "dry_run")));
    harness_response_free(&r);
    ck_assert_int_eq(count_allocations(school), before); /* the dry run wrote nothing */
    ck_assert_int_eq(count_events(school), events);
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", admin, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "new")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "reallocated")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "unchanged")), 1);
    harness_response_free(&r);
    ck_assert_int_eq(count_allocations(school), before + 3);
    const char *p[1] = {s[2]};
    char *ended = harness_sql("SELECT ends_on::text FROM allocations WHERE student_number = $1 AND starts_on = "
                              "'2026-09-01'",
                              1, p);
    ck_assert_str_eq(ended, "2026-09-30");
    free(ended);
    /* the same again: everything unchanged */
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", admin, body, &r), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "unchanged")), 4);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_bulk_one_bad_row_rolls_back_everything)
{
    char school[32], s[3][40], t1[40], body[2048];
    tt_new_school(school, sizeof(school), "BR", "Bulk School");
    snprintf(t1, sizeof(t1), "%sT1", school + 2);
    tt_tutor(t1, school, "{tutor}", 30, 1);
    for (int i = 0; i < 3; i++) {
        snprintf(s[i], sizeof(s[i]), "%sS%d", school + 2, i);
        tt_student_full(s[i], school, NULL, "studying", "2026-09-21");
    }
    snprintf(body, sizeof(body),
             "{\"allocations\":[{\"student\":\"%s\",\"tutor\":\"%s\"},{\"student\":\"%s\",\"tutor\":\"NOSUCH1\"},"
             "{\"student\":\"%s\",\"tutor\":\"%s\",\"kind\":\"weekly\"}]}",
             s[0], t1, s[1], s[2], t1);
    long events = count_events(school);
    struct tt_response r;
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", admin, body, &r), 0);
    ck_assert_int_eq(r.status, 422);
    json_t *errors = json_object_get(r.json, "errors");
    ck_assert_int_eq(json_array_size(errors), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errors, 0), "row")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "tutor");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errors, 1), "row")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 1), "field")), "kind");
    harness_response_free(&r);
    ck_assert_int_eq(count_allocations(school), 0);
    ck_assert_int_eq(count_events(school), events);
    /* the dry run tells the same story with 200 and per-row outcomes */
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk?dry_run=true", admin, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(outcome(&r, 0), "new");
    ck_assert_str_eq(outcome(&r, 1), "error");
    ck_assert_str_eq(outcome(&r, 2), "error");
    harness_response_free(&r);
    ck_assert_int_eq(count_allocations(school), 0);
}
END_TEST

START_TEST(test_bulk_who_may)
{
    char school[32], other[32], s0[40], t1[40], body[512];
    tt_new_school(school, sizeof(school), "BW", "Bulk School");
    tt_new_school(other, sizeof(other), "BO", "Bulk School");
    snprintf(t1, sizeof(t1), "%sT1", school + 2);
    snprintf(s0, sizeof(s0), "%sS0", school + 2);
    tt_tutor(t1, school, "{tutor}", 30, 1);
    tt_student_full(s0, school, NULL, "studying", "2026-09-21");
    snprintf(body, sizeof(body), "{\"allocations\":[{\"student\":\"%s\",\"tutor\":\"%s\"}]}", s0, t1);
    struct tt_response r;
    char *tutor = harness_token(t1, "tutor", NULL);
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", tutor, body, &r), 0);
    ck_assert_int_eq(r.status, 403);
    harness_response_free(&r);
    free(tutor);
    char *outsider = harness_token("SNR1", "senior_tutor", other);
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", outsider, body, &r), 0);
    ck_assert_int_eq(r.status, 422);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "errors"), 0), "field")),
                     "student");
    harness_response_free(&r);
    free(outsider);
    char *senior = harness_token("SNR2", "senior_tutor", school);
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", senior, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    harness_response_free(&r);
    free(senior);
    ck_assert_int_eq(harness_json("POST", "/allocations:bulk", admin, "{\"allocations\":[]}", &r), 0);
    ck_assert_int_eq(r.status, 422);
    harness_response_free(&r);
}
END_TEST

/* ---- automatic allocation ------------------------------------------------------------------------ */

static void auto_path(char *path, size_t size, const char *school, int dry_run)
{
    snprintf(path, size, "/schools/%s/allocations:auto%s", school, dry_run ? "?dry_run=true" : "");
}

static const char AUTO_BODY[] = "{\"starts_on\":\"2026-09-22\",\"reason\":\"start of year\"}";

/* Tutors with room differ by at most one tutee; none is over capacity; the report matches the database. */
static void assert_balanced(const json_t *tutors, const char *school)
{
    long lo = -1, hi = -1;
    size_t i;
    const json_t *t;
    json_array_foreach(tutors, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "school")), school) != 0)
            continue;
        long after = (long)json_integer_value(json_object_get(t, "tutees_after"));
        long cap = (long)json_integer_value(json_object_get(t, "capacity"));
        ck_assert_int_le(after, cap);
        const char *p[1] = {json_string_value(json_object_get(t, "tutor"))};
        ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM allocations WHERE staff_number = $1"
                                          " AND period @> '2026-09-22'::date",
                                          1, p),
                         after);
        if (after == cap)
            continue;
        lo = lo < 0 || after < lo ? after : lo;
        hi = after > hi ? after : hi;
    }
    ck_assert_int_le(hi - lo, 1);
}

START_TEST(test_auto_balances_a_generated_cohort)
{
    static const int capacities[7] = {10, 40, 40, 40, 5, 60, 30};
    char school[32], number[48], tutors[7][40], path[128];
    tt_new_school(school, sizeof(school), "AU", "Bulk School");
    for (int i = 0; i < 7; i++) {
        snprintf(tutors[i], sizeof(tutors[i]), "%sT%d", school + 2, i);
        tt_tutor(tutors[i], school, "{tutor}", capacities[i], 1);
    }
    snprintf(number, sizeof(number), "%sX1", school + 2);
    tt_tutor(number, school, "{tutor}", 100, 0); /* inactive: never chosen */
    snprintf(number, sizeof(number), "%sX2", school + 2);
    tt_tutor(number, school, "{support}", 100, 1); /* not a tutor */
    for (int i = 0; i < 210; i++) {
        snprintf(number, sizeof(number), "%sS%03d", school + 2, i);
        tt_student_full(number, school, NULL, i >= 200 ? "withdrawn" : "studying", "2026-09-21");
        if (i < 5)
            tt_allocate(number, tutors[1], "2026-09-01"); /* kept */
    }
    struct tt_response dry1, dry2, r;
    auto_path(path, sizeof(path), school, 1);
    ck_assert_int_eq(harness_json("POST", path, admin, AUTO_BODY, &dry1), 0);
    ck_assert_msg(dry1.status == 200, "%ld %s", dry1.status, dry1.body);
    ck_assert_int_eq(harness_json("POST", path, admin, AUTO_BODY, &dry2), 0);
    ck_assert_int_eq(count_allocations(school), 5); /* dry runs wrote nothing */
    ck_assert(json_equal(json_object_get(dry1.json, "allocations"), json_object_get(dry2.json, "allocations")));
    auto_path(path, sizeof(path), school, 0);
    ck_assert_int_eq(harness_json("POST", path, admin, AUTO_BODY, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "personal")), 195);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "unallocated")), 0);
    ck_assert(json_equal(json_object_get(dry1.json, "allocations"), json_object_get(r.json, "allocations")));
    assert_balanced(json_object_get(r.json, "tutors"), school);
    ck_assert_int_eq(count_allocations(school), 200);
    const char *p[1] = {tutors[1]};
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM allocations WHERE staff_number = $1"
                                      " AND starts_on = '2026-09-01' AND ends_on IS NULL",
                                      1, p),
                     5);
    harness_response_free(&dry1);
    harness_response_free(&dry2);
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("POST", path, admin, AUTO_BODY, &r), 0); /* nothing left to do */
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "personal")), 0);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_auto_respects_capacity_and_gives_joint_honours_a_secondary)
{
    char school[32], partner[32], number[48], t[3][40], path[128];
    tt_new_school(school, sizeof(school), "AC", "Bulk School");
    tt_new_school(partner, sizeof(partner), "AP", "Bulk School");
    snprintf(t[0], sizeof(t[0]), "%sT0", school + 2);
    snprintf(t[1], sizeof(t[1]), "%sT1", school + 2);
    snprintf(t[2], sizeof(t[2]), "%sP0", partner + 2);
    tt_tutor(t[0], school, "{tutor}", 10, 1);
    tt_tutor(t[1], school, "{tutor,senior_tutor}", 5, 1);
    tt_tutor(t[2], partner, "{tutor}", 2, 1);
    for (int i = 0; i < 30; i++) {
        snprintf(number, sizeof(number), "%sS%02d", school + 2, i);
        tt_student_full(number, school, i < 4 ? partner : NULL, "studying", "2026-09-21");
    }
    struct tt_response r;
    auto_path(path, sizeof(path), school, 0);
    char *senior = harness_token("SNRAUTO", "senior_tutor", school);
    ck_assert_int_eq(harness_json("POST", path, senior, AUTO_BODY, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "personal")), 15);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "secondary")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "unallocated")), 15);
    assert_balanced(json_object_get(r.json, "tutors"), school);
    harness_response_free(&r);
    const char *p[1] = {t[2]};
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM allocations WHERE staff_number = $1 AND kind = 'secondary'", 1, p), 2);
    free(senior);
    char *outsider = harness_token("SNROUT", "senior_tutor", partner);
    ck_assert_int_eq(harness_json("POST", path, outsider, AUTO_BODY, &r), 0);
    ck_assert_int_eq(r.status, 403);
    harness_response_free(&r);
    free(outsider);
    ck_assert_int_eq(harness_json("POST", "/schools/NOSUCHSCHOOL9/allocations:auto", admin, AUTO_BODY, &r), 0);
    ck_assert_int_eq(r.status, 404);
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("POST", path, admin, "{\"starts_on\":\"someday\"}", &r), 0);
    ck_assert_int_eq(r.status, 422);
    harness_response_free(&r);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_bulk_outcomes_and_dry_run,
        test_bulk_one_bad_row_rolls_back_everything,
        test_bulk_who_may,
        test_auto_balances_a_generated_cohort,
        test_auto_respects_capacity_and_gives_joint_honours_a_secondary,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "bulk_allocations", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
