/* routes_office_hours.c — GET/PUT /tutors/{staff_number}/office-hours: a tutor's regular weekly hours,
 * "publicised to Personal Tutors and Tutees". The tutor, a senior tutor of their school or admin
 * replaces them (PUT, the whole set); whoever may see the tutor reads them (their tutees also get them
 * with GET /students/{n}/tutors). 404 for a tutor the caller may not see. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "pastoral.h"
#include "repo_slot_work.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const DAYS[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL};

static const struct field_spec HOUR_FIELDS[] = {
    {"day", FT_ENUM, F_REQUIRED, 0, 0, DAYS},
    {"start", FT_STRING, F_REQUIRED, 5, 5, NULL},
    {"end", FT_STRING, F_REQUIRED, 5, 5, NULL},
    {"location", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* True when `s` is a time of day written HH:MM (00:00 to 23:59). */
static int is_hhmm(const char *s)
{
    return s && strlen(s) == 5 && s[2] == ':' && strspn(s, "0123456789:") == 5 &&
           ((s[0] - '0') * 10 + (s[1] - '0')) < 24 && s[3] < '6';
}

/* {"office_hours": [{day, start, end, location}, ...]}: at most 20 entries, each ending after it
 * starts. Errors name "office_hours[i].field". Returns the array (borrowed) or NULL after 422. */
static const json_t *hours_from_body(struct _u_response *resp, const json_t *body)
{
    json_t *errors = json_array();
    const json_t *hours = json_object_get(body, "office_hours");
    if (json_object_size(body) != 1 || !json_is_array(hours) || json_array_size(hours) > 20)
        validate_error(errors, "office_hours", "send {\"office_hours\": [...]} with at most 20 entries");
    size_t i;
    const json_t *h;
    json_array_foreach(json_is_array(hours) ? hours : NULL, i, h)
    {
        json_t *own = json_array();
        char field[48];
        validate_object(h, HOUR_FIELDS, 0, own);
        const char *start = json_string_value(json_object_get(h, "start"));
        const char *end = json_string_value(json_object_get(h, "end"));
        if (!json_array_size(own) && (!is_hhmm(start) || !is_hhmm(end) || strcmp(end, start) <= 0))
            validate_error(own, "end", "times are HH:MM and the end is after the start");
        snprintf(field, sizeof(field), "office_hours[%zu]", i);
        for (size_t k = 0; k < json_array_size(own); k++)
            validate_error(errors, field, json_string_value(json_object_get(json_array_get(own, k), "message")));
        json_decref(own);
    }
    int rc = pastoral_body_checked(resp, errors, "office hours");
    json_decref(errors);
    return rc == 0 ? hours : NULL;
}

/* Runs the caller's request on staff member `staff` once their access is known: reads need any
 * visibility, writes need STAFF_WRITE. */
static int serve(const struct _u_request *req, struct _u_response *resp, const struct app *app, const json_t *hours)
{
    char *text = hours ? json_dumps(hours, JSON_COMPACT) : NULL;
    struct office_hours_work w = {
        .who = http_principal(resp), .staff = http_path_param(req, "staff_number"), .hours = text};
    enum app_status st = hours && !text ? APP_NOMEM
                         : hours        ? uow_run(app->pool, repo_office_hours_work, &w, NULL)
                                        : uow_read(app->pool, repo_office_hours_work, &w);
    free(text);
    if (st == APP_OK)
        return http_json_text(resp, 200, w.json);
    free(w.json);
    if (st == APP_FORBIDDEN)
        return pastoral_forbid(resp, "only the tutor, a senior tutor of their school or admin sets office hours");
    return st == APP_NOT_FOUND ? http_problem_for(resp, st, "no such tutor")
                               : http_problem_db(resp, st, &w.err, "office_hours");
}

static int callback_office_hours_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return serve(req, resp, user_data, NULL);
}

static int callback_office_hours_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    if (!access_has_role(http_principal(resp), ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return pastoral_forbid(resp, "only the tutor, a senior tutor of their school or admin sets office hours");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    const json_t *hours = hours_from_body(resp, body);
    int rc = hours ? serve(req, resp, user_data, hours) : U_CALLBACK_COMPLETE;
    json_decref(body);
    return rc;
}

int routes_office_hours_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/tutors/@staff_number/office-hours", 0, callback_office_hours_get) |
           http_route(instance, app, "PUT", "/tutors/@staff_number/office-hours", 0, callback_office_hours_put);
}
