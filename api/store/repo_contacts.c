/* repo_contacts.c — contacts in SQL: keyset pages, inserts with defaults, merge-patch updates, and
 * meeting-record confirmations. */
#include "repo_contacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"
#include "repo_pastoral.h"
#include "repo_row.h"
#include "wire.h"

#define TZ_SQL "(SELECT time_zone FROM calendar_settings)"

static const char LIST_SQL[] =
    "SELECT tutord_contact_full_json(c, $7::boolean)::text, c.sort_at::text || '|' || c.id FROM contacts c"
    " WHERE c.student_number = $1"
    " AND ($2::date IS NULL OR c.sort_at >= ($2::date::timestamp AT TIME ZONE " TZ_SQL "))"
    " AND ($3::date IS NULL OR c.sort_at < (($3::date + 1)::timestamp AT TIME ZONE " TZ_SQL "))"
    " AND ($4::text IS NULL OR c.kind = $4) AND ($5::text IS NULL OR c.direction = $5)"
    " AND ($6::text IS NULL OR (c.sort_at, c.id) >"
    "      (split_part($6, '|', 1)::timestamptz, split_part($6, '|', 2)::bigint))"
    " ORDER BY c.sort_at, c.id LIMIT $8";

enum app_status repo_contact_list(struct db_conn *conn, const char *number, const struct contact_filter *f,
                                  struct page_rows *out)
{
    if (f->after && !strchr(f->after, '|'))
        return APP_INVALID;
    const char *params[8] = {number, f->from, f->to, f->kind, f->direction, f->after, f->with_body ? "t" : "f", NULL};
    return page_query(conn, LIST_SQL, 8, params, f->limit, NULL, NULL, out);
}

static const char INSERT_SQL[] =
    "WITH t AS (SELECT $6::timestamptz AS scheduled,"
    "                  COALESCE($7::timestamptz, CASE WHEN $6::timestamptz IS NULL THEN now() END) AS occurred)"
    " INSERT INTO contacts AS c (student_number, staff_number, kind, direction, channel, scheduled_at,"
    " occurred_at, attendance, reply_to, wellbeing_check, session_id, created_by, subject, body)"
    " SELECT $1, $2, $3, $4, $5, t.scheduled, t.occurred,"
    " COALESCE($8, CASE WHEN t.occurred IS NULL THEN 'scheduled' ELSE 'attended' END),"
    " $9::bigint, COALESCE($10::boolean, false),"
    " COALESCE($11::uuid, CASE WHEN $3 = 'group_meeting' THEN gen_random_uuid() END), $12, $13, $14 FROM t"
    " RETURNING tutord_contact_full_json(c, true)::text, c.id::text";

enum app_status repo_contact_insert(struct db_conn *conn, const struct contact_new *c, const char *actor, char **json,
                                    char **id, struct db_error *err)
{
    const char *params[14] = {c->student,      c->staff,       c->kind,       c->direction, c->channel,
                              c->scheduled_at, c->occurred_at, c->attendance, c->reply_to,  c->wellbeing_check,
                              c->session_id,   actor,          c->subject,    c->body};
    return repo_row(conn, INSERT_SQL, 14, params, err, (char **const[]){json, id}, 2);
}

#define HEAD_SQL                                                                                                       \
    "SELECT tutord_contact_full_json(c, $2::boolean)::text, c.version::text, c.student_number, c.staff_number,"        \
    " c.kind, c.id::text, COALESCE(c.slot_id::text, ''), c.attendance FROM contacts c WHERE c.id = $1::bigint"

enum app_status repo_contact_head(struct db_conn *conn, const char *id, int lock, int with_body,
                                  struct contact_head *out)
{
    static const char *const sql[2] = {HEAD_SQL, HEAD_SQL " FOR UPDATE"};
    const char *params[2] = {id, with_body ? "t" : "f"};
    PGresult *res = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st = db_query(conn, sql[lock ? 1 : 0], 2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        out->json = strdup(PQgetvalue(res, 0, 0));
        out->version = strdup(PQgetvalue(res, 0, 1));
        snprintf(out->student, sizeof(out->student), "%s", PQgetvalue(res, 0, 2));
        snprintf(out->staff, sizeof(out->staff), "%s", PQgetvalue(res, 0, 3));
        snprintf(out->kind, sizeof(out->kind), "%s", PQgetvalue(res, 0, 4));
        snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 5));
        snprintf(out->slot, sizeof(out->slot), "%s", PQgetvalue(res, 0, 6));
        snprintf(out->attendance, sizeof(out->attendance), "%s", PQgetvalue(res, 0, 7));
        if (!out->json || !out->version)
            st = APP_NOMEM;
    }
    PQclear(res);
    return st;
}

