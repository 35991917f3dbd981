/* repo_exemptions.h — exemption periods (sql/011 student_exemptions): a date range on a student, with a
 * reason, that suspends named student rules (none named: every student rule). JSON is rendered by the
 * database as {id, student, from, to, reason, rules, created_by, created_at}. Every function runs on the
 * caller's connection and transaction; not thread-safe on one connection (libpq). */
#ifndef TUTORD_REPO_EXEMPTIONS_H
#define TUTORD_REPO_EXEMPTIONS_H

#include <jansson.h>

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "strbuf.h"

/* The JSON object of exemption row `e` (alias e), defined once for the writes, the list, the lock and the
 * subject access export. */
#define EXEMPTION_JSON_OBJECT                                                                                          \
    "json_build_object('id', e.id, 'student', e.student_number, 'from', e.starts_on, 'to', e.ends_on,"                 \
    " 'reason', e.reason, 'rules', to_json(e.rules), 'created_by', e.created_by, 'created_at', e.created_at)"

/* May `who` write exemptions of student `number`? APP_OK for an admin or a senior tutor of the student's
 * school; APP_NOT_FOUND when the student does not exist or is hidden from the caller; APP_FORBIDDEN for
 * anyone else who sees the student; or the database failure. */
enum app_status repo_exemption_gate(struct db_conn *conn, const struct principal *who, const char *number);

/* Inserts an exemption from a validated body {from, to, reason, rules?} by `who`. *json, *id (malloc'd)
 * are the new row. Returns APP_OK or the database failure (err filled). */
enum app_status repo_exemption_create(struct db_conn *conn, const char *number, const json_t *body,
                                      const struct principal *who, char **json, char **id, struct db_error *err);

/* A page of the student's exemptions by id after `after` (NULL: from the start), at most `limit`, in
 * *out (page_query). */
enum app_status repo_exemption_list(struct db_conn *conn, const char *number, const char *after, int limit,
                                    struct page_rows *out);

/* Locks exemption `id` and returns its student (malloc'd) and JSON (malloc'd). APP_NOT_FOUND when absent
 * (or `id` is not a row id). */
enum app_status repo_exemption_lock(struct db_conn *conn, const char *id, char **student, char **json);

/* Deletes exemption `id` (locked by repo_exemption_lock). */
enum app_status repo_exemption_delete(struct db_conn *conn, const char *id, struct db_error *err);

/* ---- units of work (uow_run) ----------------------------------------------------------------------- */

/* One exemption write, for repo_exemption_create_work (student, body, body_invalid) or
 * repo_exemption_delete_work (id). Inputs borrowed. On APP_OK after a create `json` is the exemption
 * (malloc'd; the caller frees it). `gated` tells whether the caller's right was established (a refusal
 * before that is 404/403 about the student or exemption); `err` holds the database's refusal. */
struct exemption_write {
    const struct principal *who;
    const char *student; /* create */
    const json_t *body;  /* create: the validated body */
    int body_invalid;    /* create: the caller found the body invalid (answered after the gate) */
    const char *id;      /* delete */
    int gated;
    char *json;
    struct db_error err;
};

/* uow_work: repo_exemption_gate on the student, APP_INVALID when body_invalid, then the exemption, its
 * exemption.created event and exemption.create audit ({id, student, from, to, rules}, never the reason).
 * Safe to run again. */
enum app_status repo_exemption_create_work(struct db_conn *conn, void *work);

/* uow_work: locks the exemption (APP_NOT_FOUND), repo_exemption_gate on its student (a hidden student
 * hides it: APP_NOT_FOUND), deletes it, with its exemption.deleted event and exemption.delete audit.
 * Safe to run again. */
enum app_status repo_exemption_delete_work(struct db_conn *conn, void *work);

#endif
