/* repo_reports.h — the reports' SQL: the KPI list (Leicester), the engagement action-plan list and the
 * workload (Westminster), aggregated in PostgreSQL from current data each time they are asked for.
 *
 * Every function runs on the caller's connection (not thread-safe on one connection, libpq) and returns
 * APP_OK with a new JSON reference the caller decrefs, or the database failure with *out NULL. The school
 * set a report covers is the `school` given, or every school the caller may see (admin: all; a senior
 * tutor: tutord_senior_schools) when it is NULL; check access first with repo_report_access. */
#ifndef TUTORD_REPO_REPORTS_H
#define TUTORD_REPO_REPORTS_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* Today in the institution's time zone, as an SQL expression of type date. */
#define REPORT_TODAY "(SELECT (now() AT TIME ZONE time_zone)::date FROM calendar_settings)"

/* May `who` read the reports of `school`? NULL means every school the caller may read: refused
 * (APP_FORBIDDEN) unless `whole_ok` or the caller is an admin (the institution-wide KPI view). APP_OK;
 * APP_FORBIDDEN for anyone but an admin or a senior tutor of the school (tutord_senior_schools), also
 * for a school that does not exist when the caller is not an admin (a senior tutor's answer never says
 * whether another school exists); APP_NOT_FOUND for an admin asking for a school that does not exist. */
enum app_status repo_report_access(struct db_conn *conn, const struct principal *who, const char *school, int whole_ok);

/* The contact kinds any stored policy's meeting rules count (first_meeting_within: meeting and
 * group_meeting; meetings_per_year and meeting_each_term: their `kinds`, default the same two), as a
 * text[] literal (malloc'd) to give facts_query.contact_kinds when only those rules are judged. */
enum app_status repo_report_meeting_kinds(struct db_conn *conn, char **literal);

/* Opens the read transaction a report's aggregate statements run in, with JIT compilation off for it
 * (compiling these many-join plans took seconds, far longer than running them) and 64 MB of work_mem
 * (their sorts and hashes stay in memory). End it with
 * db_rollback before evaluation_load, which opens its own. */
enum app_status repo_report_snapshot(struct db_conn *conn);

/* Today's date ("YYYY-MM-DD") in the institution's time zone, into out. */
enum app_status repo_report_today(struct db_conn *conn, char out[11]);

/* The academic year a KPI report covers and the day it is judged on. */
struct report_year {
    char label[16];
    char starts_on[11], ends_on[11];
    char as_of[11]; /* the given as_of, else the year's end when it is over, else today */
};

/* Resolves `label` (NULL: the year containing today, else the latest that started before today) and
 * `as_of` (may be NULL). APP_NOT_FOUND when there is no such year. */
enum app_status repo_report_year(struct db_conn *conn, const char *label, const char *as_of, struct report_year *out);

/* The KPI rows (SPEC §4a) of the school, or of every school then the institution total (school null):
 * a JSON array. tutors_not_fulfilling_role is null here: it needs the policy engine (report_rules.c).
 * In two halves, so that the caller may do other work meanwhile on another connection: _start leaves the
 * statement running on `conn` (db_send), _finish waits for it and parses its rows into *out (db_collect).
 * After a successful _start, _finish must be called before anything else runs on `conn`. */
enum app_status repo_report_kpis_start(struct db_conn *conn, const struct principal *who, const char *school,
                                       const struct report_year *year);
enum app_status repo_report_kpis_finish(struct db_conn *conn, json_t **out);

/* Each counted tutor of the KPI report (a personal tutee in the year up to as_of) with their school and
 * their personal tutees on as_of: a JSON array [{school, tutor, tutees: [student numbers]}]. */
enum app_status repo_report_kpi_tutors(struct db_conn *conn, const struct principal *who, const char *school,
                                       const struct report_year *year, json_t **out);

/* Rows of text held compactly in one block (a JSON array of 150,000 objects took about 100 MB): cell
 * (r, c) is cells[r * cols + c], NULL for an SQL null. */
struct report_table {
    const char **cells;
    size_t n, cols;
    char *text;
};

/* Frees the table; NULL-safe. */
void repo_report_table_free(struct report_table *t);

/* The engagement report's head {as_of, term, items: []} into *head, and the items built in SQL (no
 * attended meeting this term, unanswered outreach older than grace_days) into *items (free with
 * repo_report_table_free, also after a failure): columns REPORT_ITEM_*, sorted by school, tutor, student
 * and reason in the "C" collation (strcmp's). Rule-based rows are added by the caller. In two halves, so
 * that the caller may do other work meanwhile on another connection: _start reads the head and leaves the
 * items' statement running on `conn` (db_send); _finish waits for it and copies its rows (db_collect;
 * *items zeroed first). After a successful _start, _finish must be called before anything else runs on
 * `conn`. */
enum { REPORT_ITEM_SCHOOL, REPORT_ITEM_TUTOR, REPORT_ITEM_STUDENT, REPORT_ITEM_REASON, REPORT_ITEM_JSON };
enum app_status repo_report_engagement_start(struct db_conn *conn, const struct principal *who, const char *school,
                                             const char *as_of, int grace_days, json_t **head);
enum app_status repo_report_engagement_finish(struct db_conn *conn, struct report_table *items);

/* The students of the engagement report's schools with a personal tutor on as_of, with that tutor, in
 * student-number order ("C" collation), into *out (free with repo_report_table_free): columns
 * REPORT_TUTEE_*. */
enum {
    REPORT_TUTEE_STUDENT,
    REPORT_TUTEE_STUDENT_NAME,
    REPORT_TUTEE_SCHOOL,
    REPORT_TUTEE_TUTOR,
    REPORT_TUTEE_TUTOR_NAME
};
enum app_status repo_report_tutees(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *as_of, struct report_table *out);

/* The workload of each school: a JSON array [{school, as_of, tutees, allocated, tutors}], where tutors is
 * a string: the compact JSON text of [{tutor, name, capacity, tutees, cover_tutees, secondary_tutees,
 * pct_of_capacity, ...}], to be sent as it is; senior_tutor_hours come from the school's policy
 * (report_rules_senior_hours). */
enum app_status repo_report_workload(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *as_of, json_t **out);

/* The policy version in force on `as_of` (the last to take effect on or before it, else the earliest) of
 * each school of the report's set that has one: a JSON object {school: policy}. */
enum app_status repo_report_policies(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *as_of, json_t **out);

#endif
