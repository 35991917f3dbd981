/* repo_imports.c — staging with COPY, set-based checks and upserts; see repo_imports.h. */
#include "repo_imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "repo_students.h"
#include "repo_tutors.h"
#include "strbuf.h"

static const char STUDENTS_UPSERT_SQL[] =
    "WITH up AS ("
    " " STUDENT_UPSERT_INTO
    " SELECT key, d->>'name', d->>'email', d->>'school', d->>'partner_school', COALESCE(d->>'programme', ''),"
    "  d->>'level', d->>'cohort', d->>'status', (d->>'registered_on')::date, (d->>'course_start')::date,"
    "  (d->>'date_of_birth')::date, (d->>'status_from')::date"
    " FROM (SELECT key, doc AS d FROM import_stage) i ORDER BY key" STUDENT_UPSERT_ON_CONFLICT
    " RETURNING (xmax = 0) AS created, s.student_number AS subject, tutord_student_json(s)::jsonb AS doc),"
    " ev AS (INSERT INTO events (kind, subject, actor, payload)"
    "  SELECT 'student.upserted', subject, $1, doc FROM up ORDER BY subject)"
    " SELECT count(*) FILTER (WHERE created)::text, count(*) FILTER (WHERE NOT created)::text,"
    "  (SELECT count(*) FROM import_stage)::text FROM up";

static const char STAFF_UPSERT_SQL[] =
    "WITH up AS ("
    " " STAFF_UPSERT_INTO " SELECT key, d->>'name', d->>'email', d->>'school',"
    "  CASE WHEN d ? 'roles' THEN ARRAY(SELECT jsonb_array_elements_text(d->'roles')) ELSE '{tutor}' END,"
    "  COALESCE((d->>'permanent')::boolean, true), COALESCE((d->>'capacity')::integer, 30),"
    "  COALESCE((d->>'active')::boolean, true)"
    " FROM (SELECT key, doc AS d FROM import_stage) i ORDER BY key" STAFF_UPSERT_ON_CONFLICT
    " RETURNING (xmax = 0) AS created, t.staff_number AS subject, tutord_staff_json(t)::jsonb AS doc),"
    " ev AS (INSERT INTO events (kind, subject, actor, payload)"
    "  SELECT 'staff.upserted', subject, $1, doc FROM up ORDER BY subject)"
    " SELECT count(*) FILTER (WHERE created)::text, count(*) FILTER (WHERE NOT created)::text,"
    "  (SELECT count(*) FROM import_stage)::text FROM up";

const struct import_kind IMPORT_STUDENTS = {"student_number", "students", "{school,partner_school}",
                                            STUDENTS_UPSERT_SQL, "student.import"};
const struct import_kind IMPORT_TUTORS = {"staff_number", "staff", "{school}", STAFF_UPSERT_SQL, "staff.import"};

void repo_import_copy_line(struct strbuf *out, long row, const char *key, const char *doc)
{
    char head[32];
    snprintf(head, sizeof(head), "%ld\t", row);
    strbuf_puts(out, head);
    strbuf_puts(out, key); /* a natural key: letters and digits only */
    strbuf_puts(out, "\t");
    for (const char *p = doc; *p;) {
        size_t plain = strcspn(p, "\\\t\n\r");
        strbuf_append(out, p, plain);
        p += plain;
        if (!*p)
            break;
        strbuf_puts(out, *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : "\\r");
        p++;
    }
    strbuf_puts(out, "\n");
}

