/* routes_reports.c — GET /reports/kpis, /reports/engagement, /reports/workload: JSON, or RFC 4180 CSV
 * with `Accept: text/csv` (the same document rendered as rows, so the numbers are the same).
 *
 * Access: an admin reads every school; a senior tutor reads their own schools (tutord_senior_schools:
 * the token's schools claim, else their staff record's school); another school — existing or not — is
 * 403 for them, as is every report to a tutor, student or registry. An admin naming a school that does
 * not exist gets 404. Without `school`: /reports/kpis is admin only (one row per school plus the
 * institution total); engagement and workload cover every school the caller may read. */
#include "routes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "csv_out.h"
#include "db.h"
#include "heavy_read.h"
#include "http.h"
#include "repo_reports.h"
#include "report_rules.h"
#include "strbuf.h"
#include "validate.h"

/* The query parameters of a report, checked. */
struct report_params {
    const char *school, *as_of, *year;
    double threshold; /* breach_threshold, percent; 0: each school's policy's not_fulfilling_pct */
    int grace_days;   /* grace_days, days */
};

/* Reads an optional number parameter within [lo, hi] into *out (kept when absent). */
static void read_number(const struct _u_request *req, const char *name, double lo, double hi, double *out,
                        json_t *errors)
{
    const char *v = http_query(req, name);
    char *end = NULL;
    if (!v)
        return;
    double d = strtod(v, &end);
    if (!*v || *end || !(d >= lo && d <= hi)) {
        char message[96];
        snprintf(message, sizeof(message), "must be a number from %g to %g", lo, hi);
        validate_error(errors, name, message);
        return;
    }
    *out = d;
}

/* Reads and checks the parameters; returns 0, or -1 after a 400 naming every bad one. */
static int read_params(const struct _u_request *req, struct _u_response *resp, struct report_params *p)
{
    json_t *errors = json_array();
    double grace = 7;
    memset(p, 0, sizeof(*p));
    p->school = http_query(req, "school");
    p->as_of = http_query(req, "as_of");
    p->year = http_query(req, "year");
    p->threshold = 0;
    if (p->school && !validate_is_code(p->school))
        validate_error(errors, "school", "must be a school code");
    if (p->as_of && !validate_is_date(p->as_of))
        validate_error(errors, "as_of", "must be a date (YYYY-MM-DD)");
    if (p->year && !report_is_year_label(p->year))
        validate_error(errors, "year", "must be an academic year label like 2026/27");
    read_number(req, "breach_threshold", 0.01, 100, &p->threshold, errors);
    read_number(req, "grace_days", 0, 365, &grace, errors);
    if (grace != (int)grace)
        validate_error(errors, "grace_days", "must be a whole number of days");
    p->grace_days = (int)grace;
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    http_problem(resp, 400, NULL, "a query parameter is invalid", errors);
    return -1;
}

/* Answers a report failure: 403/404 with a detail that says why, else the mapped status. */
static int report_failed(struct _u_response *resp, enum app_status st)
{
    const char *detail = st == APP_FORBIDDEN   ? "reports are for an admin, or a senior tutor of the school"
                         : st == APP_NOT_FOUND ? "no such school or academic year"
                                               : NULL;
    return http_problem_for(resp, st, detail);
}

/* Sends `doc` (stolen) as JSON, or as CSV from `rows` (borrowed from doc) when the client asked for it. */
static int respond(const struct _u_request *req, struct _u_response *resp, json_t *doc, const json_t *rows,
                   const struct csv_column *cols, size_t n)
{
    int rc;
    if (csv_out_wanted(http_header(req, "Accept")))
        rc = csv_out_send(resp, 200, csv_out_table(cols, n, rows));
    else
        rc = http_json_text(resp, 200, json_dumps(doc, CSV_OUT_JSON_FLAGS));
    json_decref(doc);
    return rc;
}

