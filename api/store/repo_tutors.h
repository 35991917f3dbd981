/* repo_tutors.h — staff (tutors) in SQL: visible reads, keyset pages, upsert, current tutees, and the
 * tutor's absences (with cover) and training records. JSON is rendered by the database. */
#ifndef TUTORD_REPO_TUTORS_H
#define TUTORD_REPO_TUTORS_H

#include <jansson.h>

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "repo_allocations.h"
#include "repo_versioned.h"
#include "strbuf.h"

/* The staff upsert's parts that the single-row PUT (repo_tutor_upsert) and the set-based import
 * (repo_imports.c) share: the target with its column list (the rows to insert follow it), and the
 * conflict clause that replaces the writable columns and bumps the version only when one changed. The
 * import knows nothing of permanent-tutor exceptions: it keeps a staff member's, unless the row makes
 * them permanent (an exception is only for a tutor who is not). */
#define STAFF_UPSERT_COLUMNS "staff_number, name, email, school, roles, permanent, capacity, active"
#define STAFF_UPSERT_INTO "INSERT INTO staff AS t (" STAFF_UPSERT_COLUMNS ")"
/* The writable columns' tuple, each column prefixed by `p` ("t." or "EXCLUDED."), its parenthesis left
 * open so that more columns may follow. */
#define STAFF_UPSERT_TUPLE(p)                                                                                          \
    "(" p "name, " p "email, " p "school, " p "roles, " p "permanent, " p "capacity, " p "active"
#define STAFF_UPSERT_SET                                                                                               \
    " ON CONFLICT (staff_number) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,"                          \
    " school = EXCLUDED.school, roles = EXCLUDED.roles, permanent = EXCLUDED.permanent,"                               \
    " capacity = EXCLUDED.capacity, active = EXCLUDED.active, version = t.version + 1, updated_at = now()"
#define STAFF_UPSERT_ON_CONFLICT                                                                                       \
    STAFF_UPSERT_SET ", permanent_exception_agreed_by = CASE WHEN EXCLUDED.permanent THEN NULL"                        \
                     "  ELSE t.permanent_exception_agreed_by END,"                                                     \
                     " permanent_exception_note = CASE WHEN EXCLUDED.permanent THEN NULL"                              \
                     "  ELSE t.permanent_exception_note END"                                                           \
                     " WHERE " STAFF_UPSERT_TUPLE("t.") ") IS DISTINCT FROM " STAFF_UPSERT_TUPLE("EXCLUDED.") ")"

/* Who may read a staff record (tutord_staff_visible): admin and registry; the staff member themself; a
 * senior tutor of their school; and, when `students_too`, a student whose allocation with them is in
 * force today. Staff see `permanent_exception` ({agreed_by, note} or null); a student does not. */
enum app_status repo_tutor_get(struct db_conn *conn, const struct principal *who, const char *number, int students_too,
                               char **json, char **version);

/* The school of tutor `number` into school[size], when `who` may see the tutor (as repo_tutor_get);
 * APP_NOT_FOUND otherwise. One statement prepared once per connection. */
enum app_status repo_tutor_school(struct db_conn *conn, const struct principal *who, const char *number, char *school,
                                  size_t size);

struct tutor_filter {
    const char *school, *role; /* NULL: no filter */
    const char *active;        /* "t", "f" or NULL */
    const char *after;         /* keyset: staff numbers greater than this */
    int limit;
};

/* A page of the staff `who` may read (students excluded), by staff number: in *out with the next
 * key when another page follows (page_query). */
enum app_status repo_tutor_list(struct db_conn *conn, const struct principal *who, const struct tutor_filter *f,
                                struct page_rows *out);

/* Within a transaction: locks the row and returns its writable fields (new reference) and version
 * (malloc'd). APP_NOT_FOUND when absent (both NULL then). */
enum app_status repo_tutor_lock(struct db_conn *conn, const char *number, json_t **fields, char **version);

