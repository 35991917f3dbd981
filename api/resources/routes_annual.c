/* routes_annual.c — the annual school report. The Leicester Code of Practice has schools report each year
 * with "a. Accurate data for the items listed in “Key Performance Indicators used to monitor ..." and
 * "b. A brief analysis of successes, challenges, and trends", and submit "approved reports":
 *   GET  /reports/annual?school=&year=                      the KPI list of the year beside up to four previous
 *        years (trends: the change from the year before), the Tutee Satisfaction figures when recorded, the
 *        counts of findings by rule on the year's as_of, and the analysis; JSON, CSV (`Accept: text/csv`: the
 *        KPI rows, one per year) or a printable page (`Accept: text/html`)
 *   PUT  /reports/annual/analysis?school=&year=             the senior tutor writes the analysis (`draft`)
 *   POST /reports/annual/analysis/submission?school=&year=  `draft` → `submitted`
 *   POST /reports/annual/analysis/decision?school=&year=    the Dean (or an admin): `approved` | `returned`
 * Readers: an admin, the Dean (institution-wide, read as an admin reads reports), a senior tutor of the school.
 * The figures are computed from current data each time, so they are the same whenever asked. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "compliance_tally.h"
#include "csv_out.h"
#include "evaluation.h"
#include "governance.h"
#include "html_out.h"
#include "http.h"
#include "repo_annual.h"
#include "repo_policies.h"
#include "report_rules.h"
#include "unit_of_work.h"
#include "validate.h"
#include "wire.h"

#define ANNUAL_PREVIOUS_YEARS 4

/* Reads school and year (both required); returns 0, or -1 after a 400 naming every bad one. */
static int read_school_year(const struct _u_request *req, struct _u_response *resp, const char **school,
                            const char **year)
{
    json_t *errors = json_array();
    *school = http_query(req, "school");
    *year = http_query(req, "year");
    if (!*school || !validate_is_code(*school))
        validate_error(errors, "school", "is required: a school code");
    if (!*year || !report_is_year_label(*year))
        validate_error(errors, "year", "is required: an academic year label like 2026/27");
    if (json_array_size(errors) == 0)
        return json_decref(errors), 0;
    http_problem(resp, 400, NULL, "a query parameter is invalid", errors);
    return -1;
}

/* The value at `path` ("a" or "a.b") of row, or NULL. Borrowed. */
static const json_t *value_at(const json_t *row, const char *path)
{
    const char *dot = strchr(path, '.');
    if (!dot)
        return json_object_get(row, path);
    char key[64];
    snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
    return json_object_get(json_object_get(row, key), dot + 1);
}

/* [{kpi, value, previous, change}] for every KPI both years have as a number (new reference). */
static json_t *trends_of(const json_t *now, const json_t *before)
{
    json_t *list = json_array();
    for (size_t i = 0; before && i < REPORT_KPI_N_COLUMNS; i++) {
        const json_t *a = value_at(now, REPORT_KPI_COLUMNS[i].path), *b = value_at(before, REPORT_KPI_COLUMNS[i].path);
        if (!json_is_number(a) || !json_is_number(b))
            continue;
        double change = json_number_value(a) - json_number_value(b);
        change = (double)(long long)(change * 100 + (change < 0 ? -0.5 : 0.5)) / 100; /* two decimals */
        json_array_append_new(list, json_pack("{s:s, s:O, s:O, s:f}", "kpi", REPORT_KPI_COLUMNS[i].header, "value", a,
                                              "previous", b, "change", change));
    }
    return list;
}

/* The counts of findings by rule and status for the school's students on `as_of` (new reference in *out). */
static enum app_status findings_by_rule(struct db_conn *conn, const struct principal *reader, const char *school,
                                        const char *as_of, json_t **out)
{
    struct as_of when;
    struct access_scope scope;
    struct evaluation ev;
    memset(&ev, 0, sizeof(ev));
    struct tally t = {0};
    const char *why = NULL;
    pe_findings f;
    pe_findings_init(&f);
    access_scope_of(reader, &scope);
    struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = school, .scope = &scope};
    enum app_status st = evaluation_parse_as_of(as_of, &when) == 0 ? APP_OK : APP_INVALID;
    if (st == APP_OK)
        st = evaluation_load(conn, &q, &when, school, &ev, &why);
    for (size_t i = 0; st == APP_OK && i < ev.facts.n_students; i++) {
        pe_findings_clear(&f);
        if (evaluation_student(&ev, i, NULL, &f) != PE_OK || tally_add(&t, &f) != 0)
            st = APP_NOMEM;
    }
    *out = st == APP_OK ? json_pack("{s:s, s:I, s:o}", "as_of", as_of, "students", (json_int_t)ev.facts.n_students,
                                    "rules", tally_to_json(&t))
                        : NULL;
    if (st == APP_OK && !*out)
        st = APP_NOMEM;
    evaluation_free(&ev);
    pe_findings_free(&f);
    tally_free(&t);
    return st;
}

