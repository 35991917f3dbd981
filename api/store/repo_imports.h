/* repo_imports.h — the SQL behind POST /students:import and POST /tutors:import: validated rows are
 * COPYed into a temporary staging table (row, key, doc jsonb; dropped at commit), checked set-based for
 * what only the database knows (schools that do not exist, a key given twice), then upserted with one
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE IS DISTINCT FROM, which leaves unchanged rows untouched, and
 * one event per changed record appended by the same statement. Records missing from a feed are never
 * deleted. Every function runs inside the caller's transaction. */
#ifndef TUTORD_REPO_IMPORTS_H
#define TUTORD_REPO_IMPORTS_H

#include <jansson.h>
#include <stddef.h>

#include "db.h"
#include "principal.h"
#include "strbuf.h"

/* What is imported: students by student_number, or staff by staff_number. */
struct import_kind {
    const char *key;          /* the natural key field, e.g. "student_number" */
    const char *table;        /* for http_problem_db: "students" or "staff" */
    const char *references;   /* fields naming a school, as a text[] literal: "{school,partner_school}" */
    const char *upsert_sql;   /* $1 = actor; answers one row (created, updated) */
    const char *audit_action; /* e.g. "student.import" */
};

extern const struct import_kind IMPORT_STUDENTS;
extern const struct import_kind IMPORT_TUTORS;

/* Creates the staging table and COPYs `len` bytes of PostgreSQL COPY text into it: one line per row,
 * "<row>\t<key>\t<doc JSON>\n", escaped for COPY (see repo_import_copy_line). */
enum app_status repo_import_stage(struct db_conn *conn, const char *copy_text, size_t len);

/* Appends one staged row to *out in COPY text format (the key must be letters and digits). */
void repo_import_copy_line(struct strbuf *out, long row, const char *key, const char *doc);

/* Appends {row, field, message} to `errors` for each staged row the database would refuse: a school
 * field naming no school, or a key already given on an earlier row. Returns APP_OK or the failure. */
enum app_status repo_import_check(struct db_conn *conn, const struct import_kind *kind, json_t *errors);

/* Removes from the staging table every row that `errors` names (for ?partial=true). */
enum app_status repo_import_drop(struct db_conn *conn, const json_t *errors);

/* Upserts the staged rows, appends one event per created or changed record, and records one audit row
 * for the import; sets the counts (unchanged = staged rows neither created nor changed). On a database
 * refusal fills *err and the transaction is aborted. */
enum app_status repo_import_apply(struct db_conn *conn, const struct import_kind *kind, const struct principal *who,
                                  long *created, long *updated, long *unchanged, struct db_error *err);

#endif