/* Within a transaction: inserts or replaces a staff member from a validated object of writable fields
 * (name, email, school, roles, permanent, capacity, active, permanent_exception; absent ones take their
 * defaults, an absent or null exception is none); a no-op changes nothing. Appends a staff.upserted event
 * (the record without the exception) and a staff.upsert audit row when anything changed.
 * *created is 1 for a new row; *json and *version are malloc'd. */
enum app_status repo_tutor_upsert(struct db_conn *conn, const struct principal *who, const char *number,
                                  const json_t *fields, int *created, char **json, char **version,
                                  struct db_error *err);

/* The staff's lock (repo_tutor_lock) and upsert (repo_tutor_upsert) for repo_versioned_write_work. */
extern const struct versioned_ops repo_tutor_versioned;

/* A page of the tutor's current tutees (allocations of any kind in force today whose student `who`
 * may see), each {"allocation": ..., "student": ...}, by allocation id. */
enum app_status repo_tutor_tutees(struct db_conn *conn, const struct principal *who, const char *number,
                                  const char *after, int limit, struct page_rows *out);

/* APP_OK when `who` is an admin or a senior tutor of the staff member's school; APP_FORBIDDEN
 * otherwise; APP_NOT_FOUND when there is no such staff member. */
enum app_status repo_tutor_senior_of(struct db_conn *conn, const struct principal *who, const char *number);

/* Within a transaction: records an absence of tutor `number` from a validated object (starts_on,
 * ends_on, reason, cover_tutor). With a cover tutor, every personal allocation of the absent tutor
 * overlapping the absence gets a cover allocation over the overlap (repo_allocation_create: events and
 * audit included). Refuses with APP_INVALID and *why ("ends_on", "cover_tutor"). *json (malloc'd) is
 * the absence with "cover_allocations": [ids]. */
enum app_status repo_absence_create(struct db_conn *conn, const struct principal *who, const char *number,
                                    const json_t *fields, char **json, struct alloc_refusal *why);

/* Within a transaction: records a training record from a validated object (kind: training, quiz,
 * mental_health_first_aid or essential; completed_on, score). APP_INVALID with *why: "score" (a quiz
 * needs one, every other kind has none), "completed_on" (in the future). *json (malloc'd) is the record. Audited. */
enum app_status repo_training_create(struct db_conn *conn, const struct principal *who, const char *number,
                                     const json_t *fields, char **json, struct alloc_refusal *why);

/* A page of a tutor's absences (`what` = "absences") or training records ("training"), by id. */
enum app_status repo_tutor_records(struct db_conn *conn, const char *what, const char *number, const char *after,
                                   int limit, struct page_rows *out);

/* APP_OK when the tutor's record is readable by `who` (students excluded), else APP_NOT_FOUND. */
enum app_status repo_tutor_readable(struct db_conn *conn, const struct principal *who, const char *number);

/* A tutor record writer: repo_absence_create or repo_training_create. */
typedef enum app_status (*tutor_record_writer)(struct db_conn *, const struct principal *, const char *, const json_t *,
                                               char **, struct alloc_refusal *);

/* One record to write for repo_tutor_record_work. Inputs borrowed; on APP_OK `json` is the record
 * (malloc'd; the caller frees it), on a refusal `why` names the field. */
struct tutor_record_write {
    const struct principal *who;
    const char *number;
    const json_t *fields;
    tutor_record_writer writer;
    char *json;
    struct alloc_refusal why;
};

/* uow_work: the tutor must be readable by the caller (APP_NOT_FOUND), the caller an admin or a senior
 * tutor of the tutor's school (APP_FORBIDDEN), then the writer. Safe to run again. */
enum app_status repo_tutor_record_work(struct db_conn *conn, void *work);

/* Student `number`'s tutors in force today (personal, cover, secondary) with name, email and office
 * hours, as {"student", "items": [...]} (malloc'd) — provided the student is there for `who`
 * (APP_NOT_FOUND otherwise). */
enum app_status repo_student_tutors(struct db_conn *conn, const struct principal *who, const char *number, char **json);

#endif
