/* pastoral_world.h — a small university for the pastoral API tests (contacts, notes, referrals,
 * concerns), made with direct SQL so the tests need no other route: school X with senior tutor SX,
 * tutors TA and TB, students A (TA's personal tutee) and B (TB's), and school Y with senior tutor SY and
 * student C. Every run makes fresh numbers, so suites never depend on each other or on order. */
#ifndef TUTORD_TEST_PASTORAL_WORLD_H
#define TUTORD_TEST_PASTORAL_WORLD_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct world {
    char school_x[24], school_y[24];
    char tutor_a[24], tutor_b[24], senior_x[24], senior_y[24];
    char student_a[24], student_b[24], student_c[24];
    char *tok_tutor_a, *tok_tutor_b, *tok_senior_x, *tok_senior_y;
    char *tok_student_a, *tok_student_b, *tok_admin, *tok_registry;
};

static inline void world_sql(const char *sql, const char *a, const char *b)
{
    const char *params[2] = {a, b};
    free(harness_sql(sql, b ? 2 : 1, params));
}

static inline void world_staff(const char *number, const char *school, const char *roles)
{
    const char *params[3] = {number, school, roles};
    free(harness_sql("INSERT INTO staff (staff_number, name, email, school, roles)"
                     " VALUES ($1, 'Staff ' || $1, lower($1) || '@uni.example', $2, $3::text[])",
                     3, params));
}

static inline void world_student(const char *number, const char *school)
{
    world_sql("INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)"
              " VALUES ($1, 'Student ' || $1, lower($1) || '@uni.example', $2, '4', 'UG', 'studying',"
              " current_date - 60)",
              number, school);
}

/* A personal allocation in force today. */
static inline void world_allocate(const char *student, const char *tutor)
{
    world_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
              " VALUES ($1, $2, 'personal', current_date - 30, 'test')",
              student, tutor);
}

/* Builds a fresh world and its tokens. */
static inline void world_make(struct world *w)
{
    char n[16];
    memset(w, 0, sizeof(*w));
    harness_unique("", n, sizeof(n));
    snprintf(w->school_x, sizeof(w->school_x), "X%s", n);
    snprintf(w->school_y, sizeof(w->school_y), "Y%s", n);
    world_sql("INSERT INTO schools (code, name) VALUES ($1, 'School ' || $1)", w->school_x, NULL);
    world_sql("INSERT INTO schools (code, name) VALUES ($1, 'School ' || $1)", w->school_y, NULL);
    harness_unique("TA", w->tutor_a, sizeof(w->tutor_a));
    harness_unique("TB", w->tutor_b, sizeof(w->tutor_b));
    harness_unique("SX", w->senior_x, sizeof(w->senior_x));
    harness_unique("SY", w->senior_y, sizeof(w->senior_y));
    world_staff(w->tutor_a, w->school_x, "{tutor}");
    world_staff(w->tutor_b, w->school_x, "{tutor}");
    world_staff(w->senior_x, w->school_x, "{tutor,senior_tutor}");
    world_staff(w->senior_y, w->school_y, "{tutor,senior_tutor}");
    harness_unique("A", w->student_a, sizeof(w->student_a));
    harness_unique("B", w->student_b, sizeof(w->student_b));
    harness_unique("C", w->student_c, sizeof(w->student_c));
    world_student(w->student_a, w->school_x);
    world_student(w->student_b, w->school_x);
    world_student(w->student_c, w->school_y);
    world_allocate(w->student_a, w->tutor_a);
    world_allocate(w->student_b, w->tutor_b);
    w->tok_tutor_a = harness_token(w->tutor_a, "tutor", NULL);
    w->tok_tutor_b = harness_token(w->tutor_b, "tutor", NULL);
    w->tok_senior_x = harness_token(w->senior_x, "tutor,senior_tutor", w->school_x);
    w->tok_senior_y = harness_token(w->senior_y, "tutor,senior_tutor", w->school_y);
    w->tok_student_a = harness_token(w->student_a, "student", NULL);
    w->tok_student_b = harness_token(w->student_b, "student", NULL);
    w->tok_admin = harness_token("ADM1", "admin", NULL);
    w->tok_registry = harness_token("REG1", "registry", NULL);
}

static inline void world_free(struct world *w)
{
    free(w->tok_tutor_a), free(w->tok_tutor_b), free(w->tok_senior_x), free(w->tok_senior_y);
    free(w->tok_student_a), free(w->tok_student_b), free(w->tok_admin), free(w->tok_registry);
}

/* One request; returns the status and leaves the response in *r (free it). */
static inline long world_call(const char *method, const char *path, const char *token, const char *body,
                              struct tt_response *r)
{
    ck_assert_int_eq(harness_json(method, path, token, body, r), 0);
    return r->status;
}

/* The status of one request, the response discarded. */
static inline long world_status(const char *method, const char *path, const char *token, const char *body)
{
    struct tt_response r;
    long status = world_call(method, path, token, body, &r);
    harness_response_free(&r);
    return status;
}

/* True when a problem+json response names `field` in its errors. */
static inline int world_names_field(const struct tt_response *r, const char *field)
{
    size_t i;
    json_t *e;
    if (strcmp(r->content_type, "application/problem+json") != 0)
        return 0;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
    {
        if (json_is_string(json_object_get(e, "field")) &&
            strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return 1;
    }
    return 0;
}

/* Asserts that a write is refused with a 4xx problem naming `field`. */
static inline void world_refused(const char *method, const char *path, const char *token, const char *body, long status,
                                 const char *field)
{
    struct tt_response r;
    long got = world_call(method, path, token, body, &r);
    if (got != status || (field && !world_names_field(&r, field)))
        ck_abort_msg("%s %s %s: want %ld naming %s, got %ld %s", method, path, body ? body : "", status,
                     field ? field : "-", got, r.body);
    harness_response_free(&r);
}

/* The count of rows a query with one parameter returns (first column). */
static inline long world_count(const char *sql, const char *param)
{
    const char *params[1] = {param};
    return harness_sql_long(sql, 1, params);
}

/* The id of a created record (the "id" field of a 201 response). */
static inline char *world_id(const struct tt_response *r)
{
    char *out = malloc(24);
    snprintf(out, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(r->json, "id")));
    return out;
}

#endif
