/* repo_contacts.h — the SQL behind contacts and meeting-record confirmations. JSON is rendered by the
 * database (tutord_contact_json) and handed back as text. */
#ifndef TUTORD_REPO_CONTACTS_H
#define TUTORD_REPO_CONTACTS_H

#include <jansson.h>

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_pastoral.h"
#include "strbuf.h"

struct contact_filter {
    const char *from, *to; /* dates (inclusive), in the institution's time zone; NULL = open */
    const char *kind, *direction;
    const char *after; /* keyset cursor key, NULL for the first page */
    int limit;
    int with_body; /* show messages' subject and body (not to admin, SPEC "Messages") */
};

/* A new contact's columns as text (NULL = SQL NULL, or the default the SQL supplies: occurred_at now
 * when no time is given, attendance from whether it occurred, a fresh session_id for a group meeting). */
struct contact_new {
    const char *student, *staff, *kind, *direction, *channel, *scheduled_at, *occurred_at, *attendance;
    const char *reply_to, *wellbeing_check, *session_id;
    const char *subject, *body; /* a message's or email's content, NULL when none */
};

/* One contact with the facts access decisions need. Strings malloc'd/owned; free with
 * repo_contact_head_free. */
struct contact_head {
    char *json, *version;
    char id[24], student[24], staff[24], kind[20];
    char slot[24]; /* the slot it books, "" when none */
    char attendance[16];
};

/* A page of student `number`'s contacts, ordered by (occurred_at or else scheduled_at, id), as
 * in *out (page_query). A malformed cursor is APP_INVALID. */
enum app_status repo_contact_list(struct db_conn *conn, const char *number, const struct contact_filter *f,
                                  struct page_rows *out);

/* Inserts a contact; returns its JSON and id (malloc'd). Database refusals fill *err. */
enum app_status repo_contact_insert(struct db_conn *conn, const struct contact_new *c, const char *actor, char **json,
                                    char **id, struct db_error *err);

/* Reads contact `id` (locking it when `lock`, within a transaction), its JSON with a message's subject
 * and body when `with_body`. APP_NOT_FOUND when absent. */
enum app_status repo_contact_head(struct db_conn *conn, const char *id, int lock, int with_body,
                                  struct contact_head *out);
void repo_contact_head_free(struct contact_head *h);

/* Applies a validated merge patch (an object of writable fields) to contact `id`; bumps the version.
 * Returns the new JSON and version (malloc'd). */
enum app_status repo_contact_update(struct db_conn *conn, const char *id, const json_t *patch, char **json,
                                    char **version, struct db_error *err);

/* Records the student's answer to a meeting record; APP_CONFLICT when already answered. Returns the
 * confirmation's JSON (malloc'd). */
enum app_status repo_contact_confirm(struct db_conn *conn, const struct contact_head *h, const char *status,
                                     const char *comment, char **json, struct db_error *err);

/* True when the caller may read messages' subject and body: anyone who reads the contact, except
 * admin (and registry, who reads no contacts at all). Pure. */
int repo_contact_content_reader(const struct principal *who);

/* A page of student `number`'s message threads, the thread with the latest message first: each item
 * {"thread": root id, "subject", "last_at", "messages": [...oldest first]} where a thread is a message
 * or email with no reply_to (or replying to something that is not a message) and every message that
 * replies to one in it. `with_body` as for contacts. Keyset cursor "last_at|root"; a malformed cursor is
 * APP_INVALID. Fills *out (page_query). */
enum app_status repo_message_threads(struct db_conn *conn, const char *number, int with_body, const char *after,
                                     int limit, struct page_rows *out);

/* ---- units of work (uow_run): what the contact routes do in one transaction ------------------------- */

/* Reads contact `id` (locked when `lock`) and the caller's reach over its student; APP_NOT_FOUND when
 * either is hidden. The staff member a contact is with still reads it when no longer the student's
 * tutor (a message thread's staff read their thread); the reach is then empty. Admin reads no message
 * content. On APP_OK the caller frees *head with repo_contact_head_free. */
enum app_status repo_contact_load(struct db_conn *conn, const char *id, int lock, const struct principal *who,
                                  struct contact_head *head, struct student_reach *reach);

/* The caller's check of a write against what the transaction read (the student's reach; for a
 * confirmation also the contact): APP_OK, or a refusal the caller answers after the unit of work. */
typedef enum app_status (*contact_check_fn)(void *ctx, const struct contact_head *head,
                                            const struct student_reach *reach);

/* Where a contact write stopped: the student or contact and the caller's right on it (404, 403),
 * If-Match, the caller's check of the body, the write itself (the database's refusal in `err`). */
enum contact_stage { CONTACT_REACH = 0, CONTACT_IF_MATCH, CONTACT_CHECK, CONTACT_WRITE };

/* One contact write for repo_contact_create_work (student, check, in), repo_contact_patch_work (id,
 * if_match, patch, body_invalid) or repo_contact_confirm_work (id, check, status, comment). Inputs
 * borrowed. On APP_OK `json` (and for a patch `version`) are malloc'd for the caller to free;
 * otherwise `stage` says where it stopped and `head` holds the contact read (free it with
 * repo_contact_head_free: its version is what If-Match was compared with). */
struct contact_write {
    const struct principal *who;
    const char *student; /* create */
    const char *id;      /* patch, confirm */
    contact_check_fn check;
    void *check_ctx;
    const struct contact_new *in; /* create: filled by `check` */
    const json_t *patch;          /* patch: the validated merge patch */
    const char *if_match;         /* patch: the If-Match header, or NULL */
    int body_invalid;             /* patch: the caller found the body invalid */
    const char *status, *comment; /* confirm */
    enum contact_stage stage;
    struct contact_head head;
    char *json, *version;
    struct db_error err;
};

/* uow_work: the caller's reach on the student (APP_NOT_FOUND), `check` (its refusal at CONTACT_CHECK),
 * then the contact from `in` and its contact.create audit. Safe to run again. */
enum app_status repo_contact_create_work(struct db_conn *conn, void *work);

/* uow_work: locks the contact (APP_NOT_FOUND); APP_FORBIDDEN unless the contact's own staff member
 * (still the student's tutor) or a senior tutor; APP_PRECONDITION_FAILED when If-Match does not match
 * (or is malformed); APP_INVALID at CONTACT_CHECK when body_invalid; then the update and its
 * contact.update audit. Safe to run again. */
enum app_status repo_contact_patch_work(struct db_conn *conn, void *work);

/* uow_work: locks the contact, which must name the calling student (else APP_NOT_FOUND); `check` (its
 * refusal at CONTACT_CHECK); then the answer and its contact.confirm audit (APP_CONFLICT when already
 * answered). Safe to run again. */
enum app_status repo_contact_confirm_work(struct db_conn *conn, void *work);

#endif
