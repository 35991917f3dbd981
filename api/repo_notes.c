/* repo_notes.c — notes in SQL: reads per view, the first revision, further revisions. Notes and
 * revisions are only ever inserted (the application role may not update or delete them). */
#include "repo_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo_row.h"

/* Columns: JSON for the view, cursor key, whether confidential text was shown, the student. The view
 * is $2 (confidential text), $3 (history), $4 (confidential rows). */
#define NOTE_COLUMNS                                                                                                   \
    "SELECT (tutord_note_json(n, n.visibility = 'shared' OR $2::boolean, $3::boolean)::jsonb"                         \
    " || jsonb_build_object('contact', n.contact_id))::text, n.id::text,"                                              \
    " (n.visibility = 'confidential' AND $2::boolean)::int::text, n.student_number FROM notes n"
#define NOTE_VISIBLE " AND (n.visibility = 'shared' OR $4::boolean)"

static const char LIST_SQL[] =
    NOTE_COLUMNS " WHERE n.student_number = $1" NOTE_VISIBLE " AND ($5::text IS NULL OR n.visibility = $5)"
                 " AND ($6::bigint IS NULL OR n.id > $6::bigint)"
                 " ORDER BY n.id LIMIT $7";

static const char GET_SQL[] = NOTE_COLUMNS " WHERE n.id = $1::bigint" NOTE_VISIBLE;

static const char *flag(int v)
{
    return v ? "t" : "f";
}

struct read_ctx {
    note_read_fn fn;
    void *ctx;
};

static enum app_status each_row(void *ctx, const PGresult *res, int row)
{
    struct read_ctx *rc = ctx;
    if (strcmp(PQgetvalue(res, row, 2), "1") != 0 || !rc->fn)
        return APP_OK;
    return rc->fn(rc->ctx, PQgetvalue(res, row, 1), PQgetvalue(res, row, 3));
}

enum app_status repo_note_list(struct db_conn *conn, const char *number, const struct note_view *view,
                               const char *after, int limit, note_read_fn on_confidential, void *ctx,
                               struct strbuf *out)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit + 1);
    const char *params[7] = {number,
                             flag(view->confidential_text),
                             flag(view->history),
                             flag(view->confidential_rows),
                             view->visibility,
                             after,
                             lim};
    struct read_ctx rc = {on_confidential, ctx};
    return repo_page(conn, LIST_SQL, 7, params, limit, each_row, &rc, out);
}

enum app_status repo_note_get(struct db_conn *conn, const char *id, const struct note_view *view, char **json,
                              int *confidential_read)
{
    const char *params[4] = {id, flag(view->confidential_text), flag(view->history), flag(view->confidential_rows)};
    PGresult *res = NULL;
    *json = NULL;
    *confidential_read = 0;
    enum app_status st = db_query(conn, GET_SQL, 4, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        *confidential_read = strcmp(PQgetvalue(res, 0, 2), "1") == 0;
        if (!(*json = strdup(PQgetvalue(res, 0, 0))))
            st = APP_NOMEM;
    }
    PQclear(res);
    return st;
}

enum app_status repo_note_head(struct db_conn *conn, const char *id, struct note_head *out)
{
    char key[24];
    snprintf(key, sizeof(key), "%s", id); /* id may point into *out */
    const char *params[1] = {key};
    PGresult *res = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st = db_query(conn,
                                  "SELECT n.id::text, n.student_number, n.author, n.visibility,"
                                  " (SELECT max(r.revision) FROM note_revisions r WHERE r.note_id = n.id)::text"
                                  " FROM notes n WHERE n.id = $1::bigint",
                                  1, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->student, sizeof(out->student), "%s", PQgetvalue(res, 0, 1));
        snprintf(out->author, sizeof(out->author), "%s", PQgetvalue(res, 0, 2));
        snprintf(out->visibility, sizeof(out->visibility), "%s", PQgetvalue(res, 0, 3));
        snprintf(out->revision, sizeof(out->revision), "%s", PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return st;
}

enum app_status repo_note_insert(struct db_conn *conn, const struct note_input *in, char **id, struct db_error *err)
{
    const char *params[4] = {in->student, in->author, in->visibility, in->contact};
    enum app_status st = repo_row(conn,
                                  "INSERT INTO notes (student_number, author, visibility, contact_id)"
                                  " SELECT $1, $2, $3, $4::bigint WHERE $4::bigint IS NULL OR EXISTS (SELECT 1"
                                  "   FROM contacts c WHERE c.id = $4::bigint AND c.student_number = $1)"
                                  " RETURNING id::text",
                                  4, params, err, (char **const[]){id}, 1);
    if (st == APP_NOT_FOUND)
        return APP_INVALID; /* the contact is not one of this student's */
    if (st != APP_OK)
        return st;
    const char *rev[4] = {*id, in->text, in->consent, in->author};
    return db_query(conn,
                    "INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
                    " VALUES ($1::bigint, 1, $2, COALESCE($3::boolean, false), $4)",
                    4, rev, NULL, err);
}

enum app_status repo_note_revise(struct db_conn *conn, const struct note_head *h, const char *text, const char *consent,
                                 const char *actor, struct db_error *err)
{
    const char *params[5] = {h->id, h->revision, text, consent, actor};
    return db_query(conn,
                    "INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
                    " SELECT r.note_id, r.revision + 1, $3, COALESCE($4::boolean, r.consent_recorded), $5"
                    " FROM note_revisions r WHERE r.note_id = $1::bigint AND r.revision = $2::integer",
                    5, params, NULL, err);
}
