/* pastoral.c — query filters, refusals and record responses shared by the pastoral routes. */
#include "pastoral.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "validate.h"

int pastoral_in(const char *const *values, const char *s)
{
    for (; s && values && *values; values++)
        if (strcmp(*values, s) == 0)
            return 1;
    return 0;
}

void pastoral_query_enum(const struct _u_request *req, const char *name, const char *const *values, json_t *errors,
                         const char **out)
{
    *out = http_query(req, name);
    http_list_check_enum(errors, name, *out, values);
}

void pastoral_query_date(const struct _u_request *req, const char *name, json_t *errors, const char **out)
{
    *out = http_query(req, name);
    if (*out && !validate_is_date(*out))
        validate_error(errors, name, "must be a real date written YYYY-MM-DD");
}

void pastoral_query_date_range(const struct _u_request *req, json_t *errors, const char **from, const char **to)
{
    pastoral_query_date(req, "from", errors, from);
    pastoral_query_date(req, "to", errors, to);
    if (*from && *to && validate_is_date(*from) && validate_is_date(*to) && strcmp(*from, *to) > 0)
        validate_error(errors, "to", "must not be before from");
}

void pastoral_query_bool(const struct _u_request *req, const char *name, json_t *errors, int *out)
{
    static const char *const BOOLS[] = {"true", "false", NULL};
    const char *v = NULL;
    pastoral_query_enum(req, name, BOOLS, errors, &v);
    *out = v && strcmp(v, "true") == 0;
}

int pastoral_body_checked(struct _u_response *resp, json_t *errors, const char *what)
{
    if (json_array_size(errors) == 0)
        return 0;
    char detail[96];
    snprintf(detail, sizeof(detail), "the %s is not valid", what);
    http_problem(resp, 422, NULL, detail, json_incref(errors));
    return -1;
}

int pastoral_forbid(struct _u_response *resp, const char *detail)
{
    return http_problem(resp, 403, NULL, detail, NULL);
}

int pastoral_staff_only(struct _u_response *resp, const struct principal *who, const char *detail)
{
    if (access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return 0;
    pastoral_forbid(resp, detail);
    return -1;
}

int pastoral_respond_json(struct _u_response *resp, long status, char *json, const char *version)
{
    if (version)
        http_set_etag(resp, version);
    return http_json_text(resp, status, json);
}
