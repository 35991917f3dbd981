/* repo_students.c — students in SQL: visible reads, keyset pages, upsert with no-op detection. */
#include "repo_students.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db_join.h"
#include "page_query.h"
#include "pe.h"
#include "repo_row.h"
#include "strbuf.h"
#include "validate.h"

/* A student's single-record representation is tutord_student_json (sql/001) with status_history
 * [{status, from}] appended. The hot read does not build it in SQL: json_build_object looks up the output
 * function of each of its 15 arguments on every call, and the text it returns is copied and re-concatenated,
 * which cost the database more than the row lookup itself. The statements return the columns instead —
 * strings as stored, dates, timestamps and the history's dates as PostgreSQL's own JSON text (to_json: the
 * same encoding json_build_object uses, whatever the session's DateStyle) — and student_one_json writes
 * the object with the same keys, order and separators (`"key" : value`, `, `) byte for byte
 * (tests/api/test_students.c compares it with the SQL function's text). The history is the student row's
 * copy of it (sql/024): "status \"date\"" items in date order separated by commas (statuses are vocabulary
 * words, without spaces or commas), NULL when there are none. Read from student_status_history instead, it
 * cost a second index lookup per read. */
#define STUDENT_ONE_COLUMNS                                                                                            \
    "s.student_number, s.name, s.email, s.school, s.partner_school, s.programme, s.level, s.cohort, s.status,"         \
    " to_json(s.registered_on)::text, to_json(s.course_start)::text, to_json(s.date_of_birth)::text, s.version::text," \
    " to_json(s.created_at)::text, to_json(s.updated_at)::text, s.status_history"

/* The keys of tutord_student_json in its order, and whether each column is a string to quote (else it is
 * JSON text already: a number or to_json's output). Column i of STUDENT_ONE_COLUMNS is key i. */
static const struct {
    const char *key;
    int quote;
} STUDENT_KEYS[] = {
    {"student_number", 1}, {"name", 1},          {"email", 1},   {"school", 1},     {"partner_school", 1},
    {"programme", 1},      {"level", 1},         {"cohort", 1},  {"status", 1},     {"registered_on", 0},
    {"course_start", 0},   {"date_of_birth", 0}, {"version", 0}, {"created_at", 0}, {"updated_at", 0},
};
#define STUDENT_N_KEYS (sizeof(STUDENT_KEYS) / sizeof(STUDENT_KEYS[0]))

/* The single-student reads, planned once per connection, each shaped so that its generic plan is kept
 * and nothing is re-planned per call. Sees-all callers (admin, registry) read with student_get_all, a
 * tutor who is nothing else with student_get_tutor (their current tutee or nothing, $2 the tutor); both
 * kinds may be joined (db_join.h) into student_get_all_joined and student_get_tutor_joined, which take
 * arrays of the same parameters behind an OFFSET 0 fence (so that a custom plan does not count a
 * constant array and look cheaper than the generic plan, re-planning every call) and end each row with
 * its read's position in them.
 * Everyone else gets student_get, whose scope parameters sit in a one-row subquery `p` behind OFFSET 0
 * (an optimisation fence): a custom plan can fold nothing, costs what the generic one costs plus
 * planning, and PostgreSQL keeps the generic plan from the sixth call on. student_get stays right for
 * every scope (the benchmark and the peer run it with an admin's). The version follows the
 * representation's columns. */
