/* repo_annual.h — the SQL of the annual school report (GET /reports/annual): the academic years it
 * compares, the Tutee Satisfaction figures recorded for a year, and the senior tutor's analysis with its
 * approval lifecycle (sql/016 annual_report_analyses, governance.h). Every function runs on the caller's
 * connection (not thread-safe on one connection, libpq). */
#ifndef TUTORD_REPO_ANNUAL_H
#define TUTORD_REPO_ANNUAL_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* The labels of academic year `label` and of up to `previous` years before it, newest first: a JSON
 * array (new reference). APP_NOT_FOUND when there is no such year. */
enum app_status repo_annual_years(struct db_conn *conn, const char *label, int previous, json_t **out);

/* The Student Academic Experience Survey figures of the school's year ({contact_pct, positive_pct,
 * actions}), or JSON null when none were recorded (new reference). */
enum app_status repo_annual_survey(struct db_conn *conn, const char *school, const char *year, json_t **out);

/* The analysis of the school's year as JSON (tutord_analysis_json; new reference), or JSON null. */
enum app_status repo_analysis_get(struct db_conn *conn, const char *school, const char *year, json_t **out);

/* The analysis's identity and state under a row lock. */
struct analysis_head {
    char id[24], status[12], version[24];
};

/* Within a transaction: locks the school's row (so two first writes serialise) and the analysis of the
 * year; *found is 0 when there is none yet (h then empty). APP_NOT_FOUND when there is no such school. */
enum app_status repo_analysis_lock(struct db_conn *conn, const char *school, const char *year, struct analysis_head *h,
                                   int *found);

/* Within a transaction: writes the analysis text (a new one, or a `draft`/`returned` one, which is back to
 * `draft` with its decision cleared); id[24] receives its id. The caller checked the state. */
enum app_status repo_analysis_write(struct db_conn *conn, const struct principal *who, const char *school,
                                    const char *year, const char *text, char id[24], struct db_error *err);

/* Within a transaction: moves analysis `id` to `to` (submitted, approved or returned, with the decider and
 * comment when decided). */
enum app_status repo_analysis_move(struct db_conn *conn, const char *id, const char *to, const struct principal *who,
                                   const char *comment);

#endif