/* ---- GET /reports/kpis ------------------------------------------------------------------------------ */

/* The KPI document: the school's row (SPEC §4a), or {year, as_of, schools: [rows], total} for all. */
static json_t *kpi_document(const json_t *rows, int one_school)
{
    size_t n = json_array_size(rows);
    if (one_school)
        return json_incref(json_array_get(rows, 0));
    const json_t *total = json_array_get(rows, n - 1);
    json_t *schools = json_array();
    for (size_t i = 0; i + 1 < n; i++)
        json_array_append(schools, json_array_get(rows, i));
    return json_pack("{s:O?, s:O?, s:o, s:O?}", "year", json_object_get(total, "year"), "as_of",
                     json_object_get(total, "as_of"), "schools", schools, "total", total);
}

/* A report's read (uow_work context, on the heavy-read connection): in the caller and the parameters; out
 * the settled as_of, the rows or document, and (workload) the schools' policies. The handler frees doc and
 * extra whatever the status. */
struct report_read {
    const struct principal *who;
    const struct report_params *p;
    char as_of[11];
    json_t *doc, *extra;
    struct report_table items; /* engagement: the SQL items (the handler frees them too) */
    struct db_pool *pool;      /* the connection's pool (heavy_read_run_in) */
};

/* uow_work: the KPI rows. */
static enum app_status read_kpis(struct db_conn *conn, void *ctx)
{
    struct report_read *r = ctx;
    return report_kpi_rows(conn, r->pool, r->who, r->p->school, r->p->year, r->p->as_of, r->p->threshold, &r->doc);
}

static int callback_reports_kpis(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct report_params p;
    if (read_params(req, resp, &p) != 0)
        return U_CALLBACK_COMPLETE;
    struct report_read r = {.who = http_principal(resp), .p = &p};
    enum app_status st = heavy_read_run_in(app, resp, read_kpis, &r, &r.pool);
    json_t *rows = r.doc;
    int rc = st != APP_OK ? report_failed(resp, st)
                          : respond(req, resp, kpi_document(rows, p.school != NULL), rows, REPORT_KPI_COLUMNS,
                                    REPORT_KPI_N_COLUMNS);
    json_decref(rows);
    return rc;
}

/* Checks access, opens the report's read transaction and settles as_of (default: today, local time). */
static enum app_status report_begin(struct db_conn *conn, const struct principal *who, const struct report_params *p,
                                    char as_of[11])
{
    enum app_status st = repo_report_access(conn, who, p->school, 1);
    if (st == APP_OK)
        st = repo_report_snapshot(conn);
    if (st == APP_OK && p->as_of)
        snprintf(as_of, 11, "%s", p->as_of);
    else if (st == APP_OK)
        st = repo_report_today(conn, as_of);
    return st;
}

/* ---- GET /reports/engagement ------------------------------------------------------------------------ */

static const struct csv_column ENGAGEMENT_COLUMNS[] = {
    {"school", "school"},
    {"student", "student"},
    {"student_name", "student_name"},
    {"tutor", "tutor"},
    {"tutor_name", "tutor_name"},
    {"reason", "reason"},
    {"evidence_ids", "evidence[].id"},
    {"evidence_at", "evidence[].at"},
    {"detail", "detail"},
};

/* uow_work: the students needing attention: the head in doc and the SQL items in items (in the report's
 * snapshot), and the rule findings in extra (sorted rows; the engine's facts are read in snapshots of their
 * own). With a connection to spare, the SQL items run on `conn` while the rule findings are read and judged on
 * the spare one, so that the database's work on the one overlaps the database's and the engine's on the other;
 * else one after the other. */
