/* routes_feedback.c — a school's feedback invitations and survey results:
 *   POST/GET /schools/{code}/feedback-invitations, GET /schools/{code}/feedback-invitations/{id}/invitees
 *     (Leicester CoP "Evaluation": "Tutees and Personal Tutors must be given the opportunity to provide
 *     feedback on Personal Tutoring within their School at least once a year"; the Senior Personal Tutor
 *     page: "offer all tutees the opportunity at least once per year to comment");
 *   PUT/GET /schools/{code}/survey-results/{year} — the Student Academic Experience Survey's two Tutee
 *     Satisfaction figures for the year (year written 2026-27 in the path) and the school's actions.
 * Access: an admin, or a senior tutor of the school (403 for anyone else; 404 for a school that does not
 * exist). Every write is one transaction with its audit row and event. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "repo_feedback.h"
#include "repo_policies.h"
#include "report_rules.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const AUDIENCES[] = {"tutees", "tutors", NULL};
static const char *const ROLES[] = {"tutee", "tutor", NULL};

static const struct field_spec INVITATION_FIELDS[] = {
    {"year", FT_STRING, F_REQUIRED, 1, 16, NULL},
    {"audience", FT_ENUM_ARRAY, F_REQUIRED, 0, 0, AUDIENCES},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"school", FT_CODE, F_READONLY, 0, 0, NULL},
    {"invited_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"invited_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"invited", FT_INT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The survey's text field and read-only ones; the two percentages are checked by check_pct. */
static const struct field_spec SURVEY_FIELDS[] = {
    {"actions", FT_STRING, 0, 0, 4000, NULL},
    {"school", FT_CODE, F_READONLY, 0, 0, NULL},
    {"year", FT_STRING, F_READONLY, 0, 0, NULL},
    {"recorded_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"recorded_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const char *const PERCENTAGES[] = {"contact_pct", "positive_pct", NULL};

/* Answers a failure of a school's feedback records: 403/404 with why, else the mapped status. */
static int feedback_failed(struct _u_response *resp, enum app_status st, const char *missing)
{
    if (st == APP_FORBIDDEN)
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin or a senior tutor of the school may");
    return http_problem_for(resp, st, st == APP_NOT_FOUND ? missing : NULL);
}

/* ---- POST /schools/{code}/feedback-invitations ------------------------------------------------------ */

/* The validated audience array as a text[] literal ("{tutees,tutors}") into out[size]. */
static void audience_literal(const json_t *list, char *out, size_t size)
{
    size_t i, n = (size_t)snprintf(out, size, "{");
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (n < size)
            n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "", json_string_value(v));
    }
    if (n < size)
        snprintf(out + n, size - n, "}");
}

/* Validates an invitation body into errors (but whether the year is in the calendar: *year_to_check is
 * the year to look up, NULL when there is none or it is malformed); writes the audience as a text[]
 * literal into audience[32]. */
static void check_invitation(const json_t *body, json_t *errors, char audience[32], const char **year_to_check)
{
    validate_object(body, INVITATION_FIELDS, 0, errors);
    const json_t *list = json_object_get(body, "audience");
    const char *year = json_string_value(json_object_get(body, "year"));
    if (json_is_array(list) && json_array_size(list) == 0)
        validate_error(errors, "audience", "must name at least one of tutees, tutors");
    audience_literal(json_array_size(errors) == 0 ? list : NULL, audience, 32);
    if (year && !report_is_year_label(year))
        validate_error(errors, "year", "must be an academic year label like 2026/27");
    *year_to_check = year && report_is_year_label(year) ? year : NULL;
}

/* POST /schools/{code}/feedback-invitations: one unit of work (authority, validation, invitation,
 * invitees, audit and event). */
