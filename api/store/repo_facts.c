/* repo_facts.c — the policy engine's facts for a set of students: thirteen queries at most, whatever the
 * size of the set. Enums are mapped to the engine's numbering in SQL (array_position over the names of
 * lib/vocab.h's lists, in the engine's order) — but for the contacts' kind and attendance, sent as names and
 * mapped in C (pe_name_index) — and rows come sorted by key in the "C" collation so they merge with strcmp
 * order — but for the contacts, which come in their index's order (the key column's collation: "C" since
 * sql/031, in the database's before) and are filed by binary search. */
#include "repo_facts.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts_cache.h"
#include "pg_array.h"
#include "strbuf.h"
#include "text_set.h"
#include "vocab.h"

/* Rows of the set's students: `col` one of the keys ($1). Every statement comes in a form for each kind of
 * set (enum keys_form): a small set's (FACTS_NAMED_MAX keys at most, a named statement with its generic plan)
 * selects by IN_KEYS alone; a large set's by IN_KEY_RANGE when its keys are a contiguous range of the students'
 * (a report's batch: unnamed, planned for its keys), else (a school's or a tutor's students, spread over the
 * numbers) by IN_KEY_RANGE_PROBED, named too (a school's page runs them all with generic plans, evaluation.c:
 * named, each connection plans them once). Unnamed, a school's page parsed and planned its statements afresh:
 * the largest school of a 10,000-student bench/gen institution (1,000 students, two pages), 5.5 ms of parsing
 * and binding logged per request against 1.6 named (log_min_duration_statement=0, warm connections), and the
 * database's CPU per request 27-28 -> 24-26 ms (three alternating rounds of 40 requests, the two binaries). */
#define IN_KEYS(col) col " = ANY ($1::text[])"
/* IN_KEYS, and within the keys' range (min and max in the key column's collation, so the condition only
 * narrows). The range lets a report's batch of contiguous keys be read from an index
 * range rather than a scan of the whole table filtered by the keys, which grew with the institution instead of
 * the batch. A small set does without: its two aggregates over the keys are two more nodes for the executor to
 * build at every execution, and each of its statements had two, some four (TUTOR_KEYS). A student's compliance
 * (eleven statements with them) cost the database 630-650 µs of CPU without them against 900-920 with them,
 * and served 2,130-2,210 requests/s against 1,660-1,700 (`stmts.sh`-style wrk at 32 connections, alternating,
 * pg_stat_statements on). */
#define IN_KEY_RANGE_PROBED(col)                                                                                       \
    IN_KEYS(col)                                                                                                       \
    " AND " col " BETWEEN (SELECT min(k) FROM unnest($1::text[]) k)"                                                   \
    " AND (SELECT max(k) FROM unnest($1::text[]) k)"
/* As IN_KEY_RANGE_PROBED, with the keys compared in "POSIX": equality is the same in any deterministic collation,
 * and "POSIX" compares bytes as "C" does, but it is not the key column's collation ("C", sql/031), so it is not a
 * condition the key's index can take: the index reads the range and the keys filter it (a hash of them). Compared
 * in "C", the status history of a report's batch of 3,900 students was read by a scan of the whole table (4.7 ms
 * against 1.9, EXPLAIN ANALYZE, 40k bench/gen). Where a key has one row or a few, PostgreSQL planned
 * IN_KEY_RANGE_PROBED's keys as one index descent each and, finding that dear, scanned the whole table instead: a
 * KPI report's batch of 3,900 contiguous students took 17 ms from students (every row read) against 8 ms from the
 * range of students_pkey (EXPLAIN ANALYZE, 40k bench/gen). The contacts, some forty a student, keep the descents:
 * 85 ms for that batch, 98 ms through the range and the hash. Keys spread over the numbers (a school's) have a
 * range as wide as the table: they keep the descents too (the school compliance route was 10 ms slower without
 * them). */
#define IN_KEY_RANGE(col)                                                                                              \
    col " COLLATE \"POSIX\" = ANY ($1::text[]) AND " col " BETWEEN (SELECT min(k) FROM unnest($1::text[]) k)"          \
        " AND (SELECT max(k) FROM unnest($1::text[]) k)"

#define STUDENT_COLUMNS                                                                                                \
    "SELECT s.student_number, s.school, s.name, CASE s.level WHEN 'F' THEN 0 ELSE s.level::int END,"                   \
    " array_position(" PE_SQL_ARRAY(                                                                                   \
        PE_VOCAB_COHORT) ", s.cohort) - 1, s.registered_on::text,"                                                     \
                         " COALESCE(s.date_of_birth::text, ''), array_position(" PE_SQL_ARRAY(                         \
                             PE_VOCAB_STUDENT_STATUS) ", s.status) - 1, COALESCE(s.course_start::text, ''), s.facts_rev"
#define STUDENT_SQL STUDENT_COLUMNS " FROM students s WHERE "
#define STUDENT_TAIL                                                                                                   \
    " AND (NOT $2::boolean OR " ACCESS_VISIBLE(3, 4, 5, 6, 7) ") ORDER BY s.student_number COLLATE \"C\""

/* A large set of students (FACTS_BY_STUDENTS beyond FACTS_NAMED_MAX keys). */
static const char SELECT_BATCH_SQL[] = STUDENT_SQL IN_KEY_RANGE("s.student_number") STUDENT_TAIL;
/* Which of a statement's forms a set of keys selects by (above). */
enum keys_form { KEYS_FEW, KEYS_CONTIGUOUS, KEYS_SPREAD, KEYS_FORMS };

/* A school's page of students (FACTS_BY_SCHOOL, and SCHOOL_SPLIT_SQL's split) is a range of
 * students_school_idx (student numbers in "C" since sql/031): its bounds are always conditions on the index, '' below
 * every student number and PAGE_END above every one ("C" order; a number is [A-Za-z0-9], all bytes below '~', by its
 * CHECK constraint), never `$8 IS NULL OR ...`, which a generic plan cannot take to the index. */
#define PAGE_END "~"

/* The named statements. A tutor's tutees come from allocations_staff_number_idx alone (sql/028), each with the
 * staff numbers of its allocations, comma-separated (a staff number is [A-Za-z0-9], sql/001): the tutor tables of the
 * set select by the list of them all (TUTOR_LISTED_KEYS: tutees_staff), not each deriving it again from the allocations
 * of the set's keys (TUTOR_KEYS). */
static const char *const SELECT_SQL[] = {
    [FACTS_BY_STUDENTS] = STUDENT_SQL IN_KEYS("s.student_number") STUDENT_TAIL,
    [FACTS_BY_TUTOR] =
        STUDENT_COLUMNS ", array_to_string(ARRAY(SELECT t.staff_number FROM allocations t"
                        " WHERE t.student_number = s.student_number), ',')"
                        " FROM students s WHERE s.student_number IN (SELECT a.student_number FROM allocations a"
                        " WHERE a.staff_number = $1 AND a.kind IN ('personal', 'cover')"
                        " AND a.period @> $8::date)" STUDENT_TAIL,
    [FACTS_BY_SCHOOL] = STUDENT_SQL "s.school = $1 AND s.student_number COLLATE \"C\" > COALESCE($8::text, '')"
                                    " AND s.student_number COLLATE \"C\" <= COALESCE($10::text, '" PAGE_END
                                    "')" STUDENT_TAIL " LIMIT $9::bigint",
};

/* Each statement of a table as a macro of its selection (IN_KEYS, IN_KEY_RANGE or IN_KEY_RANGE_PROBED). */
#define STATUS_SQL(in)                                                                                                 \
    "SELECT student_number, from_date::text, array_position(" PE_SQL_ARRAY(                                            \
        PE_VOCAB_STUDENT_STATUS) ", status) - 1"                                                                       \
                                 " FROM student_status_history WHERE " in(                                             \
                                     "student_number") " ORDER BY student_number COLLATE \"C\", from_date"

#define ALLOCATION_SQL(in)                                                                                             \
    "SELECT student_number, staff_number, array_position(" PE_SQL_ARRAY(                                               \
        PE_VOCAB_ALLOC_KIND) ", kind) - 1,"                                                                            \
                             " starts_on::text, COALESCE(ends_on::text, '') FROM allocations WHERE " in(               \
                                 "student_number") " ORDER BY student_number COLLATE \"C\", starts_on, id"

