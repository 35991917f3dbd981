/* repo_notes.c — notes in SQL: reads per view, the first revision, further revisions. Notes and
 * revisions are only ever inserted (the application role may not update or delete them). */
#include "repo_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "repo_row.h"
#include "wire.h"

/* Columns: JSON for the view, cursor key, whether confidential text was shown, the student. The view
 * is $2 (confidential text), $3 (history), $4 (confidential rows). */
#define NOTE_COLUMNS                                                                                                   \
    "SELECT (tutord_note_json(n, n.visibility = 'shared' OR $2::boolean, $3::boolean)::jsonb"                          \
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
                               struct page_rows *out)
{
    const char *params[7] = {number,
                             flag(view->confidential_text),
                             flag(view->history),
                             flag(view->confidential_rows),
                             view->visibility,
                             after,
                             NULL};
    struct read_ctx rc = {on_confidential, ctx};
    return page_query(conn, LIST_SQL, 7, params, limit, each_row, &rc, out);
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

/* ---- units of work -------------------------------------------------------------------------------------- */

/* What this caller sees of this student's notes (SPEC §2). */
static struct note_view view_of(const struct principal *who, const struct student_reach *reach, int history)
{
    struct note_view v = {0};
    v.confidential_text = repo_reach_staff(reach);
    v.confidential_rows = v.confidential_text || access_has_role(who, ROLE_ADMIN);
    v.history = history;
    return v;
}

struct read_audit {
    struct db_conn *conn;
    const struct principal *who;
    int history;
};

/* note_read_fn: audits one read of confidential text. */
static enum app_status audit_read(void *ctx, const char *id, const char *student)
{
    const struct read_audit *a = ctx;
    json_t *detail = json_pack("{s:b}", "history", a->history);
    enum app_status st = audit_record(a->conn, a->who, "note.read_confidential", "note", id, student, detail);
    json_decref(detail);
    return st;
}

enum app_status repo_note_list_work(struct db_conn *conn, void *work)
{
    struct note_read *r = work;
    page_rows_free(&r->rows); /* an earlier attempt's, rolled back */
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, r->student, r->who, &reach);
    if (st != APP_OK)
        return st;
    struct note_view view = view_of(r->who, &reach, r->history);
    view.visibility = r->visibility;
    struct read_audit audit = {conn, r->who, r->history};
    return repo_note_list(conn, r->student, &view, r->after, r->limit, audit_read, &audit, &r->rows);
}

/* Reads the note `head` names for `who`, auditing confidential text; *json (malloc'd) on APP_OK. */
static enum app_status read_one(struct db_conn *conn, const struct principal *who, const struct note_head *head,
                                int history, char **json)
{
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, head->student, who, &reach);
    if (st != APP_OK)
        return st;
    struct note_view view = view_of(who, &reach, history);
    int confidential = 0;
    st = repo_note_get(conn, head->id, &view, json, &confidential);
    if (st == APP_OK && confidential) {
        struct read_audit audit = {conn, who, history};
        st = audit_read(&audit, head->id, head->student);
    }
    return st;
}

enum app_status repo_note_read_work(struct db_conn *conn, void *work)
{
    struct note_read *r = work;
    free(r->json); /* an earlier attempt's, rolled back */
    r->json = NULL;
    enum app_status st = repo_note_head(conn, r->id, &r->head);
    return st == APP_OK ? read_one(conn, r->who, &r->head, r->history, &r->json) : st;
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct note_write *w)
{
    free(w->json);
    w->json = NULL;
    w->stage = NOTE_REACH;
    memset(&w->head, 0, sizeof(w->head));
    memset(&w->err, 0, sizeof(w->err));
}

/* After the note or revision was written: audits `action`, reads the note back for the writer. */
static enum app_status finish_write(struct db_conn *conn, struct note_write *w, const char *action)
{
    enum app_status st = audit_record(conn, w->who, action, "note", w->head.id, w->head.student, NULL);
    if (st == APP_OK)
        st = repo_note_head(conn, w->head.id, &w->head);
    return st == APP_OK ? read_one(conn, w->who, &w->head, 0, &w->json) : st;
}

enum app_status repo_note_create_work(struct db_conn *conn, void *work)
{
    struct note_write *w = work;
    reset_write(w);
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, w->in->student, w->who, &reach);
    if (st == APP_OK && !repo_reach_staff(&reach))
        st = APP_FORBIDDEN;
    if (st == APP_OK && w->body_invalid)
        w->stage = NOTE_BODY, st = APP_INVALID;
    char *id = NULL;
    if (st == APP_OK) {
        w->stage = NOTE_WRITE;
        st = repo_note_insert(conn, w->in, &id, &w->err);
        if (st == APP_INVALID)
            w->stage = NOTE_CONTACT;
    }
    snprintf(w->head.id, sizeof(w->head.id), "%s", id ? id : "");
    snprintf(w->head.student, sizeof(w->head.student), "%s", w->in->student);
    free(id);
    return st == APP_OK ? finish_write(conn, w, "note.create") : st;
}

/* The note's author (still the student's tutor) or a senior tutor of the school revises it. */
static enum app_status may_revise(struct db_conn *conn, const struct principal *who, const struct note_head *head)
{
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, head->student, who, &reach);
    if (st != APP_OK)
        return st;
    if (!repo_reach_staff(&reach))
        return APP_NOT_FOUND; /* a student or admin who can see the student, but not this note's text */
    return reach.senior || (reach.tutor && strcmp(head->author, who->sub) == 0) ? APP_OK : APP_FORBIDDEN;
}

enum app_status repo_note_revise_work(struct db_conn *conn, void *work)
{
    struct note_write *w = work;
    reset_write(w);
    enum app_status st = repo_note_head(conn, w->id, &w->head);
    if (st == APP_OK)
        st = may_revise(conn, w->who, &w->head);
    if (st == APP_OK && wire_if_match(w->if_match, w->head.revision) != 1)
        w->stage = NOTE_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK && w->body_invalid)
        w->stage = NOTE_BODY, st = APP_INVALID;
    if (st == APP_OK) {
        w->stage = NOTE_WRITE;
        st = repo_note_revise(conn, &w->head, w->text, w->consent, w->who->sub, &w->err);
    }
    return st == APP_OK ? finish_write(conn, w, "note.revise") : st;
}
