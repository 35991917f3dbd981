/* repo_versioned.c — lock, If-Match, next representation, upsert: one row written under its version. */
#include "repo_versioned.h"

#include <stdlib.h>
#include <string.h>

#include "wire.h"

void repo_versioned_free(struct versioned_write *w)
{
    free(w->locked_version), free(w->json), free(w->version);
    w->locked_version = w->json = w->version = NULL;
}

enum app_status repo_versioned_write_work(struct db_conn *conn, void *work)
{
    struct versioned_write *w = work;
    json_t *current = NULL, *next = NULL;
    repo_versioned_free(w); /* an earlier attempt's, rolled back */
    w->created = 0;
    w->stage = VERSIONED_LOCK;
    memset(&w->err, 0, sizeof(w->err));
    enum app_status st = w->ops->lock(conn, w->key, &current, &w->locked_version);
    if (st == APP_NOT_FOUND && !w->must_exist)
        st = APP_OK;
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = VERSIONED_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK) {
        w->stage = VERSIONED_NEXT;
        st = w->next(w->next_ctx, current, &next);
    }
    if (st == APP_OK) {
        w->stage = VERSIONED_WRITE;
        st = w->ops->upsert(conn, w->who, w->key, next, &w->created, &w->json, &w->version, &w->err);
    }
    json_decref(current);
    json_decref(next);
    return st;
}