static enum app_status read_engagement(struct db_conn *conn, void *ctx)
{
    struct report_read *r = ctx;
    enum app_status st = report_begin(conn, r->who, r->p, r->as_of);
    if (st == APP_OK && !(r->extra = json_array()))
        st = APP_NOMEM;
    struct db_conn *spare = NULL, *second = NULL; /* the rule-based rows' batches, read on both when there are two */
    int beside = st == APP_OK && db_acquire_spare(r->pool, &spare) == APP_OK;
    if (beside) /* none to spare: second stays NULL */
        (void)db_acquire_spare(r->pool, &second);
    if (st == APP_OK)
        st = repo_report_engagement_start(conn, r->who, r->p->school, r->as_of, r->p->grace_days, &r->doc);
    enum app_status rules = st == APP_OK && beside
                                ? report_rules_engagement(spare, second, r->who, r->p->school, r->as_of, r->extra)
                                : APP_OK;
    db_release(r->pool, second);
    db_release(r->pool, spare);
    if (st == APP_OK)
        st = repo_report_engagement_finish(conn, &r->items);
    db_rollback(conn);
    if (st == APP_OK)
        st = beside ? rules : report_rules_engagement(conn, NULL, r->who, r->p->school, r->as_of, r->extra);
    return st;
}

/* Appends v as the reports write JSON (compact; any value). */
static void put_json(struct strbuf *sb, const json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | CSV_OUT_JSON_FLAGS);
    if (!text)
        sb->failed = 1;
    else
        strbuf_puts(sb, text);
    free(text);
}

/* Upper-cases the hex digits of the \u escapes in JSON text: PostgreSQL's to_json writes a control
 * character as \u001b, jansson as \u001B (a backslash outside a string is not JSON). */
static void upper_unicode_escapes(char *text)
{
    for (char *c = text; *c; c++) {
        if (*c != '\\' || !c[1])
            continue;
        if (c[1] == 'u')
            for (int k = 2; k < 6 && c[k]; k++)
                c[k] = (char)toupper((unsigned char)c[k]);
        c++; /* the escaped character: an escaped backslash starts nothing */
    }
}

/* Appends JSON text the report SQL composed with to_json as jansson would write it: the same text but for
 * the case of its \u escapes (repo_reports.c: the workload's tutors, the engagement's items). */
static void put_sql_json(struct strbuf *sb, const char *text)
{
    size_t at = sb->len;
    strbuf_puts(sb, text);
    if (!sb->failed)
        upper_unicode_escapes(sb->data + at);
}

/* report_engagement_each's emit for JSON: the item's compact text, after a comma from the second on; an
 * SQL item's text as the statement wrote it (put_sql_json). */
static int emit_json(const json_t *item, const char *text, void *ctx)
{
    struct strbuf *sb = ctx;
    if (sb->len > 0 && sb->data[sb->len - 1] != '[')
        strbuf_puts(sb, ",");
    if (item)
        put_json(sb, item);
    else
        put_sql_json(sb, text);
    return sb->failed ? -1 : 0;
}

#define N_ENGAGEMENT_COLUMNS (sizeof(ENGAGEMENT_COLUMNS) / sizeof(ENGAGEMENT_COLUMNS[0]))

/* report_engagement_each's emit for CSV: the item's row (an SQL item's text parsed for it). */
static int emit_row(const json_t *item, const char *text, void *ctx)
{
    struct strbuf *sb = ctx;
    json_t *parsed = item ? NULL : json_loads(text, 0, NULL);
    if (!item && !parsed)
        return -1;
    csv_out_row(sb, ENGAGEMENT_COLUMNS, N_ENGAGEMENT_COLUMNS, item ? item : parsed);
    json_decref(parsed);
    return sb->failed ? -1 : 0;
}

/* The engagement document as JSON text: the head {as_of, term, items: []} with the items written into its
 * list one at a time (never the whole list as JSON values: 58,000 items took 165 MB). NULL on OOM. */
