/* routes_calendar.c — GET /calendar (any authenticated caller), PUT /calendar (admin: replaces the
 * years, terms and closures and sets the time zone, in one transaction). A term may name its semester
 * (1..4); the engine's calendar parser is what decides whether a document is a calendar, the service adds
 * only what the database needs. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "pe.h"
#include "repo_calendar.h"
#include "tzdata.h"
#include "unit_of_work.h"
#include "validate.h"

/* The calendar read (malloc'd). */
struct calendar_read {
    char *json, *version;
};

/* uow_work for GET /calendar. */
static enum app_status read_calendar(struct db_conn *conn, void *ctx)
{
    struct calendar_read *r = ctx;
    free(r->json), free(r->version);
    return repo_calendar_get(conn, &r->json, &r->version);
}

static int callback_calendar_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct app *app = user_data;
    struct calendar_read r = {0};
    enum app_status st = uow_read(app->pool, read_calendar, &r);
    char *json = r.json, *version = r.version;
    if (st != APP_OK) {
        free(json), free(version);
        return http_problem_for(resp, st, NULL);
    }
    http_set_etag(resp, version);
    free(version);
    return http_json_text(resp, 200, json);
}

/* ---- validation: the engine's reading, then what the database needs ------------------------------- */

/* Fields of GET /calendar the service sets: refused in a PUT with their own message. */
static const char *const SERVICE_SET[] = {"version", "updated_at", NULL};

static void field_error(json_t *errors, const char *prefix, size_t i, const char *field, const char *message)
{
    char name[96];
    snprintf(name, sizeof(name), "%s[%zu]%s%s", prefix, i, *field ? "." : "", field);
    validate_error(errors, name, message);
}

static const char *text_of(const json_t *item, const char *key)
{
    const char *s = json_string_value(json_object_get(item, key));
    return s ? s : "";
}

/* The policy engine's reading of the document, the one judge of its shape: required fields and their
 * types, real dates in order, terms inside their year, years not overlapping, semesters, unknown fields
 * and the time zone (a POSIX rule, or an IANA zone whose rule the system's tzdata gives: one the engine
 * cannot evaluate is refused here). Its errors ("$.years[0].end") are added under the API's field names
 * ("years[0].end"). */
static void check_with_engine(const json_t *doc, json_t *errors)
{
    pe_calendar *cal = NULL;
    json_t *found = NULL, *e, *copy = json_deep_copy(doc), *year;
    size_t i;
    for (const char *const *k = SERVICE_SET; copy && *k; k++)
        json_object_del(copy, *k); /* refused by validate_calendar */
    json_array_foreach(json_object_get(copy, "years"), i,
                       year) if (json_is_object(year) && !json_object_get(year, "terms"))
        json_object_set_new(year, "terms", json_array()); /* optional in a request: none */
    tzdata_resolve(copy); /* an IANA zone the engine does not know itself: its rule from tzdata */
    if (!copy || pe_calendar_parse(copy, &cal, &found) == PE_NOMEM)
        validate_error(errors, "$", "the calendar could not be read");
    json_array_foreach(found, i, e)
    {
        const char *field = json_string_value(json_object_get(e, "field"));
        validate_error(errors, field && strncmp(field, "$.", 2) == 0 ? field + 2 : "$",
                       json_string_value(json_object_get(e, "message")));
    }
    json_decref(found);
    json_decref(copy);
    pe_calendar_free(cal);
}

/* No two terms of year y share a name (terms' key is the year and the name). */
static void check_term_names(const json_t *year, size_t y, json_t *errors)
{
    char prefix[40];
    snprintf(prefix, sizeof(prefix), "years[%zu].terms", y);
    const json_t *terms = json_object_get(year, "terms"), *t, *u;
    size_t i, j;
    json_array_foreach(terms, i, t)
    {
        for (j = 0; j < i && (u = json_array_get(terms, j)); j++)
            if (strcmp(text_of(t, "name"), text_of(u, "name")) == 0)
                field_error(errors, prefix, i, "name", "repeats another term's name");
    }
}

