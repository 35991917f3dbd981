/* access.h — who may see which student, as query parameters for the SQL function
 * tutord_student_visible() (sql/002), so the rule of SPEC §2 is written once. */
#ifndef TUTORD_ACCESS_H
#define TUTORD_ACCESS_H

#include "auth.h"

/* Five text parameters, in this order: sees_all ("t"/"f"), self_student, claimed schools (array
 * literal), senior tutor staff number, tutor staff number. NULL entries are SQL NULL. */
struct access_scope {
    const char *params[5];
    char schools[AUTH_MAX_SCHOOLS * 18 + 3];
};

/* Fills *out from the principal. The scope points into *p and *out: keep both alive while using it. */
void access_scope_of(const struct principal *p, struct access_scope *out);

/* The SQL condition "the caller may see students row `s`", given the five scope parameters' numbers. */
#define ACCESS_VISIBLE(a, b, c, d, e)                                                                   \
    "tutord_student_visible(s.student_number, s.school, s.partner_school, $" #a "::boolean, $" #b        \
    ", (SELECT tutord_senior_schools($" #c "::text[], $" #d ")), $" #e ")"

/* True when the principal has any of the role bits. */
int access_has_role(const struct principal *p, unsigned roles);

#endif
