/* refusal.c — a repository's refusal as problem+json naming the field. */
#include "refusal.h"

#include "http.h"

/* The refusal's field and message, or the 404/403 detail, through http_problem_of. */
int refusal_respond(struct _u_response *resp, enum app_status st, const struct alloc_refusal *why,
                    const char *not_found, const char *forbidden)
{
    int named = why->field[0] && (st == APP_INVALID || st == APP_CONFLICT);
    const char *detail = named                 ? why->message
                         : st == APP_NOT_FOUND ? not_found
                         : st == APP_FORBIDDEN ? forbidden
                                               : NULL;
    return http_problem_of(resp, st, detail, named ? why->field : NULL, why->message);
}
