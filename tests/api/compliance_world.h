/* compliance_world.h — a small university for the compliance and policy tests, made with direct SQL
 * and the API: the 2026/27 calendar (PUT /calendar), school P with a Leicester policy (PUT by its senior
 * tutor SP), tutors TA and TB, students A (TA's tutee) and B (TB's), both registered 2026-09-21, and
 * school Q with senior tutor SQ. Each of A and B sent a message on Friday 2026-10-23 at 17:00 (due by the
 * end of Wednesday 2026-10-28): TA answered A late (Thursday 29th), TB answered B in time (Tuesday 27th).
 * Every run makes fresh numbers, so suites never depend on each other or on order. */
#ifndef TUTORD_TEST_COMPLIANCE_WORLD_H
#define TUTORD_TEST_COMPLIANCE_WORLD_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct cworld {
    char school_p[24], school_q[24];
    char tutor_a[24], tutor_b[24], senior_p[24], senior_q[24];
    char student_a[24], student_b[24];
    char message_a[24], message_b[24], reply_a[24], reply_b[24];
    char *tok_tutor_a, *tok_tutor_b, *tok_senior_p, *tok_senior_q;
    char *tok_student_a, *tok_admin, *tok_registry;
};

static const char CWORLD_CALENDAR[] =
    "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-09-12\",\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-21\",\"end\":\"2026-12-11\"},"
    "{\"name\":\"Spring\",\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"},"
    "{\"name\":\"Summer\",\"start\":\"2027-04-26\",\"end\":\"2027-06-11\"}]}],"
    "\"closures\":[{\"date\":\"2026-12-25\",\"reason\":\"Christmas Day\"}]}";

static inline char *cworld_sql(const char *sql, int n, const char *a, const char *b, const char *c)
{
    const char *params[3] = {a, b, c};
    return harness_sql(sql, n, params);
}

static inline void cworld_staff(const char *number, const char *school, const char *roles)
{
    free(cworld_sql("INSERT INTO staff (staff_number, name, email, school, roles)"
                    " VALUES ($1, 'Staff ' || $1, lower($1) || '@uni.example', $2, $3::text[])",
                    3, number, school, roles));
}

/* A student registered 2026-09-21 with a personal allocation to `tutor` from that day. */
static inline void cworld_student(const char *number, const char *school, const char *tutor)
{
    free(cworld_sql("INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)"
                    " VALUES ($1, 'Student ' || $1, lower($1) || '@uni.example', $2, '4', 'UG', 'studying',"
                    " '2026-09-21')",
                    2, number, school, NULL));
    free(cworld_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
                    " VALUES ($1, $2, 'personal', '2026-09-21', 'test')",
                    2, number, tutor, NULL));
}

/* A message from the student at `at`; its id into id[24]. */
static inline void cworld_message(const char *student, const char *tutor, const char *at, char *id)
{
    char *v = cworld_sql("INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance,"
                         " created_by) VALUES ($1, $2, 'message', 'from_student', $3::timestamptz, 'attended', $1)"
                         " RETURNING id",
                         3, student, tutor, at);
    snprintf(id, 24, "%.23s", v);
    free(v);
}

/* The tutor's reply at `at` to message `to`; its id into id[24]. */
static inline void cworld_reply(const char *student, const char *tutor, const char *at, const char *to, char *id)
{
    const char *params[4] = {student, tutor, at, to};
    char *v = harness_sql("INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at,"
                          " attendance, reply_to, created_by) VALUES ($1, $2, 'email', 'to_student', $3::timestamptz,"
                          " 'attended', $4::bigint, $2) RETURNING id",
                          4, params);
    snprintf(id, 24, "%.23s", v);
    free(v);
}

static inline void cworld_expect(const char *method, const char *path, const char *token, const char *body, long status)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json(method, path, token, body, &r), 0);
    if (r.status != status)
        fprintf(stderr, "%s %s -> %ld %s\n", method, path, r.status, r.body);
    ck_assert_int_eq(r.status, status);
    harness_response_free(&r);
}

/* Builds a fresh world and its tokens. */
static inline void cworld_make(struct cworld *w)
{
    char n[16], path[64];
    memset(w, 0, sizeof(*w));
    harness_unique("", n, sizeof(n));
    snprintf(w->school_p, sizeof(w->school_p), "P%s", n);
    snprintf(w->school_q, sizeof(w->school_q), "Q%s", n);
    snprintf(w->tutor_a, sizeof(w->tutor_a), "TA%s", n);
    snprintf(w->tutor_b, sizeof(w->tutor_b), "TB%s", n);
    snprintf(w->senior_p, sizeof(w->senior_p), "SP%s", n);
    snprintf(w->senior_q, sizeof(w->senior_q), "SQ%s", n);
    snprintf(w->student_a, sizeof(w->student_a), "A%s", n);
    snprintf(w->student_b, sizeof(w->student_b), "B%s", n);
    free(cworld_sql("INSERT INTO schools (code, name) VALUES ($1, 'School P'), ($2, 'School Q')", 2, w->school_p,
                    w->school_q, NULL));
    cworld_staff(w->tutor_a, w->school_p, "{tutor}");
    cworld_staff(w->tutor_b, w->school_p, "{tutor}");
    cworld_staff(w->senior_p, w->school_p, "{tutor,senior_tutor}");
    cworld_staff(w->senior_q, w->school_q, "{tutor,senior_tutor}");
    cworld_student(w->student_a, w->school_p, w->tutor_a);
    cworld_student(w->student_b, w->school_p, w->tutor_b);
    cworld_message(w->student_a, w->tutor_a, "2026-10-23T17:00:00+01:00", w->message_a);
    cworld_message(w->student_b, w->tutor_b, "2026-10-23T17:00:00+01:00", w->message_b);
    cworld_reply(w->student_a, w->tutor_a, "2026-10-29T10:00:00+00:00", w->message_a, w->reply_a);
    cworld_reply(w->student_b, w->tutor_b, "2026-10-27T10:00:00+00:00", w->message_b, w->reply_b);
    w->tok_tutor_a = harness_token(w->tutor_a, "tutor", NULL);
    w->tok_tutor_b = harness_token(w->tutor_b, "tutor", NULL);
    w->tok_senior_p = harness_token(w->senior_p, "tutor,senior_tutor", w->school_p);
    w->tok_senior_q = harness_token(w->senior_q, "tutor,senior_tutor", w->school_q);
    w->tok_student_a = harness_token(w->student_a, "student", NULL);
    w->tok_admin = harness_token("ADM1", "admin", NULL);
    w->tok_registry = harness_token("SRS1", "registry", NULL);
    cworld_expect("PUT", "/calendar", w->tok_admin, CWORLD_CALENDAR, 200);
    snprintf(path, sizeof(path), "/schools/%s/policy", w->school_p);
    cworld_expect("PUT", path, w->tok_senior_p, "{\"preset\":\"leicester\"}", 200);
}

static inline void cworld_free(struct cworld *w)
{
    free(w->tok_tutor_a);
    free(w->tok_tutor_b);
    free(w->tok_senior_p);
    free(w->tok_senior_q);
    free(w->tok_student_a);
    free(w->tok_admin);
    free(w->tok_registry);
}

/* The finding of rule `rule` in a findings array, or NULL. */
static inline json_t *cworld_finding(json_t *findings, const char *rule)
{
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0) return f;
    return NULL;
}

#endif
