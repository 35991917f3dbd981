/* repo_bulk_allocations.c — bulk rows through repo_allocation_create; automatic allocation by least
 * load. See repo_bulk_allocations.h. */
#include "repo_bulk_allocations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "strbuf.h"

const char *bulk_outcome_name(enum bulk_outcome outcome)
{
    static const char *const names[] = {"new", "reallocated", "unchanged", "error"};
    return names[outcome];
}

/* ---- one bulk row -------------------------------------------------------------------------------- */

static const char EXISTING_SQL[] =
    "SELECT COALESCE((SELECT a.id::text FROM allocations a WHERE a.student_number = $1 AND a.staff_number = $2"
    "   AND a.kind = $3 AND a.period @> COALESCE($4::date, current_date)"
    "   AND a.ends_on IS NOT DISTINCT FROM $5::date ORDER BY a.id LIMIT 1), ''),"
    " EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = $1 AND a.kind = 'personal' AND $3 = 'personal'"
    "   AND a.starts_on < COALESCE($4::date, current_date)"
    "   AND (a.ends_on IS NULL OR a.ends_on >= COALESCE($4::date, current_date)))::int::text";

/* Looks for the same allocation in force (*id) and whether a personal one would be replaced. */
static enum app_status find_existing(struct db_conn *conn, const struct allocation_input *in, char **id, int *replaces)
{
    const char *params[5] = {in->student, in->tutor, in->kind, in->starts_on, in->ends_on};
    PGresult *res = NULL;
    enum app_status st = db_query(conn, EXISTING_SQL, 5, params, &res, NULL);
    if (st == APP_OK) {
        const char *found = PQgetvalue(res, 0, 0);
        *id = *found ? strdup(found) : NULL;
        *replaces = strcmp(PQgetvalue(res, 0, 1), "1") == 0;
        if (*found && !*id)
            st = APP_NOMEM;
    }
    PQclear(res);
    return st;
}

/* The caller's right over the row's student, as a refusal of the row. */
static enum app_status authorize_row(struct db_conn *conn, const struct principal *who,
                                     const struct allocation_input *in, struct alloc_refusal *why)
{
    enum app_status st = repo_allocation_authorize(conn, who, in->student, in->kind);
    if (st == APP_NOT_FOUND)
        return alloc_refuse(why, APP_INVALID, "student", "no such student");
    if (st == APP_FORBIDDEN)
        return alloc_refuse(why, APP_INVALID, "student", "you may not allocate this student");
    return st;
}

/* True for a refusal of the row (reported) rather than a failure of the request. */
static int row_refused(enum app_status st)
{
    return st == APP_INVALID || st == APP_CONFLICT;
}

enum app_status repo_bulk_apply_row(struct db_conn *conn, const struct principal *who,
                                    const struct allocation_input *in, enum bulk_outcome *outcome, char **id,
                                    struct alloc_refusal *why)
{
    char *json = NULL;
    int replaces = 0;
    *id = NULL;
    *outcome = BULK_ERROR;
    memset(why, 0, sizeof(*why));
    enum app_status st = db_query(conn, "SAVEPOINT bulk_row", 0, NULL, NULL, NULL);
    if (st == APP_OK)
        st = authorize_row(conn, who, in, why);
    if (st == APP_OK)
        st = find_existing(conn, in, id, &replaces);
    if (st == APP_OK && *id)
        *outcome = BULK_UNCHANGED;
    else if (st == APP_OK)
        st = repo_allocation_create(conn, who, in, id, &json, why);
    if (st == APP_OK && *outcome != BULK_UNCHANGED)
        *outcome = replaces ? BULK_REALLOCATED : BULK_NEW;
    free(json);
    if (row_refused(st)) {
        if (!why->field[0])
            alloc_refuse(why, st, "student", "the database refused this allocation");
        return db_query(conn, "ROLLBACK TO SAVEPOINT bulk_row", 0, NULL, NULL, NULL);
    }
    return st == APP_OK ? db_query(conn, "RELEASE SAVEPOINT bulk_row", 0, NULL, NULL, NULL) : st;
}

/* ---- automatic allocation ------------------------------------------------------------------------ */

struct tutor_slot {
    char number[24], school[24];
    long capacity, before, load;
};

struct tutor_pool {
    struct tutor_slot *slots;
    int n;
};

