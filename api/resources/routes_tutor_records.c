/* routes_tutor_records.c — GET/POST /tutors/{staff_number}/absences (an absence, with cover allocations
 * when a cover tutor is named) and GET/POST /tutors/{staff_number}/training. Readers: admin, registry,
 * a senior tutor of the tutor's school, the tutor themself. Writers: admin, a senior tutor of the school. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pe.h"
#include "refusal.h"
#include "repo_tutors.h"
#include "unit_of_work.h"
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

static const struct field_spec TRAINING_FIELDS[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, PE_TRAINING_KIND_NAMES},
    {"completed_on", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"score", FT_INT, F_NULLABLE, 0, 100, NULL},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"tutor", FT_ID, F_READONLY, 1, 20, NULL},
    {"created_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* A page of a tutor's records to read. */
struct records_read {
    const struct principal *who;
    const char *what, *number;
    const struct page *page;
    struct page_rows rows;
};

/* uow_work for the lists: the tutor must be readable by the caller. */
static enum app_status read_records(struct db_conn *conn, void *ctx)
{
    struct records_read *r = ctx;
    enum app_status st = repo_tutor_readable(conn, r->who, r->number);
    return st == APP_OK ? repo_tutor_records(conn, r->what, r->number, r->page->after, r->page->limit, &r->rows) : st;
}

static int list_records(const struct _u_request *req, struct _u_response *resp, const struct app *app, const char *what)
{
    const char *number = http_path_param(req, "staff_number");
    struct page page;
    if (http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct records_read r = {.who = http_principal(resp), .what = what, .number = number, .page = &page};
    enum app_status st = uow_read(app->pool, read_records, &r);
    http_page_free(&page);
    return http_list_respond(resp, st, &r.rows);
}

/* One unit of work: read gate (404), senior-tutor gate (403), then the writer. */
static int write_record(struct _u_response *resp, const struct app *app, const char *number, const json_t *body,
                        tutor_record_writer writer)
{
    struct tutor_record_write w = {.who = http_principal(resp), .number = number, .fields = body, .writer = writer};
    enum app_status st = uow_run(app->pool, repo_tutor_record_work, &w, NULL);
    if (st == APP_OK)
        return http_json_text(resp, 201, w.json);
    free(w.json);
    return refusal_respond(resp, st, &w.why, "no such tutor",
                           "only a senior tutor of the tutor's school may record this");
}

static int post_record(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                       const struct field_spec *specs, tutor_record_writer writer)
{
    if (!access_has_role(http_principal(resp), ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only a senior tutor or an admin may record this");
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
           http_route(instance, app, "POST", "/tutors/@staff_number/absences", HTTP_IDEMPOTENT,
                      callback_absences_post) |
           http_route(instance, app, "GET", "/tutors/@staff_number/training", 0, callback_training_list) |
           http_route(instance, app, "POST", "/tutors/@staff_number/training", HTTP_IDEMPOTENT, callback_training_post);
}
