/* versioned_answer.h — the HTTP answer of a PUT/PATCH written through repo_versioned_write_work. */
#ifndef TUTORD_VERSIONED_ANSWER_H
#define TUTORD_VERSIONED_ANSWER_H

#include <jansson.h>
#include <ulfius.h>

#include "repo_versioned.h"

/* What a resource says when a write stops: the 404's detail, the 422's title ("the student is not
 * valid") and the table whose constraints name the fields of a database refusal. */
struct versioned_words {
    const char *not_found, *invalid, *table;
};

/* Answers the write `w` that ended in `st`: the row (201 new, 200 otherwise) with its version as ETag
 * (taking w->json), or from the stage it stopped at — the lock's 404/503, If-Match's 400/412, 422 with
 * `errors` (not stolen), the database's refusal. Returns U_CALLBACK_COMPLETE. */
int versioned_answer(const struct _u_request *req, struct _u_response *resp, enum app_status st,
                     struct versioned_write *w, json_t *errors, const struct versioned_words *words);

/* Answers a read of one versioned row: 200 with `json` (taken) and `version` as its ETag when `st` is APP_OK,
 * else the problem of `st` (`not_found` the 404's detail). Frees `json` and `version` either way. Returns
 * U_CALLBACK_COMPLETE. */
int versioned_read_answer(struct _u_response *resp, enum app_status st, char *json, char *version,
                          const char *not_found);

#endif
