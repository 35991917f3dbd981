/* routes_calendar.c — GET /calendar (any authenticated caller), PUT /calendar (admin: replaces the
 * years, terms and closures and sets the time zone, in one transaction). A term may name its semester
 * (1..4); the engine's calendar parser is what decides whether a document is a calendar. */
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

static const struct field_spec CALENDAR_FIELDS[] = {
    {"time_zone", FT_STRING, F_REQUIRED, 1, 64, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec YEAR_FIELDS[] = {
    {"label", FT_STRING, F_REQUIRED, 7, 7, NULL},
    {"start", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"end", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec TERM_FIELDS[] = {
    {"name", FT_STRING, F_REQUIRED, 1, 60, NULL},
    {"start", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"end", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"teaching", FT_BOOL, 0, 0, 0, NULL}, /* default true; false for e.g. Welcome Week */
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec CLOSURE_FIELDS[] = {
    {"date", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"reason", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

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

/* ---- validation ------------------------------------------------------------------------------------ */

static void field_error(json_t *errors, const char *prefix, size_t i, const char *field, const char *message)
{
    char name[96];
    snprintf(name, sizeof(name), "%s[%zu]%s%s", prefix, i, *field ? "." : "", field);
    validate_error(errors, name, message);
}

/* Validates every item of `array` (named `prefix`, an array of objects, member `key` of `obj`) against
 * `specs`, naming each error "prefix[i].field". Returns the array when it is one, else NULL. */
static const json_t *validate_items(const json_t *obj, const char *key, const char *prefix,
                                    const struct field_spec *specs, const char *const *extra, json_t *errors)
{
    const json_t *array = json_object_get(obj, key), *item;
    if (!json_is_array(array)) {
        validate_error(errors, prefix, array ? "must be an array" : "is required");
        return NULL;
    }
    size_t i, j;
    json_array_foreach(array, i, item)
    {
        json_t *own = json_is_object(item) ? json_deep_copy(item) : NULL, *found = json_array(), *e;
        for (const char *const *x = extra; own && x && *x; x++)
            json_object_del(own, *x); /* nested arrays, validated by the caller */
        if (!own)
            field_error(errors, prefix, i, "", "must be an object");
        else
            validate_object(own, specs, 0, found);
        json_array_foreach(found, j, e) field_error(errors, prefix, i, json_string_value(json_object_get(e, "field")),
                                                    json_string_value(json_object_get(e, "message")));
        json_decref(found);
        json_decref(own);
    }
    return array;
}

static const char *text_of(const json_t *item, const char *key)
{
    const char *s = json_string_value(json_object_get(item, key));
    return s ? s : "";
}

/* Every term lies inside its year, and no two terms of a year share a name. */
static void check_terms(const json_t *year, size_t y, json_t *errors)
{
    char prefix[40];
    snprintf(prefix, sizeof(prefix), "years[%zu].terms", y);
    static const char *const engine_keys[] = {"semester", NULL}; /* checked by pe_calendar_parse */
    const json_t *terms = json_object_get(year, "terms"), *t, *u;
    if (!terms)
        return;
    terms = validate_items(year, "terms", prefix, TERM_FIELDS, engine_keys, errors);
    size_t i, j;
    json_array_foreach(terms, i, t)
    {
        for (j = 0; j < i && (u = json_array_get(terms, j)); j++)
            if (strcmp(text_of(t, "name"), text_of(u, "name")) == 0)
                field_error(errors, prefix, i, "name", "repeats another term's name");
    }
}

static void check_years(const json_t *doc, json_t *errors)
{
    static const char *const nested[] = {"terms", NULL};
    const json_t *years = validate_items(doc, "years", "years", YEAR_FIELDS, nested, errors), *y, *z;
    size_t i, j;
    json_array_foreach(years, i, y)
    {
        const char *label = text_of(y, "label");
        if (json_is_string(json_object_get(y, "label")) && !(strlen(label) == 7 && strspn(label, "0123456789") == 4 &&
                                                             label[4] == '/' && strspn(label + 5, "0123456789") == 2))
            field_error(errors, "years", i, "label", "must be written like 2026/27");
        for (j = 0; j < i && (z = json_array_get(years, j)); j++)
            if (strcmp(label, text_of(z, "label")) == 0)
                field_error(errors, "years", i, "label", "repeats another year's label");
        check_terms(y, i, errors);
    }
}

static void check_closures(const json_t *doc, json_t *errors)
{
    static const char *const none[] = {NULL};
    const json_t *closures = validate_items(doc, "closures", "closures", CLOSURE_FIELDS, none, errors), *c, *d;
    size_t i, j;
    json_array_foreach(closures, i, c) for (j = 0; j < i && (d = json_array_get(closures, j));
                                            j++) if (strcmp(text_of(c, "date"), text_of(d, "date")) == 0)
        field_error(errors, "closures", i, "date", "repeats another closure's date");
}

/* The policy engine's reading of the document: the one check of dates in order, terms inside their year,
 * years not overlapping, the time zone rule and the terms' semesters. Its errors ("$.years[0].end") are
 * added under the API's field names ("years[0].end"). */
static void check_with_engine(const json_t *doc, json_t *errors)
{
    pe_calendar *cal = NULL;
    json_t *found = NULL, *e, *copy = json_deep_copy(doc), *year;
    size_t i;
    json_array_foreach(json_object_get(copy, "years"), i, year) if (!json_object_get(year, "terms"))
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

/* Validates the whole document: the service's own field rules (shapes, year labels, unique names and
 * dates), then, when those pass, the engine's reading of it. Returns the number of errors. */
static int validate_calendar(const json_t *doc, json_t *errors)
{
    json_t *top = json_deep_copy(doc);
    json_object_del(top, "years");
    json_object_del(top, "closures");
    validate_object(top, CALENDAR_FIELDS, 0, errors);
    json_decref(top);
    check_years(doc, errors);
    check_closures(doc, errors);
    if (json_array_size(errors) == 0)
        check_with_engine(doc, errors);
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
