/* repo_versioned.h — one row written whole under If-Match, as a unit of work: lock the row, compare
 * If-Match with its version, let the caller build and check the next representation from the current
 * one, upsert. PUT/PATCH of students and of staff share it (each gives its lock and upsert). */
#ifndef TUTORD_REPO_VERSIONED_H
#define TUTORD_REPO_VERSIONED_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* A resource's store: lock (the row's writable fields, new reference, and version, malloc'd;
 * APP_NOT_FOUND when absent, both NULL) and upsert (from validated fields; *created 1 for a new row;
 * *json and *version malloc'd; the database's refusal in *err). Both within the caller's transaction. */
struct versioned_ops {
    enum app_status (*lock)(struct db_conn *conn, const char *key, json_t **fields, char **version);
    enum app_status (*upsert)(struct db_conn *conn, const struct principal *who, const char *key, const json_t *fields,
                              int *created, char **json, char **version, struct db_error *err);
};

/* The caller's next representation from the current fields (NULL when the row does not exist yet):
 * *next (new reference) and APP_OK, or APP_INVALID with the faults kept in the caller's context. */
typedef enum app_status (*versioned_next_fn)(void *ctx, json_t *current, json_t **next);

/* Where a write stopped: the lock (404 for a row that must exist), If-Match, the caller's next
 * representation, the upsert (the database's refusal in `err`). */
enum versioned_stage { VERSIONED_LOCK = 0, VERSIONED_IF_MATCH, VERSIONED_NEXT, VERSIONED_WRITE };

/* One write. Inputs borrowed. On APP_OK `json` and `version` (malloc'd) are the row and `created` says
 * whether it is new; otherwise `stage` says where it stopped and `locked_version` (malloc'd or NULL) is
 * what If-Match was compared with. Free the outputs with repo_versioned_free. */
struct versioned_write {
    const struct versioned_ops *ops;
    const struct principal *who;
    const char *key;
    int must_exist;       /* a row that does not exist is APP_NOT_FOUND (PATCH) rather than created */
    const char *if_match; /* the If-Match header, or NULL */
    versioned_next_fn next;
    void *next_ctx;
    enum versioned_stage stage;
    char *locked_version;
    int created;
    char *json, *version;
    struct db_error err;
};

/* uow_work: lock, If-Match (APP_PRECONDITION_FAILED, also when malformed), next, upsert. `work` is a
 * struct versioned_write; safe to run again. */
enum app_status repo_versioned_write_work(struct db_conn *conn, void *work);

/* Frees the write's outputs; NULL-safe members. */
void repo_versioned_free(struct versioned_write *w);

#endif