void repo_contact_head_free(struct contact_head *h)
{
    free(h->json);
    free(h->version);
    h->json = h->version = NULL;
}

static const char UPDATE_SQL[] =
    "UPDATE contacts c SET"
    " channel = CASE WHEN $2::jsonb ? 'channel' THEN $2::jsonb ->> 'channel' ELSE c.channel END,"
    " scheduled_at = CASE WHEN $2::jsonb ? 'scheduled_at' THEN ($2::jsonb ->> 'scheduled_at')::timestamptz"
    "                ELSE c.scheduled_at END,"
    " occurred_at = CASE WHEN $2::jsonb ? 'occurred_at' THEN ($2::jsonb ->> 'occurred_at')::timestamptz"
    "               ELSE c.occurred_at END,"
    " attendance = COALESCE($2::jsonb ->> 'attendance', c.attendance),"
    " wellbeing_check = COALESCE(($2::jsonb ->> 'wellbeing_check')::boolean, c.wellbeing_check),"
    " version = c.version + 1, updated_at = now()"
    " WHERE c.id = $1::bigint RETURNING tutord_contact_full_json(c, true)::text, c.version::text";

enum app_status repo_contact_update(struct db_conn *conn, const char *id, const json_t *patch, char **json,
                                    char **version, struct db_error *err)
{
    char *text = json_dumps(patch, JSON_COMPACT);
    if (!text)
        return APP_NOMEM;
    const char *params[2] = {id, text};
    enum app_status st = repo_row(conn, UPDATE_SQL, 2, params, err, (char **const[]){json, version}, 2);
    free(text);
    return st;
}

enum app_status repo_contact_confirm(struct db_conn *conn, const struct contact_head *h, const char *status,
                                     const char *comment, char **json, struct db_error *err)
{
    const char *params[5] = {h->id, h->student, h->kind, status, comment};
    return repo_row(conn,
                    "INSERT INTO meeting_confirmations AS m (contact_id, student_number, kind, status, comment)"
                    " VALUES ($1::bigint, $2, $3, $4, COALESCE($5, ''))"
                    " RETURNING json_build_object('contact', m.contact_id, 'status', m.status,"
                    " 'comment', m.comment, 'answered_at', m.answered_at)::text",
                    5, params, err, (char **const[]){json}, 1);
}

int repo_contact_content_reader(const struct principal *who)
{
    return !(who->roles & (ROLE_ADMIN | ROLE_REGISTRY));
}

static const char THREADS_SQL[] =
    "WITH RECURSIVE m AS (SELECT c.id, c.reply_to, c.sort_at FROM contacts c"
    "                      WHERE c.student_number = $1 AND c.kind IN ('message', 'email')),"
    " t(id, root) AS (SELECT m.id, m.id FROM m"
    "                  WHERE m.reply_to IS NULL OR NOT EXISTS (SELECT 1 FROM m p WHERE p.id = m.reply_to)"
    "                 UNION ALL SELECT m.id, t.root FROM m JOIN t ON m.reply_to = t.id),"
    " th AS (SELECT t.root, max(c.sort_at) AS last_at,"
    "               json_agg(tutord_contact_full_json(c, $2::boolean) ORDER BY c.sort_at, c.id) AS messages"
    "          FROM t JOIN contacts c ON c.id = t.id GROUP BY t.root)"
    " SELECT json_build_object('thread', th.root, 'last_at', th.last_at,"
    "        'subject', (SELECT CASE WHEN $2::boolean THEN r.subject END FROM contacts r WHERE r.id = th.root),"
    "        'messages', th.messages)::text, th.last_at::text || '|' || th.root FROM th"
    " WHERE $3::text IS NULL OR (th.last_at, th.root) <"
    "       (split_part($3, '|', 1)::timestamptz, split_part($3, '|', 2)::bigint)"
    " ORDER BY th.last_at DESC, th.root DESC LIMIT $4";

