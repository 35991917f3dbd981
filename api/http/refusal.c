/* refusal.c — a repository's refusal as problem+json naming the field. */
#include "refusal.h"

#include "http.h"

int refusal_respond(struct _u_response *resp, enum app_status st, const struct alloc_refusal *why,
                    const char *not_found, const char *forbidden)
{
    if (why->field[0] && (st == APP_INVALID || st == APP_CONFLICT))
        return http_problem(resp, http_status_of(st), NULL, why->message,
                            json_pack("[{s:s, s:s}]", "field", why->field, "message", why->message));
    if (st == APP_FORBIDDEN)
        return http_problem(resp, 403, NULL, forbidden, NULL);
    return http_problem_for(resp, st, st == APP_NOT_FOUND ? not_found : NULL);
}
