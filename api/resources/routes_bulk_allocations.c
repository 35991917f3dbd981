/* routes_bulk_allocations.c — POST /allocations:bulk (many allocations, all or nothing, ?dry_run=true)
 * and POST /schools/{code}/allocations:auto (balance a school's unallocated students across its tutors,
 * ?dry_run=true). A dry run does exactly what the real one would inside the transaction, then rolls it
 * back: the report is what would happen, and nothing is written. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "fields.h"
#include "http.h"
#include "repo_bulk_allocations.h"
#include "unit_of_work.h"

/* Reads ?dry_run=; 0 or -1 after a 400. */
static int read_dry_run(const struct _u_request *req, struct _u_response *resp, int *dry_run)
{
    const char *v = http_query(req, "dry_run");
    *dry_run = v && strcmp(v, "true") == 0;
    if (!v || *dry_run || strcmp(v, "false") == 0)
        return 0;
    http_problem_field(resp, 400, "dry_run", "must be true or false");
    return -1;
}

static int forbid_unless_allocator(struct _u_response *resp)
{
    if (access_has_role(http_principal(resp), ROLE_ADMIN | ROLE_SENIOR_TUTOR))
        return 0;
    http_problem_for(resp, APP_FORBIDDEN, "only a senior tutor of the students' school or an admin may allocate");
    return -1;
}

