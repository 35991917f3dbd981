/* repo_feedback.c — feedback invitations with their invitees, and survey results, in SQL (see
 * repo_feedback.h). JSON is rendered by the database. */
#include "repo_feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "page_query.h"
#include "repo_policies.h"
#include "repo_reports.h"
#include "repo_row.h"
#include "wire.h"

/* Invitation i as JSON text, with how many of each role it invited. */
#define INVITATION_JSON                                                                                                \
    "json_build_object('id', i.id, 'school', i.school, 'year', i.year, 'audience', to_json(i.audience),"               \
    " 'invited_by', i.invited_by, 'invited_at', i.invited_at, 'invited', json_build_object("                           \
    "  'tutees', (SELECT count(*) FROM feedback_invitees x WHERE x.invitation_id = i.id AND x.role = 'tutee'),"        \
    "  'tutors', (SELECT count(*) FROM feedback_invitees x WHERE x.invitation_id = i.id AND x.role = 'tutor')))::text"

/* Survey results row r as JSON text. */
#define SURVEY_JSON                                                                                                    \
    "json_build_object('school', r.school, 'year', r.year, 'contact_pct', r.contact_pct,"                              \
    " 'positive_pct', r.positive_pct, 'actions', r.actions, 'recorded_by', r.recorded_by,"                             \
    " 'recorded_at', r.recorded_at, 'version', r.version)::text"

/* The invitees of invitation $1 (just inserted): its school's tutees and/or tutors as of today. */
static const char INVITEES_SQL[] =
    "INSERT INTO feedback_invitees (invitation_id, role, person)"
    " SELECT i.id, 'tutee', s.student_number FROM feedback_invitations i JOIN students s ON s.school = i.school"
    "  WHERE i.id = $1::bigint AND 'tutees' = ANY (i.audience)"
    "    AND s.status IN ('studying', 'year_abroad', 'placement', 'suspended')"
    "    AND s.registered_on <= " REPORT_TODAY " UNION ALL"
    " SELECT i.id, 'tutor', t.staff_number FROM feedback_invitations i JOIN staff t ON t.school = i.school"
    "  WHERE i.id = $1::bigint AND 'tutors' = ANY (i.audience) AND t.active"
    "    AND t.roles && ARRAY['tutor', 'senior_tutor']";

enum app_status repo_feedback_year_exists(struct db_conn *conn, const char *label, int *exists)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, "SELECT 1 FROM academic_years WHERE label = $1", 1, &label, &res, NULL);
    *exists = st == APP_OK && PQntuples(res) == 1;
    PQclear(res);
    return st;
}

/* The event (about `subject`, the school) and the audit row of one change to a school-level record
 * whose JSON is `json` (borrowed text). */
static enum app_status record_change(struct db_conn *conn, const struct principal *who, const char *kind,
                                     const char *action, const char *entity, const char *id, const char *subject,
                                     const char *json)
{
    json_t *payload = json_loads(json, 0, NULL);
    enum app_status st = payload ? audit_event(conn, who, kind, subject, payload) : APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, action, entity, id, NULL, payload);
    json_decref(payload);
    return st;
}

enum app_status repo_feedback_invite(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *year, const char *audience, char **json, char **id,
                                     struct db_error *err)
{
    const char *params[4] = {school, year, audience, who->sub};
    *json = NULL;
    enum app_status st = repo_row(conn,
                                  "INSERT INTO feedback_invitations (school, year, audience, invited_by)"
                                  " VALUES ($1, $2, $3::text[], $4) RETURNING id::text",
                                  4, params, err, (char **const[]){id}, 1);
    if (st == APP_OK)
        st = db_query(conn, INVITEES_SQL, 1, (const char *const *)id, NULL, err);
    if (st == APP_OK)
        st = repo_row(conn, "SELECT " INVITATION_JSON " FROM feedback_invitations i WHERE i.id = $1::bigint", 1,
                      (const char *const *)id, NULL, (char **const[]){json}, 1);
    if (st == APP_OK)
        st = record_change(conn, who, "feedback.invited", "feedback_invitation.create", "feedback_invitation", *id,
                           school, *json);
    return st;
}

static const char INVITATIONS_SQL[] =
    "SELECT " INVITATION_JSON ", i.id::text FROM feedback_invitations i"
    " WHERE i.school = $1 AND ($2::text IS NULL OR i.year = $2) AND ($3::bigint IS NULL OR i.id > $3::bigint)"
    " ORDER BY i.id LIMIT $4";

enum app_status repo_feedback_invitations(struct db_conn *conn, const char *school, const char *year, const char *after,
                                          int limit, struct page_rows *out)
{
    const char *params[4] = {school, year, after, NULL};
    return page_query(conn, INVITATIONS_SQL, 4, params, limit, NULL, NULL, out);
}

/* Invitees keyed "role/person" (a person number has no '/'), so the key orders as (role, person). */
static const char INVITEES_PAGE_SQL[] =
    "SELECT json_build_object('role', x.role, 'person', x.person,"
    "  'name', COALESCE(s.name, t.name))::text, x.role || '/' || x.person"
    " FROM feedback_invitees x JOIN feedback_invitations i ON i.id = x.invitation_id"
    " LEFT JOIN students s ON x.role = 'tutee' AND s.student_number = x.person"
    " LEFT JOIN staff t ON x.role = 'tutor' AND t.staff_number = x.person"
    " WHERE i.id = $1::bigint AND i.school = $2 AND ($3::text IS NULL OR x.role = $3)"
    "   AND ($4::text IS NULL OR x.role || '/' || x.person > $4 COLLATE \"C\")"
    " ORDER BY x.role || '/' || x.person COLLATE \"C\" LIMIT $5";