const struct db_statement REPO_STUDENT_STATEMENTS[] = {
    {"student_get_all", "SELECT " STUDENT_ONE_COLUMNS ", s.version::text FROM students s WHERE s.student_number = $1"},
    {"student_get_tutor", "SELECT " STUDENT_ONE_COLUMNS ", s.version::text FROM students s WHERE s.student_number = $1"
                          " AND EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
                          " AND a.staff_number = $2 AND a.period @> current_date)"},
    {"student_get_all_joined",
     "SELECT " STUDENT_ONE_COLUMNS ", s.version::text, q.at FROM (SELECT $1::text[] AS numbers OFFSET 0) p,"
     " unnest(p.numbers) WITH ORDINALITY q(number, at) JOIN students s ON s.student_number = q.number"},
    {"student_get_tutor_joined",
     "SELECT " STUDENT_ONE_COLUMNS ", s.version::text, q.at FROM (SELECT $1::text[] AS numbers, $2::text[] AS tutors"
     " OFFSET 0) p, unnest(p.numbers, p.tutors) WITH ORDINALITY q(number, tutor, at)"
     " JOIN students s ON s.student_number = q.number"
     " WHERE EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
     " AND a.staff_number = q.tutor AND a.period @> current_date)"},
    {"student_get",
     "SELECT " STUDENT_ONE_COLUMNS ", s.version::text FROM students s,"
     " (SELECT $2::boolean AS sees_all, $3::text AS self_student, $4::text[] AS schools, $5::text AS senior,"
     " $6::text AS tutor OFFSET 0) p WHERE s.student_number = $1 AND " ACCESS_VISIBLE_OF(
         "p.sees_all", "p.self_student", "p.schools", "p.senior", "p.tutor")},
    {"student_list",
     "SELECT tutord_student_json(s)::text, s.student_number FROM students s "
     "WHERE " ACCESS_VISIBLE(
         1, 2, 3, 4,
         5) " AND ($6::text IS NULL OR s.school = $6) AND ($7::text IS NULL OR s.status = $7)"
            " AND ($8::text IS NULL OR s.level = $8) AND ($9::text IS NULL OR s.cohort = $9)"
            " AND ($10::text IS NULL OR EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
            "      AND a.staff_number = $10 AND a.period @> current_date))"
            " AND ($11::text IS NULL OR s.name ILIKE '%' || $11 || '%' OR s.student_number = $11)"
            " AND (NOT $12::boolean OR NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
            "      AND a.kind = 'personal' AND a.period @> current_date))"
            " AND ($13::text IS NULL OR s.student_number > $13)"
            " ORDER BY s.student_number LIMIT $14"},
    {NULL, NULL},
};

/* pe_put_fn onto a strbuf. */
static void put_strbuf(void *sb, const char *s, size_t n)
{
    strbuf_append(sb, s, n);
}

/* Appends `text` as a JSON string, escaped as PostgreSQL's escape_json does (the short escapes, other control
 * characters as \u00xx in lower case, everything else as is). */
static void put_json_string(struct strbuf *sb, const char *text)
{
    pe_json_string_write(text, true, put_strbuf, sb);
}

/* Appends the status history column ("status \"date\"" items joined by commas, or NULL) as json_agg
 * renders [{"status" : ..., "from" : ...}, ...]; "[]" when there is none. */
static void put_status_history(struct strbuf *sb, const char *items, int is_null)
{
    strbuf_puts(sb, "[");
    for (const char *p = is_null ? "" : items; *p;) {
        size_t item = strcspn(p, ","), word = strcspn(p, " ");
        if (word >= item) /* not "status date": not written by STUDENT_ONE_COLUMNS */
            break;
        strbuf_puts(sb, p == items ? "{\"status\" : \"" : ", {\"status\" : \"");
        strbuf_append(sb, p, word);
        strbuf_puts(sb, "\", \"from\" : ");
        strbuf_append(sb, p + word + 1, item - word - 1);
        strbuf_puts(sb, "}");
        p += item + (p[item] == ',');
    }
    strbuf_puts(sb, "]");
}

/* The representation of the student in row `row` of `res` (STUDENT_ONE_COLUMNS), malloc'd; NULL on OOM. */
static char *student_one_json(const PGresult *res, int row)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < STUDENT_N_KEYS; i++) {
        strbuf_puts(&sb, i ? ", \"" : "{\"");
        strbuf_puts(&sb, STUDENT_KEYS[i].key);
        strbuf_puts(&sb, "\" : ");
        const char *v = PQgetvalue(res, row, (int)i);
        if (PQgetisnull(res, row, (int)i))
            strbuf_puts(&sb, "null");
        else if (STUDENT_KEYS[i].quote)
            put_json_string(&sb, v);
        else
            strbuf_puts(&sb, v);
    }
    strbuf_puts(&sb, ",\"status_history\":");
    put_status_history(&sb, PQgetvalue(res, row, (int)STUDENT_N_KEYS), PQgetisnull(res, row, (int)STUDENT_N_KEYS));
    strbuf_puts(&sb, "}");
    return strbuf_take(&sb);
}