/* The candidates: the school's unallocated studying students ($1 school, $2 starts_on). */
static const char STUDENTS_SQL[] =
    "SELECT s.student_number, COALESCE(s.partner_school, ''),"
    "       EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number AND a.kind = 'secondary'"
    "               AND a.period && daterange($2::date, NULL))::int"
    "  FROM students s"
    " WHERE s.school = $1 AND s.status = 'studying'"
    "   AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number"
    "                   AND a.kind = 'personal' AND a.period && daterange($2::date, NULL))"
    " ORDER BY s.student_number";

/* The tutors of the school and of its students' partner schools, with their load on starts_on. */
static const char TUTORS_SQL[] =
    "SELECT t.staff_number, t.school, t.capacity,"
    "       (SELECT count(*) FROM allocations a WHERE a.staff_number = t.staff_number"
    "          AND a.kind IN ('personal', 'secondary') AND a.period @> $2::date)"
    "  FROM staff t"
    " WHERE t.active AND 'tutor' = ANY (t.roles)"
    "   AND (t.school = $1 OR t.school IN (SELECT partner_school FROM students"
    "                                       WHERE school = $1 AND partner_school IS NOT NULL))"
    " ORDER BY t.staff_number";

static enum app_status load_tutors(struct db_conn *conn, const char *const params[2], struct tutor_pool *pool)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, TUTORS_SQL, 2, params, &res, NULL);
    if (st != APP_OK)
        return st;
    pool->n = PQntuples(res);
    pool->slots = calloc((size_t)pool->n + 1, sizeof(*pool->slots));
    for (int i = 0; pool->slots && i < pool->n; i++) {
        struct tutor_slot *t = &pool->slots[i];
        snprintf(t->number, sizeof(t->number), "%s", PQgetvalue(res, i, 0));
        snprintf(t->school, sizeof(t->school), "%s", PQgetvalue(res, i, 1));
        t->capacity = strtol(PQgetvalue(res, i, 2), NULL, 10);
        t->before = t->load = strtol(PQgetvalue(res, i, 3), NULL, 10);
    }
    PQclear(res);
    return pool->slots ? APP_OK : APP_NOMEM;
}

/* The tutor of `school` with room and the fewest tutees (ties: staff number, the pool's order). */
static struct tutor_slot *least_loaded(struct tutor_pool *pool, const char *school)
{
    struct tutor_slot *best = NULL;
    for (int i = 0; i < pool->n; i++) {
        struct tutor_slot *t = &pool->slots[i];
        if (strcmp(t->school, school) == 0 && t->load < t->capacity && (!best || t->load < best->load))
            best = t;
    }
    return best;
}

/* Arrays for the set-based insert: PostgreSQL array literals of ids and kinds (no quoting needed). */
struct insert_lists {
    struct strbuf students, tutors, kinds;
};

static void add_allocation(struct insert_lists *l, struct auto_result *out, const char *student,
                           struct tutor_slot *tutor, const char *kind)
{
    const char *sep = l->students.len > 1 ? "," : "";
    strbuf_puts(&l->students, sep), strbuf_puts(&l->students, student);
    strbuf_puts(&l->tutors, sep), strbuf_puts(&l->tutors, tutor->number);
    strbuf_puts(&l->kinds, sep), strbuf_puts(&l->kinds, kind);
    tutor->load++;
    json_array_append_new(out->allocations,
                          json_pack("{s:s, s:s, s:s}", "student", student, "tutor", tutor->number, "kind", kind));
}

/* Assigns each candidate student: personal from the school, secondary from the partner school. */
static void assign(PGresult *students, const char *school, struct tutor_pool *pool, struct insert_lists *l,
                   struct auto_result *out)
{
    for (int i = 0; i < PQntuples(students); i++) {
        const char *student = PQgetvalue(students, i, 0);
        struct tutor_slot *tutor = least_loaded(pool, school);
        if (!tutor) {
            json_array_append_new(out->unallocated, json_string(student));
            continue;
        }
        add_allocation(l, out, student, tutor, "personal");
        out->personal++;
        const char *partner = PQgetvalue(students, i, 1);
        struct tutor_slot *second =
            *partner && strcmp(PQgetvalue(students, i, 2), "0") == 0 ? least_loaded(pool, partner) : NULL;
        if (second) {
            add_allocation(l, out, student, second, "secondary");
            out->secondary++;
        }
    }
}

static const char INSERT_SQL[] =
    "WITH ins AS ("
    " INSERT INTO allocations AS a (student_number, staff_number, kind, starts_on, reason, created_by)"
    " SELECT u.s, u.t, u.k, $4::date, $5, $6"
    "   FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(s, t, k, n) ORDER BY u.n"
    " RETURNING a.id, a.student_number, tutord_allocation_json(a)::jsonb AS doc),"
    " ev AS (INSERT INTO events (kind, subject, actor, payload)"
    "  SELECT 'allocation.created', student_number, $6, doc FROM ins ORDER BY id)"
    " SELECT count(*)::text FROM ins";