static char *engagement_text(const json_t *head, const struct report_table *sql, const json_t *rules)
{
    char *text = json_dumps(head, CSV_OUT_JSON_FLAGS);
    size_t len = text ? strlen(text) : 0;
    struct strbuf sb = {0};
    if (len >= 2 && strcmp(text + len - 2, "]}") == 0) { /* the head ends with its empty "items":[] */
        strbuf_append(&sb, text, len - 2);
        if (report_engagement_each(sql, rules, emit_json, &sb) != 0)
            sb.failed = 1;
        strbuf_puts(&sb, "]}");
    }
    free(text);
    return len >= 2 ? strbuf_take(&sb) : NULL;
}

/* Frees what a report's read returned (again: a no-op). */
static void report_read_release(struct report_read *r)
{
    json_decref(r->doc);
    json_decref(r->extra);
    r->doc = r->extra = NULL;
    repo_report_table_free(&r->items);
}

/* The engagement report as CSV text, written a row at a time like the JSON (engagement_text); NULL on OOM.
 * Collected as JSON rows first, the 160,000-student institution's CSV peaked at 215 MB of RSS (77 MB for its
 * JSON). */
static char *engagement_csv(const struct report_table *sql, const json_t *rules)
{
    struct strbuf sb = {0};
    csv_out_header(&sb, ENGAGEMENT_COLUMNS, N_ENGAGEMENT_COLUMNS);
    if (report_engagement_each(sql, rules, emit_row, &sb) != 0)
        sb.failed = 1;
    return strbuf_take(&sb);
}

/* Sends the engagement report as JSON, or as CSV rows when the client asked for them. The items and
 * findings are freed as soon as the text is written, before the text becomes the body. */
static int respond_engagement(const struct _u_request *req, struct _u_response *resp, struct report_read *r)
{
    if (!csv_out_wanted(http_header(req, "Accept"))) {
        char *text = engagement_text(r->doc, &r->items, r->extra);
        report_read_release(r);
        return http_json_text(resp, 200, text);
    }
    char *csv = engagement_csv(&r->items, r->extra);
    report_read_release(r);
    return csv_out_send(resp, 200, csv);
}

static int callback_reports_engagement(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    struct report_params p;
    if (read_params(req, resp, &p) != 0)
        return U_CALLBACK_COMPLETE;
    struct report_read r = {.who = who, .p = &p};
    enum app_status st = heavy_read_run_in(app, resp, read_engagement, &r, &r.pool);
    int rc = st != APP_OK ? report_failed(resp, st) : respond_engagement(req, resp, &r);
    report_read_release(&r);
    return rc;
}

/* ---- GET /reports/workload -------------------------------------------------------------------------- */

static const struct csv_column WORKLOAD_COLUMNS[] = {
    {"school", "s.school"},
    {"as_of", "s.as_of"},
    {"school_tutees", "s.tutees"},
    {"school_allocated", "s.allocated"},
    {"senior_tutor_hours", "s.senior_tutor_hours"},
    {"tutor", "t.tutor"},
    {"name", "t.name"},
    {"capacity", "t.capacity"},
    {"tutees", "t.tutees"},
    {"cover_tutees", "t.cover_tutees"},
    {"secondary_tutees", "t.secondary_tutees"},
    {"pct_of_capacity", "t.pct_of_capacity"},
    {"over_capacity", "t.over_capacity"},
    {"active", "t.active"},
};

/* One CSV row per tutor {s: school, t: tutor}, and one with no tutor for a school that has none (the
 * tutors' text parsed here: only the CSV answer needs them as values). */
static json_t *workload_rows(const json_t *schools)
{
    json_t *rows = json_array();
    size_t i, j;
    const json_t *school, *tutor;
    json_array_foreach(schools, i, school)
    {
        json_t *tutors = json_loads(json_string_value(json_object_get(school, "tutors")), 0, NULL);
        json_array_foreach(tutors, j, tutor)
            json_array_append_new(rows, json_pack("{s:O, s:O}", "s", school, "t", tutor));
        if (json_array_size(tutors) == 0)
            json_array_append_new(rows, json_pack("{s:O}", "s", school));
        json_decref(tutors);
    }
    return rows;
}

