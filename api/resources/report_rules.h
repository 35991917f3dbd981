/* report_rules.h — the rule-based parts of the reports, judged by the policy engine over facts loaded
 * in a fixed number of queries (evaluation.h): the KPI "tutors not fulfilling the role" and the
 * engagement rows for missed-meeting escalations with no open concern. */
#ifndef TUTORD_REPORT_RULES_H
#define TUTORD_REPORT_RULES_H

#include <jansson.h>

#include "auth.h"
#include "csv_out.h"
#include "db.h"
#include "repo_reports.h"

/* True for an academic year label "YYYY/YY" whose second part is the year after the first. Pure. */
int report_is_year_label(const char *s);

/* Sets senior_tutor_hours in each workload row of `schools` ({school, tutees, ...}) from the school's
 * policy in `policies` ({school: policy in force on as_of}): pe_senior_hours_for its senior_tutor_hours
 * (e.g. Westminster Appendix 1: 200 h up to 1,000 tutees, +1 h per 10 more, at most 300) for the row's
 * tutees; null when the school has no policy or its policy sets no senior tutor hours. Pure. */
void report_rules_senior_hours(const json_t *policies, json_t *schools);

/* Appends to `items` one row per student (studying, with a personal tutor on as_of) whose
 * missed_meetings_escalation finding is breached on as_of and who has no open concern: reason
 * "missed_meetings_escalation", evidence the missed meetings; then sorts items by school, tutor, student,
 * reason (strcmp). The batches are read on conn and, when `second` is not NULL, on it at the same time
 * (batches.h). Returns APP_OK or the database failure / APP_NOMEM. */
enum app_status report_rules_engagement(struct db_conn *conn, struct db_conn *second, const struct principal *who,
                                        const char *school, const char *as_of, json_t *items);

/* Calls emit for every item of the engagement report in order (school, tutor, student, reason): the SQL items
 * `sql` (repo_report_engagement_finish) merged with the sorted rule items `rules`. A rule item comes as
 * emit(item, NULL, ctx), an SQL item as emit(NULL, text, ctx), its compact JSON text as the statement wrote
 * it (to_json's \u escapes in lower case); both borrowed. emit returns 0, or non-zero to stop. Returns 0 or
 * emit's value. */
int report_engagement_each(const struct report_table *sql, const json_t *rules,
                           int (*emit)(const json_t *item, const char *text, void *ctx), void *ctx);

/* Reports judge students in batches of contiguous student numbers (in "C" order), each batch's facts
 * loaded, judged and freed before the next: this many students per batch unless configured
 * (TUTORD_REPORT_BATCH_STUDENTS). A whole institution at once (40,000 students, 1.5 million contacts)
 * took 1.5 GB of memory. Each batch reads only its own range of the fact tables, so smaller batches cost
 * little more time; measured on a 160,000-student institution, a school of 16,000 students judged in pages
 * of 10,000 peaked at 294 MB, of 5,000 at 118 MB, of 2,500 at 66 MB. */
#define REPORT_BATCH_STUDENTS 4000

/* Sets the students per batch (0: REPORT_BATCH_STUDENTS); call before serving (not synchronised). */
void report_rules_set_batch(size_t students);

/* The students per batch set (also a page of GET /schools/{code}/compliance's students). */
size_t report_rules_batch(void);

/* The KPI list's CSV columns (one row per school and year), and how many there are. */
extern const struct csv_column REPORT_KPI_COLUMNS[];
extern const size_t REPORT_KPI_N_COLUMNS;

/* The KPI rows of `school` (NULL: every school, then the total; admin only) for academic year
 * `year_label` (NULL: the current one) judged on `as_of` (NULL: the year's end when over, else today):
 * access check, SQL aggregates in one snapshot (repo_report_kpis_start), and the rule-based count, which
 * sets tutors_not_fulfilling_role and breach_threshold in each row. A counted tutor does not fulfil the role
 * when, judged on the year's as_of, any tutor-level rule (training, quiz, caseload, ...) of their school's
 * policy is breached, or at least the threshold percent of the personal tutees they had during the year have
 * a breached meeting rule (first_meeting_within, meetings_per_year, meeting_each_term) under their own
 * school's policy. The threshold is `threshold` when positive (the request's breach_threshold), else the
 * school's policy's not_fulfilling_pct (default 25), the policy being the one in force on as_of. A school
 * without a policy cannot be judged: its value is null (the total sums the schools judged, null when none
 * was); so is its breach_threshold unless overridden. The total row's breach_threshold is the override, else
 * null. `pool` is conn's pool, or NULL: when it has a connection to spare (db_acquire_spare), the count is
 * judged on that one while the aggregates run, else after them; when it has two, the count's batches are
 * read on both at once (batches.h). APP_OK with *rows (new reference);
 * APP_FORBIDDEN / APP_NOT_FOUND as repo_report_access and repo_report_year say, or the database failure /
 * APP_NOMEM. */
enum app_status report_kpi_rows(struct db_conn *conn, struct db_pool *pool, const struct principal *who,
                                const char *school, const char *year_label, const char *as_of, double threshold,
                                json_t **rows);

/* An instant as RFC 3339 UTC ("2026-10-01T09:00:00Z") into buf (21 bytes), as the report SQL writes it. */
char *report_format_instant(long long t, char buf[21]);

#endif