enum app_status repo_message_threads(struct db_conn *conn, const char *number, int with_body, const char *after,
                                     int limit, struct page_rows *out)
{
    if (after && !strchr(after, '|'))
        return APP_INVALID;
    const char *params[4] = {number, with_body ? "t" : "f", after, NULL};
    return page_query(conn, THREADS_SQL, 4, params, limit, NULL, NULL, out);
}

/* ---- units of work -------------------------------------------------------------------------------------- */

enum app_status repo_contact_load(struct db_conn *conn, const char *id, int lock, const struct principal *who,
                                  struct contact_head *head, struct student_reach *reach)
{
    if (!page_is_row_id(id))
        return APP_NOT_FOUND;
    enum app_status st = repo_contact_head(conn, id, lock, repo_contact_content_reader(who), head);
    if (st == APP_OK)
        st = repo_reach_of(conn, head->student, who, reach);
    if (st == APP_NOT_FOUND && head->json && access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR) &&
        strcmp(head->staff, who->sub) == 0) {
        memset(reach, 0, sizeof(*reach));
        st = APP_OK;
    }
    return st;
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct contact_write *w)
{
    repo_contact_head_free(&w->head);
    memset(&w->head, 0, sizeof(w->head));
    free(w->json), free(w->version);
    w->json = w->version = NULL;
    w->stage = CONTACT_REACH;
    memset(&w->err, 0, sizeof(w->err));
}

/* The caller's check, recorded as the stage it stopped at. */
static enum app_status run_check(struct contact_write *w, const struct student_reach *reach)
{
    w->stage = CONTACT_CHECK;
    enum app_status st = w->check(w->check_ctx, &w->head, reach);
    if (st == APP_OK)
        w->stage = CONTACT_WRITE;
    return st;
}

enum app_status repo_contact_create_work(struct db_conn *conn, void *work)
{
    struct contact_write *w = work;
    reset_write(w);
    struct student_reach reach;
    char *id = NULL;
    enum app_status st = repo_reach_of(conn, w->student, w->who, &reach);
    if (st == APP_OK)
        st = run_check(w, &reach);
    if (st == APP_OK)
        st = repo_contact_insert(conn, w->in, w->who->sub, &w->json, &id, &w->err);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "contact.create", "contact", id, w->student, NULL);
    free(id);
    return st;
}

enum app_status repo_contact_patch_work(struct db_conn *conn, void *work)
{
    struct contact_write *w = work;
    reset_write(w);
    struct student_reach reach;
    enum app_status st = repo_contact_load(conn, w->id, 1, w->who, &w->head, &reach);
    if (st == APP_OK && !(reach.senior || (reach.tutor && strcmp(w->head.staff, w->who->sub) == 0)))
        st = APP_FORBIDDEN;
    if (st == APP_OK && wire_if_match(w->if_match, w->head.version) != 1)
        w->stage = CONTACT_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK && w->body_invalid)
        w->stage = CONTACT_CHECK, st = APP_INVALID;
    if (st == APP_OK) {
        w->stage = CONTACT_WRITE;
        st = repo_contact_update(conn, w->head.id, w->patch, &w->json, &w->version, &w->err);
    }
    if (st == APP_OK)
        st = audit_record(conn, w->who, "contact.update", "contact", w->head.id, w->head.student, NULL);
    return st;
}

enum app_status repo_contact_confirm_work(struct db_conn *conn, void *work)
{
    struct contact_write *w = work;
    reset_write(w);
    struct student_reach reach;
    enum app_status st = repo_contact_load(conn, w->id, 1, w->who, &w->head, &reach);
    if (st == APP_OK && !reach.self)
        st = APP_NOT_FOUND;
    if (st == APP_OK)
        st = run_check(w, &reach);
    if (st == APP_OK)
        st = repo_contact_confirm(conn, &w->head, w->status, w->comment, &w->json, &w->err);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "contact.confirm", "contact", w->head.id, w->head.student, NULL);
    return st;
}