/* academic_years.label is written like 2026/27 and is the key; then each year's term names. */
static void check_years(const json_t *doc, json_t *errors)
{
    const json_t *years = json_object_get(doc, "years"), *y, *z;
    size_t i, j;
    json_array_foreach(years, i, y)
    {
        const char *label = text_of(y, "label");
        if (!(strlen(label) == 7 && strspn(label, "0123456789") == 4 && label[4] == '/' &&
              strspn(label + 5, "0123456789") == 2))
            field_error(errors, "years", i, "label", "must be written like 2026/27");
        for (j = 0; j < i && (z = json_array_get(years, j)); j++)
            if (strcmp(label, text_of(z, "label")) == 0)
                field_error(errors, "years", i, "label", "repeats another year's label");
        check_term_names(y, i, errors);
    }
}

/* closures.day is the key and closures.reason 1 to 200 bytes (the engine reads only the dates). */
static void check_closures(const json_t *doc, json_t *errors)
{
    const json_t *closures = json_object_get(doc, "closures"), *c, *d;
    size_t i, j;
    json_array_foreach(closures, i, c)
    {
        const json_t *reason = json_object_get(c, "reason");
        if (!reason)
            field_error(errors, "closures", i, "reason", "is required");
        else if (!json_is_string(reason) || json_string_length(reason) < 1 || json_string_length(reason) > 200)
            field_error(errors, "closures", i, "reason", "must be a string of 1 to 200 characters");
        for (j = 0; j < i && (d = json_array_get(closures, j)); j++)
            if (strcmp(text_of(c, "date"), text_of(d, "date")) == 0)
                field_error(errors, "closures", i, "date", "repeats another closure's date");
    }
}

/* Validates the whole document: the fields the service sets, the engine's reading and, when the engine
 * accepts it, what the database needs besides (calendar_settings.time_zone is required, at most 64 bytes;
 * the keys and lengths of years, terms and closures). Returns the number of errors. */
static int validate_calendar(const json_t *doc, json_t *errors)
{
    for (const char *const *k = SERVICE_SET; *k; k++)
        if (json_object_get(doc, *k))
            validate_error(errors, *k, "is set by the service and cannot be written");
    const json_t *zone = json_object_get(doc, "time_zone");
    if (!zone) /* the engine reads a calendar without one as Europe/London; the row needs it said */
        validate_error(errors, "time_zone", "is required");
    check_with_engine(doc, errors);
    if (json_array_size(errors) > 0)
        return (int)json_array_size(errors);
    if (json_string_length(zone) > 64)
        validate_error(errors, "time_zone", "must be at most 64 characters");
    check_years(doc, errors);
    check_closures(doc, errors);
    return (int)json_array_size(errors);
}

/* ---- PUT /calendar ----------------------------------------------------------------------------------- */

/* Replaces the calendar in one unit of work (If-Match, the time zone, the replacement, the audit row and
 * event) and answers: the calendar with its ETag, or where it stopped. */
static int replace_calendar(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                            const json_t *doc)
{
    struct calendar_write w = {.who = http_principal(resp), .doc = doc, .if_match = http_header(req, "If-Match")};
    enum app_status st = uow_run(app->pool, repo_calendar_replace_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK) {
        http_set_etag(resp, w.version);
        rc = http_json_text(resp, 200, w.json);
        w.json = NULL;
    } else if (w.stage == CALENDAR_IF_MATCH)
        http_check_if_match(req, resp, w.locked_version);
    else if (w.stage == CALENDAR_ZONE && st == APP_INVALID)
        rc = http_problem_field(resp, 422, "time_zone", "is not a known time zone (e.g. Europe/London)");
    else if (w.stage == CALENDAR_LOCK || w.stage == CALENDAR_ZONE)
        rc = http_problem_for(resp, st, NULL);
    else
        rc = http_problem_db(resp, st, &w.err, "calendar");
    free(w.locked_version), free(w.json), free(w.version);
    return rc;
}

static int callback_calendar_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin may change the calendar", NULL);
    json_t *doc = http_body_object(req, resp, 0), *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (!doc)
        goto cleanup;
    if (validate_calendar(doc, errors) > 0) {
        rc = http_problem(resp, 422, NULL, "the calendar is not valid", errors);
        errors = NULL;
        goto cleanup;
    }
    rc = replace_calendar(req, resp, app, doc);
cleanup:
    json_decref(errors);
    json_decref(doc);
    return rc;
}

int routes_calendar_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/calendar", 0, callback_calendar_get) |
           http_route(instance, app, "PUT", "/calendar", 0, callback_calendar_put);
}
