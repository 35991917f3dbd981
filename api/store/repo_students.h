/* repo_students.h — the SQL behind the students resource. JSON is rendered by the database
 * (tutord_student_json) and handed back as text. */
#ifndef TUTORD_REPO_STUDENTS_H
#define TUTORD_REPO_STUDENTS_H

#include <jansson.h>

#include "access.h"
#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_versioned.h"
#include "strbuf.h"

/* The student upsert's parts that the single-row PUT (repo_student_upsert) and the set-based import
 * (repo_imports.c) share, so both write the same columns and detect a no-op the same way: the target
 * with its column list (the rows to insert follow it), and the conflict clause that replaces the
 * writable columns and bumps the version only when one of them changed (nothing is returned for a
 * row that did not change). status_from (sql/012) is the day the written status holds from: when it is not
 * given, a changed status holds from today (not before registration) and an unchanged one keeps its
 * day; the same status with another status_from moves it (the history trigger does the rest). */
#define STUDENT_UPSERT_INTO                                                                                            \
    "INSERT INTO students AS s (student_number, name, email, school, partner_school, programme, level, cohort,"        \
    " status, registered_on, course_start, date_of_birth, status_from)"
#define STUDENT_UPSERT_ON_CONFLICT                                                                                     \
    " ON CONFLICT (student_number) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,"                        \
    " school = EXCLUDED.school, partner_school = EXCLUDED.partner_school, programme = EXCLUDED.programme,"             \
    " level = EXCLUDED.level, cohort = EXCLUDED.cohort, status = EXCLUDED.status,"                                     \
    " registered_on = EXCLUDED.registered_on, course_start = EXCLUDED.course_start,"                                   \
    " date_of_birth = EXCLUDED.date_of_birth, version = s.version + 1, updated_at = now(),"                            \
    " status_from = COALESCE(EXCLUDED.status_from, CASE WHEN EXCLUDED.status IS DISTINCT FROM s.status"                \
    "   THEN greatest(current_date, EXCLUDED.registered_on) ELSE s.status_from END)"                                   \
    " WHERE (s.name, s.email, s.school, s.partner_school, s.programme, s.level, s.cohort, s.status,"                   \
    "        s.registered_on, s.course_start, s.date_of_birth)"                                                        \
    "   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.email, EXCLUDED.school, EXCLUDED.partner_school,"                    \
    "        EXCLUDED.programme, EXCLUDED.level, EXCLUDED.cohort, EXCLUDED.status, EXCLUDED.registered_on,"            \
    "        EXCLUDED.course_start, EXCLUDED.date_of_birth)"                                                           \
    "    OR (EXCLUDED.status_from IS NOT NULL AND EXCLUDED.status_from <> COALESCE(s.status_from, s.registered_on))"

/* Prepared statements for the hot student queries, for db_pool_new. */
extern const struct db_statement REPO_STUDENT_STATEMENTS[];

struct student_filter {
    const char *school, *status, *level, *cohort, *tutor, *q;
    int unallocated;
    const char *after; /* keyset: student numbers greater than this */
    int limit;
};

/* One visible student, read on a connection of `pool` (joined with concurrent reads of its kind when the
 * scope sees all or is a tutor's: db_join.h): *json (malloc'd, with status_history) and *version
 * (malloc'd). APP_NOT_FOUND when absent or not visible to the scope (the two are indistinguishable on
 * purpose); APP_UNAVAILABLE when no connection could be had. Thread-safe. */
enum app_status repo_student_read(struct db_pool *pool, const char *number, const struct access_scope *scope,
                                  char **json, char **version);

/* A page of visible students in *out (zero-initialised, or an earlier attempt's page, freed first); its
 * next key is the last number when another page follows (page_rows_of). */
enum app_status repo_student_list(struct db_conn *conn, const struct student_filter *f,
                                  const struct access_scope *scope, struct page_rows *out);

/* Locks the row and returns its writable fields as an object (new reference) and version; within a
 * transaction. APP_NOT_FOUND when absent (then *fields and *version are NULL). */
enum app_status repo_student_lock(struct db_conn *conn, const char *number, json_t **fields, char **version);

/* Inserts or replaces a student from a validated object of writable fields (status_from included); no-op
 * updates change nothing. Appends a student.upserted event (the record without its history) when
 * anything changed. Within a transaction. *created is 1 for a new row. Returns the row's JSON with
 * status_history, as the history trigger left it, and its version (malloc'd). */
enum app_status repo_student_upsert(struct db_conn *conn, const char *number, const json_t *fields, const char *actor,
                                    int *created, char **json, char **version, struct db_error *err);

/* Checks across a student's fields that the field specs cannot: partner_school differs from school,
 * status_from is not before registered_on. Shared by PUT/PATCH and the import so a row is judged like
 * one PUT. Appends {field, message} to errors. Pure, thread-safe. */
void student_cross_check(const json_t *row, json_t *errors);

/* The students' lock (repo_student_lock) and upsert for repo_versioned_write_work; the upsert runs as
 * the caller, whom the history trigger audits. */
extern const struct versioned_ops repo_student_versioned;

#endif