static const char *string_or_null(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- POST /allocations:bulk ---------------------------------------------------------------------- */

struct bulk_run {
    json_t *results; /* [{row, student, tutor, kind, outcome, allocation_id | field + message}] */
    json_t *errors;  /* [{row, field, message}] */
    long counts[4];  /* by enum bulk_outcome */
};

static void add_error(struct bulk_run *run, json_t *result, long row, const char *field, const char *message)
{
    json_object_set_new(result, "outcome", json_string("error"));
    json_object_set_new(result, "field", json_string(field));
    json_object_set_new(result, "message", json_string(message));
    json_array_append_new(run->errors,
                          json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field", field, "message", message));
    run->counts[BULK_ERROR]++;
}

/* Validates and applies one row; returns APP_OK or the failure that ends the request. */
static enum app_status bulk_row(struct db_conn *conn, const struct principal *who, struct bulk_run *run, long row,
                                const json_t *item, int dry_run)
{
    json_t *errs = json_array();
    json_t *result = json_pack("{s:I}", "row", (json_int_t)row);
    enum app_status st = APP_OK;
    if (!json_is_object(item))
        validate_error(errs, "allocations", "each row must be an object");
    else
        validate_object(item, ALLOCATION_FIELDS, 0, errs);
    struct allocation_input in = {string_or_null(item, "student"),
                                  string_or_null(item, "tutor"),
                                  string_or_null(item, "kind"),
                                  string_or_null(item, "starts_on"),
                                  string_or_null(item, "ends_on"),
                                  string_or_null(item, "reason"),
                                  NULL};
    in.kind = in.kind ? in.kind : "personal";
    json_object_set_new(result, "student", in.student ? json_string(in.student) : json_null());
    json_object_set_new(result, "tutor", in.tutor ? json_string(in.tutor) : json_null());
    json_object_set_new(result, "kind", json_string(in.kind));
    if (json_array_size(errs) > 0) {
        const json_t *e = json_array_get(errs, 0);
        add_error(run, result, row, string_or_null(e, "field"), string_or_null(e, "message"));
    } else {
        enum bulk_outcome outcome;
        char *id = NULL;
        struct alloc_refusal why;
        st = repo_bulk_apply_row(conn, who, &in, &outcome, &id, &why);
        if (st == APP_OK && outcome == BULK_ERROR)
            add_error(run, result, row, why.field, why.message);
        else if (st == APP_OK) {
            json_object_set_new(result, "outcome", json_string(bulk_outcome_name(outcome)));
            if (!dry_run || outcome == BULK_UNCHANGED)
                json_object_set_new(result, "allocation_id", json_integer(strtoll(id, NULL, 10)));
            run->counts[outcome]++;
        }
        free(id);
    }
    json_array_append_new(run->results, result);
    json_decref(errs);
    return st;
}

static json_t *bulk_report(const struct bulk_run *run, int dry_run)
{
    return json_pack("{s:b, s:I, s:I, s:I, s:I, s:O}", "dry_run", dry_run, "new", (json_int_t)run->counts[BULK_NEW],
                     "reallocated", (json_int_t)run->counts[BULK_REALLOCATED], "unchanged",
                     (json_int_t)run->counts[BULK_UNCHANGED], "errors", (json_int_t)run->counts[BULK_ERROR], "results",
                     run->results);
}

/* The body's rows: {"allocations": [...]} and nothing else; NULL after a 422. */
static const json_t *bulk_rows(struct _u_response *resp, const json_t *body)
{
    const json_t *rows = json_object_get(body, "allocations");
    if (json_object_size(body) != 1 || !json_is_array(rows) || json_array_size(rows) == 0 ||
        json_array_size(rows) > 10000) {
        http_problem_field(resp, 422, "allocations", "must be the only field: an array of 1 to 10000 allocations");
        return NULL;
    }
    return rows;
}

/* The rows of one bulk request and what became of them. */
struct bulk_work {
    const struct principal *who;
    const json_t *rows;
    int dry_run;
    int commit; /* set by the work: a real run with no refused row */
    struct bulk_run run;
};

/* uow_work: every row in the one transaction, the report built afresh on each attempt. */
static enum app_status run_rows(struct db_conn *conn, void *ctx)
{
    struct bulk_work *w = ctx;
    json_array_clear(w->run.results);
    json_array_clear(w->run.errors);
    memset(w->run.counts, 0, sizeof(w->run.counts));
    enum app_status st = APP_OK;
    for (size_t i = 0; st == APP_OK && i < json_array_size(w->rows); i++)
        st = bulk_row(conn, w->who, &w->run, (long)i + 1, json_array_get(w->rows, i), w->dry_run);
    w->commit = st == APP_OK && !w->dry_run && w->run.counts[BULK_ERROR] == 0;
    return st;
}

/* Runs every row in one unit of work; commits only a real run with no error (else rolls back). */
static int run_bulk(struct _u_response *resp, const struct app *app, const json_t *rows, int dry_run)
{
    struct bulk_work w = {.who = http_principal(resp),
                          .rows = rows,
                          .dry_run = dry_run,
                          .run = {.results = json_array(), .errors = json_array()}};
    enum app_status st = uow_run_or_roll_back(app->pool, run_rows, &w, &w.commit, NULL);
    int rc;
    if (st != APP_OK)
        rc = http_problem_for(resp, st, NULL);
    else if (!dry_run && w.run.counts[BULK_ERROR] > 0) {
        rc = http_problem(resp, 422, NULL, "some allocations were refused; none was made", w.run.errors);
        w.run.errors = NULL;
    } else
        rc = http_json(resp, 200, bulk_report(&w.run, dry_run));
    json_decref(w.run.results);
    json_decref(w.run.errors);
    return rc;
}

static int callback_allocations_bulk(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    int dry_run = 0;
    if (forbid_unless_allocator(resp) != 0 || read_dry_run(req, resp, &dry_run) != 0)
        return U_CALLBACK_COMPLETE;
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    const json_t *rows = bulk_rows(resp, body);
    int rc = rows ? run_bulk(resp, user_data, rows, dry_run) : U_CALLBACK_COMPLETE;
    json_decref(body);
    return rc;
}

/* ---- POST /schools/{code}/allocations:auto ------------------------------------------------------- */

static const struct field_spec AUTO_FIELDS[] = {
    {"starts_on", FT_DATE, 0, 0, 0, NULL},
    {"reason", FT_STRING, 0, 0, 500, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The optional body {starts_on, reason}: an empty body takes today and "automatic allocation". */
static json_t *auto_options(const struct _u_request *req, struct _u_response *resp)
{
    if (req->binary_body_length == 0)
        return json_object();
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (body && validate_object(body, AUTO_FIELDS, 0, errors) > 0) {
        http_problem(resp, 422, NULL, "the options are not valid", errors);
        json_decref(body);
        return NULL;
    }
    json_decref(errors);
    return body;
}

/* One automatic allocation of a school's unallocated students. */
struct auto_work {
    const struct principal *who;
    const char *school, *starts_on, *reason;
    int commit; /* 0 for a dry run */
    struct auto_result result;
};

/* uow_work: repo_auto_allocate, its result made afresh on each attempt. */
static enum app_status run_auto(struct db_conn *conn, void *ctx)
{
    struct auto_work *w = ctx;
    auto_result_free(&w->result);
    memset(&w->result, 0, sizeof(w->result));
    return repo_auto_allocate(conn, w->who, w->school, w->starts_on, w->reason, &w->result);
}

static int callback_schools_auto(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *school = http_path_param(req, "code");
    int dry_run = 0;
    if (read_dry_run(req, resp, &dry_run) != 0)
        return U_CALLBACK_COMPLETE;
    if (forbid_unless_allocator(resp) != 0)
        return U_CALLBACK_COMPLETE;
    json_t *options = auto_options(req, resp);
    if (!options)
        return U_CALLBACK_COMPLETE;
    const char *reason = string_or_null(options, "reason");
    struct auto_work w = {.who = http_principal(resp),
                          .school = school,
                          .starts_on = string_or_null(options, "starts_on"),
                          .reason = reason ? reason : "automatic allocation",
                          .commit = !dry_run};
    enum app_status st = uow_run_or_roll_back(app->pool, run_auto, &w, &w.commit, NULL); /* a dry run rolls back */
    struct auto_result result = w.result;
    int rc = st != APP_OK ? http_problem_for(resp, st,
                                             st == APP_NOT_FOUND ? "no such school"
                                             : st == APP_FORBIDDEN
                                                 ? "only a senior tutor of this school or an admin may allocate"
                                                 : NULL)
                          : http_json(resp, 200,
                                      json_pack("{s:s, s:b, s:I, s:I, s:O, s:O, s:O}", "school", school, "dry_run",
                                                dry_run, "personal", (json_int_t)result.personal, "secondary",
                                                (json_int_t)result.secondary, "unallocated", result.unallocated,
                                                "tutors", result.tutors, "allocations", result.allocations));
    auto_result_free(&result);
    json_decref(options);
    return rc;
}

int routes_bulk_allocations_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/allocations:bulk", HTTP_IDEMPOTENT | HTTP_HEAVY,
                      callback_allocations_bulk) |
           http_route(instance, app, "POST", "/schools/@code/allocations:auto", HTTP_IDEMPOTENT | HTTP_HEAVY,
                      callback_schools_auto);
}