/* The KPI rows of the school for each year of `years`, newest first (new reference in *kpis). */
static enum app_status kpis_by_year(struct db_conn *conn, const struct principal *reader, const char *school,
                                    const json_t *years, json_t **kpis)
{
    json_t *label;
    size_t i;
    enum app_status st = APP_OK;
    *kpis = json_array();
    json_array_foreach(years, i, label)
    {
        json_t *rows = NULL;
        if (st == APP_OK)
            st = report_kpi_rows(conn, NULL, reader, school, json_string_value(label), NULL, 0, &rows);
        if (st == APP_OK)
            json_array_append(*kpis, json_array_get(rows, 0));
        json_decref(rows);
    }
    return st;
}

/* Everything the report shows, in *doc (new reference). */
static enum app_status annual_document(struct db_conn *conn, const struct principal *reader, const char *school,
                                       const char *year, json_t **doc)
{
    json_t *years = NULL, *kpis = NULL, *survey = NULL, *findings = NULL, *analysis = NULL;
    *doc = NULL;
    enum app_status st = repo_annual_years(conn, year, ANNUAL_PREVIOUS_YEARS, &years);
    if (st == APP_OK)
        st = kpis_by_year(conn, reader, school, years, &kpis);
    if (st == APP_OK)
        st = repo_annual_survey(conn, school, year, &survey);
    if (st == APP_OK)
        st = repo_analysis_get(conn, school, year, &analysis);
    if (st == APP_OK)
        st = findings_by_rule(conn, reader, school,
                              json_string_value(json_object_get(json_array_get(kpis, 0), "as_of")), &findings);
    if (st == APP_OK)
        *doc = json_pack("{s:s, s:s, s:O, s:O, s:o, s:O, s:O, s:O}", "school", school, "year", year, "years", years,
                         "kpis", kpis, "trends", trends_of(json_array_get(kpis, 0), json_array_get(kpis, 1)),
                         "satisfaction", survey, "findings", findings, "analysis", analysis);
    if (st == APP_OK && !*doc)
        st = APP_NOMEM;
    json_decref(years);
    json_decref(kpis);
    json_decref(survey);
    json_decref(findings);
    json_decref(analysis);
    return st;
}

/* ---- the printable page -------------------------------------------------------------------------------- */

/* Appends one table cell holding `v` as text ("—" when missing or null). */
static void cell(struct strbuf *sb, const json_t *v)
{
    char *text = json_is_string(v)       ? NULL
                 : v && !json_is_null(v) ? json_dumps(v, JSON_ENCODE_ANY | CSV_OUT_JSON_FLAGS)
                                         : NULL;
    strbuf_puts(sb, "<td>");
    html_out_text(sb, json_is_string(v) ? json_string_value(v) : text ? text : "—");
    strbuf_puts(sb, "</td>");
    free(text);
}

/* The KPI list's columns as a reader says them (the CSV and JSON keep the machine names). */
static const struct {
    const char *header, *label;
} KPI_LABELS[] = {
    {"tutors", "Personal tutors"},
    {"tutees_per_tutor_median", "Tutees per tutor (median)"},
    {"tutees_per_tutor_max", "Tutees per tutor (most)"},
    {"pct_not_allocated_within_week", "% of tutees not allocated within a week of registering"},
    {"pct_tutors_trained_3y", "% of tutors trained in the last 3 years"},
    {"pct_tutors_quiz_3y", "% of tutors who took the quiz in the last 3 years"},
    {"median_quiz_score", "Median quiz score"},
    {"tutors_not_fulfilling_role", "Tutors not fulfilling the role"},
    {"pct_tutees_requesting_change", "% of tutees requesting a change of tutor"},
    {"pct_saes_contact_approval", "% satisfied with contact with their tutor (survey)"},
    {"pct_saes_positive_experience", "% with a positive experience of tutoring (survey)"},
};

/* The label of a KPI column, or its machine name when it has none. */
static const char *kpi_label(const char *header)
{
    for (size_t i = 0; i < sizeof(KPI_LABELS) / sizeof(KPI_LABELS[0]); i++)
        if (strcmp(KPI_LABELS[i].header, header) == 0)
            return KPI_LABELS[i].label;
    return header;
}