/* A student read: the representation and version (malloc'd) once read. */
struct student_answer {
    char *json, *version;
};

/* The student in row `row` of `res` (STUDENT_ONE_COLUMNS then the version; -1: no row, APP_NOT_FOUND) as
 * the answer; both NULL unless APP_OK. db_join_kind's take. */
static enum app_status take_row(void *ctx, const PGresult *res, int row)
{
    struct student_answer *a = ctx;
    a->json = a->version = NULL;
    if (row < 0)
        return APP_NOT_FOUND;
    if ((a->json = student_one_json(res, row)) && (a->version = strdup(PQgetvalue(res, row, (int)STUDENT_N_KEYS + 1))))
        return APP_OK;
    free(a->json), free(a->version);
    a->json = a->version = NULL;
    return APP_NOMEM;
}

/* The student of `res` (the outcome st of its query; row 0 or none) as *json and *version (malloc'd);
 * clears `res`. Both NULL unless APP_OK. */
static enum app_status take_student(enum app_status st, PGresult *res, char **json, char **version)
{
    struct student_answer a = {0};
    if (st == APP_OK)
        st = take_row(&a, res, PQntuples(res) > 0 ? 0 : -1);
    PQclear(res);
    *json = a.json, *version = a.version;
    return st;
}

static const struct db_join_kind READ_ANY = {"student_get_all", "student_get_all_joined", 1, take_row};
static const struct db_join_kind READ_TUTEE = {"student_get_tutor", "student_get_tutor_joined", 2, take_row};

enum app_status repo_student_read(struct db_pool *pool, const char *number, const struct access_scope *scope,
                                  char **json, char **version)
{
    const char *const *sc = scope->params;
    struct student_answer a = {0};
    enum app_status st;
    if (access_scope_sees_all(scope)) {
        st = db_join_read(pool, &READ_ANY, (const char *const[]){number}, &a);
    } else if (!sc[1] && !sc[3] && sc[4]) {
        st = db_join_read(pool, &READ_TUTEE, (const char *const[]){number, sc[4]}, &a);
    } else { /* the scope's own statement: student_get */
        const char *params[6] = {number, sc[0], sc[1], sc[2], sc[3], sc[4]};
        struct db_conn *conn = NULL;
        PGresult *res = NULL;
        st = db_acquire(pool, &conn);
        if (st == APP_OK)
            st = db_query_prepared(conn, "student_get", 6, params, &res, NULL);
        db_release(pool, conn);
        return take_student(st, res, json, version);
    }
    *json = a.json, *version = a.version;
    return st;
}

enum app_status repo_student_list(struct db_conn *conn, const struct student_filter *f,
                                  const struct access_scope *scope, struct page_rows *out)
{
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", f->limit + 1);
    const char *params[14] = {scope->params[0],
                              scope->params[1],
                              scope->params[2],
                              scope->params[3],
                              scope->params[4],
                              f->school,
                              f->status,
                              f->level,
                              f->cohort,
                              f->tutor,
                              f->q,
                              f->unallocated ? "t" : "f",
                              f->after,
                              limit};
    PGresult *res = NULL;
    page_rows_free(out); /* an earlier attempt's */
    enum app_status st = db_query_prepared(conn, "student_list", 14, params, &res, NULL);
    if (st == APP_OK)
        st = page_rows_of(res, f->limit, out);
    PQclear(res);
    return st;
}

/* The writable fields, in column order; the upsert's parameters $2..$13 follow this order. status_from is
 * written but not part of the representation (status_history shows it), so a PATCH without it leaves it
 * to the upsert's default. */
