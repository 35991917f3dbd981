/* repo_notes.h — the SQL behind notes and their revisions. A note's JSON (tutord_note_json plus the
 * `contact` it is about, or null) shows the current revision; confidential text appears only for the views that may read it, and every
 * such read is reported to the caller so it can be audited in the same transaction. */
#ifndef TUTORD_REPO_NOTES_H
#define TUTORD_REPO_NOTES_H

#include "db.h"
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

/* A page of student `number`'s notes as {"items","next_cursor"} appended to *out, in creation order;
 * `on_confidential` sees every confidential text shown. A malformed cursor is APP_INVALID. */
enum app_status repo_note_list(struct db_conn *conn, const char *number, const struct note_view *view,
                               const char *after, int limit, note_read_fn on_confidential, void *ctx,
                               struct strbuf *out);

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

#endif