/* Sends COPY data in chunks and collects the outcome. */
static enum app_status copy_in(struct db_conn *conn, const char *data, size_t len)
{
    enum app_status st = db_query(conn, "COPY import_stage (row, key, doc) FROM STDIN", 0, NULL, NULL, NULL);
    if (st != APP_OK)
        return st;
    const size_t chunk = 1 << 20;
    int ok = 1;
    for (size_t off = 0; ok && off < len; off += chunk)
        ok = PQputCopyData(conn->pg, data + off, (int)(len - off < chunk ? len - off : chunk)) == 1;
    ok = PQputCopyEnd(conn->pg, ok ? NULL : "client failed") == 1 && ok;
    PGresult *res;
    while ((res = PQgetResult(conn->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            log_msg(LOG_ERROR, "COPY into the import stage failed: %s", PQresultErrorMessage(res));
            ok = 0;
        }
        PQclear(res);
    }
    return ok ? APP_OK : APP_DB;
}

enum app_status repo_import_stage(struct db_conn *conn, const char *copy_text, size_t len)
{
    enum app_status st = db_query(conn,
                                  "CREATE TEMP TABLE import_stage (row integer PRIMARY KEY, key text NOT NULL,"
                                  " doc jsonb NOT NULL) ON COMMIT DROP",
                                  0, NULL, NULL, NULL);
    if (st == APP_OK && len > 0)
        st = copy_in(conn, copy_text, len);
    if (st == APP_OK)
        st = db_query(conn, "ANALYZE import_stage", 0, NULL, NULL, NULL);
    return st;
}

static const char CHECK_SQL[] =
    "SELECT i.row::text, r.field, 'names a school that does not exist' FROM import_stage i"
    " CROSS JOIN LATERAL jsonb_each_text(i.doc) r(field, code)"
    " WHERE r.field = ANY ($1::text[]) AND r.code IS NOT NULL"
    "   AND NOT EXISTS (SELECT 1 FROM schools c WHERE c.code = r.code)"
    " UNION ALL "
    "SELECT x.row::text, $2, 'appears more than once in this import: first on row ' || x.first FROM"
    " (SELECT row, min(row) OVER (PARTITION BY key) AS first FROM import_stage) x WHERE x.row <> x.first"
    " ORDER BY 1";

enum app_status repo_import_check(struct db_conn *conn, const struct import_kind *kind, json_t *errors)
{
    const char *params[2] = {kind->references, kind->key};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, CHECK_SQL, 2, params, &res, NULL);
    for (int i = 0; st == APP_OK && i < PQntuples(res); i++)
        json_array_append_new(errors,
                              json_pack("{s:I, s:s, s:s}", "row", (json_int_t)strtol(PQgetvalue(res, i, 0), NULL, 10),
                                        "field", PQgetvalue(res, i, 1), "message", PQgetvalue(res, i, 2)));
    PQclear(res);
    return st;
}

enum app_status repo_import_drop(struct db_conn *conn, const json_t *errors)
{
    struct strbuf rows = {0};
    size_t i;
    const json_t *e;
    strbuf_puts(&rows, "{");
    json_array_foreach(errors, i, e)
    {
        char n[24];
        snprintf(n, sizeof(n), "%s%lld", i ? "," : "", (long long)json_integer_value(json_object_get(e, "row")));
        strbuf_puts(&rows, n);
    }
    strbuf_puts(&rows, "}");
    char *list = strbuf_take(&rows);
    const char *params[1] = {list};
    enum app_status st =
        list ? db_query(conn, "DELETE FROM import_stage WHERE row = ANY ($1::integer[])", 1, params, NULL, NULL)
             : APP_NOMEM;
    free(list);
    return st;
}

enum app_status repo_import_apply(struct db_conn *conn, const struct import_kind *kind, const struct principal *who,
                                  long *created, long *updated, long *unchanged, struct db_error *err)
{
    const char *params[1] = {who->sub};
    PGresult *res = NULL;
    *created = *updated = *unchanged = 0;
    enum app_status st = audit_set_actor(conn, who); /* the status history trigger audits as the caller */
    if (st == APP_OK)
        st = db_query(conn, kind->upsert_sql, 1, params, &res, err);
    if (st == APP_OK) {
        *created = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        *updated = strtol(PQgetvalue(res, 0, 1), NULL, 10);
        *unchanged = strtol(PQgetvalue(res, 0, 2), NULL, 10) - *created - *updated;
    }
    PQclear(res);
    if (st != APP_OK)
        return st;
    json_t *detail = json_pack("{s:I, s:I, s:I}", "created", (json_int_t)*created, "updated", (json_int_t)*updated,
                               "unchanged", (json_int_t)*unchanged);
    st = audit_record(conn, who, kind->audit_action, kind->table, "import", NULL, detail);
    json_decref(detail);
    return st;
}