/* Contacts in the order of contacts_student_facts_idx (student_number in its column's collation, sort_at,
 * id), which the index-only scan delivers, so that nothing sorts them. A 4,000-student school's 150,000
 * contacts sorted in "C": at the default work_mem the sort spilled to disk and took 45 % of the statement
 * (EXPLAIN ANALYZE, TIMING OFF, alternating: 340-480 ms with the sort, 177-250 without); through tutord, which
 * gives a large set 64 MB (evaluation.c), that school's compliance went from 0.543-0.574 s to 0.432-0.446 s.
 * summary_at comes apart (NOTE_SUMMARY_SQL): joined
 * here, the hash join's output order is not one the planner can use. senior_tutor: whether the contact's
 * staff member holds the role, looked up in C among the senior tutors (SENIOR_SQL, loaded with the
 * selection). As a column `c.staff_number IN (SELECT ... senior tutors)` (a hashed subplan probed per row) it
 * cost the database 11-14 % of a large set's statement: backend CPU per execution, alternating blocks, 40k
 * bench/gen, a 2,000-student page of a school (unnamed, 34,000 rows) 78.7/60.0 -> 69.7/51.3 ms. For a tutor's
 * 21 tutees (the named statement's generic plan, 354 rows) 0.97-1.10 -> 0.85-0.95 ms, each execution with a
 * BEGIN and a COMMIT; SENIOR_SQL costs 0.03-0.04 ms more than a trivial statement on the same terms.
 * kind and attendance come as their names, looked up in C (pe_name_index): array_position over the
 * vocabulary's names, a call of the equality function per name per row, made the statement 20-28 % dearer
 * (pgbench -M prepared, a tutor's 21 tutees, 870 rows: 1,215-1,231 -> 1,463-1,568 tps, alternating).
 * Instants as whole epoch seconds, stored with the contact (sort_epoch, sql/030: computed per row, the
 * expression was the statement's dearest column, some 15 % of its CPU for a tutor's tutees) and held by both
 * covering indexes. They are floor(date_part('epoch', sort_at)): date_part is double precision, extract
 * numeric (three numeric operations per instant, 10 % of the statement); a double is exact to 2.4e-7 s at
 * today's epoch, finer than the microseconds stored, so the floor is the same second (checked on all 1.5M
 * contacts of bench/gen).
 * Only the contacts before $3 (contacts_until: three days after the day `on`) come: the policy engine reads no
 * contact after as_of (every scan of lib/ stops there), and as_of is within the day `on` of the calendar's
 * time zone. The index's second column bounds each student's range, so later contacts are not read at all. */
#define CONTACT_SQL(in)                                                                                                \
    "SELECT c.student_number, c.id, c.kind, c.direction, c.staff_number, c.sort_epoch,"                                \
    " c.attendance, COALESCE(c.reply_to, 0), c.wellbeing_check"                                                        \
    " FROM contacts c WHERE " in("c.student_number") " AND c.sort_at < $3::timestamptz"                                \
                                                     " AND ($2::text[] IS NULL OR c.kind = ANY ($2::text[]))"          \
                                                     " ORDER BY c.student_number, c.sort_at, c.id"

/* summary_at of the set's contacts: the first `shared` note on each (the summary provided to the student),
 * from one grouped pass over the set's notes (notes_student_idx). A note's student is its contact's
 * (notes_contact_fkey), so each row is filed within its student's contacts. In no order. */
#define NOTE_SUMMARY_SQL(in)                                                                                           \
    "SELECT n.student_number, n.contact_id, floor(date_part('epoch', min(n.created_at)))::bigint FROM notes n"         \
    " WHERE " in("n.student_number") " AND n.contact_id IS NOT NULL AND n.visibility = 'shared'"                       \
                                     " GROUP BY n.student_number, n.contact_id"

/* raised_by in pe_raised_by order (tutor, senior_tutor, student). */
#define CONCERN_SQL(in)                                                                                                \
    "SELECT c.student_number, (c.raised_at AT TIME ZONE z.tz)::date::text,"                                            \
    " COALESCE((c.closed_at AT TIME ZONE z.tz)::date::text, ''),"                                                      \
    " array_position(" PE_SQL_ARRAY(                                                                                   \
        PE_VOCAB_RAISED_BY) ", c.raised_by_role) - 1"                                                                  \
                            " FROM concerns c, (SELECT time_zone AS tz FROM calendar_settings) z"                      \
                            " WHERE " in(                                                                              \
                                "c.student_number") " ORDER BY c.student_number COLLATE \"C\", c.raised_at, c.id"

/* roles as PE_ROLE_* bits; permanent_exception: a non-permanent tutor's exception recorded with who
 * agreed it (sql/011). */
/* The staff numbers of the tutors of a small set (KEYS_FEW): everyone allocated to a student in $1, and $2
 * (the tutor of FACTS_BY_TUTOR, else NULL). The tutor tables select by it (as an array: index scans on their
 * staff_number indexes), so that they go in the same round trip as the students' tables (rows of staff
 * outside the set are skipped when they are filed). */
#define TUTOR_KEYS "(SELECT a.staff_number FROM allocations a WHERE " IN_KEYS("a.student_number") " UNION SELECT $2)"

/* As TUTOR_KEYS for a large set (not KEYS_FEW): its tutors listed in $1 (the staff numbers of the allocations it
 * loaded: allocated_tutors), and $2. Each tutor statement derived them again from the allocations of the set's
 * keys: 11 ms of execution and 2-3 ms of planning per statement for a 4,000-student school (40,000-student
 * bench/gen), four times per request; from the listed staff numbers, 0.07 ms and 0.1 ms. It costs a round trip
 * of their own after the students' tables. */
#define TUTOR_LISTED_KEYS "(SELECT unnest($1::text[]) UNION SELECT $2)"

/* As TUTOR_KEYS for repo_facts_load_tutors: everyone allocated to a student numbered from $1[1] to $1[2]
 * ("C" order), a superset of the tutors of any keys in that range (a tutor beyond the set's is never looked
 * up), and the staff listed in $2 (text[]; NULL: none). A whole institution's keys as an array cost more to
 * plan and hash than the allocations do to scan: the four tutor statements took 1.3 s of a 160,000-student
 * KPI report. */
#define TUTOR_RANGE_KEYS                                                                                               \
    "(SELECT a.staff_number FROM allocations a"                                                                        \
    " WHERE a.student_number COLLATE \"C\" BETWEEN ($1::text[])[1] AND ($1::text[])[2]"                                \
    " UNION SELECT unnest($2::text[]))"

/* The staff numbers of everyone allocated to a student of school $1, at any time, as a text[] literal in "C"
 * order: a superset of the tutors of any page of the school's students (repo_facts_load_school_tutors). */
static const char SCHOOL_STAFF_SQL[] =
    "SELECT ARRAY(SELECT DISTINCT a.staff_number COLLATE \"C\" FROM students s"
    " JOIN allocations a ON a.student_number = s.student_number WHERE s.school = $1 ORDER BY 1)::text";

/* The tutors, with their earliest allocation and their personal tutees on $3. count(*) FILTER counts the
 * joined allocations only (kind is NULL on the row of a tutor without any): the statement reads no column
 * of allocations beyond those allocations_staff_number_idx holds (sql/023), so each tutor's allocations
 * come from one index-only lookup. */
#define TUTOR_SQL_OF(keys)                                                                                             \
    "SELECT st.staff_number, COALESCE(min(a.starts_on)::text, ''),"                                                    \
    "       count(*) FILTER (WHERE a.kind = 'personal' AND a.period @> $3::date), st.capacity,"                        \
    "       ('tutor' = ANY (st.roles))::int | 2 * ('senior_tutor' = ANY (st.roles))::int, st.permanent,"               \
    "       st.permanent_exception_agreed_by IS NOT NULL"                                                              \
    "  FROM staff st LEFT JOIN allocations a ON a.staff_number = st.staff_number"                                      \
    " WHERE st.staff_number = ANY (ARRAY" keys ")" /* by staff_pkey, not a scan of staff */                            \
    " GROUP BY st.staff_number ORDER BY st.staff_number COLLATE \"C\""

#define ABSENCE_SQL_OF(keys)                                                                                           \
    "SELECT staff_number, starts_on::text, ends_on::text, COALESCE(cover_staff_number, '') FROM tutor_absences"        \
    " WHERE staff_number = ANY (ARRAY" keys ") ORDER BY staff_number COLLATE \"C\", starts_on, id"

#define TRAINING_SQL_OF(keys)                                                                                          \
    "SELECT staff_number, array_position(" PE_SQL_ARRAY(                                                               \
        PE_VOCAB_TRAINING_KIND) ", kind) - 1, completed_on::text,"                                                     \
                                " COALESCE(score, -1) FROM training_records WHERE staff_number = ANY (ARRAY" keys ")"  \
                                " ORDER BY staff_number COLLATE \"C\", completed_on, id"

static const char *const TUTOR_SQLS[KEYS_FORMS] = {TUTOR_SQL_OF(TUTOR_KEYS), TUTOR_SQL_OF(TUTOR_LISTED_KEYS),
                                                   TUTOR_SQL_OF(TUTOR_LISTED_KEYS)};
static const char TUTOR_RANGE_SQL[] = TUTOR_SQL_OF(TUTOR_RANGE_KEYS);

/* Exemption periods; rules as one space-separated text (rule ids have no spaces). */
#define EXEMPTION_SQL(in)                                                                                              \
    "SELECT student_number, id, starts_on::text, ends_on::text, reason, array_to_string(rules, ' ')"                   \
    " FROM student_exemptions WHERE " in("student_number") " ORDER BY student_number COLLATE \"C\", starts_on, id"

/* The local days (calendar time zone) on which the people `who` selects were invited, as `role`, to
 * give feedback (sql/011 feedback_invitees). */
