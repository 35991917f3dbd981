/* access.h — who may see which student: the caller's scope as query parameters and the one SQL
 * condition (ACCESS_VISIBLE) that every query uses, so the rule of SPEC §2 is written once. */
#ifndef TUTORD_ACCESS_H
#define TUTORD_ACCESS_H

#include "db.h"
#include "principal.h"

/* Five text parameters, in this order: sees_all ("t"/"f"), self_student, claimed schools (array
 * literal), senior tutor staff number, tutor staff number. NULL entries are SQL NULL. */
struct access_scope {
    const char *params[5];
    char schools[AUTH_MAX_SCHOOLS * 18 + 3];
};

/* Fills *out from the principal. The scope points into *p and *out: keep both alive while using it. */
void access_scope_of(const struct principal *p, struct access_scope *out);

/* 1 when the scope sees every row (its sees_all parameter is "t"), else 0: the reads that have a statement
 * without the access condition for such callers choose it by this. */
int access_scope_sees_all(const struct access_scope *scope);

/* The SQL condition "the caller may see students row `s`" (SPEC §2), given the numbers of the five scope
 * parameters — the one definition every query uses:
 *   sees_all (admin, registry); the student themself; a senior tutor of the student's school or partner
 *   school (the token's schools, else their staff record's school: tutord_senior_schools); a tutor with
 *   a personal, cover or secondary allocation in force today.
 * Written inline rather than as a SQL function so the planner can inline it: the OR short-circuits for
 * admin and registry, and the senior tutor's schools are computed once per query (an InitPlan). */
#define ACCESS_VISIBLE(a, b, c, d, e)                                                                                  \
    ACCESS_VISIBLE_OF("$" #a "::boolean", "$" #b "::text", "$" #c "::text[]", "$" #d "::text", "$" #e "::text")

/* ACCESS_VISIBLE over five SQL expressions (boolean, text, text[], text, text) instead of parameter
 * numbers, e.g. the columns of a one-row subquery holding the scope, which a custom plan cannot fold
 * into constants (see repo_students.c's student_get). */
#define ACCESS_VISIBLE_OF(all, self, schools, senior, tutor)                                                           \
    "(" all " OR (" self " IS NOT NULL AND s.student_number = " self ")"                                               \
    " OR ARRAY[s.school, s.partner_school] && (SELECT tutord_senior_schools(" schools ", " senior "))"                 \
    " OR (" tutor " IS NOT NULL AND EXISTS (SELECT 1 FROM allocations a"                                               \
    " WHERE a.student_number = s.student_number AND a.staff_number = " tutor " AND a.period @> current_date)))"

/* True when the principal has any of the role bits. */
int access_has_role(const struct principal *p, unsigned roles);

/* May `who` act for the school of the one row `sql` selects? The row's first column is 1 when that
 * school is among the caller's senior-tutor schools (tutord_senior_schools), else 0. Returns APP_OK for
 * an admin or for a senior tutor whose column is 1; APP_FORBIDDEN for anyone else; APP_NOT_FOUND when
 * `sql` selects no row; or the database failure. Whatever else `sql` does (a row lock, an advisory
 * lock) happens in the caller's transaction. Not thread-safe on one connection (libpq). */
enum app_status access_senior_gate(struct db_conn *conn, const struct principal *who, const char *sql, int nparams,
                                   const char *const *params);

#endif
