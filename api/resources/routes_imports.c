/* routes_imports.c — POST /students:import and POST /tutors:import: the SRS's bulk upsert.
 *
 * The body is a JSON array of objects shaped like PUT /students/{n} (PUT /tutors/{n}) with the number
 * inside each, or text/csv whose header row names the same fields (RFC 4180; an empty cell is an absent
 * field, or null where the field takes null; roles are separated by ';'; booleans are true/false).
 * Every row is validated with the single-record field specs, then the valid ones are COPYed into a
 * staging table and checked against the database (schools that exist, a number given twice). Rows are
 * numbered from 1 in the order given (the CSV header is row 0). With any invalid row nothing is written
 * (422, errors [{row, field, message}]) unless ?partial=true, when the valid rows land and the report
 * lists the others. The answer: {"created", "updated", "unchanged", "errors"}. Records missing from a
 * feed are never deleted; one event per created or changed record. A student row may carry status_from
 * (the day its status holds from, sql/012): the status history of the whole set is written by the
 * same set-based upsert, and a status_from before registered_on is a row error like any other. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "csv.h"
#include "fields.h"
#include "http.h"
#include "repo_imports.h"
#include "repo_students.h"
#include "strbuf.h"
#include "unit_of_work.h"

/* One import route: what it imports, the field specs of a row, and checks across a row's fields. */
struct import_route {
    const struct import_kind *kind;
    const struct field_spec *fields;
    void (*cross_check)(const json_t *row, json_t *errors);
};

/* The rows of one request as they are read and validated. */
struct import_job {
    const struct import_route *route;
    json_t *errors;     /* [{row, field, message}] */
    struct strbuf copy; /* COPY text of the valid rows */
};

static const struct import_route STUDENTS = {&IMPORT_STUDENTS, STUDENT_FIELDS, student_cross_check};
static const struct import_route TUTORS = {&IMPORT_TUTORS, TUTOR_FIELDS, NULL};

static void add_row_error(json_t *errors, long row, const char *field, const char *message)
{
    json_array_append_new(errors,
                          json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field", field, "message", message));
}

/* Validates one row; a valid one is appended to the COPY text, an invalid one's errors to the report. */
static void take_row(struct import_job *job, long row, const json_t *obj)
{
    const struct import_route *route = job->route;
    json_t *errs = json_array();
    const json_t *key = json_object_get(obj, route->kind->key);
    if (!json_is_object(obj)) {
        validate_error(errs, "row", "must be a JSON object");
    } else {
        validate_object(obj, route->fields, 0, errs);
        if (!key)
            validate_error(errs, route->kind->key, "is required");
        if (route->cross_check)
            route->cross_check(obj, errs);
    }
    size_t i;
    const json_t *e;
    json_array_foreach(errs, i, e) add_row_error(job->errors, row, json_string_value(json_object_get(e, "field")),
                                                 json_string_value(json_object_get(e, "message")));
    if (json_array_size(errs) == 0) {
        char *doc = json_dumps(obj, JSON_COMPACT);
        if (!doc)
            job->copy.failed = 1;
        else
            repo_import_copy_line(&job->copy, row, json_string_value(key), doc);
        free(doc);
    }
    json_decref(errs);
}

/* ---- reading the body ---------------------------------------------------------------------------- */

static int media_type_is(const char *value, const char *type)
{
    size_t n = strlen(type);
    return value && strncasecmp(value, type, n) == 0 && (value[n] == '\0' || value[n] == ';' || value[n] == ' ');
}

static int read_json(const struct _u_request *req, struct _u_response *resp, struct import_job *job)
{
    json_error_t err;
    json_t *rows =
        json_loadb(req->binary_body ? req->binary_body : "", req->binary_body_length, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_array(rows)) {
        char detail[256];
        if (rows)
            snprintf(detail, sizeof(detail), "the body must be a JSON array of rows");
        else
            snprintf(detail, sizeof(detail), "malformed JSON at line %d, column %d: %s", err.line, err.column,
                     err.text);
        json_decref(rows);
        http_problem(resp, 400, NULL, detail, NULL);
        return -1;
    }
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) take_row(job, (long)i + 1, row);
    json_decref(rows);
    return 0;
}

/* A CSV cell as the JSON value the field spec expects; NULL for an empty cell that means "absent". */
static json_t *cell_value(const struct field_spec *spec, const char *text)
{
    if (!*text)
        return spec->flags & F_NULLABLE ? json_null() : NULL;
    if (spec->type == FT_INT) {
        char *end = NULL;
        long long v = strtoll(text, &end, 10);
        if (*end == '\0' && end != text)
            return json_integer(v);
    }
    if (spec->type == FT_BOOL && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0))
        return json_boolean(strcmp(text, "true") == 0);
    if (spec->type != FT_ENUM_ARRAY)
        return json_string(text);
    json_t *items = json_array();
    for (const char *p = text; items && *p;) {
        size_t n = strcspn(p, ";");
        json_array_append_new(items, json_stringn(p, n));
        p += n + (p[n] == ';');
    }
    return items;
}