/* Appends a school's object, its members in their order, "tutors" (JSON text already) as jansson would
 * write it. */
static void put_workload_school(struct strbuf *sb, json_t *school)
{
    const char *key;
    json_t *value;
    const char *sep = "{";
    json_object_foreach(school, key, value)
    {
        json_t *name = json_string(key);
        strbuf_puts(sb, sep);
        put_json(sb, name);
        strbuf_puts(sb, ":");
        if (strcmp(key, "tutors") == 0 && json_is_string(value))
            put_sql_json(sb, json_string_value(value));
        else
            put_json(sb, value);
        json_decref(name);
        sep = ",";
    }
    strbuf_puts(sb, *sep == '{' ? "{}" : "}");
}

/* The workload's JSON text: the school's object, or {as_of, schools} for all (NULL when one school was
 * asked for and none came back, as respond() would send). */
static char *workload_text(const json_t *schools, const char *as_of, int one_school)
{
    struct strbuf sb = {0};
    if (one_school) {
        if (json_array_size(schools) == 0)
            return NULL;
        put_workload_school(&sb, json_array_get(schools, 0));
        return strbuf_take(&sb);
    }
    json_t *day = json_string(as_of);
    strbuf_puts(&sb, "{\"as_of\":");
    put_json(&sb, day);
    strbuf_puts(&sb, ",\"schools\":[");
    size_t i;
    json_t *school;
    json_array_foreach(schools, i, school)
    {
        if (i > 0)
            strbuf_puts(&sb, ",");
        put_workload_school(&sb, school);
    }
    strbuf_puts(&sb, "]}");
    json_decref(day);
    return strbuf_take(&sb);
}

/* uow_work: the schools' workload and their policies in force, in the report's snapshot. */
static enum app_status read_workload(struct db_conn *conn, void *ctx)
{
    struct report_read *r = ctx;
    enum app_status st = report_begin(conn, r->who, r->p, r->as_of);
    if (st == APP_OK)
        st = repo_report_workload(conn, r->who, r->p->school, r->as_of, &r->doc);
    if (st == APP_OK)
        st = repo_report_policies(conn, r->who, r->p->school, r->as_of, &r->extra);
    return st;
}

static int callback_reports_workload(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    struct report_params p;
    if (read_params(req, resp, &p) != 0)
        return U_CALLBACK_COMPLETE;
    struct report_read r = {.who = who, .p = &p};
    enum app_status st = heavy_read_run(app, resp, read_workload, &r);
    json_t *schools = r.doc, *policies = r.extra;
    if (st == APP_OK)
        report_rules_senior_hours(policies, schools);
    json_decref(policies);
    if (st != APP_OK) {
        json_decref(schools);
        return report_failed(resp, st);
    }
    int rc;
    if (csv_out_wanted(http_header(req, "Accept"))) {
        json_t *rows = workload_rows(schools);
        rc = csv_out_send(
            resp, 200, csv_out_table(WORKLOAD_COLUMNS, sizeof(WORKLOAD_COLUMNS) / sizeof(WORKLOAD_COLUMNS[0]), rows));
        json_decref(rows);
    } else {
        rc = http_json_text(resp, 200, workload_text(schools, r.as_of, p.school != NULL));
    }
    json_decref(schools);
    return rc;
}

int routes_reports_register(struct _u_instance *instance, const struct app *app)
{
    report_rules_set_batch(app->config ? (size_t)app->config->report_batch_students : 0);
    return http_route(instance, app, "GET", "/reports/kpis", HTTP_HEAVY, callback_reports_kpis) |
           http_route(instance, app, "GET", "/reports/engagement", HTTP_HEAVY, callback_reports_engagement) |
           http_route(instance, app, "GET", "/reports/workload", HTTP_HEAVY, callback_reports_workload);
}
