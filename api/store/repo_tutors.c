/* repo_tutors.c — staff reads (tutord_staff_visible), upsert with no-op detection, current tutees. */
#include "repo_tutors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"
#include "repo_pastoral.h"
#include "repo_row.h"
#include "vocab.h"

/* The SQL condition "the caller may read staff row t" over the five scope parameters' numbers. */
#define STAFF_VISIBLE(a, b, c, d, e)                                                                                   \
    "tutord_staff_visible(t.staff_number, t.school, $" #a "::boolean, $" #b ", (SELECT tutord_senior_schools($" #c     \
    "::text[], $" #d ")), $" #e ")"

/* Staff row t's JSON text, with `permanent_exception` ({agreed_by, note} or null) when the SQL boolean
 * `show` holds (staff readers), without it otherwise (students). */
#define STAFF_JSON(show)                                                                                               \
    "(tutord_staff_json(t)::jsonb || CASE WHEN " show " THEN jsonb_build_object('permanent_exception',"                \
    " CASE WHEN t.permanent_exception_agreed_by IS NOT NULL THEN jsonb_build_object('agreed_by',"                      \
    " t.permanent_exception_agreed_by, 'note', t.permanent_exception_note) END) ELSE '{}' END)::text"

/* One staff row as (JSON for staff, version), by staff number ($1). */
#define SELECT_SQL "SELECT " STAFF_JSON("true") ", t.version::text FROM staff t WHERE t.staff_number = $1"

/* Whether `who` reads staff records as staff (sees permanent-tutor exceptions): "t" or "f". */
static const char *staff_reader(const struct principal *who)
{
    return access_has_role(who, ROLE_ADMIN | ROLE_REGISTRY | ROLE_SENIOR_TUTOR | ROLE_TUTOR) ? "t" : "f";
}

enum app_status repo_tutor_get(struct db_conn *conn, const struct principal *who, const char *number, int students_too,
                               char **json, char **version)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[7] = {number,           scope.params[0], students_too ? scope.params[1] : NULL,
                             scope.params[2],  scope.params[3], scope.params[4],
                             staff_reader(who)};
    /* a student (the only reader without a staff role who may see a staff row: their own tutor) reads what
     * SPEC gives them — name, email and office hours — not roles, permanence, capacity or activity */
    return repo_row(conn,
                    "SELECT CASE WHEN $7::boolean THEN " STAFF_JSON(
                        "true") " ELSE json_build_object('staff_number',"
                                " t.staff_number, 'name', t.name, 'email', t.email, 'office_hours',"
                                " tutord_office_hours_json(t.staff_number))::text END, t.version::text FROM staff t"
                                " WHERE t.staff_number = $1 AND " STAFF_VISIBLE(2, 3, 4, 5, 6),
                    7, params, NULL, (char **const[]){json, version}, 2);
}

/* The school of a visible tutor: repo_tutor_get's visibility without building the row's JSON. Sees-all
 * callers (admin, registry) read it without the condition: folded away for them, it made every call a
 * custom plan that inlined tutord_staff_visible again (the student reads are split the same way,
 * repo_students.c). */
static const char SCHOOL_SQL[] =
    "SELECT t.school FROM staff t WHERE t.staff_number = $1 AND " STAFF_VISIBLE(2, 3, 4, 5, 6);
static const char SCHOOL_ALL_SQL[] = "SELECT t.school FROM staff t WHERE t.staff_number = $1";

enum app_status repo_tutor_school(struct db_conn *conn, const struct principal *who, const char *number, char *school,
                                  size_t size)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[6] = {number, scope.params[0], NULL, scope.params[2], scope.params[3], scope.params[4]};
    const struct db_step step = access_scope_sees_all(&scope)
                                    ? (struct db_step){"tutor_school_all", SCHOOL_ALL_SQL, 1, params}
                                    : (struct db_step){"tutor_school", SCHOOL_SQL, 6, params};
    PGresult *res = NULL;
    enum app_status st = db_pipeline(conn, &step, 1, &res, NULL);
    if (st == APP_OK && PQntuples(res) != 1)
        st = APP_NOT_FOUND;
    snprintf(school, size, "%s", st == APP_OK ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return st;
}

static const char LIST_SQL[] = "SELECT " STAFF_JSON(
    "true") ", t.staff_number FROM staff t" /* students may not list staff */
            " WHERE " STAFF_VISIBLE(
                1, 2, 3, 4,
                5) " AND ($6::text IS NULL OR t.school = $6)"
                   "   AND ($7::boolean IS NULL OR t.active = $7::boolean) AND ($8::text IS NULL OR $8 = ANY (t.roles))"
                   "   AND ($9::text IS NULL OR t.staff_number > $9)"
                   " ORDER BY t.staff_number LIMIT $10";

enum app_status repo_tutor_list(struct db_conn *conn, const struct principal *who, const struct tutor_filter *f,
                                struct page_rows *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[10] = {scope.params[0], NULL,      scope.params[2], scope.params[3], scope.params[4],
                              f->school,       f->active, f->role,         f->after,        NULL};
    return page_query(conn, LIST_SQL, 10, params, f->limit, NULL, NULL, out);
}

static const char *const WRITABLE[] = {"name",      "email",    "school", "roles",
                                       "permanent", "capacity", "active", "permanent_exception"};

enum app_status repo_tutor_lock(struct db_conn *conn, const char *number, json_t **fields, char **version)
{
    return repo_row_fields(conn, SELECT_SQL " FOR UPDATE", number, WRITABLE, sizeof(WRITABLE) / sizeof(WRITABLE[0]),
                           fields, version);
}

