/* worlds.h — two small universities the API suites test against, made with direct SQL (fixtures.h)
 * and fresh numbers on every call, so suites never depend on each other or on order.
 *
 * The pastoral world `w`: school X with senior tutor SX, tutors TA and TB, students A (TA's personal
 * tutee) and B (TB's), both registered 60 days ago with allocations from 30 days ago; school Y with
 * senior tutor SY and student C.
 *
 * The compliance world `cw`: the 2026/27 calendar (PUT /calendar), school P with a Leicester policy (PUT
 * by its senior tutor SP), tutors TA and TB, students A (TA's tutee) and B (TB's), both registered
 * 2026-09-21, and school Q with senior tutor SQ. Each of A and B sent a message on Friday 2026-10-23 at
 * 17:00 (due by the end of Wednesday 2026-10-28): TA answered A late (Thursday 29th), TB answered B in
 * time (Tuesday 27th). */
#ifndef TUTORD_TEST_WORLDS_H
#define TUTORD_TEST_WORLDS_H

#include "fixtures.h"

struct world {
    char school_x[24], school_y[24];
    char tutor_a[24], tutor_b[24], senior_x[24], senior_y[24];
    char student_a[24], student_b[24], student_c[24];
    char *tok_tutor_a, *tok_tutor_b, *tok_senior_x, *tok_senior_y;
    char *tok_student_a, *tok_student_b, *tok_admin, *tok_registry;
};

/* The pastoral world of the running suite (world_start) or test (world_setup). */
extern struct world w;

/* Builds a fresh pastoral world and its tokens into *into; world_free frees the tokens. */
void world_make(struct world *into);
void world_free(struct world *from);
/* Checked fixtures: a fresh `w` for each test. */
void world_setup(void);
void world_teardown(void);
/* Unchecked fixtures: tutord started and one `w` for the whole suite; world_stop stops both. */
void world_start(void);
void world_stop(void);

struct cworld {
    char school_p[24], school_q[24];
    char tutor_a[24], tutor_b[24], senior_p[24], senior_q[24];
    char student_a[24], student_b[24];
    char message_a[24], message_b[24], reply_a[24], reply_b[24];
    char *tok_tutor_a, *tok_tutor_b, *tok_senior_p, *tok_senior_q;
    char *tok_student_a, *tok_admin, *tok_registry;
};

/* The compliance world of the running test. */
extern struct cworld cw;

/* A student of `school` registered 2026-09-21 with a personal allocation to `tutor` from that day. */
void cworld_student(const char *number, const char *school, const char *tutor);
/* Checked fixtures: a fresh `cw` (calendar and policy set through the API) for each test. */
void cworld_setup(void);
void cworld_teardown(void);

/* ---- the working-week world: the pastoral world `w` plus a calendar of next year ------------------------ *
 * Dates are computed from today so the tests never age: Y is next year; its Spring term runs Y-01-04 to
 * Y-04-30 and holds the clock change to summer time on D, the last Sunday of March of Y; the Monday
 * D+1 is a closure day. The academic year (Y-1)/Y runs (Y-1)-09-14 to Y-09-12. */
struct week_dates {
    int year;   /* Y */
    char d[11]; /* D, YYYY-MM-DD */
    char year_end[11];
};
extern struct week_dates wd;

/* Checked fixtures: a fresh `w` and the calendar above (PUT /calendar as admin). */
void week_setup(void);
void week_teardown(void);
/* D + offset days as YYYY-MM-DD into out[11]. */
void week_day(char out[11], int offset);
/* Publishes a slot of `tutor` (as `token`) on D + offset from hh:00 local for 30 minutes with
 * `capacity` seats in room "Room 1"; asserts 201 and returns the slot id (malloc'd). */
char *week_slot(const char *tutor, const char *token, int offset, int hh, int capacity);
/* Books slot `slot` as `token` (no body); returns the status, and the booking id into id[24] on 201. */
long week_book(const char *slot, const char *token, char id[24]);

#endif
