/* access.c — the caller's reach, as the parameters of ACCESS_VISIBLE. */
#include "access.h"

#include <stdio.h>
#include <string.h>

int access_has_role(const struct principal *p, unsigned roles)
{
    return (p->roles & roles) != 0;
}

void access_scope_of(const struct principal *p, struct access_scope *out)
{
    memset(out, 0, sizeof(*out));
    int all = access_has_role(p, ROLE_ADMIN | ROLE_REGISTRY);
    out->params[0] = all ? "t" : "f";
    out->params[1] = access_has_role(p, ROLE_STUDENT) ? p->sub : NULL;
    size_t used = (size_t)snprintf(out->schools, sizeof(out->schools), "{");
    for (int i = 0; i < p->n_schools; i++)
        used +=
            (size_t)snprintf(out->schools + used, sizeof(out->schools) - used, "%s\"%s\"", i ? "," : "", p->schools[i]);
    snprintf(out->schools + used, sizeof(out->schools) - used, "}");
    out->params[2] = out->schools;
    out->params[3] = access_has_role(p, ROLE_SENIOR_TUTOR) ? p->sub : NULL;
    out->params[4] = access_has_role(p, ROLE_TUTOR | ROLE_SENIOR_TUTOR) ? p->sub : NULL;
}

int access_scope_sees_all(const struct access_scope *scope)
{
    return strcmp(scope->params[0], "t") == 0;
}

enum app_status access_senior_gate(struct db_conn *conn, const struct principal *who, const char *sql, int nparams,
                                   const char *const *params)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, sql, nparams, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    else if (st == APP_OK && !access_has_role(who, ROLE_ADMIN) &&
             !(access_has_role(who, ROLE_SENIOR_TUTOR) && strcmp(PQgetvalue(res, 0, 0), "1") == 0))
        st = APP_FORBIDDEN;
    PQclear(res);
    return st;
}
