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

#include "db.h"
#include "page_query.h"
#include "principal.h"
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
 * all): JSON array in *out with the next key when another page follows (page_query). */
enum app_status repo_feedback_invitations(struct db_conn *conn, const char *school, const char *year, const char *after,
                                          int limit, struct page_rows *out);

/* A page of invitation `id`'s invitees (of school `school`; APP_NOT_FOUND when it is not one of its
 * invitations), optionally of `role` ("tutee"/"tutor", NULL: both), by role then person: each
 * {role, person, name}. */
enum app_status repo_feedback_invitees(struct db_conn *conn, const char *school, const char *id, const char *role,
                                       const char *after, int limit, struct page_rows *out);

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

/* ---- units of work (uow_run) ----------------------------------------------------------------------- */

/* The caller's right over the school's survey of academic year `label` (an admin or a senior tutor of
 * the school: APP_FORBIDDEN; APP_NOT_FOUND when the school or the year does not exist). */
enum app_status repo_survey_gate(struct db_conn *conn, const struct principal *who, const char *school,
                                 const char *label);

/* Where a feedback write stopped: the school and the caller's right over it (403/404), If-Match (a
 * survey), the body's faults (found by the caller; an invitation's year not in the calendar is found
 * here: year_unknown), the write itself (the database's refusal in `err`). */
enum feedback_stage { FEEDBACK_GATE = 0, FEEDBACK_IF_MATCH, FEEDBACK_BODY, FEEDBACK_WRITE };

/* One feedback write, for repo_feedback_invite_work (year, audience, year_to_check) or
 * repo_survey_put_work (year: the label; fields; if_match). Inputs borrowed. On APP_OK `json` and (for
 * a survey) `version` are malloc'd for the caller and `created` says whether the survey is new;
 * otherwise `stage` says where it stopped and `locked_version` (malloc'd or NULL) is what If-Match was
 * compared with. */
struct feedback_write {
    const struct principal *who;
    const char *school, *year;
    const char *audience;      /* invite: a text[] literal */
    const char *year_to_check; /* invite: the year to look up in the calendar, NULL when malformed */
    const json_t *fields;      /* survey: the validated body */
    const char *if_match;      /* survey: the If-Match header, or NULL */
    int body_invalid;          /* the caller found the body invalid */
    int year_unknown;          /* invite: the year is not an academic year of the calendar */
    enum feedback_stage stage;
    int created;
    char *json, *version, *locked_version;
    struct db_error err;
};

/* uow_work: the caller's authority over the school, the year in the calendar, APP_INVALID at
 * FEEDBACK_BODY when body_invalid or year_unknown, then repo_feedback_invite. Safe to run again. */
enum app_status repo_feedback_invite_work(struct db_conn *conn, void *work);

/* uow_work: repo_survey_gate, the results locked (none yet is fine), If-Match
 * (APP_PRECONDITION_FAILED), APP_INVALID when body_invalid, then repo_survey_put. Safe to run again. */
enum app_status repo_survey_put_work(struct db_conn *conn, void *work);

#endif
