/* repo_pastoral.c — the caller's reach over a student, for the pastoral resources. */
#include "repo_pastoral.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

static const char REACH_SQL[] =
    "SELECT s.school,"
    " COALESCE(s.student_number = $3, false)::int::text,"
    " EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
    "         AND a.staff_number = $6 AND a.period @> current_date)::int::text,"
    " COALESCE(s.school = ANY (tutord_senior_schools($4::text[], $5))"
    "          OR s.partner_school = ANY (tutord_senior_schools($4::text[], $5)), false)::int::text,"
    " COALESCE((SELECT a.staff_number FROM allocations a WHERE a.student_number = s.student_number"
    "           AND a.kind = 'personal' AND a.period @> current_date ORDER BY a.starts_on DESC LIMIT 1), '')"
    " FROM students s WHERE s.student_number = $1 AND " ACCESS_VISIBLE(2, 3, 4, 5, 6);

enum app_status repo_reach_of(struct db_conn *conn, const char *number, const struct principal *who,
                              struct student_reach *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[6] = {number,          scope.params[0], scope.params[1],
                             scope.params[2], scope.params[3], scope.params[4]};
    PGresult *res = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st = db_query(conn, REACH_SQL, 6, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        snprintf(out->school, sizeof(out->school), "%s", PQgetvalue(res, 0, 0));
        out->self = strcmp(PQgetvalue(res, 0, 1), "1") == 0;
        out->tutor = strcmp(PQgetvalue(res, 0, 2), "1") == 0;
        out->senior = strcmp(PQgetvalue(res, 0, 3), "1") == 0;
        snprintf(out->personal_tutor, sizeof(out->personal_tutor), "%s", PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return st;
}

int repo_pastoral_reader(const struct principal *who)
{
    return access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN);
}

int repo_reach_staff(const struct student_reach *reach)
{
    return reach->tutor || reach->senior;
}