/* At most this many header errors are listed; error_count gives the total. */
enum { HEADER_ERRORS_LISTED = 100 };

/* Maps the header's columns to field specs; -1 after a 422 naming the bad columns. A column is bad when
 * this import does not take it or it repeats an earlier column: one error per bad column (never one per
 * pair of repeats), the first HEADER_ERRORS_LISTED listed and the total in error_count, so the work and
 * the answer stay linear in the header however often a name repeats. */
static int read_header(struct _u_response *resp, const struct import_job *job, const struct csv_row *header,
                       const struct field_spec **columns)
{
    const struct field_spec *fields = job->route->fields;
    size_t n_fields = 0, bad = 0;
    while (fields[n_fields].name)
        n_fields++;
    unsigned char *seen = calloc(n_fields + 1, 1);
    json_t *errors = json_array();
    if (!seen || !errors) {
        free(seen);
        json_decref(errors);
        http_problem_for(resp, APP_NOMEM, NULL);
        return -1;
    }
    for (size_t c = 0; c < header->n; c++) {
        const struct field_spec *spec = fields;
        while (spec->name && strcmp(spec->name, header->fields[c]) != 0)
            spec++;
        const char *why = !spec->name || (spec->flags & F_READONLY) ? "is not a column of this import"
                          : seen[spec - fields]                     ? "is named twice in the header"
                                                                    : NULL;
        seen[spec - fields] = 1;
        columns[c] = why ? NULL : spec;
        if (why && bad++ < HEADER_ERRORS_LISTED)
            add_row_error(errors, 0, header->fields[c], why);
    }
    free(seen);
    if (bad == 0) {
        json_decref(errors);
        return 0;
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "the CSV header has %zu bad column%s (the first %d are listed)", bad,
             bad == 1 ? "" : "s", HEADER_ERRORS_LISTED);
    http_problem_counted(resp, 422, detail, errors, bad);
    return -1;
}

/* Turns one record into a row object, or reports a wrong number of fields. */
static void take_record(struct import_job *job, long row, const struct csv_row *rec,
                        const struct field_spec *const *columns, size_t n_columns)
{
    if (rec->n != n_columns) {
        char message[96];
        snprintf(message, sizeof(message), "has %zu fields; the header has %zu", rec->n, n_columns);
        add_row_error(job->errors, row, "row", message);
        return;
    }
    json_t *obj = json_object();
    for (size_t c = 0; obj && c < n_columns; c++) {
        json_t *v = cell_value(columns[c], rec->fields[c]);
        if (v)
            json_object_set_new(obj, columns[c]->name, v);
    }
    take_row(job, row, obj);
    json_decref(obj);
}

static int read_csv(const struct _u_request *req, struct _u_response *resp, struct import_job *job)
{
    struct csv_reader reader;
    struct csv_row header = {0}, rec = {0};
    const struct field_spec **columns = NULL;
    int rc = -1, more = 0;
    if (csv_init(&reader, req->binary_body ? req->binary_body : "", req->binary_body_length) != 0 ||
        (more = csv_next(&reader, &header)) < 0) {
        http_problem(resp, 400, NULL, reader.error, NULL);
        goto cleanup;
    }
    if (more == 0) {
        http_problem(resp, 400, NULL, "the CSV body needs a header row", NULL);
        goto cleanup;
    }
    columns = calloc(header.n, sizeof(*columns));
    if (!columns) {
        http_problem_for(resp, APP_NOMEM, NULL);
        goto cleanup;
    }
    if (read_header(resp, job, &header, columns) != 0)
        goto cleanup;
    long row = 0;
    while ((more = csv_next(&reader, &rec)) == 1)
        take_record(job, ++row, &rec, columns, header.n);
    if (more < 0) {
        http_problem(resp, 400, NULL, reader.error, NULL);
        goto cleanup;
    }
    rc = 0;
cleanup:
    csv_row_free(&header);
    csv_row_free(&rec);
    free(header.fields);
    free(rec.fields);
    free(columns);
    return rc;
}

static int read_rows(const struct _u_request *req, struct _u_response *resp, struct import_job *job)
{
    const char *type = http_header(req, "Content-Type");
    if (media_type_is(type, "application/json"))
        return read_json(req, resp, job);
    if (media_type_is(type, "text/csv"))
        return read_csv(req, resp, job);
    http_problem(resp, 415, NULL, "send the rows as application/json (an array) or text/csv", NULL);
    return -1;
}

/* ---- the import ---------------------------------------------------------------------------------- */

/* Merges two lists of row errors, each already in row order, into one in row order. */
static json_t *merge_by_row(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i = 0, j = 0, na = json_array_size(a), nb = json_array_size(b);
    while (out && (i < na || j < nb)) {
        json_t *x = i < na ? json_array_get(a, i) : NULL, *y = j < nb ? json_array_get(b, j) : NULL;
        int take_x =
            x && (!y || json_integer_value(json_object_get(x, "row")) <= json_integer_value(json_object_get(y, "row")));
        json_array_append(out, take_x ? x : y);
        take_x ? i++ : j++;
    }
    return out;
}