static int callback_invitation_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body) {
        json_decref(errors);
        return U_CALLBACK_COMPLETE;
    }
    char audience[32];
    struct feedback_write w = {.who = http_principal(resp),
                               .school = http_path_param(req, "code"),
                               .year = json_string_value(json_object_get(body, "year")),
                               .audience = audience};
    check_invitation(body, errors, audience, &w.year_to_check);
    w.body_invalid = json_array_size(errors) > 0;
    enum app_status st = uow_run(app->pool, repo_feedback_invite_work, &w, NULL);
    int rc;
    if (st == APP_OK) {
        rc = http_json_text(resp, 201, w.json);
        w.json = NULL;
    } else if (w.stage == FEEDBACK_BODY && st == APP_INVALID) {
        if (w.year_unknown)
            validate_error(errors, "year", "must be an academic year of the calendar");
        rc = http_problem(resp, 422, NULL, "the feedback invitation is not valid", json_incref(errors));
    } else
        rc = st == APP_DB ? http_problem_db(resp, st, &w.err, "feedback_invitations")
                          : feedback_failed(resp, st, "no such school");
    json_decref(body);
    json_decref(errors);
    free(w.json);
    return rc;
}

/* ---- GET lists -------------------------------------------------------------------------------------- */

/* A list's filters and path: the school, and the invitation (invitees) or the year (invitations). */
struct feedback_list {
    const char *school, *id, *filter; /* filter: year (invitations) or role (invitees), NULL for all */
};

/* One page of the school's invitations, after checking the caller may act for the school. */
static enum app_status run_invitations(struct db_conn *conn, const struct principal *who, void *ctx,
                                       const struct page *page, struct page_rows *out)
{
    const struct feedback_list *l = ctx;
    enum app_status st = repo_school_authority(conn, who, l->school);
    return st == APP_OK ? repo_feedback_invitations(conn, l->school, l->filter, page->after, page->limit, out) : st;
}

/* One page of an invitation's invitees (404 unless it is one of the school's), after the same check. */
static enum app_status run_invitees(struct db_conn *conn, const struct principal *who, void *ctx,
                                    const struct page *page, struct page_rows *out)
{
    const struct feedback_list *l = ctx;
    enum app_status st = repo_school_authority(conn, who, l->school);
    if (st == APP_OK && !page_is_row_id(l->id))
        st = APP_NOT_FOUND;
    return st == APP_OK ? repo_feedback_invitees(conn, l->school, l->id, l->filter, page->after, page->limit, out) : st;
}

/* Serves one list page: 400 naming the filters in `errors` (stolen) when there are any, else the page
 * (cursor by id when `by_id`), refused with 403 before any query to callers who are neither admin nor
 * senior tutor. */
static int serve_list(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                      struct feedback_list *l, json_t *errors, http_list_run run, int by_id)
{
    struct page page;
    if (http_list_filter_done(resp, errors) != 0 ||
        (by_id ? http_list_page_ids(req, resp, &page) : http_page(req, resp, &page)) != 0)
        return U_CALLBACK_COMPLETE;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN | ROLE_SENIOR_TUTOR)) {
        http_page_free(&page);
        return feedback_failed(resp, APP_FORBIDDEN, NULL);
    }
    return http_list_serve(resp, app, &page, run, l);
}

/* GET /schools/{code}/feedback-invitations[?year=] */
static int callback_invitations_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct feedback_list l = {http_path_param(req, "code"), NULL, http_query(req, "year")};
    json_t *errors = json_array();
    if (l.filter && !report_is_year_label(l.filter))
        validate_error(errors, "year", "must be an academic year label like 2026/27");
    return serve_list(req, resp, user_data, &l, errors, run_invitations, 1);
}

/* GET /schools/{code}/feedback-invitations/{id}/invitees[?role=] */
static int callback_invitees_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct feedback_list l = {http_path_param(req, "code"), http_path_param(req, "id"), http_query(req, "role")};
    json_t *errors = json_array();
    http_list_check_enum(errors, "role", l.filter, ROLES);
    return serve_list(req, resp, user_data, &l, errors, run_invitees, 0);
}

/* ---- PUT/GET /schools/{code}/survey-results/{year} ------------------------------------------------- */

/* The year label ("2026/27") of a path year written "2026-27" into label[8]; 0, or -1 when malformed. */
static int path_year(const char *path, char label[8])
{
    if (!path || strlen(path) != 7 || path[4] != '-')
        return -1;
    snprintf(label, 8, "%.4s/%.2s", path, path + 5);
    return report_is_year_label(label) ? 0 : -1;
}

