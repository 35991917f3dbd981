/* routes_referrals.c — GET/POST /students/{student_number}/referrals, PATCH /referrals/{id}: signposting
 * a student to a service, by whom and when, and how it went. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "repo_pastoral.h"
#include "repo_referrals.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const SERVICES[] = {"wellbeing",       "disability", "finance", "careers",
                                       "academic_skills", "other",      NULL};
static const char *const STATUSES[] = {"suggested", "made", "accepted", "declined", "closed", NULL};

#define REFERRAL_READONLY                                                                                              \
    {"id", FT_INT, F_READONLY, 0, 0, NULL}, {"student", FT_ID, F_READONLY, 0, 0, NULL},                                \
        {"student_number", FT_ID, F_READONLY, 0, 0, NULL}, {"referred_by", FT_ID, F_READONLY, 0, 0, NULL},             \
        {"referred_at", FT_INSTANT, F_READONLY, 0, 0, NULL}, {"updated_by", FT_ID, F_READONLY, 0, 0, NULL},            \
        {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},                                                            \
    {                                                                                                                  \
        "version", FT_INT, F_READONLY, 0, 0, NULL                                                                      \
    }

static const struct field_spec REFERRAL_FIELDS[] = {
    {"service", FT_ENUM, F_REQUIRED, 0, 0, SERVICES},
    {"detail", FT_STRING, 0, 0, 2000, NULL},
    {"status", FT_ENUM, 0, 0, 0, STATUSES},
    REFERRAL_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

/* A referral's service stays; its status and detail move on. */
static const struct field_spec PATCH_FIELDS[] = {
    {"detail", FT_STRING, 0, 0, 2000, NULL},
    {"status", FT_ENUM, 0, 0, 0, STATUSES},
    {"service", FT_ENUM, F_READONLY, 0, 0, NULL},
    REFERRAL_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

static const char *str_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

static int forbid_unless_staff(struct _u_response *resp, const struct principal *who)
{
    return pastoral_staff_only(resp, who, "only the student's tutors and senior tutors make or change referrals");
}

/* ---- GET /students/{student_number}/referrals --------------------------------------------------------- */

/* A page of referrals to read: the caller, the filter and the page's text. */
struct list_read {
    const struct principal *who;
    struct referral_filter filter;
    struct page_rows rows;
};

/* uow_work for the list. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct list_read *list = ctx;
    return repo_referral_list(conn, list->who, &list->filter, &list->rows);
}

static int callback_referrals_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "referrals are not available to this role");
    struct list_read list = {.who = who, .filter = {.student = http_path_param(req, "student_number")}};
    json_t *errors = json_array();
    struct page page;
    pastoral_query_enum(req, "status", STATUSES, errors, &list.filter.status);
    pastoral_query_enum(req, "service", SERVICES, errors, &list.filter.service);
    if (http_list_filter_done(resp, errors) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    list.filter.after = page.after;
    list.filter.limit = page.limit;
    enum app_status st = uow_read(((const struct app *)user_data)->pool, read_page, &list);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&list.rows);
        return http_problem_for(resp, st, "no such student");
    }
    return http_list_respond(resp, st, &list.rows);
}

/* ---- POST /students/{student_number}/referrals, PATCH /referrals/{id} ------------------------------------ */

/* Runs the write in a unit of work and answers it: `status` with the referral and its ETag, or the
 * refusal of the stage where it stopped (404/403, If-Match's 400/412, the body's 422, the database's). */
static int write_referral(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                          uow_work work_fn, struct referral_write *w, json_t *errors, long status)
{
    enum app_status st = uow_run(app->pool, work_fn, w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK)
        rc = pastoral_respond_json(resp, status, w->json, w->version), w->json = NULL;
    else if (w->stage == REFERRAL_REACH)
        rc = http_problem_for(resp, st, st != APP_NOT_FOUND ? NULL : w->id ? "no such referral" : "no such student");
    else if (w->stage == REFERRAL_IF_MATCH)
        http_check_if_match(req, resp, w->locked_version);
    else if (w->stage == REFERRAL_BODY)
        pastoral_body_checked(resp, errors, "referral");
    else
        rc = http_problem_db(resp, st, &w->err, "referrals");
    free(w->json), free(w->version), free(w->locked_version);
    return rc;
}

static int callback_referrals_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL, *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (body) {
        validate_object(body, REFERRAL_FIELDS, 0, errors);
        struct referral_write w = {.who = who,
                                   .student = http_path_param(req, "student_number"),
                                   .service = str_of(body, "service"),
                                   .detail = str_of(body, "detail"),
                                   .status = str_of(body, "status"),
                                   .body_invalid = json_array_size(errors) > 0};
        rc = write_referral(req, resp, user_data, repo_referral_create_work, &w, errors, 201);
    }
    json_decref(body);
    json_decref(errors);
    return rc;
}

static int callback_referral_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 1) : NULL, *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (body) {
        validate_object(body, PATCH_FIELDS, 1, errors);
        struct referral_write w = {.who = who,
                                   .id = http_path_param(req, "id"),
                                   .detail = str_of(body, "detail"),
                                   .status = str_of(body, "status"),
                                   .if_match = http_header(req, "If-Match"),
                                   .body_invalid = json_array_size(errors) > 0};
        rc = write_referral(req, resp, user_data, repo_referral_update_work, &w, errors, 200);
    }
    json_decref(body);
    json_decref(errors);
    return rc;
}

int routes_referrals_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/referrals", 0, callback_referrals_list) |
           http_route(instance, app, "POST", "/students/@student_number/referrals", HTTP_IDEMPOTENT,
                      callback_referrals_create) |
           http_route(instance, app, "PATCH", "/referrals/@id", 0, callback_referral_patch);
}