#define INVITED_SQL(role, who)                                                                                         \
    "SELECT fi.person, (inv.invited_at AT TIME ZONE z.tz)::date::text"                                                 \
    " FROM feedback_invitees fi JOIN feedback_invitations inv ON inv.id = fi.invitation_id,"                           \
    " (SELECT time_zone AS tz FROM calendar_settings) z"                                                               \
    " WHERE fi.role = '" role "' AND fi.person " who " ORDER BY fi.person COLLATE \"C\", 2"

/* The school's own facts (FACTS_BY_SCHOOL): active staff of the school holding senior_tutor, and the
 * students of the school with a personal tutor on the day `on`. The allocation's dates are compared as dates,
 * not as `a.period @> $2`: with the range, the planner may probe each student in the exclusion constraint's
 * GiST index (student_number, period), whose text keys cost 40-45 µs a probe. It did so for the largest school
 * (1,000 students) of a freshly generated 10,000-student bench/gen database: 44.8 ms of EXPLAIN ANALYZE, a
 * third of the school's compliance request (log_min_duration_statement: 45.9 of 133 ms). Without a range
 * condition the GiST index has nothing to offer: 2.9-6.0 ms on the same data, and at 40,000 students (4,000
 * in the school, a fresh database) a median of 16.4-16.9 ms against 20.9-22.9 ms (psql, 20 alternating
 * executions of each with custom plans, as a connection gets for its first five; generic plans no slower).
 * The tutees are counted as a join, not as `EXISTS (...)`: no student has two personal allocations in force on
 * one day (allocations_one_personal_tutor excludes overlapping ones), so the count is the same, and the join
 * hashes the school's students and scans the allocations once, where the semi-join hashed every allocation of
 * the institution. The largest school of a 160,000-student bench/gen institution (16,000 students): 83-127 ms
 * -> 48-55 ms; at 10,000 and 40,000 students, 8.3-8.7 -> 7.1-7.2 ms and 18.4-20.2 -> 15.3-20.3 ms (psql, three
 * alternating custom-plan executions of each, work_mem 64MB as a large set's). */
static const char SCHOOL_SQL[] =
    "SELECT (SELECT count(*) FROM staff st WHERE st.school = $1 AND st.active AND 'senior_tutor' = ANY (st.roles)),"
    " (SELECT count(*) FROM allocations a JOIN students s ON s.student_number = a.student_number"
    "   WHERE s.school = $1 AND a.kind = 'personal'"
    "   AND a.starts_on <= $2::date AND (a.ends_on IS NULL OR a.ends_on >= $2::date))";

/* The staff numbers of the senior tutors (staff_senior_tutors_idx, sql/022), in "C" order: a contact is with a
 * senior tutor when its staff member is one of them (take_seniors, parse_contact). */
static const char SENIOR_SQL[] =
    "SELECT staff_number FROM staff WHERE 'senior_tutor' = ANY (roles) ORDER BY staff_number COLLATE \"C\"";

/* ---- row helpers ---- */

