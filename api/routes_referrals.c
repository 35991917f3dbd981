/* routes_referrals.c — GET/POST /students/{student_number}/referrals, PATCH /referrals/{id}: signposting
 * a student to a service, by whom and when, and how it went. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "pastoral.h"
#include "repo_pastoral.h"
#include "repo_row.h"
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

static const char LIST_SQL[] =
    "SELECT tutord_referral_json(r)::text, r.id::text FROM referrals r WHERE r.student_number = $1"
    " AND ($2::text IS NULL OR r.status = $2) AND ($3::text IS NULL OR r.service = $3)"
    " AND ($4::bigint IS NULL OR r.id > $4::bigint) ORDER BY r.id LIMIT $5";

static const char INSERT_SQL[] =
    "INSERT INTO referrals AS r (student_number, service, detail, status, referred_by, updated_by)"
    " VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, 'suggested'), $5, $5)"
    " RETURNING tutord_referral_json(r)::text, r.version::text, r.id::text";

static const char UPDATE_SQL[] =
    "UPDATE referrals r SET detail = COALESCE($2, r.detail), status = COALESCE($3, r.status),"
    " updated_by = $4, updated_at = now(), version = r.version + 1"
    " WHERE r.id = $1::bigint RETURNING tutord_referral_json(r)::text, r.version::text";

static const char *str_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

static int forbid_unless_staff(struct _u_response *resp, const struct principal *who)
{
    return pastoral_staff_only(resp, who, "only the student's tutors and senior tutors make or change referrals");
}

/* ---- GET /students/{student_number}/referrals --------------------------------------------------------- */

static int callback_referrals_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "referrals are not available to this role");
    const char *status = NULL, *service = NULL;
    json_t *errors = json_array();
    struct page page;
    pastoral_query_enum(req, "status", STATUSES, errors, &status);
    pastoral_query_enum(req, "service", SERVICES, errors, &service);
    if (listing_filter_done(resp, errors) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", page.limit + 1);
    const char *params[5] = {number, status, service, page.after, limit};
    struct student_reach reach;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(((const struct app *)user_data)->pool, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK)
        st = repo_page(conn, LIST_SQL, 5, params, page.limit, NULL, NULL, &body);
    db_release(((const struct app *)user_data)->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such student");
    }
    return pastoral_respond_page(resp, st, &body);
}

/* ---- POST /students/{student_number}/referrals --------------------------------------------------------- */

/* After the insert or update (st): audits `action` for referral `id`, commits, answers `status` with
 * the referral and its ETag — or the problem for the failure. */
static int finish_write(struct _u_response *resp, struct db_conn *conn, const struct principal *who, enum app_status st,
                        const struct db_error *err, const char *action, const char *id, const char *student,
                        long status, char *json, const char *version)
{
    if (st == APP_OK)
        st = audit_record(conn, who, action, "referral", id, student, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_OK)
        return pastoral_respond_json(resp, status, json, version);
    free(json);
    return http_problem_db(resp, st, err, "referrals");
}

static int callback_referrals_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL, *errors = NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct student_reach reach;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL, *version = NULL, *id = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK && !repo_reach_staff(&reach))
        st = APP_FORBIDDEN;
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
        goto cleanup;
    }
    validate_object(body, REFERRAL_FIELDS, 0, errors = json_array());
    if (pastoral_body_checked(resp, errors, "referral") != 0)
        goto cleanup;
    const char *params[5] = {number, str_of(body, "service"), str_of(body, "detail"), str_of(body, "status"), who->sub};
    st = repo_row(conn, INSERT_SQL, 5, params, &err, (char **const[]){&json, &version, &id}, 3);
    rc = finish_write(resp, conn, who, st, &err, "referral.create", id, number, 201, json, version);
    json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(json);
    free(version);
    free(id);
    return rc;
}

/* ---- PATCH /referrals/{id} ------------------------------------------------------------------------------ */

/* Locks referral `id` and checks the caller is one of its student's tutors or senior tutors; fills
 * student and version (malloc'd). APP_NOT_FOUND when absent or the student is hidden. */
static enum app_status lock_referral(struct db_conn *conn, const char *id, const struct principal *who, char **student,
                                     char **version)
{
    const char *params[1] = {id};
    struct student_reach reach;
    enum app_status st = listing_is_row_id(id) ? APP_OK : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_row(conn, "SELECT student_number, version::text FROM referrals WHERE id = $1::bigint FOR UPDATE", 1,
                      params, NULL, (char **const[]){student, version}, 2);
    if (st == APP_OK)
        st = repo_reach_of(conn, *student, who, &reach);
    return st == APP_OK && !repo_reach_staff(&reach) ? APP_FORBIDDEN : st;
}

static int callback_referral_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 1) : NULL, *errors = NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *id = http_path_param(req, "id");
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *student = NULL, *version = NULL, *json = NULL, *next = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = lock_referral(conn, id, who, &student, &version);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such referral" : NULL);
        goto cleanup;
    }
    validate_object(body, PATCH_FIELDS, 1, errors = json_array());
    if (http_check_if_match(req, resp, version) != 0 || pastoral_body_checked(resp, errors, "referral") != 0)
        goto cleanup;
    const char *params[4] = {id, str_of(body, "detail"), str_of(body, "status"), who->sub};
    st = repo_row(conn, UPDATE_SQL, 4, params, &err, (char **const[]){&json, &next}, 2);
    rc = finish_write(resp, conn, who, st, &err, "referral.update", id, student, 200, json, next);
    json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(student), free(version), free(json), free(next);
    return rc;
}

int routes_referrals_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/referrals", 0, callback_referrals_list) |
           http_route(instance, app, "POST", "/students/@student_number/referrals", HTTP_IDEMPOTENT,
                      callback_referrals_create) |
           http_route(instance, app, "PATCH", "/referrals/@id", 0, callback_referral_patch);
}
