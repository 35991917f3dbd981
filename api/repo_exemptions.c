/* repo_exemptions.c — exemption periods in SQL; see repo_exemptions.h. */
#include "repo_exemptions.h"

#include <stdio.h>
#include <stdlib.h>

#include "access.h"
#include "listing.h"
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
                                    struct strbuf *out)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit + 1);
    const char *params[3] = {number, after, lim};
    return repo_page(conn,
                     "SELECT " EXEMPTION_JSON ", e.id::text FROM student_exemptions e WHERE e.student_number = $1"
                     " AND ($2::bigint IS NULL OR e.id > $2::bigint) ORDER BY e.id LIMIT $3",
                     3, params, limit, NULL, NULL, out);
}

enum app_status repo_exemption_lock(struct db_conn *conn, const char *id, char **student, char **json)
{
    if (!listing_is_row_id(id))
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
