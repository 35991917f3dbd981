/* repo_feedback.h — a school's feedback invitations and Student Academic Experience Survey results in
 * SQL (sql/011).
 *
 * Feedback invitations record that a school gave its tutees and personal tutors the opportunity to
 * comment on personal tutoring (Leicester CoP "Evaluation": "Tutees and Personal Tutors must be given
 * the opportunity to provide feedback on Personal Tutoring within their School at least once a year"),
 * with one row per person invited. Survey results are the school's two Tutee Satisfaction figures for a
 * year and what it did in response to feedback.
 *
 * Every function runs on the caller's connection (libpq: not thread-safe on one connection). Access is
 * checked by the caller (repo_school_authority). */
#ifndef TUTORD_REPO_FEEDBACK_H
#define TUTORD_REPO_FEEDBACK_H

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "strbuf.h"

/* True when `label` is an academic year of the calendar. APP_OK with *exists set, or the failure. */
enum app_status repo_feedback_year_exists(struct db_conn *conn, const char *label, int *exists);

/* Within a transaction: records an invitation of school `school` for academic year `year` to `audience`
 * (a text[] literal of "tutees"/"tutors"), by `who`, and its invitees as of today (institution time
 * zone): with "tutees", the school's students whose status is studying or away (year_abroad, placement,
 * suspended) — not withdrawn or completed — registered on or before today; with "tutors", the school's
 * active staff holding the tutor or senior_tutor role. Appends a feedback.invited event and a
 * feedback_invitation.create audit row (counts, no names). *json (malloc'd) is the invitation
 * (repo_feedback_invitation_json's shape); *id (malloc'd) its id. */
enum app_status repo_feedback_invite(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *year, const char *audience, char **json, char **id,
                                     struct db_error *err);

/* A page of school `school`'s invitations, by id ascending, optionally of academic year `year` (NULL:
 * all): JSON array appended to *items, *next_key (malloc'd) when another page follows. */
enum app_status repo_feedback_invitations(struct db_conn *conn, const char *school, const char *year, const char *after,
                                          int limit, struct strbuf *items, char **next_key);

/* A page of invitation `id`'s invitees (of school `school`; APP_NOT_FOUND when it is not one of its
 * invitations), optionally of `role` ("tutee"/"tutor", NULL: both), by role then person: each
 * {role, person, name}. */
enum app_status repo_feedback_invitees(struct db_conn *conn, const char *school, const char *id, const char *role,
                                       const char *after, int limit, struct strbuf *items, char **next_key);

/* School `school`'s survey results for academic year `year` ("2026/27") as *json and *version (both
 * malloc'd); with `lock`, within a transaction, the row is locked. APP_NOT_FOUND when none are
 * recorded. */
enum app_status repo_survey_get(struct db_conn *conn, const char *school, const char *year, int lock, char **json,
                                char **version);

/* Within a transaction: records (inserts or replaces) the survey results of `school` for `year` from a
 * validated object {contact_pct, positive_pct (numbers 0..100 or null; absent: null), actions (absent:
 * "")}; a no-op changes nothing. When something changed, bumps the version and appends a
 * survey_results.recorded event and a survey_results.put audit row. *created is 1 for a new row; *json
 * and *version are malloc'd. */
enum app_status repo_survey_put(struct db_conn *conn, const struct principal *who, const char *school, const char *year,
                                const json_t *fields, int *created, char **json, char **version, struct db_error *err);

#endif