static const char *text_at(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

/* A column's integer: PostgreSQL writes an integer's text as an optional '-' and decimal digits, which
 * this reads without strtoll's locale, space and base handling (strtoll was 6 % of tutord's CPU in a tutor's
 * agenda: three integers on each of hundreds of contacts). "" (a NULL) reads 0, as strtoll read it. */
static long long int_at(const PGresult *res, int row, int col)
{
    const char *p = PQgetvalue(res, row, col);
    int negative = *p == '-';
    unsigned long long v = 0;
    for (p += negative; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned long long)(*p - '0');
    return (long long)(negative ? 0 - v : v); /* unsigned: no overflow whatever the digits */
}

static pe_date date_at(const PGresult *res, int row, int col)
{
    pe_date d;
    return pe_date_parse(PQgetvalue(res, row, col), &d) == PE_OK ? d : PE_NO_DATE;
}

static int bool_at(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

/* The statements of one round trip (db_pipeline) and their results. */
#define FACTS_MAX_STEPS (16 + FACTS_TAIL_MAX)
struct trip {
    struct db_step steps[FACTS_MAX_STEPS];
    PGresult *results[FACTS_MAX_STEPS];
    size_t n;
};

/* Adds a statement to the trip: prepared by `name` when `named`, else unnamed (planned for its values). */
static void add_step(struct trip *t, int named, const char *name, const char *sql, int n, const char *const *params)
{
    t->steps[t->n++] = (struct db_step){named ? name : NULL, sql, n, params};
}

/* Sends the trip in one round trip; the first `own` statements are the set's (counted in queries). */
static enum app_status send_trip(struct db_conn *conn, struct facts_set *set, struct trip *t, size_t own)
{
    set->queries += (int)own;
    set->round_trips += t->n > 0;
    return db_pipeline(conn, t->steps, t->n, t->results, NULL);
}

/* Frees the results still held by the trip. */
static void clear_trip(struct trip *t)
{
    for (size_t i = 0; i < t->n; i++)
        PQclear(t->results[i]);
}

/* A zeroed array of n elements of `size` (a non-NULL pointer even for n == 0), or NULL on OOM. */
static void *rows_alloc(int n, size_t size)
{
    return calloc(n > 0 ? (size_t)n : 1, size);
}

static const char *query_student_key(const void *arg, size_t i)
{
    return ((const struct facts_query *)arg)->students[i];
}

static const char *set_student_key(const void *arg, size_t i)
{
    return ((const struct facts_set *)arg)->students[i].number;
}

/* Advances *cursor over the sorted students to `number`; its index, or -1 when absent. */
static long student_index(const struct facts_set *set, const char *number, size_t *cursor)
{
    while (*cursor < set->n_students && strcmp(set->students[*cursor].number, number) < 0)
        (*cursor)++;
    return *cursor < set->n_students && strcmp(set->students[*cursor].number, number) == 0 ? (long)*cursor : -1;
}

/* The index of student `number` for rows in any order (repo_facts_find's binary search), or -1; *last: the
 * previous row's answer, tried first (rows of one student come together). */
static long student_find(const struct facts_set *set, const char *number, long *last)
{
    if (*last >= 0 && strcmp(set->students[*last].number, number) == 0)
        return *last;
    long i = repo_facts_find(set, number);
    if (i >= 0)
        *last = i;
    return i;
}

/* As student_index, over the sorted tutors. */
static long tutor_index(const struct facts_set *set, const char *staff, size_t *cursor)
{
    while (*cursor < set->n_tutors && strcmp(set->tutors[*cursor].staff, staff) < 0)
        (*cursor)++;
    return *cursor < set->n_tutors && strcmp(set->tutors[*cursor].staff, staff) == 0 ? (long)*cursor : -1;
}

/* Row `row` belongs to the range (first, n) of an owner: the owner's first row opens it. */
static void extend_range(size_t *first, size_t *n, size_t row)
{
    if (*n == 0)
        *first = row;
    (*n)++;
}

/* ---- the loaders, one query each ---- */

/* Files the selected students (rows of SELECT_SQL). */
static enum app_status take_students(struct facts_set *set, const PGresult *res)
{
    int n = PQntuples(res);
    if (!(set->students = rows_alloc(n, sizeof(*set->students))))
        return APP_NOMEM;
    for (int r = 0; r < n; r++, set->n_students++) {
        struct facts_student *s = &set->students[r];
        pe_copy_text(s->number, PE_ID_LEN, text_at(res, r, 0));
        pe_copy_text(s->school, sizeof(s->school), text_at(res, r, 1));
        if (!(s->name = strdup(text_at(res, r, 2))))
            return set->n_students++, APP_NOMEM;
        s->student.level = (pe_level)int_at(res, r, 3);
        s->student.cohort = (pe_cohort_kind)int_at(res, r, 4);
        s->student.registered_on = date_at(res, r, 5);
        s->student.date_of_birth = date_at(res, r, 6);
        s->current.status = (pe_student_status)int_at(res, r, 7);
        s->current.from = s->student.registered_on;
        s->student.course_start = date_at(res, r, 8);
        s->facts_rev = int_at(res, r, 9);
    }
    return APP_OK;
}

/* A student with no history row (a row older than the history table): the current status, held since
 * registration. */
static void fill_missing_statuses(struct facts_set *set)
{
    for (size_t i = 0; i < set->n_students; i++) {
        struct facts_student *s = &set->students[i];
        if (s->student.n_statuses == 0) {
            s->student.statuses = &s->current;
            s->student.n_statuses = 1;
        }
    }
}

/* ---- the per-student and per-tutor tables: one query each, rows grouped under their owner ---- */

/* Parses row r of a table into `elem`. */
typedef void (*parse_fn)(const struct facts_set *set, const PGresult *res, int r, void *elem);
/* Files element `elem` (an index into its array) under owner `owner` (a student or tutor index). */
typedef void (*attach_fn)(struct facts_set *set, size_t owner, size_t elem);

struct table {
    const char *name[KEYS_FORMS]; /* its prepared statements' names, by the form of the keys */
    const char *sql[KEYS_FORMS];  /* by the form of the keys ($1: the owners'); rows grouped by owner (column
                                     0), sorted in "C" unless db_order */
    int prepared;                 /* prepared by name in every form, not only KEYS_FEW's (PREPARED_ALWAYS) */
    int db_order;                 /* the owners' groups come in the key column's collation: found by binary search */
    int by_tutor;                 /* owners are the set's tutors, else its students */
    int contact_filters;          /* $2 is the contact-kinds filter (facts_query.contact_kinds), $3 the
                                     instant the contacts are before (contacts_until) */
    size_t size;                  /* element size */
    size_t array, count;          /* offsets in struct facts_set of the element array and its count */
    parse_fn parse;
    attach_fn attach;
};

/* bsearch's strcmp of a key (a C string) and an element of facts_set.seniors. */
static int cmp_staff_number(const void *key, const void *elem)
{
    return strcmp(key, elem);
}

/* True when `staff` is one of the set's senior tutors (take_seniors). */
static int is_senior(const struct facts_set *set, const char *staff)
{
    return set->n_seniors > 0 &&
           bsearch(staff, set->seniors, set->n_seniors, sizeof(*set->seniors), cmp_staff_number) != NULL;
}

static void parse_status(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_status_entry *e = elem;
    e->from = date_at(res, r, 1);
    e->status = (pe_student_status)int_at(res, r, 2);
}

static void attach_status(struct facts_set *set, size_t owner, size_t elem)
{
    pe_student *s = &set->students[owner].student;
    if (s->n_statuses++ == 0)
        s->statuses = &set->statuses[elem];
}

static void parse_allocation(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_allocation *a = elem;
    pe_copy_text(a->tutor, PE_ID_LEN, text_at(res, r, 1));
    a->kind = (pe_alloc_kind)int_at(res, r, 2);
    a->starts_on = date_at(res, r, 3);
    a->ends_on = date_at(res, r, 4);
}

static void attach_allocation(struct facts_set *set, size_t owner, size_t elem)
{
    extend_range(&set->students[owner].first_allocation, &set->students[owner].n_allocations, elem);
}

static void parse_contact(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    pe_contact *c = elem;
    c->id = int_at(res, r, 1);
    c->kind = (pe_contact_kind)pe_name_index(text_at(res, r, 2), PE_CONTACT_KIND_NAMES, PE_C__N);
    c->direction = strcmp(text_at(res, r, 3), PE_DIRECTION_NAMES[PE_DIR_FROM_STUDENT]) == 0 ? PE_DIR_FROM_STUDENT
                                                                                            : PE_DIR_TO_STUDENT;
    pe_copy_text(c->staff, PE_ID_LEN, c->direction == PE_DIR_FROM_STUDENT ? "" : text_at(res, r, 4));
    c->at = int_at(res, r, 5);
    c->attendance = (pe_attendance)pe_name_index(text_at(res, r, 6), PE_ATTENDANCE_NAMES, PE_ATT__N);
    c->reply_to = int_at(res, r, 7);
    c->wellbeing_check = bool_at(res, r, 8);
    c->senior_tutor = is_senior(set, text_at(res, r, 4));
    c->summary_at = 0; /* none, until a note summary says otherwise (take_summaries) */
}

static void attach_contact(struct facts_set *set, size_t owner, size_t elem)
{
    extend_range(&set->students[owner].first_contact, &set->students[owner].n_contacts, elem);
}

static void parse_concern(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_concern *c = elem;
    c->opened_on = date_at(res, r, 1);
    c->closed_on = date_at(res, r, 2);
    c->raised_by = (pe_raised_by)int_at(res, r, 3);
}

static void attach_concern(struct facts_set *set, size_t owner, size_t elem)
{
    extend_range(&set->students[owner].first_concern, &set->students[owner].n_concerns, elem);
}

static void parse_exemption(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_exemption *x = elem;
    x->id = int_at(res, r, 1);
    x->from = date_at(res, r, 2);
    x->to = date_at(res, r, 3);
    pe_copy_text(x->reason, sizeof(x->reason), text_at(res, r, 4));
    for (const char *p = text_at(res, r, 5); *p && x->n_rules < PE_EXEMPT_MAX_RULES;) {
        size_t n = strcspn(p, " ");
        snprintf(x->rules[x->n_rules++], PE_ID_LEN, "%.*s", (int)n, p);
        p += n + (p[n] == ' ');
    }
}

static void attach_exemption(struct facts_set *set, size_t owner, size_t elem)
{
    pe_student *s = &set->students[owner].student;
    if (s->n_exemptions++ == 0)
        s->exemptions = &set->exemptions[elem];
}

/* A feedback invitation day (student or tutor). */
static void parse_invited(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    *(pe_date *)elem = date_at(res, r, 1);
}

static void attach_invited(struct facts_set *set, size_t owner, size_t elem)
{
    pe_student *s = &set->students[owner].student;
    if (s->n_feedback_invited++ == 0)
        s->feedback_invited = &set->invited[elem];
}

static void attach_tutor_invited(struct facts_set *set, size_t owner, size_t elem)
{
    pe_tutor *t = &set->tutors[owner];
    if (t->n_feedback_invited++ == 0)
        t->feedback_invited = &set->tutor_invited[elem];
}

static void parse_absence(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_absence *a = elem;
    a->from = date_at(res, r, 1);
    a->to = date_at(res, r, 2);
    pe_copy_text(a->cover, PE_ID_LEN, text_at(res, r, 3));
}

static void attach_absence(struct facts_set *set, size_t owner, size_t elem)
{
    pe_tutor *t = &set->tutors[owner];
    if (t->n_absences++ == 0)
        t->absences = &set->absences[elem];
}

static void parse_training(const struct facts_set *set, const PGresult *res, int r, void *elem)
{
    (void)set;
    pe_training *x = elem;
    x->kind = (pe_training_kind)int_at(res, r, 1);
    x->on = date_at(res, r, 2);
    x->score = (int)int_at(res, r, 3);
}

static void attach_training(struct facts_set *set, size_t owner, size_t elem)
{
    pe_tutor *t = &set->tutors[owner];
    if (t->n_training++ == 0)
        t->training = &set->training[elem];
}

/* A table with its statement in each keys_form (few, contiguous, spread). */
#define TABLE4(few, contiguous, spread, prepared, db_order, by_tutor, filters, type, field, parse, attach)             \
    {                                                                                                                  \
        {"facts_" #attach, "facts_" #attach "_range", "facts_" #attach "_spread"}, {few, contiguous, spread},          \
            prepared, db_order, by_tutor, filters, sizeof(type), offsetof(struct facts_set, field),                    \
            offsetof(struct facts_set, n_##field), parse_##parse, attach_##attach                                      \
    }
#define TABLE3(few, contiguous, spread, db_order, by_tutor, filters, type, field, parse, attach)                       \
    TABLE4(few, contiguous, spread, 0, db_order, by_tutor, filters, type, field, parse, attach)
#define TABLE2(few, contiguous, spread, by_tutor, filters, type, field, parse, attach)                                 \
    TABLE3(few, contiguous, spread, 0, by_tutor, filters, type, field, parse, attach)
#define TABLE(few, contiguous, spread, by_tutor, filters, type, field, name)                                           \
    TABLE2(few, contiguous, spread, by_tutor, filters, type, field, name, name)
/* A student table with statement `m` (a macro of its selection) in each form. */
#define STUDENT_TABLE(m, type, field, name)                                                                            \
    TABLE(m(IN_KEYS), m(IN_KEY_RANGE), m(IN_KEY_RANGE_PROBED), 0, 0, type, field, name)
/* PREPARED_ALWAYS: a student table whose rows are few (concerns, exemptions, feedback invitations), prepared
 * by name in every form, not only KEYS_FEW's: unnamed, a large set's statement was parsed, analysed and
 * planned afresh for each batch's thousands of keys, which cost more than running it. Named, it is parsed
 * once per connection; binding still plans it for its keys (plan_cache_mode auto keeps the custom plan).
 * A 40,000-student KPI report (ten batches of 4,000), the time PostgreSQL logged parsing and binding them
 * (log_min_duration_statement=0, warm connections, two reports of each binary, alternating): concerns
 * 20.0/19.2 -> 6.8/6.7 ms, exemptions 15.0/14.1 -> 4.8/4.4, invitations 15.4/14.2 -> 4.8/8.9, note summaries
 * 13.7/15.0 -> 5.0/4.0; executing them 0.1-0.3 ms either way. Their forced generic plans gained nothing more.
 * Not the statuses, allocations and contacts: their generic plans cannot hash the keys (a parameter, not a
 * constant array) and filtered a report's batch row by row against its 4,000 keys (backend CPU per
 * execution 11 -> 215 ms and 14 -> 213 ms). */
#define PREPARED_STUDENT_TABLE(m, type, field, name)                                                                   \
    TABLE4(m(IN_KEYS), m(IN_KEY_RANGE), m(IN_KEY_RANGE_PROBED), 1, 0, 0, 0, type, field, name, name)
/* the invitations are few: by the keys alone in every form */
#define INVITED_TUTEE_SQL INVITED_SQL("tutee", "= ANY ($1::text[])")

static const struct table STUDENT_TABLES[] = {
    STUDENT_TABLE(STATUS_SQL, pe_status_entry, statuses, status),
    STUDENT_TABLE(ALLOCATION_SQL, pe_allocation, allocations, allocation),
    TABLE3(CONTACT_SQL(IN_KEYS), CONTACT_SQL(IN_KEY_RANGE_PROBED), CONTACT_SQL(IN_KEY_RANGE_PROBED), 1, 0, 1,
           pe_contact, contacts, contact, contact),
    PREPARED_STUDENT_TABLE(CONCERN_SQL, pe_concern, concerns, concern),
    PREPARED_STUDENT_TABLE(EXEMPTION_SQL, pe_exemption, exemptions, exemption),
    TABLE4(INVITED_TUTEE_SQL, INVITED_TUTEE_SQL, INVITED_TUTEE_SQL, 1, 0, 0, 0, pe_date, invited, invited, invited),
};

/* The tutors' records of the tutors the keys select, in each form. */
#define TUTOR_TABLES_OF(few, contiguous, spread)                                                                       \
    {                                                                                                                  \
        TABLE(ABSENCE_SQL_OF(few), ABSENCE_SQL_OF(contiguous), ABSENCE_SQL_OF(spread), 1, 0, pe_absence, absences,     \
              absence),                                                                                                \
            TABLE(TRAINING_SQL_OF(few), TRAINING_SQL_OF(contiguous), TRAINING_SQL_OF(spread), 1, 0, pe_training,       \
                  training, training),                                                                                 \
            TABLE2(INVITED_SQL("tutor", "= ANY (ARRAY" few ")"), INVITED_SQL("tutor", "= ANY (ARRAY" contiguous ")"),  \
                   INVITED_SQL("tutor", "= ANY (ARRAY" spread ")"), 1, 0, pe_date, tutor_invited, invited,             \
                   tutor_invited),                                                                                     \
    }
static const struct table TUTOR_TABLES[] = TUTOR_TABLES_OF(TUTOR_KEYS, TUTOR_LISTED_KEYS, TUTOR_LISTED_KEYS);
/* repo_facts_load_tutors' (a range of students: the same statements in every form) */
static const struct table TUTOR_RANGE_TABLES[] = TUTOR_TABLES_OF(TUTOR_RANGE_KEYS, TUTOR_RANGE_KEYS, TUTOR_RANGE_KEYS);
#define N_TUTOR_TABLES (sizeof(TUTOR_TABLES) / sizeof(TUTOR_TABLES[0]))

/* Files the rows of table t under their owners (rows of owners outside the set are skipped). */
static enum app_status take_table(struct facts_set *set, const struct table *t, const PGresult *res)
{
    int n = PQntuples(res);
    void **array = (void **)((char *)set + t->array);
    size_t *count = (size_t *)((char *)set + t->count), cursor = 0;
    long last = -1;
    if (!(*array = rows_alloc(n, t->size)))
        return APP_NOMEM;
    for (int r = 0; r < n; r++) {
        const char *key = text_at(res, r, 0);
        long owner = t->db_order   ? student_find(set, key, &last)
                     : t->by_tutor ? tutor_index(set, key, &cursor)
                                   : student_index(set, key, &cursor);
        if (owner < 0)
            continue;
        t->parse(set, res, r, (char *)*array + *count * t->size);
        t->attach(set, (size_t)owner, (*count)++);
    }
    return APP_OK;
}

/* Files the tutors (rows of TUTOR_SQL_OF). */
static enum app_status take_tutors(struct facts_set *set, const PGresult *res)
{
    int n = PQntuples(res);
    if (!(set->tutors = rows_alloc(n, sizeof(*set->tutors))))
        return APP_NOMEM;
    for (int r = 0; r < n; r++, set->n_tutors++) {
        pe_tutor *t = &set->tutors[r];
        pe_copy_text(t->staff, PE_ID_LEN, text_at(res, r, 0));
        t->started_on = date_at(res, r, 1);
        t->tutees = (int)int_at(res, r, 2);
        t->capacity = (int)int_at(res, r, 3);
        t->roles = (unsigned)int_at(res, r, 4);
        t->permanent = bool_at(res, r, 5);
        t->permanent_exception = bool_at(res, r, 6);
    }
    return APP_OK;
}

/* Sets summary_at of the contacts the rows of NOTE_SUMMARY_SQL name, each looked for among its student's. */
static void take_summaries(struct facts_set *set, const PGresult *res)
{
    long last = -1;
    for (int r = 0; r < PQntuples(res); r++) {
        long owner = student_find(set, text_at(res, r, 0), &last);
        if (owner < 0)
            continue;
        const struct facts_student *s = &set->students[owner];
        long long id = int_at(res, r, 1);
        for (size_t c = s->first_contact; c < s->first_contact + s->n_contacts; c++)
            if (set->contacts[c].id == id) {
                set->contacts[c].summary_at = int_at(res, r, 2);
                break;
            }
    }
}

/* The senior tutors (rows of SENIOR_SQL, in "C" order). */
static enum app_status take_seniors(struct facts_set *set, const PGresult *res)
{
    int n = PQntuples(res);
    if (!(set->seniors = rows_alloc(n, sizeof(*set->seniors))))
        return APP_NOMEM;
    for (int r = 0; r < n; r++)
        pe_copy_text(set->seniors[set->n_seniors++], PE_ID_LEN, text_at(res, r, 0));
    return APP_OK;
}

/* The school's own facts (a row of SCHOOL_SQL). */
static void take_school(struct facts_set *set, const PGresult *res)
{
    set->school.senior_tutors = (int)int_at(res, 0, 0);
    set->school.tutees = (int)int_at(res, 0, 1);
}

static const char *const SELECT_NAMES[] = {
    [FACTS_BY_STUDENTS] = "facts_by_students",
    [FACTS_BY_TUTOR] = "facts_by_tutor",
    [FACTS_BY_SCHOOL] = "facts_by_school",
};

/* The form of the statements for the n keys of a set selected by `by` (report batches are the only large
 * FACTS_BY_STUDENTS sets: contiguous ranges of the students). */
static enum keys_form keys_form_of(enum facts_selector by, size_t n)
{
    return n <= FACTS_NAMED_MAX ? KEYS_FEW : by == FACTS_BY_STUDENTS ? KEYS_CONTIGUOUS : KEYS_SPREAD;
}

/* The caller's head statements in a round trip of their own, their results to tail->opened (q->on). */
static enum app_status open_alone(struct db_conn *conn, struct facts_query *q, struct facts_set *set,
                                  struct facts_tail *tail)
{
    struct trip t = {.n = 0};
    t.n = tail->n_head = tail->head(tail->arg, t.steps);
    enum app_status st = send_trip(conn, set, &t, 0);
    if (st == APP_OK)
        st = tail->opened(tail->arg, t.results, &q->on);
    clear_trip(&t);
    return st;
}

/* The staff numbers of the allocations of a tutor's selected tutees (column 10 of SELECT_SQL[FACTS_BY_TUTOR]:
 * comma-separated), each once, as a text[] literal: TUTOR_KEYS of the set but for the tutor, whom
 * TUTOR_LISTED_KEYS adds. Each once, as allocated_tutors lists a large set's: the list of every tutee's staff,
 * repeats and all (a tutor's 21 tutees, 22 numbers for 2 people), cost the four tutor statements 10-17 us more
 * of the database's CPU. NULL when out of memory. */
static char *tutees_staff(const PGresult *res)
{
    struct strbuf all = {0};
    for (int r = 0; r < PQntuples(res); r++) {
        const char *staff = text_at(res, r, 10);
        if (*staff && all.len)
            strbuf_puts(&all, ",");
        strbuf_puts(&all, staff);
    }
    char *text = strbuf_take(&all), *save = NULL, *out = NULL;
    size_t n = 1;
    for (const char *p = text; p && *p; p++)
        n += *p == ',';
    const char **staff = text ? malloc(n * sizeof(*staff)) : NULL;
    size_t k = 0;
    for (char *tok = staff ? strtok_r(text, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save))
        staff[k++] = tok;
    if (staff)
        out = pg_array_literal(text_set_sort_distinct(staff, k), pg_array_string_key, staff);
    free(staff);
    free(text);
    return out;
}

/* Files a selection's results (`results`: the school's own facts when `school_facts`, the senior tutors, the
 * students) into the set, and *staff (FACTS_BY_TUTOR) the tutees' staff. */
static enum app_status take_selection(struct facts_set *set, const struct facts_query *q, PGresult *const *results,
                                      int school_facts, char **staff)
{
    if (school_facts)
        take_school(set, results[0]);
    enum app_status st = take_seniors(set, results[school_facts]);
    if (st == APP_OK)
        st = take_students(set, results[school_facts + 1]);
    if (st == APP_OK && q->by == FACTS_BY_TUTOR && !(*staff = tutees_staff(results[school_facts + 1])))
        st = APP_NOMEM;
    return st;
}

/* A round trip of the selection: the caller's head first when `head` (its results to tail->opened), the
 * school's own facts (FACTS_BY_SCHOOL) and the students selected; *staff (FACTS_BY_TUTOR, else left NULL) the
 * tutees' staff (tutees_staff). When `guessed` (the day the selection ran for) is not the day the head gives,
 * nothing is taken and *again is set: the selection is to run again, for that day. */
static enum app_status select_trip(struct db_conn *conn, struct facts_query *q, struct facts_set *set,
                                   struct facts_tail *head, char **staff, const char *guessed, int *again)
{
    char *keys = NULL;
    if (q->by == FACTS_BY_STUDENTS && !(keys = pg_array_literal(q->n_students, query_student_key, q)))
        return APP_NOMEM;
    const struct access_scope *sc = q->scope;
    char limit[24];
    snprintf(limit, sizeof(limit), "%zu", q->limit);
    const char *params[10] = {q->by == FACTS_BY_STUDENTS ? keys : q->key,
                              sc ? "t" : "f",
                              sc ? sc->params[0] : NULL,
                              sc ? sc->params[1] : NULL,
                              sc ? sc->params[2] : NULL,
                              sc ? sc->params[3] : NULL,
                              sc ? sc->params[4] : NULL,
                              q->by == FACTS_BY_SCHOOL ? q->after : q->on,
                              q->limit > 0 ? limit : NULL,
                              q->by == FACTS_BY_SCHOOL ? q->until : NULL};
    static const int n_params[] = {[FACTS_BY_STUDENTS] = 7, [FACTS_BY_TUTOR] = 8, [FACTS_BY_SCHOOL] = 10};
    int school_facts = q->by == FACTS_BY_SCHOOL && !q->after;
    const char *school_params[2] = {q->key, q->on};
    struct trip t = {.n = 0};
    if (head)
        t.n = head->n_head = head->head(head->arg, t.steps);
    size_t first = t.n;
    if (school_facts)
        add_step(&t, 1, "facts_school", SCHOOL_SQL, 2, school_params);
    add_step(&t, 1, "facts_senior_tutors", SENIOR_SQL, 0, NULL);
    int named = q->by != FACTS_BY_STUDENTS || keys_form_of(q->by, q->n_students) == KEYS_FEW;
    add_step(&t, named, SELECT_NAMES[q->by], named ? SELECT_SQL[q->by] : SELECT_BATCH_SQL, n_params[q->by], params);
    enum app_status st = send_trip(conn, set, &t, t.n - first);
    if (st == APP_OK && head)
        st = head->opened(head->arg, t.results, &q->on);
    *again = st == APP_OK && guessed && strcmp(q->on, guessed) != 0;
    if (st == APP_OK && !*again)
        st = take_selection(set, q, t.results + first, school_facts, staff);
    clear_trip(&t);
    free(keys);
    return st;
}

/* The first round trip, select_trip: with the caller's head when the selection does not need the day, or
 * when the caller guesses the day (tail->guess; q->on is the head's day once it is read); else after the
 * head, alone. A wrong guess costs the selection again. */
static enum app_status load_selection(struct db_conn *conn, struct facts_query *q, struct facts_set *set,
                                      struct facts_tail *tail, char **staff)
{
    int head = tail && tail->head;
    char guessed[11];
    const char *guess = head && q->by != FACTS_BY_STUDENTS && tail->guess ? tail->guess(tail->arg, guessed) : NULL;
    if (guess)
        q->on = guess;
    int together = head && (q->by == FACTS_BY_STUDENTS || guess);
    enum app_status st = head && !together ? open_alone(conn, q, set, tail) : APP_OK;
    int again = 0;
    if (st == APP_OK)
        st = select_trip(conn, q, set, together ? tail : NULL, staff, guess, &again);
    if (st == APP_OK && again)
        st = select_trip(conn, q, set, NULL, staff, NULL, &again);
    return st;
}

/* Queues the statements of the tutors of the set: the tutors (tutor_sql), their records (tables), in
 * `form`, prepared by name when `named` (KEYS_FEW's, and a tutor's tutees' listed staff: TUTOR_SQLS'). */
static void add_tutor_tables(struct trip *t, enum keys_form form, int named, const char *const *tutor_params,
                             const char *tutor_sql, const struct table *tables)
{
    add_step(t, named, form == KEYS_FEW ? "facts_tutors" : "facts_tutors_listed", tutor_sql, 3, tutor_params);
    for (size_t i = 0; i < N_TUTOR_TABLES; i++)
        add_step(t, named, tables[i].name[form], tables[i].sql[form], 2, tutor_params);
}

/* Files the results of add_tutor_tables' statements, in their order. */
static enum app_status take_tutor_tables(struct facts_set *set, PGresult *const *results, const struct table *tables)
{
    enum app_status st = take_tutors(set, results[0]);
    for (size_t i = 0; st == APP_OK && i < N_TUTOR_TABLES; i++)
        st = take_table(set, &tables[i], results[1 + i]);
    return st;
}

#define N_STUDENT_TABLES (sizeof(STUDENT_TABLES) / sizeof(STUDENT_TABLES[0]))

/* Queues the statements of the students' tables and their contacts' note summaries, in `form`. */
static void add_student_tables(struct trip *t, enum keys_form form, const char *const *student_params)
{
    static const char *const note_summary_sqls[KEYS_FORMS] = {NOTE_SUMMARY_SQL(IN_KEYS), NOTE_SUMMARY_SQL(IN_KEY_RANGE),
                                                              NOTE_SUMMARY_SQL(IN_KEY_RANGE_PROBED)};
    /* one name per form, each prepared (few rows, as PREPARED_ALWAYS's tables) */
    static const char *const note_summary_names[KEYS_FORMS] = {"facts_note_summaries", "facts_note_summaries_range",
                                                               "facts_note_summaries_spread"};
    int named = form != KEYS_CONTIGUOUS;
    for (size_t i = 0; i < N_STUDENT_TABLES; i++) {
        const struct table *tb = &STUDENT_TABLES[i];
        add_step(t, named || tb->prepared, tb->name[form], tb->sql[form], tb->contact_filters ? 3 : 1, student_params);
    }
    add_step(t, 1, note_summary_names[form], note_summary_sqls[form], 1, student_params);
}

/* Files the results of add_student_tables' statements, in their order. */
static enum app_status take_student_tables(struct facts_set *set, PGresult *const *results)
{
    enum app_status st = APP_OK;
    for (size_t i = 0; st == APP_OK && i < N_STUDENT_TABLES; i++)
        st = take_table(set, &STUDENT_TABLES[i], results[i]);
    if (st == APP_OK) {
        fill_missing_statuses(set);
        take_summaries(set, results[N_STUDENT_TABLES]);
    }
    return st;
}

/* The tutors' part of the set from `lender` (borrowed: nothing of it was queued). */
static void borrow_tutors(struct facts_set *set, const struct facts_set *lender)
{
    set->tutors = lender->tutors, set->n_tutors = lender->n_tutors;
    set->absences = lender->absences, set->n_absences = lender->n_absences;
    set->training = lender->training, set->n_training = lender->n_training;
    set->tutor_invited = lender->tutor_invited, set->n_tutor_invited = lender->n_tutor_invited;
    set->tutors_borrowed = 1;
}

/* The staff numbers of the set's allocations, each once, as a text[] literal (TUTOR_LISTED_KEYS' $1); NULL
 * when out of memory. */
static char *allocated_tutors(const struct facts_set *set)
{
    const char **staff = malloc((set->n_allocations + 1) * sizeof(*staff));
    if (!staff)
        return NULL;
    for (size_t i = 0; i < set->n_allocations; i++)
        staff[i] = set->allocations[i].tutor;
    char *out = pg_array_literal(text_set_sort_distinct(staff, set->n_allocations), pg_array_string_key, staff);
    free(staff);
    return out;
}

/* Queues the caller's tail after the trip's own statements (the set is known as far as it is loaded). */
static void add_tail(struct trip *t, struct facts_tail *tail, const struct facts_set *set)
{
    if (tail) {
        tail->n = tail->build(tail->arg, set, t->steps + t->n);
        t->n += tail->n;
    }
}

/* Hands the tail's results, after the trip's `own` statements, to the caller. */
static void keep_tail(struct trip *t, struct facts_tail *tail, size_t own)
{
    for (size_t k = 0; tail && k < tail->n; k++) {
        tail->results[k] = t->results[own + k];
        t->results[own + k] = NULL;
    }
}

/* Whether `lender` holds the facts the set needs of its tutors: counted on the set's day `on`, and of the
 * tutor of every allocation of the set. The lender's come from a snapshot of its own, taken before the set's:
 * an allocation made in between may name a tutor it lacks, and then the set loads its own. */
static int lends_every_tutor(const struct facts_set *lender, const struct facts_set *set, const char *on)
{
    if (strcmp(lender->on, on ? on : "") != 0)
        return 0;
    for (size_t i = 0; i < set->n_allocations; i++)
        if (!repo_facts_tutor(lender, set->allocations[i].tutor))
            return 0;
    return 1;
}

/* The caller's tail in a round trip of its own (the set's tutors borrowed). */
static enum app_status load_tail(struct db_conn *conn, struct facts_set *set, struct facts_tail *tail)
{
    struct trip t = {.n = 0};
    add_tail(&t, tail, set);
    enum app_status st = t.n ? send_trip(conn, set, &t, 0) : APP_OK;
    keep_tail(&t, tail, 0);
    clear_trip(&t);
    return st;
}

/* The third round trip of a large set (not KEYS_FEW) whose tutors are not borrowed: its tutors' tables, keyed by
 * the staff numbers of the allocations the second loaded (TUTOR_LISTED_KEYS), then the caller's tail. */
static enum app_status load_listed_tutors(struct db_conn *conn, const struct facts_query *q, struct facts_set *set,
                                          enum keys_form form, struct facts_tail *tail)
{
    char *staff = allocated_tutors(set);
    if (!staff)
        return APP_NOMEM;
    const char *params[3] = {staff, q->by == FACTS_BY_TUTOR ? q->key : NULL, q->on};
    struct trip t = {.n = 0};
    add_tutor_tables(&t, form, form == KEYS_SPREAD, params, TUTOR_SQLS[form], TUTOR_TABLES); /* as the students' */
    size_t own = t.n;
    add_tail(&t, tail, set);
    enum app_status st = send_trip(conn, set, &t, own);
    if (st == APP_OK)
        st = take_tutor_tables(set, t.results, TUTOR_TABLES);
    keep_tail(&t, tail, own);
    clear_trip(&t);
    free(staff);
    return st;
}

/* ---- the students' tables kept between requests (facts_cache.h) ---- */

/* Student i's facts in the set (its statuses: none when it has only `current`, no history row). */
static struct student_facts student_facts_of(const struct facts_set *set, size_t i)
{
    const struct facts_student *s = &set->students[i];
    int history = s->student.statuses != &s->current;
    return (struct student_facts){
        .statuses = history ? s->student.statuses : NULL,
        .n_statuses = history ? s->student.n_statuses : 0,
        .allocations = set->allocations + s->first_allocation,
        .n_allocations = s->n_allocations,
        .contacts = set->contacts + s->first_contact,
        .n_contacts = s->n_contacts,
        .concerns = set->concerns + s->first_concern,
        .n_concerns = s->n_concerns,
        .exemptions = s->student.exemptions,
        .n_exemptions = s->student.n_exemptions,
        .invited = s->student.feedback_invited,
        .n_invited = s->student.n_feedback_invited,
    };
}

/* Keeps each student's facts of the set, just loaded in the snapshot `key` (but for its rev) describes. */
static void put_cached(const struct facts_set *set, const struct facts_cache_key *key)
{
    for (size_t i = 0; i < set->n_students; i++) {
        struct facts_cache_key k = *key;
        k.rev = set->students[i].facts_rev;
        struct student_facts f = student_facts_of(set, i);
        facts_cache_put(set->students[i].number, &k, &f);
    }
}

/* Appends n elements of `size` from src to the array `base` of *count elements (room made); the index of the first. */
static size_t append_rows(void *base, size_t *count, const void *src, size_t n, size_t size)
{
    size_t at = *count;
    if (n)
        memcpy((char *)base + at * size, src, n * size);
    *count += n;
    return at;
}

/* Files the held facts of every student into the set's arrays, as take_student_tables would the rows. */
static enum app_status file_cached(struct facts_set *set, const struct student_facts *const *held)
{
    struct student_facts all = {0};
    for (size_t i = 0; i < set->n_students; i++) {
        all.n_statuses += held[i]->n_statuses;
        all.n_allocations += held[i]->n_allocations;
        all.n_contacts += held[i]->n_contacts;
        all.n_concerns += held[i]->n_concerns;
        all.n_exemptions += held[i]->n_exemptions;
        all.n_invited += held[i]->n_invited;
    }
    if (!(set->statuses = rows_alloc((int)all.n_statuses, sizeof(*set->statuses))) ||
        !(set->allocations = rows_alloc((int)all.n_allocations, sizeof(*set->allocations))) ||
        !(set->contacts = rows_alloc((int)all.n_contacts, sizeof(*set->contacts))) ||
        !(set->concerns = rows_alloc((int)all.n_concerns, sizeof(*set->concerns))) ||
        !(set->exemptions = rows_alloc((int)all.n_exemptions, sizeof(*set->exemptions))) ||
        !(set->invited = rows_alloc((int)all.n_invited, sizeof(*set->invited))))
        return APP_NOMEM;
    for (size_t i = 0; i < set->n_students; i++) {
        struct facts_student *s = &set->students[i];
        const struct student_facts *f = held[i];
        size_t at = append_rows(set->statuses, &set->n_statuses, f->statuses, f->n_statuses, sizeof(*f->statuses));
        if (f->n_statuses)
            s->student.statuses = set->statuses + at, s->student.n_statuses = f->n_statuses;
        s->first_allocation = append_rows(set->allocations, &set->n_allocations, f->allocations, f->n_allocations,
                                          sizeof(*f->allocations));
        s->n_allocations = f->n_allocations;
        facts_cache_contacts(f, set->contacts + set->n_contacts);
        s->first_contact = set->n_contacts;
        s->n_contacts = f->n_contacts;
        set->n_contacts += f->n_contacts;
        s->first_concern =
            append_rows(set->concerns, &set->n_concerns, f->concerns, f->n_concerns, sizeof(*f->concerns));
        s->n_concerns = f->n_concerns;
        at = append_rows(set->exemptions, &set->n_exemptions, f->exemptions, f->n_exemptions, sizeof(*f->exemptions));
        if (f->n_exemptions)
            s->student.exemptions = set->exemptions + at, s->student.n_exemptions = f->n_exemptions;
        at = append_rows(set->invited, &set->n_invited, f->invited, f->n_invited, sizeof(*f->invited));
        if (f->n_invited)
            s->student.feedback_invited = set->invited + at, s->student.n_feedback_invited = f->n_invited;
    }
    fill_missing_statuses(set);
    return APP_OK;
}

/* 1 when the cache holds every student's facts for `key` (each with its own rev): they are filed into the set
 * (*st: APP_NOMEM when they could not be); else 0, and the set is as it was. */
static int take_cached(struct facts_set *set, const struct facts_cache_key *key, enum app_status *st)
{
    const struct student_facts **held = calloc(set->n_students, sizeof(*held));
    if (!held)
        return 0;
    size_t n = 0;
    for (; n < set->n_students; n++) {
        struct facts_cache_key k = *key;
        k.rev = set->students[n].facts_rev;
        if (!(held[n] = facts_cache_get(set->students[n].number, &k)))
            break;
    }
    int all = n == set->n_students;
    if (all)
        *st = file_cached(set, held);
    for (size_t i = 0; i < n; i++)
        facts_cache_release(held[i]);
    free(held);
    return all;
}

/* The bound of the contacts to load for evaluations as of the day `on` ("YYYY-MM-DD"; NULL or unreadable:
 * every contact, "infinity"), written into buf: the start of the third day after it, as a date the database
 * reads at midnight in its session's time zone. Whatever that zone and the calendar's (UTC offsets from -12 to
 * +14 hours), that instant is after the end of the day `on` in the calendar's zone, the latest as_of. */
static const char *contacts_until(const char *on, char buf[11])
{
    pe_date day;
    return on && pe_date_parse(on, &day) == PE_OK ? pe_date_format(day + 3, buf) : "infinity";
}

/* The second round trip: every table of the set (none when nobody was selected, but for a tutor's own
 * facts), then the caller's tail; a large set's tutors and the tail in a third (load_listed_tutors), but for
 * a tutor's tutees, whose tutors are listed already (`staff`: tutees_staff). */
static enum app_status load_rest(struct db_conn *conn, const struct facts_query *q, struct facts_set *set,
                                 struct facts_tail *tail, const char *staff, int in_snapshot)
{
    char *keys = pg_array_literal(set->n_students, set_student_key, set);
    if (!keys)
        return APP_NOMEM;
    char until[11];
    const char *student_params[3] = {keys, q->contact_kinds, contacts_until(q->on, until)};
    const char *tutor_params[3] = {staff ? staff : keys, q->by == FACTS_BY_TUTOR ? q->key : NULL, q->on};
    struct trip t = {.n = 0};
    int tables = set->n_students > 0 || q->by == FACTS_BY_TUTOR;
    enum keys_form form = keys_form_of(q->by, set->n_students);
    int lent = tables && q->tutors_from, own_tutors = tables && !q->tutors_from;
    int tutors_now = own_tutors && (form == KEYS_FEW || staff), tutors_later = own_tutors && !tutors_now;
    int caching = set->n_students > 0 && form == KEYS_FEW && !q->contact_kinds && in_snapshot && facts_cache_enabled();
    struct facts_cache_key key = {.seniors_hash = caching ? facts_cache_seniors_hash(set->seniors, set->n_seniors) : 0};
    pe_copy_text(key.until, sizeof(key.until), student_params[2]);
    enum app_status st = APP_OK;
    int cached = caching && take_cached(set, &key, &st);
    if (st != APP_OK) {
        free(keys);
        return st;
    }
    int students_now = tables && !cached;
    enum keys_form tutor_form = staff ? KEYS_SPREAD : form;
    if (students_now)
        add_student_tables(&t, form, student_params);
    size_t tutors_at = t.n;
    if (tutors_now)
        add_tutor_tables(&t, tutor_form, form == KEYS_FEW, tutor_params, TUTOR_SQLS[tutor_form], TUTOR_TABLES);
    size_t own = t.n;
    if (!tutors_later && !lent)
        add_tail(&t, tail, set);
    st = t.n ? send_trip(conn, set, &t, own) : APP_OK;
    if (st == APP_OK && students_now)
        st = take_student_tables(set, t.results);
    if (st == APP_OK && tutors_now)
        st = take_tutor_tables(set, t.results + tutors_at, TUTOR_TABLES);
    if (st == APP_OK && caching && !cached)
        put_cached(set, &key);
    keep_tail(&t, tail, own);
    clear_trip(&t);
    free(keys);
    if (st != APP_OK || !(lent || tutors_later))
        return st;
    if (lent && lends_every_tutor(q->tutors_from, set, q->on)) {
        borrow_tutors(set, q->tutors_from);
        return load_tail(conn, set, tail);
    }
    /* a listed form: KEYS_FEW's tutor statements derive the tutors from the keys, not from a list */
    return load_listed_tutors(conn, q, set, form == KEYS_FEW ? KEYS_SPREAD : form, tail);
}

/* ---- the API ---- */

enum app_status repo_facts_load_with(struct db_conn *conn, const struct facts_query *q, struct facts_set *out,
                                     struct facts_tail *tail)
{
    memset(out, 0, sizeof(*out));
    if (tail) {
        memset(tail->results, 0, sizeof(tail->results));
        tail->n = tail->n_head = 0;
    }
    struct facts_query fq = *q; /* fq.on may come from the head (tail->opened) */
    char *staff = NULL;
    enum app_status st = load_selection(conn, &fq, out, tail, &staff);
    if (st == APP_OK)
        st = load_rest(conn, &fq, out, tail, staff, tail && tail->head);
    free(staff);
    return st;
}

enum app_status repo_facts_load(struct db_conn *conn, const struct facts_query *q, struct facts_set *out)
{
    return repo_facts_load_with(conn, q, out, NULL);
}

/* A lender's tutors (repo_facts_load_tutors, repo_facts_load_school_tutors) in one round trip: the snapshot's
 * start when `begin` (else the caller began it), the tutors' tables of `tables` (params: $1 their keys, $2 the
 * staff listed, $3 on), then the snapshot's end. */
static enum app_status load_lender(struct db_conn *conn, int begin, const char *const *params, const char *tutor_sql,
                                   const struct table *tables, struct facts_set *out)
{
    pe_copy_text(out->on, sizeof(out->on), params[2] ? params[2] : "");
    struct trip t = {.n = 0};
    if (begin)
        add_step(&t, 0, NULL, DB_SNAPSHOT_BEGIN, 0, NULL);
    add_tutor_tables(&t, KEYS_CONTIGUOUS, 0, params, tutor_sql, tables);
    add_step(&t, 0, NULL, "ROLLBACK", 0, NULL);
    enum app_status st = send_trip(conn, out, &t, t.n - 1 - (size_t)begin);
    if (st == APP_OK)
        st = take_tutor_tables(out, t.results + begin, tables);
    else
        db_rollback(conn);
    clear_trip(&t);
    return st;
}

enum app_status repo_facts_load_tutors(struct db_conn *conn, const char *first, const char *last,
                                       const char *const *staff, size_t n_staff, const char *on, struct facts_set *out)
{
    memset(out, 0, sizeof(*out));
    const char *ends[2] = {first ? first : "", last ? last : ""};
    struct facts_query q = {.by = FACTS_BY_STUDENTS, .students = ends, .n_students = 2};
    char *range = pg_array_literal(2, query_student_key, &q),
         *listed = pg_array_literal(n_staff, pg_array_string_key, staff);
    const char *params[3] = {range, listed, on};
    enum app_status st =
        range && listed ? load_lender(conn, 1, params, TUTOR_RANGE_SQL, TUTOR_RANGE_TABLES, out) : APP_NOMEM;
    free(range);
    free(listed);
    return st;
}

enum app_status repo_facts_load_school_tutors(struct db_conn *conn, const char *school, const char *on,
                                              struct facts_set *out)
{
    memset(out, 0, sizeof(*out));
    struct trip t = {.n = 0};
    add_step(&t, 0, NULL, DB_SNAPSHOT_BEGIN, 0, NULL);
    add_step(&t, 1, "facts_school_staff", SCHOOL_STAFF_SQL, 1, &school);
    enum app_status st = send_trip(conn, out, &t, 1);
    if (st == APP_OK && PQntuples(t.results[1]) != 1)
        st = APP_UNAVAILABLE;
    if (st == APP_OK) {
        /* the staff as TUTOR_LISTED_KEYS' list, in the snapshot of the list */
        const char *params[3] = {PQgetvalue(t.results[1], 0, 0), NULL, on};
        st = load_lender(conn, 0, params, TUTOR_SQLS[KEYS_CONTIGUOUS], TUTOR_TABLES, out);
    } else {
        db_rollback(conn);
    }
    clear_trip(&t);
    return st;
}

/* The pages of school $1's students in "C" order, for pages of at most $2 (repo_facts.h): one row per page but
 * the last, the number of its last student. Every student is numbered once (a window over students_school_idx),
 * where asking for the next two pages after each pair scanned the school's students again per pair and left both
 * connections idle while it ran. */
static const char SCHOOL_BOUNDS_SQL[] =
    "WITH x AS (SELECT s.student_number, row_number() OVER (ORDER BY s.student_number COLLATE \"C\") AS k"
    " FROM students s WHERE s.school = $1),"
    " n AS (SELECT count(*) AS total, GREATEST(2, (count(*) + $2::bigint - 1) / $2::bigint) AS pages FROM x),"
    " w AS (SELECT total, (total + pages + pages % 2 - 1) / (pages + pages % 2) AS stride FROM n)"
    " SELECT x.student_number FROM x, w WHERE w.stride > 0 AND x.k % w.stride = 0 AND x.k < w.total ORDER BY x.k";

enum app_status repo_facts_school_bounds(struct db_conn *conn, const char *school, size_t half,
                                         char (**bounds)[PE_ID_LEN], size_t *n_pages)
{
    char half_text[24];
    snprintf(half_text, sizeof(half_text), "%zu", half ? half : 1);
    const char *params[2] = {school, half_text};
    PGresult *res = NULL;
    *bounds = NULL;
    *n_pages = 1;
    enum app_status st = db_query(conn, SCHOOL_BOUNDS_SQL, 2, params, &res, NULL);
    size_t n = st == APP_OK ? (size_t)PQntuples(res) : 0;
    if (n > 0 && !(*bounds = calloc(n, sizeof(**bounds))))
        st = APP_NOMEM;
    for (size_t i = 0; st == APP_OK && i < n; i++)
        pe_copy_text((*bounds)[i], PE_ID_LEN, PQgetvalue(res, (int)i, 0));
    if (st == APP_OK)
        *n_pages = n + 1;
    PQclear(res);
    return st;
}

void repo_facts_free(struct facts_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; set->students && i < set->n_students; i++)
        free(set->students[i].name);
    free(set->students);
    free(set->statuses);
    free(set->allocations);
    free(set->contacts);
    free(set->concerns);
    if (!set->tutors_borrowed) {
        free(set->tutors);
        free(set->absences);
        free(set->training);
        free(set->tutor_invited);
    }
    free(set->exemptions);
    free(set->invited);
    free(set->seniors);
    memset(set, 0, sizeof(*set));
}

long repo_facts_find(const struct facts_set *set, const char *number)
{
    size_t lo = 0, hi = set->n_students;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->students[mid].number, number);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const pe_tutor *repo_facts_tutor(const struct facts_set *set, const char *staff)
{
    size_t lo = 0, hi = set->n_tutors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->tutors[mid].staff, staff);
        if (c == 0)
            return &set->tutors[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Copies the facts of each distinct tutor of the student's allocations into tutors[0..cap). */
static size_t student_tutors(const struct facts_set *set, const struct facts_student *s, pe_tutor *tutors, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < s->n_allocations; k++) {
        const pe_tutor *t = repo_facts_tutor(set, set->allocations[s->first_allocation + k].tutor);
        size_t j = 0;
        while (t && j < n && strcmp(tutors[j].staff, t->staff) != 0)
            j++;
        if (t && j == n && n < cap)
            tutors[n++] = *t;
    }
    return n;
}

void repo_facts_input(const struct facts_set *set, size_t i, pe_tutor *tutors, size_t cap, pe_input *in)
{
    const struct facts_student *s = &set->students[i];
    in->student = &s->student;
    in->allocations = set->allocations + s->first_allocation;
    in->n_allocations = s->n_allocations;
    in->contacts = set->contacts + s->first_contact;
    in->n_contacts = s->n_contacts;
    in->concerns = set->concerns + s->first_concern;
    in->n_concerns = s->n_concerns;
    in->tutors = tutors;
    in->n_tutors = student_tutors(set, s, tutors, cap);
}