enum app_status repo_feedback_invitees(struct db_conn *conn, const char *school, const char *id, const char *role,
                                       const char *after, int limit, struct page_rows *out)
{
    const char *key[2] = {id, school};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn, "SELECT 1 FROM feedback_invitations WHERE id = $1::bigint AND school = $2", 2, key, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    PQclear(res);
    const char *params[5] = {id, school, role, after, NULL};
    return st == APP_OK ? page_query(conn, INVITEES_PAGE_SQL, 5, params, limit, NULL, NULL, out) : st;
}

enum app_status repo_survey_get(struct db_conn *conn, const char *school, const char *year, int lock, char **json,
                                char **version)
{
    const char *params[2] = {school, year};
    return repo_row(conn,
                    lock ? "SELECT " SURVEY_JSON ", r.version::text FROM survey_results r"
                           " WHERE r.school = $1 AND r.year = $2 FOR UPDATE"
                         : "SELECT " SURVEY_JSON ", r.version::text FROM survey_results r"
                           " WHERE r.school = $1 AND r.year = $2",
                    2, params, NULL, (char **const[]){json, version}, 2);
}

/* $3 is the fields object; absent figures are null, absent actions "". */
static const char SURVEY_UPSERT_SQL[] =
    "INSERT INTO survey_results AS r (school, year, contact_pct, positive_pct, actions, recorded_by)"
    " SELECT $1, $2, (f->>'contact_pct')::numeric, (f->>'positive_pct')::numeric, COALESCE(f->>'actions', ''), $4"
    "   FROM (SELECT $3::jsonb AS f) x"
    " ON CONFLICT (school, year) DO UPDATE SET contact_pct = EXCLUDED.contact_pct,"
    "  positive_pct = EXCLUDED.positive_pct, actions = EXCLUDED.actions, recorded_by = EXCLUDED.recorded_by,"
    "  recorded_at = now(), version = r.version + 1"
    " WHERE (r.contact_pct, r.positive_pct, r.actions)"
    "   IS DISTINCT FROM (EXCLUDED.contact_pct, EXCLUDED.positive_pct, EXCLUDED.actions)"
    " RETURNING (xmax = 0)::int::text, " SURVEY_JSON ", r.version::text";

enum app_status repo_survey_put(struct db_conn *conn, const struct principal *who, const char *school, const char *year,
                                const json_t *fields, int *created, char **json, char **version, struct db_error *err)
{
    char *text = json_dumps(fields, JSON_COMPACT), *was_created = NULL;
    const char *params[4] = {school, year, text, who->sub};
    *created = 0;
    *json = *version = NULL;
    enum app_status st =
        text ? repo_row(conn, SURVEY_UPSERT_SQL, 4, params, err, (char **const[]){&was_created, json, version}, 3)
             : APP_NOMEM;
    free(text);
    if (st == APP_NOT_FOUND) /* nothing changed: the row as it is */
        return repo_survey_get(conn, school, year, 0, json, version);
    if (st == APP_OK) {
        *created = strcmp(was_created, "1") == 0;
        st = record_change(conn, who, "survey_results.recorded", "survey_results.put", "survey_results", year, school,
                           *json);
    }
    free(was_created);
    return st;
}

/* ---- units of work ---------------------------------------------------------------------------------------- */

enum app_status repo_survey_gate(struct db_conn *conn, const struct principal *who, const char *school,
                                 const char *label)
{
    int exists = 0;
    enum app_status st = repo_school_authority(conn, who, school);
    if (st == APP_OK && *label)
        st = repo_feedback_year_exists(conn, label, &exists);
    return st == APP_OK && !exists ? APP_NOT_FOUND : st;
}

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct feedback_write *w)
{
    free(w->json), free(w->version), free(w->locked_version);
    w->json = w->version = w->locked_version = NULL;
    w->created = w->year_unknown = 0;
    w->stage = FEEDBACK_GATE;
    memset(&w->err, 0, sizeof(w->err));
}

enum app_status repo_feedback_invite_work(struct db_conn *conn, void *work)
{
    struct feedback_write *w = work;
    char *id = NULL;
    int exists = 1;
    reset_write(w);
    enum app_status st = repo_school_authority(conn, w->who, w->school);
    if (st == APP_OK) {
        w->stage = FEEDBACK_BODY;
        st = w->year_to_check ? repo_feedback_year_exists(conn, w->year_to_check, &exists) : APP_OK;
    }
    w->year_unknown = st == APP_OK && !exists;
    if (st == APP_OK && (w->body_invalid || w->year_unknown))
        st = APP_INVALID;
    if (st == APP_OK) {
        w->stage = FEEDBACK_WRITE;
        st = repo_feedback_invite(conn, w->who, w->school, w->year, w->audience, &w->json, &id, &w->err);
    }
    free(id);
    return st;
}

enum app_status repo_survey_put_work(struct db_conn *conn, void *work)
{
    struct feedback_write *w = work;
    char *json = NULL;
    reset_write(w);
    enum app_status st = repo_survey_gate(conn, w->who, w->school, w->year);
    if (st == APP_OK && (st = repo_survey_get(conn, w->school, w->year, 1, &json, &w->locked_version)) == APP_NOT_FOUND)
        st = APP_OK; /* a first record */
    free(json);
    if (st == APP_OK && wire_if_match(w->if_match, w->locked_version) != 1)
        w->stage = FEEDBACK_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK && w->body_invalid)
        w->stage = FEEDBACK_BODY, st = APP_INVALID;
    if (st == APP_OK) {
        w->stage = FEEDBACK_WRITE;
        st = repo_survey_put(conn, w->who, w->school, w->year, w->fields, &w->created, &w->json, &w->version, &w->err);
    }
    return st;
}