/* The change of KPI `header` in `trends`, or NULL. Borrowed. */
static const json_t *change_of(const json_t *trends, const char *header)
{
    const json_t *t;
    size_t i;
    json_array_foreach(trends, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "kpi")), header) == 0)
            return json_object_get(t, "change");
    }
    return NULL;
}

/* The KPI table: one row per KPI, one column per year (newest first), then the change from the year before. */
static void kpi_table(struct strbuf *sb, const json_t *kpis, const json_t *trends)
{
    const json_t *row;
    size_t k;
    strbuf_puts(sb, "<table>\n<thead><tr><th scope=\"col\">Indicator</th>");
    json_array_foreach(kpis, k, row)
    {
        strbuf_puts(sb, "<th scope=\"col\">");
        html_out_text(sb, json_string_value(json_object_get(row, "year")));
        strbuf_puts(sb, "</th>");
    }
    strbuf_puts(sb, "<th scope=\"col\">Change</th></tr></thead>\n<tbody>\n");
    for (size_t i = 3; i < REPORT_KPI_N_COLUMNS; i++) { /* after school, year, as_of */
        strbuf_puts(sb, "<tr><th scope=\"row\">");
        html_out_text(sb, kpi_label(REPORT_KPI_COLUMNS[i].header));
        strbuf_puts(sb, "</th>");
        json_array_foreach(kpis, k, row) cell(sb, value_at(row, REPORT_KPI_COLUMNS[i].path));
        cell(sb, change_of(trends, REPORT_KPI_COLUMNS[i].header));
        strbuf_puts(sb, "</tr>\n");
    }
    strbuf_puts(sb, "</tbody>\n</table>\n");
}

/* The findings table: one row per rule with its breached and met counts. */
static void findings_table(struct strbuf *sb, const json_t *findings)
{
    const json_t *rule;
    size_t i;
    strbuf_puts(sb,
                "<table>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Met</th><th scope=\"col\">"
                "Pending</th><th scope=\"col\">Due soon</th><th scope=\"col\">Breached</th></tr></thead>\n<tbody>\n");
    json_array_foreach(json_object_get(findings, "rules"), i, rule)
    {
        const json_t *counts = json_object_get(rule, "counts");
        strbuf_puts(sb, "<tr><th scope=\"row\">");
        html_out_text(sb, json_string_value(json_object_get(rule, "rule")));
        strbuf_puts(sb, "</th>");
        cell(sb, json_object_get(counts, "met"));
        cell(sb, json_object_get(counts, "pending"));
        cell(sb, json_object_get(counts, "due_soon"));
        cell(sb, json_object_get(counts, "breached"));
        strbuf_puts(sb, "</tr>\n");
    }
    strbuf_puts(sb, "</tbody>\n</table>\n");
}

/* The whole page. */
static void annual_html(const json_t *doc, struct strbuf *sb)
{
    char title[128], line[256];
    const json_t *survey = json_object_get(doc, "satisfaction"), *analysis = json_object_get(doc, "analysis");
    snprintf(title, sizeof(title), "Annual personal tutoring report: %s, %s",
             json_string_value(json_object_get(doc, "school")), json_string_value(json_object_get(doc, "year")));
    html_out_begin(sb, title);
    html_out_element(sb, "h2", "Key Performance Indicators");
    kpi_table(sb, json_object_get(doc, "kpis"), json_object_get(doc, "trends"));
    html_out_element(sb, "h2", "Tutee Satisfaction");
    if (json_is_object(survey)) {
        snprintf(line, sizeof(line), "Contact approval: %.1f%%. Positive experience: %.1f%%.",
                 json_number_value(json_object_get(survey, "contact_pct")),
                 json_number_value(json_object_get(survey, "positive_pct")));
        html_out_element(sb, "p", line);
        html_out_element(sb, "p", json_string_value(json_object_get(survey, "actions")));
    } else
        html_out_element(sb, "p", "No survey figures were recorded for this year.");
    html_out_element(sb, "h2", "Findings by rule");
    findings_table(sb, json_object_get(doc, "findings"));
    html_out_element(sb, "h2", "Analysis of successes, challenges and trends");
    snprintf(line, sizeof(line), "Status: %s",
             json_is_object(analysis) ? json_string_value(json_object_get(analysis, "status")) : "not written yet");
    html_out_element(sb, "p", line);
    if (json_is_object(analysis))
        html_out_element(sb, "p", json_string_value(json_object_get(analysis, "text")));
    html_out_end(sb);
}

