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
        used += (size_t)snprintf(out->schools + used, sizeof(out->schools) - used, "%s\"%s\"", i ? "," : "",
                                 p->schools[i]);
    snprintf(out->schools + used, sizeof(out->schools) - used, "}");
    out->params[2] = out->schools;
    out->params[3] = access_has_role(p, ROLE_SENIOR_TUTOR) ? p->sub : NULL;
    out->params[4] = access_has_role(p, ROLE_TUTOR | ROLE_SENIOR_TUTOR) ? p->sub : NULL;
}