static const char *const WRITABLE[] = {"name",          "email",        "school",        "partner_school",
                                       "programme",     "level",        "cohort",        "status",
                                       "registered_on", "course_start", "date_of_birth", "status_from"};
#define N_WRITABLE (sizeof(WRITABLE) / sizeof(WRITABLE[0]))

/* One student as (JSON, version), whoever asks: for a write's own reads. */
#define SELECT_SQL "SELECT " STUDENT_ONE_COLUMNS ", s.version::text FROM students s WHERE s.student_number = $1"

enum app_status repo_student_lock(struct db_conn *conn, const char *number, json_t **fields, char **version)
{
    return repo_row_fields(conn,
                           "SELECT tutord_student_json(s)::text, s.version::text FROM students s"
                           " WHERE s.student_number = $1 FOR UPDATE",
                           number, WRITABLE, N_WRITABLE, fields, version);
}

static const char UPSERT_SQL[] = STUDENT_UPSERT_INTO
    " VALUES ($1, $2, $3, $4, $5, COALESCE($6, ''), $7, $8, $9, $10, $11, $12, $13)" STUDENT_UPSERT_ON_CONFLICT
    " RETURNING (xmax = 0)::int::text, tutord_student_json(s)::text";

static const char EVENT_SQL[] =
    "INSERT INTO events (kind, subject, actor, payload) VALUES ('student.upserted', $1, $2, $3::jsonb)";

enum app_status repo_student_upsert(struct db_conn *conn, const char *number, const json_t *fields, const char *actor,
                                    int *created, char **json, char **version, struct db_error *err)
{
    const char *params[1 + N_WRITABLE] = {number};
    for (size_t i = 0; i < N_WRITABLE; i++) {
        const json_t *v = json_object_get(fields, WRITABLE[i]);
        params[1 + i] = json_is_string(v) ? json_string_value(v) : NULL;
    }
    PGresult *res = NULL;
    *created = 0;
    *json = *version = NULL;
    enum app_status st = db_query(conn, UPSERT_SQL, 1 + N_WRITABLE, params, &res, err);
    if (st == APP_OK && PQntuples(res) > 0) { /* a change: its event (the record without its history) */
        *created = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
        const char *event[3] = {number, actor, PQgetvalue(res, 0, 1)};
        st = db_query(conn, EVENT_SQL, 3, event, NULL, err);
    }
    PQclear(res);
    if (st != APP_OK)
        return st;
    /* the row as it is now: the history trigger has run by the end of the upsert */
    st = db_query(conn, SELECT_SQL, 1, (const char *const[]){number}, &res, err);
    return take_student(st, res, json, version);
}

void student_cross_check(const json_t *row, json_t *errors)
{
    const json_t *obj = row;
    const json_t *school = json_object_get(obj, "school"), *partner = json_object_get(obj, "partner_school");
    const json_t *from = json_object_get(obj, "status_from"), *registered = json_object_get(obj, "registered_on");
    if (json_is_string(school) && json_equal(school, partner))
        validate_error(errors, "partner_school", "must differ from school");
    /* YYYY-MM-DD strings order as the dates do */
    if (json_is_string(from) && json_is_string(registered) &&
        strcmp(json_string_value(from), json_string_value(registered)) < 0)
        validate_error(errors, "status_from", "must not be before registered_on");
}

/* ---- PUT / PATCH through repo_versioned_write_work ---------------------------------------------------- */

/* versioned_ops.upsert: repo_student_upsert as the caller (the history trigger audits them). */
static enum app_status upsert_as_caller(struct db_conn *conn, const struct principal *who, const char *number,
                                        const json_t *fields, int *created, char **json, char **version,
                                        struct db_error *err)
{
    enum app_status st = audit_set_actor(conn, who);
    return st == APP_OK ? repo_student_upsert(conn, number, fields, who->sub, created, json, version, err) : st;
}

const struct versioned_ops repo_student_versioned = {repo_student_lock, upsert_as_caller};