static enum app_status insert_all(struct db_conn *conn, const struct principal *who, struct insert_lists *l,
                                  const char *starts_on, const char *reason)
{
    strbuf_puts(&l->students, "}"), strbuf_puts(&l->tutors, "}"), strbuf_puts(&l->kinds, "}");
    if (l->students.failed || l->tutors.failed || l->kinds.failed)
        return APP_NOMEM;
    const char *params[6] = {l->students.data, l->tutors.data, l->kinds.data, starts_on, reason, who->sub};
    return db_query(conn, INSERT_SQL, 6, params, NULL, NULL);
}

static void report_tutors(const struct tutor_pool *pool, struct auto_result *out)
{
    for (int i = 0; i < pool->n; i++) {
        const struct tutor_slot *t = &pool->slots[i];
        json_array_append_new(out->tutors, json_pack("{s:s, s:s, s:I, s:I, s:I}", "tutor", t->number, "school",
                                                     t->school, "capacity", (json_int_t)t->capacity, "tutees_before",
                                                     (json_int_t)t->before, "tutees_after", (json_int_t)t->load));
    }
}

/* Checks the caller acts for the school (admin, or a senior tutor of it: tutord_senior_schools) and
 * locks the school's automatic allocation for this transaction. APP_NOT_FOUND without the school. */
static enum app_status lock_school(struct db_conn *conn, const struct principal *who, const char *school)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[3] = {school, scope.params[2], scope.params[3]};
    return access_senior_gate(conn, who,
                              "SELECT (code = ANY (tutord_senior_schools($2::text[], $3)))::int,"
                              "       pg_advisory_xact_lock(hashtext('tutord.auto_allocate:' || code))"
                              "  FROM schools WHERE code = $1",
                              3, params);
}

static enum app_status audit_run(struct db_conn *conn, const struct principal *who, const char *school,
                                 const char *starts_on, const struct auto_result *out)
{
    json_t *detail =
        json_pack("{s:s, s:I, s:I, s:I}", "starts_on", starts_on, "personal", (json_int_t)out->personal, "secondary",
                  (json_int_t)out->secondary, "unallocated", (json_int_t)json_array_size(out->unallocated));
    enum app_status st =
        detail ? audit_record(conn, who, "allocation.auto", "school", school, NULL, detail) : APP_NOMEM;
    json_decref(detail);
    return st;
}

enum app_status repo_auto_allocate(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *starts_on, const char *reason, struct auto_result *out)
{
    memset(out, 0, sizeof(*out));
    char day[16];
    if (!starts_on) {
        PGresult *res = NULL;
        enum app_status st = db_query(conn, "SELECT current_date::text", 0, NULL, &res, NULL);
        if (st != APP_OK)
            return st;
        snprintf(day, sizeof(day), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        starts_on = day;
    }
    const char *params[2] = {school, starts_on};
    struct tutor_pool pool = {0};
    struct insert_lists lists = {{0}, {0}, {0}};
    PGresult *students = NULL;
    out->allocations = json_array(), out->unallocated = json_array(), out->tutors = json_array();
    strbuf_puts(&lists.students, "{"), strbuf_puts(&lists.tutors, "{"), strbuf_puts(&lists.kinds, "{");
    enum app_status st =
        out->allocations && out->unallocated && out->tutors ? lock_school(conn, who, school) : APP_NOMEM;
    if (st == APP_OK)
        st = load_tutors(conn, params, &pool);
    if (st == APP_OK)
        st = db_query(conn, STUDENTS_SQL, 2, params, &students, NULL);
    if (st == APP_OK) {
        assign(students, school, &pool, &lists, out);
        report_tutors(&pool, out);
        st = insert_all(conn, who, &lists, starts_on, reason);
    }
    if (st == APP_OK)
        st = audit_run(conn, who, school, starts_on, out);
    PQclear(students);
    free(pool.slots);
    strbuf_free(&lists.students), strbuf_free(&lists.tutors), strbuf_free(&lists.kinds);
    return st;
}

void auto_result_free(struct auto_result *r)
{
    json_decref(r->allocations);
    json_decref(r->unallocated);
    json_decref(r->tutors);
    memset(r, 0, sizeof(*r));
}
