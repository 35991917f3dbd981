/* repo_exemptions.c — exemption periods in SQL; see repo_exemptions.h. */
#include "repo_exemptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"
#include "repo_pastoral.h"
#include "repo_row.h"

#define EXEMPTION_JSON EXEMPTION_JSON_OBJECT "::text"

enum app_status repo_exemption_gate(struct db_conn *conn, const struct principal *who, const char *number)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[6] = {number,          scope.params[0], scope.params[1],
                             scope.params[2], scope.params[3], scope.params[4]};
    return access_senior_gate(conn, who,
                              "SELECT (s.school = ANY (x.sch))::int"
                              "  FROM students s, LATERAL (SELECT tutord_senior_schools($4::text[], $5) AS sch) x"
                              " WHERE s.student_number = $1 AND " ACCESS_VISIBLE(2, 3, 4, 5, 6),
                              6, params);
}

/* The body's rules as a PostgreSQL array literal ("{}" when absent: every student rule); rule ids were
 * validated as letters, digits, '_', '-' and '.', so nothing needs quoting. malloc'd, NULL on OOM. */
static char *rules_literal(const json_t *rules)
{
    struct strbuf sb = {0};
    size_t i;
    const json_t *r;
    strbuf_puts(&sb, "{");
    json_array_foreach(rules, i, r)
    {
        strbuf_puts(&sb, i ? "," : "");
        strbuf_puts(&sb, json_string_value(r));
    }
    strbuf_puts(&sb, "}");
    return strbuf_take(&sb);
}

enum app_status repo_exemption_create(struct db_conn *conn, const char *number, const json_t *body,
                                      const struct principal *who, char **json, char **id, struct db_error *err)
{
    char *rules = rules_literal(json_object_get(body, "rules"));
    if (!rules)
        return APP_NOMEM;
    const char *params[6] = {number,
                             json_string_value(json_object_get(body, "from")),
                             json_string_value(json_object_get(body, "to")),
                             json_string_value(json_object_get(body, "reason")),
                             rules,
                             who->sub};
    enum app_status st = repo_row(conn,
                                  "INSERT INTO student_exemptions AS e (student_number, starts_on, ends_on, reason,"
                                  " rules, created_by) VALUES ($1, $2, $3, $4, $5::text[], $6)"
                                  " RETURNING " EXEMPTION_JSON ", e.id::text",
                                  6, params, err, (char **const[]){json, id}, 2);
    free(rules);
    return st;
}

enum app_status repo_exemption_list(struct db_conn *conn, const char *number, const char *after, int limit,
                                    struct page_rows *out)
{
    const char *params[3] = {number, after, NULL};
    return page_query(conn,
                      "SELECT " EXEMPTION_JSON ", e.id::text FROM student_exemptions e WHERE e.student_number = $1"
                      " AND ($2::bigint IS NULL OR e.id > $2::bigint) ORDER BY e.id LIMIT $3",
                      3, params, limit, NULL, NULL, out);
}

enum app_status repo_exemption_lock(struct db_conn *conn, const char *id, char **student, char **json)
{
    if (!page_is_row_id(id))
        return APP_NOT_FOUND;
    return repo_row(conn,
                    "SELECT e.student_number, " EXEMPTION_JSON " FROM student_exemptions e WHERE e.id = $1::bigint"
                    " FOR UPDATE",
                    1, (const char *const[]){id}, NULL, (char **const[]){student, json}, 2);
}

enum app_status repo_exemption_delete(struct db_conn *conn, const char *id, struct db_error *err)
{
    return db_query(conn, "DELETE FROM student_exemptions WHERE id = $1::bigint", 1, (const char *const[]){id}, NULL,
                    err);
}

/* ---- units of work ---------------------------------------------------------------------------------------- */

/* The audit row and the event of a write: {id, student, from, to, rules} (no reason text). */
static enum app_status record_change(struct db_conn *conn, const struct principal *who, const char *kind,
                                     const char *action, const char *id, const char *student, const char *json)
{
    json_t *row = json_loads(json, 0, NULL);
    json_t *payload = row ? json_pack("{s:O, s:s, s:O, s:O, s:O}", "id", json_object_get(row, "id"), "student", student,
                                      "from", json_object_get(row, "from"), "to", json_object_get(row, "to"), "rules",
                                      json_object_get(row, "rules"))
                          : NULL;
    enum app_status st = payload ? audit_event(conn, who, kind, student, payload) : APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, action, "exemption", id, student, payload);
    json_decref(payload);
    json_decref(row);
    return st;
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct exemption_write *w)
{
    free(w->json);
    w->json = NULL;
    w->gated = 0;
    memset(&w->err, 0, sizeof(w->err));
}

enum app_status repo_exemption_create_work(struct db_conn *conn, void *work)
{
    struct exemption_write *w = work;
    char *id = NULL;
    reset_write(w);
    enum app_status st = repo_exemption_gate(conn, w->who, w->student);
    w->gated = st == APP_OK;
    if (st == APP_OK && w->body_invalid)
        st = APP_INVALID;
    if (st == APP_OK)
        st = repo_exemption_create(conn, w->student, w->body, w->who, &w->json, &id, &w->err);
    if (st == APP_OK)
        st = record_change(conn, w->who, "exemption.created", "exemption.create", id, w->student, w->json);
    free(id);
    return st;
}

enum app_status repo_exemption_delete_work(struct db_conn *conn, void *work)
{
    struct exemption_write *w = work;
    char *student = NULL;
    reset_write(w);
    enum app_status st = repo_exemption_lock(conn, w->id, &student, &w->json);
    if (st == APP_OK) /* a student hidden from the caller hides the exemption too: 404 */
        st = repo_exemption_gate(conn, w->who, student);
    w->gated = st == APP_OK;
    if (st == APP_OK)
        st = repo_exemption_delete(conn, w->id, &w->err);
    if (st == APP_OK)
        st = record_change(conn, w->who, "exemption.deleted", "exemption.delete", w->id, student, w->json);
    free(student);
    return st;
}