/* Checks the school, the caller and the year (in the calendar) of a survey-results request, in `conn`. */
/* Percentage `name` of body: absent, null, or a number from 0 to 100. */
static void check_pct(const json_t *body, const char *name, json_t *errors)
{
    const json_t *v = json_object_get(body, name);
    if (v && !json_is_null(v) && (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 100))
        validate_error(errors, name, "must be a number from 0 to 100, or null");
}

/* Validates a survey-results body (every error collected). */
static void check_survey(const json_t *body, json_t *errors)
{
    json_t *rest = json_copy((json_t *)body);
    for (const char *const *p = PERCENTAGES; *p; p++) {
        check_pct(body, *p, errors);
        json_object_del(rest, *p);
    }
    validate_object(rest, SURVEY_FIELDS, 0, errors);
    json_decref(rest);
}

/* Answers a written or read survey record: `status` with its ETag. */
static int survey_respond(struct _u_response *resp, long status, char *json, char *version)
{
    http_set_etag(resp, version);
    free(version);
    return http_json_text(resp, status, json);
}

/* PUT /schools/{code}/survey-results/{year}: one unit of work (gate, lock, If-Match, validate, upsert
 * with audit and event). */
static int callback_survey_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    char label[8] = "";
    if (path_year(http_path_param(req, "year"), label) != 0)
        return http_problem_for(resp, APP_NOT_FOUND, "no such academic year (write it like 2026-27)");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    check_survey(body, errors);
    struct feedback_write w = {.who = http_principal(resp),
                               .school = http_path_param(req, "code"),
                               .year = label,
                               .fields = body,
                               .if_match = http_header(req, "If-Match"),
                               .body_invalid = json_array_size(errors) > 0};
    enum app_status st = uow_run(app->pool, repo_survey_put_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK) {
        rc = survey_respond(resp, w.created ? 201 : 200, w.json, w.version);
        w.json = w.version = NULL;
    } else if (w.stage == FEEDBACK_GATE)
        rc = feedback_failed(resp, st, "no such school or academic year");
    else if (w.stage == FEEDBACK_IF_MATCH)
        http_check_if_match(req, resp, w.locked_version);
    else if (w.stage == FEEDBACK_BODY)
        rc = http_problem(resp, 422, NULL, "the survey results are not valid", json_incref(errors));
    else
        rc = http_problem_db(resp, st, &w.err, "survey_results");
    free(w.json), free(w.version), free(w.locked_version);
    json_decref(errors);
    json_decref(body);
    return rc;
}

/* A survey to read as the caller may, and what was read (malloc'd). */
struct survey_read {
    const struct principal *who;
    const char *school, *label;
    char *json, *version;
};

/* uow_work for GET: the gate, then the results. */
static enum app_status read_survey(struct db_conn *conn, void *ctx)
{
    struct survey_read *r = ctx;
    free(r->json), free(r->version);
    r->json = r->version = NULL;
    enum app_status st = repo_survey_gate(conn, r->who, r->school, r->label);
    return st == APP_OK ? repo_survey_get(conn, r->school, r->label, 0, &r->json, &r->version) : st;
}

/* GET /schools/{code}/survey-results/{year}: the results with their ETag; 404 when none recorded. */
static int callback_survey_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    char label[8] = "";
    if (path_year(http_path_param(req, "year"), label) != 0)
        return http_problem_for(resp, APP_NOT_FOUND, "no such academic year (write it like 2026-27)");
    struct survey_read r = {.who = http_principal(resp), .school = http_path_param(req, "code"), .label = label};
    enum app_status st = uow_read(app->pool, read_survey, &r);
    if (st != APP_OK) {
        free(r.json), free(r.version);
        return feedback_failed(resp, st, "no survey results recorded for this school and year");
    }
    return survey_respond(resp, 200, r.json, r.version);
}

int routes_feedback_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/schools/@code/feedback-invitations", HTTP_IDEMPOTENT,
                      callback_invitation_create) |
           http_route(instance, app, "GET", "/schools/@code/feedback-invitations", 0, callback_invitations_list) |
           http_route(instance, app, "GET", "/schools/@code/feedback-invitations/@id/invitees", 0,
                      callback_invitees_list) |
           http_route(instance, app, "PUT", "/schools/@code/survey-results/@year", 0, callback_survey_put) |
           http_route(instance, app, "GET", "/schools/@code/survey-results/@year", 0, callback_survey_get);
}