/* $2 is the fields object; absent fields take the column defaults of sql/001, an absent or null
 * permanent_exception is none. Returns (created, JSON for staff, version, JSON without the exception). */
#define EXCEPTION_COLUMNS "permanent_exception_agreed_by, permanent_exception_note"
static const char UPSERT_SQL[] =
    "INSERT INTO staff AS t (" STAFF_UPSERT_COLUMNS ", " EXCEPTION_COLUMNS ")"
    " SELECT $1, f->>'name', f->>'email', f->>'school',"
    "        CASE WHEN f ? 'roles' THEN ARRAY(SELECT jsonb_array_elements_text(f->'roles')) ELSE '{tutor}' END,"
    "        COALESCE((f->>'permanent')::boolean, true), COALESCE((f->>'capacity')::integer, 30),"
    "        COALESCE((f->>'active')::boolean, true),"
    "        f->'permanent_exception'->>'agreed_by', f->'permanent_exception'->>'note'"
    "   FROM (SELECT $2::jsonb AS f) x" STAFF_UPSERT_SET ","
    " permanent_exception_agreed_by = EXCLUDED.permanent_exception_agreed_by,"
    " permanent_exception_note = EXCLUDED.permanent_exception_note"
    " WHERE " STAFF_UPSERT_TUPLE("t.") ", t.permanent_exception_agreed_by, t.permanent_exception_note)"
                                       "   IS DISTINCT FROM " STAFF_UPSERT_TUPLE(
                                           "EXCLUDED.") ", EXCLUDED.permanent_exception_agreed_by,"
                                                        "   EXCLUDED.permanent_exception_note)"
                                                        " RETURNING (xmax = 0)::int::text, " STAFF_JSON(
                                                            "true") ", t.version::text, tutord_staff_json(t)::text";

enum app_status repo_tutor_upsert(struct db_conn *conn, const struct principal *who, const char *number,
                                  const json_t *fields, int *created, char **json, char **version, struct db_error *err)
{
    char *text = json_dumps(fields, JSON_COMPACT);
    const char *params[2] = {number, text};
    PGresult *res = NULL;
    *created = 0;
    *json = *version = NULL;
    enum app_status st = text ? db_query(conn, UPSERT_SQL, 2, params, &res, err) : APP_NOMEM;
    free(text);
    if (st != APP_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res); /* nothing changed: the row as it is */
        return repo_row(conn, SELECT_SQL, 1, (const char *const[]){number}, NULL, (char **const[]){json, version}, 2);
    }
    *created = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    *json = strdup(PQgetvalue(res, 0, 1));
    *version = strdup(PQgetvalue(res, 0, 2));
    json_t *payload = *json && *version ? json_loads(PQgetvalue(res, 0, 3), 0, NULL) : NULL;
    PQclear(res);
    st = payload ? audit_event(conn, who, "staff.upserted", number, payload) : APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, "staff.upsert", "staff", number, NULL, NULL);
    json_decref(payload);
    return st;
}

static const char TUTEES_SQL[] =
    "SELECT json_build_object('allocation', tutord_allocation_json(a), 'student', tutord_student_json(s))::text,"
    "       a.id::text"
    "  FROM allocations a JOIN students s ON s.student_number = a.student_number"
    " WHERE a.staff_number = $6 AND a.period @> current_date AND " ACCESS_VISIBLE(
        1, 2, 3, 4, 5) "   AND ($7::bigint IS NULL OR a.id > $7::bigint)"
                       " ORDER BY a.id LIMIT $8";

enum app_status repo_tutor_tutees(struct db_conn *conn, const struct principal *who, const char *number,
                                  const char *after, int limit, struct page_rows *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[8] = {scope.params[0], scope.params[1], scope.params[2], scope.params[3],
                             scope.params[4], number,          after,           NULL};
    return page_query(conn, TUTEES_SQL, 8, params, limit, NULL, NULL, out);
}

enum app_status repo_tutor_senior_of(struct db_conn *conn, const struct principal *who, const char *number)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[3] = {number, scope.params[2], scope.params[3]};
    return access_senior_gate(conn, who,
                              "SELECT (t.school = ANY (tutord_senior_schools($2::text[], $3)))::int"
                              "  FROM staff t WHERE t.staff_number = $1",
                              3, params);
}

const struct versioned_ops repo_tutor_versioned = {repo_tutor_lock, repo_tutor_upsert};

static const char STUDENT_TUTORS_SQL[] =
    "SELECT json_build_object('student', $1::text, 'items', COALESCE(json_agg(json_build_object("
    "   'kind', a.kind, 'staff_number', t.staff_number, 'name', t.name, 'email', t.email,"
    "   'office_hours', tutord_office_hours_json(t.staff_number))"
    " ORDER BY array_position(" PE_SQL_ARRAY(
        PE_VOCAB_ALLOC_KIND) ", a.kind), t.staff_number), '[]'::json))::text"
                             " FROM allocations a JOIN staff t ON t.staff_number = a.staff_number"
                             " WHERE a.student_number = $1 AND a.period @> current_date";

enum app_status repo_student_tutors(struct db_conn *conn, const struct principal *who, const char *number, char **json)
{
    const char *params[1] = {number};
    struct student_reach reach;
    *json = NULL;
    enum app_status st = repo_reach_of(conn, number, who, &reach);
    return st == APP_OK ? repo_row(conn, STUDENT_TUTORS_SQL, 1, params, NULL, (char **const[]){json}, 1) : st;
}
