/* versioned_answer.c — a versioned write's outcome as the HTTP answer. */
#include "versioned_answer.h"

#include <stdlib.h>

#include "http.h"

int versioned_answer(const struct _u_request *req, struct _u_response *resp, enum app_status st,
                     struct versioned_write *w, json_t *errors, const struct versioned_words *words)
{
    if (st == APP_OK) {
        http_set_etag(resp, w->version);
        char *json = w->json;
        w->json = NULL;
        return http_json_text(resp, w->created ? 201 : 200, json);
    }
    if (w->stage == VERSIONED_LOCK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? words->not_found : NULL);
    if (w->stage == VERSIONED_IF_MATCH) {
        http_check_if_match(req, resp, w->locked_version);
        return U_CALLBACK_COMPLETE;
    }
    if (w->stage == VERSIONED_NEXT && st == APP_INVALID)
        return http_problem(resp, 422, NULL, words->invalid, json_incref(errors));
    return http_problem_db(resp, st, &w->err, words->table);
}

int versioned_read_answer(struct _u_response *resp, enum app_status st, char *json, char *version,
                          const char *not_found)
{
    if (st != APP_OK) {
        free(json), free(version);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? not_found : NULL);
    }
    http_set_etag(resp, version);
    free(version);
    return http_json_text(resp, 200, json);
}