static int read_partial(const struct _u_request *req, struct _u_response *resp, int *partial)
{
    const char *v = http_query(req, "partial");
    *partial = v && strcmp(v, "true") == 0;
    if (!v || *partial || strcmp(v, "false") == 0)
        return 0;
    http_problem_field(resp, 400, "partial", "must be true or false");
    return -1;
}

struct import_counts {
    long created, updated, unchanged;
};

/* One import in a unit of work: the job, whether a partial import is wanted, and what became of it —
 * the rows' errors (new reference), the counts, whether to commit, the database's refusal. */
struct import_work {
    const struct principal *who;
    struct import_job *job;
    int partial;
    int commit; /* set by the work: every row valid, or a partial import */
    json_t *errors;
    struct import_counts *counts;
    struct db_error err;
};

/* uow_work: stage, check against the database, then (all valid, or partial) upsert; rolled back
 * otherwise. */
static enum app_status import_work(struct db_conn *conn, void *ctx)
{
    struct import_work *w = ctx;
    const struct import_kind *kind = w->job->route->kind;
    json_t *db_errors = json_array();
    json_decref(w->errors); /* an earlier attempt's, rolled back */
    memset(w->counts, 0, sizeof(*w->counts));
    memset(&w->err, 0, sizeof(w->err));
    enum app_status st = repo_import_stage(conn, w->job->copy.data, w->job->copy.len);
    if (st == APP_OK)
        st = repo_import_check(conn, kind, db_errors);
    w->errors = merge_by_row(w->job->errors, db_errors);
    w->commit = st == APP_OK && (w->partial || json_array_size(w->errors) == 0);
    if (w->commit && json_array_size(db_errors) > 0)
        st = repo_import_drop(conn, db_errors);
    if (w->commit && st == APP_OK)
        st = repo_import_apply(conn, kind, w->who, &w->counts->created, &w->counts->updated, &w->counts->unchanged,
                               &w->err);
    json_decref(db_errors);
    return st;
}

/* One unit of work: stage, check against the database, then (all valid, or partial) upsert. Sets *errors
 * (new reference) to the rows' errors. Returns the response after a failure, or 0 to report. */
static int import_rows(struct _u_response *resp, const struct app *app, struct import_job *job, int partial,
                       json_t **errors, struct import_counts *counts)
{
    struct import_work w = {.who = http_principal(resp), .job = job, .partial = partial, .counts = counts};
    enum app_status st = uow_run_or_roll_back(app->pool, import_work, &w, &w.commit, NULL);
    *errors = w.errors;
    if (st == APP_OK)
        return 0;
    return st == APP_CONFLICT || st == APP_INVALID ? http_problem_db(resp, st, &w.err, job->route->kind->table)
                                                   : http_problem_for(resp, st, NULL);
}

static int run_import(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                      const struct import_route *route)
{
    if (!access_has_role(http_principal(resp), ROLE_REGISTRY | ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN,
                                "only the student record system (registry) or an admin may import");
    int partial = 0;
    if (read_partial(req, resp, &partial) != 0)
        return U_CALLBACK_COMPLETE;
    struct import_job job = {.route = route, .errors = json_array()};
    struct import_counts counts = {0};
    json_t *errors = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (read_rows(req, resp, &job) != 0)
        goto cleanup;
    if (job.copy.failed || !job.errors) {
        rc = http_problem_for(resp, APP_NOMEM, NULL);
        goto cleanup;
    }
    if (import_rows(resp, app, &job, partial, &errors, &counts) != 0)
        goto cleanup;
    if (!partial && json_array_size(errors) > 0) {
        rc = http_problem(resp, 422, NULL, "some rows are invalid; nothing was imported", errors);
        errors = NULL;
        goto cleanup;
    }
    rc = http_json(resp, 200,
                   json_pack("{s:I, s:I, s:I, s:O}", "created", (json_int_t)counts.created, "updated",
                             (json_int_t)counts.updated, "unchanged", (json_int_t)counts.unchanged, "errors", errors));
cleanup:
    json_decref(job.errors);
    json_decref(errors);
    strbuf_free(&job.copy);
    return rc;
}

static int callback_students_import(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return run_import(req, resp, user_data, &STUDENTS);
}

static int callback_tutors_import(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return run_import(req, resp, user_data, &TUTORS);
}

int routes_imports_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/students:import", HTTP_IDEMPOTENT | HTTP_IMPORT | HTTP_HEAVY,
                      callback_students_import) |
           http_route(instance, app, "POST", "/tutors:import", HTTP_IDEMPOTENT | HTTP_IMPORT | HTTP_HEAVY,
                      callback_tutors_import);
}
