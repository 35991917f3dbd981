/* repo_pastoral.h — what the pastoral resources (contacts, notes, referrals, concerns) share: the
 * caller's reach over one student. */
#ifndef TUTORD_REPO_PASTORAL_H
#define TUTORD_REPO_PASTORAL_H

#include <libpq-fe.h>

#include "db.h"
#include "principal.h"
#include "strbuf.h"

/* What the caller may do with one student's pastoral record (SPEC §2). */
struct student_reach {
    int self;                /* the caller is this student */
    int tutor;               /* the caller holds an allocation for the student in force today */
    int senior;              /* the caller is a senior tutor of the student's school or partner school */
    char school[17];         /* the student's school */
    char personal_tutor[24]; /* the current personal tutor, "" when none */
};

/* Fills *out for student `number` as seen by `who`. APP_NOT_FOUND when the student does not exist or
 * is not visible to the caller (the two are indistinguishable on purpose). */
enum app_status repo_reach_of(struct db_conn *conn, const char *number, const struct principal *who,
                              struct student_reach *out);

/* True when the caller may read pastoral records at all: students, tutors, senior tutors and admin;
 * registry never does (SPEC §2). */
int repo_pastoral_reader(const struct principal *who);

/* True when the caller may write staff records (contacts, notes, referrals) for the student. */
int repo_reach_staff(const struct student_reach *reach);

#endif