/* The annual document read (uow_work context): in the reader, school and year; out the document. */
struct annual_read {
    const struct principal *reader;
    const char *school, *year;
    json_t *doc;
};

/* uow_work: annual_document. */
static enum app_status read_annual(struct db_conn *conn, void *ctx)
{
    struct annual_read *r = ctx;
    return annual_document(conn, r->reader, r->school, r->year, &r->doc);
}

/* GET /reports/annual: the document as JSON, its KPI rows as CSV, or the printable page. */
static int callback_annual(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *school, *year;
    if (read_school_year(req, resp, &school, &year) != 0)
        return U_CALLBACK_COMPLETE;
    struct principal reader = governance_reader(http_principal(resp));
    struct annual_read r = {.reader = &reader, .school = school, .year = year};
    enum app_status st = uow_read(app->pool, read_annual, &r);
    json_t *doc = r.doc;
    if (st != APP_OK)
        return http_problem_for(resp, st,
                                st == APP_FORBIDDEN
                                    ? "the annual report is for an admin, the Dean or a senior tutor of the school"
                                : st == APP_NOT_FOUND ? "no such school or academic year"
                                                      : NULL);
    int rc;
    struct strbuf sb = {0};
    if (csv_out_wanted(http_header(req, "Accept")))
        rc = csv_out_send(resp, 200,
                          csv_out_table(REPORT_KPI_COLUMNS, REPORT_KPI_N_COLUMNS, json_object_get(doc, "kpis")));
    else if (html_out_wanted(http_header(req, "Accept")))
        annual_html(doc, &sb), rc = html_out_send(resp, 200, &sb);
    else
        rc = http_json_text(resp, 200, json_dumps(doc, CSV_OUT_JSON_FLAGS));
    json_decref(doc);
    return rc;
}

/* ---- the analysis and its lifecycle -------------------------------------------------------------------- */

enum analysis_step { STEP_WRITE, STEP_SUBMIT, STEP_DECIDE };

struct analysis_change {
    enum analysis_step step;
    const char *text;         /* STEP_WRITE */
    const char *to, *comment; /* STEP_DECIDE */
};

/* Who may take the step, from which state: APP_OK, APP_FORBIDDEN, APP_NOT_FOUND (nothing to submit or
 * decide) or APP_CONFLICT with *why. */
static enum app_status may_step(struct db_conn *conn, const struct principal *who, const char *school,
                                const struct analysis_head *h, int found, enum analysis_step step, const char **why)
{
    enum app_status st = step == STEP_DECIDE ? (governance_is_dean(who) ? APP_OK : APP_FORBIDDEN)
                                             : repo_school_authority(conn, who, school);
    if (st != APP_OK)
        return st;
    if (!found)
        return step == STEP_WRITE ? APP_OK : APP_NOT_FOUND;
    *why = step == STEP_WRITE    ? "a submitted or approved analysis cannot be rewritten"
           : step == STEP_SUBMIT ? "only a draft analysis can be submitted"
                                 : "only a submitted analysis can be decided";
    const char *from = step == STEP_SUBMIT ? "draft" : step == STEP_DECIDE ? "submitted" : NULL;
    if (from)
        return strcmp(h->status, from) == 0 ? APP_OK : APP_CONFLICT;
    return strcmp(h->status, "draft") == 0 || strcmp(h->status, "returned") == 0 ? APP_OK : APP_CONFLICT;
}

/* Applies the step, records the transition, and leaves the analysis JSON in *json (new reference). */
static enum app_status apply_step(struct db_conn *conn, const struct principal *who, const char *school,
                                  const char *year, struct analysis_head *h, int found, const struct analysis_change *c,
                                  json_t **json, struct db_error *err)
{
    const char *to = c->step == STEP_WRITE ? "draft" : c->step == STEP_SUBMIT ? "submitted" : c->to;
    enum app_status st = c->step == STEP_WRITE ? repo_analysis_write(conn, who, school, year, c->text, h->id, err)
                                               : repo_analysis_move(conn, h->id, to, who, c->comment);
    if (st == APP_OK)
        st = repo_analysis_get(conn, school, year, json);
    char *text = st == APP_OK ? json_dumps(*json, JSON_COMPACT) : NULL;
    if (st == APP_OK)
        st = governance_record(conn, who, "annual_report", h->id, found ? h->status : NULL, to, c->comment, school,
                               text);
    free(text);
    return st;
}

/* One step of the analysis in a unit of work: its inputs, and what became of it — the analysis (new
 * reference) on APP_OK, whether it existed, where it stopped, why a step was refused, the database's
 * refusal. */
