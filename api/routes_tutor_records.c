/* routes_tutor_records.c — GET/POST /tutors/{staff_number}/absences (an absence, with cover allocations
 * when a cover tutor is named) and GET/POST /tutors/{staff_number}/training. Readers: admin, registry,
 * a senior tutor of the tutor's school, the tutor themself. Writers: admin, a senior tutor of the school. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "refusal.h"
#include "repo_tutors.h"
#include "validate.h"

static const struct field_spec ABSENCE_FIELDS[] = {
    {"starts_on", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"ends_on", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"reason", FT_STRING, 0, 0, 500, NULL},
    {"cover_tutor", FT_ID, F_NULLABLE, 1, 20, NULL},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"tutor", FT_ID, F_READONLY, 1, 20, NULL},
    {"created_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"cover_allocations", FT_INT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Training record kinds: the school's personal-tutor training, the Personal Tutoring Quiz (the only
 * kind with a score), Mental Health First Aid (Essex SPT 7: "Undertake Mental Health First Aid
 * training") and other essential training for the role (Essex PT 6, SPT 9). */
static const char *const TRAINING_KINDS[] = {"training", "quiz", "mental_health_first_aid", "essential", NULL};

static const struct field_spec TRAINING_FIELDS[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, TRAINING_KINDS},
    {"completed_on", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"score", FT_INT, F_NULLABLE, 0, 100, NULL},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"tutor", FT_ID, F_READONLY, 1, 20, NULL},
    {"created_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The tutor's record is readable by the caller (students excluded): APP_OK or APP_NOT_FOUND. */
static enum app_status gate_read(struct db_conn *conn, const struct principal *who, const char *number)
{
    char *json = NULL, *version = NULL;
    enum app_status st = repo_tutor_get(conn, who, number, 0, &json, &version);
    free(json);
    free(version);
    return st;
}

static int list_records(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                        const char *what)
{
    const char *number = http_path_param(req, "staff_number");
    struct page page;
    if (listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct strbuf items = {0};
    char *next = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = gate_read(conn, http_principal(resp), number);
    if (st == APP_OK)
        st = repo_tutor_records(conn, what, number, page.after, page.limit, &items, &next);
    db_release(app->pool, conn);
    http_page_free(&page);
    return st == APP_OK ? listing_respond(resp, &items, next) : listing_fail(resp, st, &items, next);
}

typedef enum app_status (*record_writer)(struct db_conn *, const struct principal *, const char *, const json_t *,
                                         char **, struct alloc_refusal *);

/* One transaction: read gate (404), senior-tutor gate (403), then the writer. */
static int write_record(struct _u_response *resp, const struct app *app, const char *number, const json_t *body,
                        record_writer writer)
{
    const struct principal *who = http_principal(resp);
    struct alloc_refusal why = {{0}, {0}};
    char *json = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = gate_read(conn, who, number);
    if (st == APP_OK)
        st = repo_tutor_senior_of(conn, who, number);
    if (st == APP_OK)
        st = writer(conn, who, number, body, &json, &why);
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(app->pool, conn);
    if (st == APP_OK)
        return http_json_text(resp, 201, json);
    free(json);
    return refusal_respond(resp, st, &why, "no such tutor", "only a senior tutor of the tutor's school may record this");
}

static int post_record(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                       const struct field_spec *specs, record_writer writer)
{
    if (!access_has_role(http_principal(resp), ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only a senior tutor or an admin may record this", NULL);
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (body && validate_object(body, specs, 0, errors) > 0) {
        rc = http_problem(resp, 422, NULL, "the record is not valid", errors);
        errors = NULL;
    } else if (body) {
        rc = write_record(resp, app, http_path_param(req, "staff_number"), body, writer);
    }
    json_decref(errors);
    json_decref(body);
    return rc;
}

static int callback_absences_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return list_records(req, resp, user_data, "absences");
}

static int callback_absences_post(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return post_record(req, resp, user_data, ABSENCE_FIELDS, repo_absence_create);
}

static int callback_training_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return list_records(req, resp, user_data, "training");
}

static int callback_training_post(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return post_record(req, resp, user_data, TRAINING_FIELDS, repo_training_create);
}

int routes_tutor_records_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/tutors/@staff_number/absences", 0, callback_absences_list) |
           http_route(instance, app, "POST", "/tutors/@staff_number/absences", HTTP_IDEMPOTENT, callback_absences_post) |
           http_route(instance, app, "GET", "/tutors/@staff_number/training", 0, callback_training_list) |
           http_route(instance, app, "POST", "/tutors/@staff_number/training", HTTP_IDEMPOTENT, callback_training_post);
}
