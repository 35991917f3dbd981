/* refusal.h — answering a repository's refusal (struct alloc_refusal) as problem+json. */
#ifndef TUTORD_REFUSAL_H
#define TUTORD_REFUSAL_H

#include <ulfius.h>

#include "repo_allocations.h"

/* Answers st (!= APP_OK): with the refusal's field and message as errors[] when it names a field and
 * st is APP_INVALID or APP_CONFLICT; otherwise the plain problem for st, with `not_found` as the detail
 * of a 404 and `forbidden` of a 403. Returns U_CALLBACK_COMPLETE. */
int refusal_respond(struct _u_response *resp, enum app_status st, const struct alloc_refusal *why,
                    const char *not_found, const char *forbidden);

#endif