struct analysis_work {
    const struct principal *who;
    const char *school, *year, *if_match;
    const struct analysis_change *change;
    int found, at_if_match;
    const char *why;
    struct analysis_head head;
    json_t *json;
    struct db_error err;
};

/* uow_work: the year, lock, check, If-Match on the analysis's version, apply (recorded). */
static enum app_status transition_work(struct db_conn *conn, void *ctx)
{
    struct analysis_work *w = ctx;
    json_t *years = NULL;
    json_decref(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    w->found = w->at_if_match = 0;
    w->why = NULL;
    memset(&w->err, 0, sizeof(w->err));
    enum app_status st = repo_annual_years(conn, w->year, 0, &years);
    json_decref(years);
    if (st == APP_OK)
        st = repo_analysis_lock(conn, w->school, w->year, &w->head, &w->found);
    if (st == APP_OK)
        st = may_step(conn, w->who, w->school, &w->head, w->found, w->change->step, &w->why);
    if (st == APP_OK && wire_if_match(w->if_match, w->found ? w->head.version : NULL) != 1)
        w->at_if_match = 1, st = APP_PRECONDITION_FAILED;
    return st == APP_OK ? apply_step(conn, w->who, w->school, w->year, &w->head, w->found, w->change, &w->json, &w->err)
                        : st;
}

/* One step in one unit of work: lock, check, If-Match on the analysis's version, apply, answer. */
static int analysis_transition(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                               const struct analysis_change *c)
{
    struct analysis_work w = {.who = http_principal(resp), .change = c, .if_match = http_header(req, "If-Match")};
    if (read_school_year(req, resp, &w.school, &w.year) != 0)
        return U_CALLBACK_COMPLETE;
    enum app_status st = uow_run(app->pool, transition_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK)
        rc = http_json(resp, w.found ? 200 : 201, json_incref(w.json));
    else if (w.at_if_match)
        http_check_if_match(req, resp, w.found ? w.head.version : NULL);
    else if (st == APP_INVALID)
        rc = http_problem_db(resp, st, &w.err, "annual_report_analyses");
    else
        rc = http_problem_for(resp, st,
                              st == APP_CONFLICT ? w.why
                              : st == APP_FORBIDDEN
                                  ? "the senior tutor writes and submits the analysis; the Dean decides"
                              : st == APP_NOT_FOUND ? "no such school or academic year, or no analysis written yet"
                                                    : NULL);
    json_decref(w.json);
    return rc;
}

/* PUT /reports/annual/analysis: validates {"text"} and writes it (201 the first time). */
static int callback_analysis_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    struct analysis_change c = {.step = STEP_WRITE};
    const char *key;
    json_t *value;
    int rc = U_CALLBACK_COMPLETE;
    json_object_foreach(body, key, value) if (strcmp(key, "text") != 0) validate_error(errors, key, "is not allowed");
    const json_t *text = json_object_get(body, "text");
    c.text = json_string_value(text);
    if (body && (!c.text || json_string_length(text) < 1 || json_string_length(text) > 20000 ||
                 strspn(c.text, " \t\r\n") == json_string_length(text)))
        validate_error(errors, "text", "is required: the analysis, 1 to 20000 characters");
    if (body && json_array_size(errors) > 0)
        rc = http_problem(resp, 422, NULL, "the analysis is not valid", json_incref(errors));
    else if (body)
        rc = analysis_transition(req, resp, user_data, &c);
    json_decref(errors);
    json_decref(body);
    return rc;
}

/* POST /reports/annual/analysis/submission: `draft` → `submitted`. */
static int callback_analysis_submit(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct analysis_change c = {.step = STEP_SUBMIT};
    return analysis_transition(req, resp, user_data, &c);
}

/* POST /reports/annual/analysis/decision: the Dean approves or returns the analysis. */
static int callback_analysis_decide(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct analysis_change c = {.step = STEP_DECIDE};
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (body && governance_read_decision(body, &c.to, &c.comment, errors) == 0)
        rc = analysis_transition(req, resp, user_data, &c);
    else if (body)
        rc = http_problem(resp, 422, NULL, "the decision is not valid", json_incref(errors));
    json_decref(errors);
    json_decref(body);
    return rc;
}

int routes_annual_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/reports/annual", 0, callback_annual) |
           http_route(instance, app, "PUT", "/reports/annual/analysis", 0, callback_analysis_put) |
           http_route(instance, app, "POST", "/reports/annual/analysis/submission", 0, callback_analysis_submit) |
           http_route(instance, app, "POST", "/reports/annual/analysis/decision", 0, callback_analysis_decide);
}
