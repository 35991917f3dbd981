/* repo_notes.h — the SQL behind notes and their revisions. A note's JSON (tutord_note_json plus the
 * `contact` it is about, or null) shows the current revision; confidential text appears only for the views that may
 * read it, and every such read is reported to the caller so it can be audited in the same transaction. */
#ifndef TUTORD_REPO_NOTES_H
#define TUTORD_REPO_NOTES_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_pastoral.h"
#include "strbuf.h"

/* What a reader sees. */
struct note_view {
    int confidential_rows;  /* confidential notes are listed (staff, admin) — else only shared ones */
    int confidential_text;  /* confidential text is shown (the student's tutors and senior tutors) */
    int history;            /* every revision, oldest first, as "history" */
    const char *visibility; /* list filter, NULL for both */
};

/* One note's identity and current revision (text columns). */
struct note_head {
    char id[24], student[24], author[24], visibility[16], revision[12];
};

/* Called for every note whose confidential text a read returned (id, student). */
typedef enum app_status (*note_read_fn)(void *ctx, const char *id, const char *student);

/* A page of student `number`'s notes as in *out (page_query), in creation order;
 * `on_confidential` sees every confidential text shown. A malformed cursor is APP_INVALID. */
enum app_status repo_note_list(struct db_conn *conn, const char *number, const struct note_view *view,
                               const char *after, int limit, note_read_fn on_confidential, void *ctx,
                               struct page_rows *out);

/* Note `id` as *json (malloc'd) for `view`; APP_NOT_FOUND when absent or hidden from the view.
 * *confidential_read is set when confidential text was returned. */
enum app_status repo_note_get(struct db_conn *conn, const char *id, const struct note_view *view, char **json,
                              int *confidential_read);

/* Reads note `id`'s identity and current revision. APP_NOT_FOUND when absent. */
enum app_status repo_note_head(struct db_conn *conn, const char *id, struct note_head *out);

/* A new note: its student, author, visibility, text, consent ("true"/"false", NULL: false) and the
 * contact it is about (a decimal id, NULL: none). */
struct note_input {
    const char *student, *author, *visibility, *text, *consent, *contact;
};

/* Creates a note with its first revision; *id receives the new id (malloc'd). APP_INVALID (nothing
 * written) when `contact` is not a contact of the same student. */
enum app_status repo_note_insert(struct db_conn *conn, const struct note_input *in, char **id, struct db_error *err);

/* Appends revision `after_revision` + 1 to note `id` (consent NULL keeps the current one); a
 * concurrent revision of the same one is APP_CONFLICT. */
enum app_status repo_note_revise(struct db_conn *conn, const struct note_head *h, const char *text, const char *consent,
                                 const char *actor, struct db_error *err);

/* ---- units of work (uow_run): what the note routes do in one transaction ---------------------------- */

/* A read of notes, for repo_note_list_work (a student's page) or repo_note_read_work (one note). Inputs
 * borrowed. Every confidential text shown is audited (note.read_confidential) in the same transaction. */
struct note_read {
    const struct principal *who;
    const char *student;            /* list: the student */
    const char *visibility, *after; /* list: filter (NULL: both) and keyset position */
    int limit;                      /* list: page size */
    const char *id;                 /* one: the note */
    int history;                    /* every revision as "history" */
    struct page_rows rows;          /* list: the page (the caller frees it with page_rows_free) */
    char *json;                     /* one: the note (malloc'd on APP_OK; the caller frees it) */
    struct note_head head;          /* one: its identity and revision (the ETag) */
};

/* uow_work: the page of the student's notes the caller may see (APP_NOT_FOUND when the student is not
 * there for them). Safe to run again. */
enum app_status repo_note_list_work(struct db_conn *conn, void *work);

/* uow_work: note `id` as the caller may see it (APP_NOT_FOUND when absent or not theirs to read). Safe
 * to run again. */
enum app_status repo_note_read_work(struct db_conn *conn, void *work);

/* Where a note write stopped: the student or note and the caller's right (404, 403), If-Match, the
 * body's faults (found by the caller, answered after those), the note's contact not the student's,
 * the write itself. */
enum note_stage { NOTE_REACH = 0, NOTE_IF_MATCH, NOTE_BODY, NOTE_CONTACT, NOTE_WRITE };

/* A note write, for repo_note_create_work (`in`) or repo_note_revise_work (`id`, `text`, `consent`,
 * `if_match`). Inputs borrowed. On APP_OK `json` is the note as the writer reads it (malloc'd; the
 * caller frees it) and `head` its identity and new revision; otherwise `stage` says where it stopped,
 * `head.revision` is what If-Match was compared with, and `err` the database's refusal. */
struct note_write {
    const struct principal *who;
    const struct note_input *in;     /* create */
    const char *id, *text, *consent; /* revise */
    const char *if_match;            /* revise: the If-Match header, or NULL */
    int body_invalid;                /* the caller found the body invalid */
    enum note_stage stage;
    struct note_head head;
    char *json;
    struct db_error err;
};

/* uow_work: the writer must be one of the student's tutors or senior tutors (APP_NOT_FOUND, else
 * APP_FORBIDDEN); APP_INVALID at NOTE_BODY when body_invalid, at NOTE_CONTACT when the contact is not
 * the student's; then the note, its note.create audit and the note read back. Safe to run again. */
enum app_status repo_note_create_work(struct db_conn *conn, void *work);

/* uow_work: the note's author (still the student's tutor) or a senior tutor revises it (APP_NOT_FOUND
 * when absent or its text is not theirs to see, else APP_FORBIDDEN); APP_PRECONDITION_FAILED when
 * If-Match does not match (or is malformed); APP_INVALID when body_invalid; APP_CONFLICT when revised
 * meanwhile; then the revision, its note.revise audit and the note read back. Safe to run again. */
enum app_status repo_note_revise_work(struct db_conn *conn, void *work);

#endif
