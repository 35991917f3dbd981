/* routes_slots.c — bookable time: POST/GET /tutors/{staff_number}/slots (one slot, or weekly within a
 * term, never on closure days), GET /slots/{id}, POST /slots/{id}/cancellation, POST /slots/{id}/bookings
 * and POST /bookings/{id}/cancellation. A booking is a scheduled meeting contact (one-to-one when the
 * slot's capacity is 1, else a group meeting of the slot's session) that the tutor later marks attended
 * or missed with PATCH /contacts/{id}. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "refusal.h"
#include "repo_pastoral.h"
#include "repo_slot_work.h"
#include "repo_slots.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const SLOT_STATUSES[] = {"open", "cancelled", NULL};
static const char *const FREQUENCIES[] = {"weekly", NULL};
static const char *const RECURRENCE_KEYS[] = {"frequency", "until", NULL};

static const struct field_spec SLOT_FIELDS[] = {
    {"starts_at", FT_INSTANT, F_REQUIRED, 0, 0, NULL},
    {"ends_at", FT_INSTANT, F_REQUIRED, 0, 0, NULL},
    {"capacity", FT_INT, 0, 1, 200, NULL},
    {"location", FT_STRING, F_NULLABLE, 1, 200, NULL},
    {"online_url", FT_STRING, F_NULLABLE, 9, 500, NULL},
    {"book_by_minutes", FT_INT, 0, 0, 20160, NULL},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"staff", FT_ID, F_READONLY, 0, 0, NULL},
    {"booked", FT_INT, F_READONLY, 0, 0, NULL},
    {"status", FT_STRING, F_READONLY, 0, 0, NULL},
    {"booking_deadline", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec BOOKING_FIELDS[] = {
    {"student", FT_ID, 0, 1, 20, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The integer member `name` of `body` as text into buf, or `dflt` when absent. */
static const char *int_text(const json_t *body, const char *name, const char *dflt, char *buf, size_t size)
{
    const json_t *v = json_object_get(body, name);
    if (!json_is_integer(v))
        return dflt;
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return buf;
}

/* "recurrence": {"frequency": "weekly", "until": "YYYY-MM-DD"} (until optional: the term's end). */
static void recurrence_rules(const json_t *r, json_t *errors)
{
    const char *key;
    const json_t *v;
    if (!json_is_object(r)) {
        validate_error(errors, "recurrence", "must be an object {frequency, until}");
        return;
    }
    json_object_foreach((json_t *)r, key, v) if (!pastoral_in(RECURRENCE_KEYS, key))
        validate_error(errors, "recurrence", "has only frequency and until");
    if (!pastoral_in(FREQUENCIES, json_string_value(json_object_get(r, "frequency"))))
        validate_error(errors, "recurrence.frequency", "must be weekly");
    const json_t *until = json_object_get(r, "until");
    if (until && !(json_is_string(until) && validate_is_date(json_string_value(until))))
        validate_error(errors, "recurrence.until", "must be a real date written YYYY-MM-DD");
}

/* Validates a slot body into `errors` and fills *s (strings borrowed from body; buf holds numbers). */
static void slot_from_body(json_t *body, const char *staff, struct slot_new *s, char buf[2][16], json_t *errors)
{
    json_t *plain = json_copy(body);
    json_object_del(plain, "recurrence");
    validate_object(plain, SLOT_FIELDS, 0, errors);
    json_decref(plain);
    const json_t *rec = json_object_get(body, "recurrence");
    if (rec)
        recurrence_rules(rec, errors);
    const char *url = json_string_value(json_object_get(body, "online_url"));
    if (url && (strncmp(url, "https://", 8) != 0 || strpbrk(url, " \t\r\n")))
        validate_error(errors, "online_url", "must be an https:// link without spaces");
    memset(s, 0, sizeof(*s));
    s->staff = staff;
    s->starts_at = json_string_value(json_object_get(body, "starts_at"));
    s->ends_at = json_string_value(json_object_get(body, "ends_at"));
    s->capacity = int_text(body, "capacity", "1", buf[0], sizeof(buf[0]));
    s->location = json_string_value(json_object_get(body, "location"));
    s->online_url = url;
    s->book_by_minutes = int_text(body, "book_by_minutes", "0", buf[1], sizeof(buf[1]));
    s->weekly_until = rec ? json_string_value(json_object_get(rec, "until")) : NULL;
}

/* Answers a slot or booking write that stopped short, from its stage: the slot or staff member's 404
 * (`hidden`) or 403 (`forbidden`), the body's 422 (`errors` about `what`), a place's 422 naming the
 * field, the student's 403 (`staff_only`) or 404, the database's refusal. */
static int answer_refusal(struct _u_response *resp, enum app_status st, const struct slot_write *w, json_t *errors,
                          const char *what, const char *hidden, const char *forbidden, const char *staff_only)
{
    if (w->stage == SLOT_ACCESS && st == APP_FORBIDDEN)
        return pastoral_forbid(resp, forbidden);
    if (w->stage == SLOT_ACCESS)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? hidden : NULL);
    if (w->stage == SLOT_BODY) {
        pastoral_body_checked(resp, errors, what);
        return U_CALLBACK_COMPLETE;
    }
    if (w->stage == SLOT_PLACE)
        return refusal_respond(resp, st, &w->why, NULL, NULL);
    if (w->stage == SLOT_STUDENT && st == APP_FORBIDDEN)
        return pastoral_forbid(resp, staff_only);
    if (w->stage == SLOT_STUDENT)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? hidden : NULL);
    return http_problem_db(resp, st, &w->err, "slots");
}

static int callback_slots_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return pastoral_forbid(resp, "only the tutor, a senior tutor of their school or admin publishes slots");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct slot_new s;
    char buf[2][16];
    json_t *errors = json_array();
    const char *staff = http_path_param(req, "staff_number");
    slot_from_body(body, staff, &s, buf, errors);
    struct slot_write w = {.who = who,
                           .staff = staff,
                           .in = &s,
                           .until = s.weekly_until,
                           .recurring = json_object_get(body, "recurrence") != NULL,
                           .body_invalid = json_array_size(errors) > 0};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_slot_publish_work, &w, NULL);
    int rc = st == APP_OK ? http_json_text(resp, 201, w.json)
                          : answer_refusal(resp, st, &w, errors, "slot", "no such tutor",
                                           "only the tutor or a senior tutor publishes slots", NULL);
    if (st != APP_OK)
        free(w.json);
    json_decref(errors);
    json_decref(body);
    return rc;
}

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct slot_filter *f)
{
    json_t *errors = json_array();
    memset(f, 0, sizeof(*f));
    pastoral_query_date_range(req, errors, &f->from, &f->to);
    pastoral_query_enum(req, "status", SLOT_STATUSES, errors, &f->status);
    return http_list_filter_done(resp, errors);
}

/* A read of slots: a staff member's page (id: the staff number) or one slot (id: the slot). */
struct slot_read {
    const struct principal *who;
    const char *id;
    const struct slot_filter *filter;
    struct page_rows rows;
    char *json;
};

/* uow_work for the list: the staff member must be there for the caller. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct slot_read *r = ctx;
    enum staff_access level = STAFF_HIDDEN;
    enum app_status st = repo_staff_access(conn, r->who, r->id, &level);
    if (st == APP_OK && level == STAFF_HIDDEN)
        st = APP_NOT_FOUND;
    return st == APP_OK ? repo_slot_list(conn, r->id, r->filter, &r->rows) : st;
}

static int callback_slots_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (access_has_role(who, ROLE_REGISTRY) && !access_has_role(who, ROLE_ADMIN))
        return pastoral_forbid(resp, "registry does not read tutors' slots");
    struct slot_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    filter.after = page.after;
    filter.limit = page.limit;
    struct slot_read r = {.who = who, .id = http_path_param(req, "staff_number"), .filter = &filter};
    enum app_status st = uow_read(app->pool, read_page, &r);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&r.rows);
        return http_problem_for(resp, st, "no such tutor");
    }
    return http_list_respond(resp, st, &r.rows);
}

/* uow_work for GET /slots/{id}: the slot, with its bookings for those who manage it. */
static enum app_status read_slot(struct db_conn *conn, void *ctx)
{
    struct slot_read *r = ctx;
    enum staff_access level = STAFF_HIDDEN;
    char staff[24];
    free(r->json);
    r->json = NULL;
    if (!page_is_row_id(r->id))
        return APP_NOT_FOUND;
    enum app_status st = repo_slot_get(conn, r->id, 0, staff, &r->json);
    if (st == APP_OK)
        st = repo_staff_access(conn, r->who, staff, &level);
    if (st == APP_OK && level == STAFF_HIDDEN)
        st = APP_NOT_FOUND;
    free(r->json);
    r->json = NULL;
    return st == APP_OK ? repo_slot_get(conn, r->id, level == STAFF_WRITE, staff, &r->json) : st;
}

static int callback_slot_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (access_has_role(who, ROLE_REGISTRY) && !access_has_role(who, ROLE_ADMIN))
        return pastoral_forbid(resp, "registry does not read tutors' slots");
    struct slot_read r = {.who = who, .id = http_path_param(req, "id")};
    enum app_status st = uow_read(app->pool, read_slot, &r);
    if (st != APP_OK) {
        free(r.json);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such slot" : NULL);
    }
    return http_json_text(resp, 200, r.json);
}

static int callback_slot_cancel(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct slot_write w = {.who = http_principal(resp), .id = http_path_param(req, "id")};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_slot_cancel_work, &w, NULL);
    if (st == APP_OK)
        return http_json_text(resp, 200, w.json);
    free(w.json);
    if (st == APP_FORBIDDEN)
        return pastoral_forbid(resp, "only the tutor or a senior tutor cancels a slot");
    return http_problem_for(resp, st,
                            st == APP_NOT_FOUND  ? "no such slot"
                            : st == APP_CONFLICT ? "the slot is already cancelled"
                                                 : NULL);
}

/* Whom the booking is for: a student books for themself; a tutor or senior tutor who manages the
 * slot names a student they may see. The body's faults into `errors`. */
static void booking_body(const struct principal *who, const json_t *body, json_t *errors)
{
    validate_object(body, BOOKING_FIELDS, 0, errors);
    const char *named = json_string_value(json_object_get(body, "student"));
    int as_student = access_has_role(who, ROLE_STUDENT);
    if (as_student && named && strcmp(named, who->sub) != 0)
        validate_error(errors, "student", "a student books for themself");
    if (!as_student && !named)
        validate_error(errors, "student", "is required when staff book for a student");
}

/* The 403/409 answer for a refused booking. */
static int refuse_booking(struct _u_response *resp, enum booking_refusal why, int limit)
{
    char detail[160];
    switch (why) {
    case BOOK_NOT_TUTOR:
        return pastoral_forbid(resp, "a student books only their personal or cover tutor's slots");
    case BOOK_FULL:
        return http_problem_for(resp, APP_CONFLICT, "the slot is full");
    case BOOK_TAKEN:
        return http_problem_for(resp, APP_CONFLICT, "the student has already booked this slot");
    case BOOK_CLOSED:
        return http_problem_for(resp, APP_CONFLICT, "bookings for this slot have closed");
    case BOOK_CANCELLED:
        return http_problem_for(resp, APP_CONFLICT, "the slot is cancelled");
    default:
        snprintf(detail, sizeof(detail), "the student already holds %d open bookings (the school's limit)", limit);
        return http_problem_for(resp, APP_CONFLICT, detail);
    }
}

/* The request body, or {} when there is none (booking for oneself needs no body). */
static json_t *optional_body(const struct _u_request *req, struct _u_response *resp)
{
    return req->binary_body_length == 0 ? json_object() : http_body_object(req, resp, 0);
}

static int callback_booking_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return pastoral_forbid(resp, "registry does not book meetings");
    json_t *body = optional_body(req, resp);
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    booking_body(who, body, errors);
    struct slot_write w = {.who = who,
                           .id = http_path_param(req, "id"),
                           .student = json_string_value(json_object_get(body, "student")),
                           .as_student = access_has_role(who, ROLE_STUDENT),
                           .body_invalid = json_array_size(errors) > 0};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_booking_create_work, &w, NULL);
    int rc;
    if (st == APP_OK)
        rc = http_json_text(resp, 201, w.json), w.json = NULL;
    else if (w.stage == SLOT_WRITE && st == APP_CONFLICT && w.refusal != BOOK_OK)
        rc = refuse_booking(resp, w.refusal, w.limit);
    else if (w.stage == SLOT_WRITE)
        rc = http_problem_for(resp, st, NULL);
    else if (w.stage == SLOT_STUDENT)
        rc = answer_refusal(resp, st, &w, errors, "booking", "no such student", NULL,
                            "only the slot's tutor or a senior tutor books for a student");
    else
        rc = answer_refusal(resp, st, &w, errors, "booking", "no such slot", NULL, NULL);
    free(w.json);
    json_decref(errors);
    json_decref(body);
    return rc;
}

static int callback_booking_cancel(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct slot_write w = {.who = http_principal(resp), .id = http_path_param(req, "id")};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_booking_cancel_work, &w, NULL);
    int rc;
    if (st == APP_OK)
        rc = http_json_text(resp, 200, w.json), w.json = NULL;
    else if (w.stage == SLOT_WRITE && st == APP_CONFLICT)
        rc = http_problem_for(resp, APP_CONFLICT,
                              w.refusal == BOOK_CLOSED ? "the booking deadline has passed" : "the booking is not open");
    else if (w.stage == SLOT_STUDENT && st == APP_FORBIDDEN)
        rc = pastoral_forbid(resp, "only the student or the slot's tutor cancels a booking");
    else
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such booking" : NULL);
    free(w.json);
    return rc;
}

int routes_slots_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/tutors/@staff_number/slots", HTTP_IDEMPOTENT, callback_slots_create) |
           http_route(instance, app, "GET", "/tutors/@staff_number/slots", 0, callback_slots_list) |
           http_route(instance, app, "GET", "/slots/@id", 0, callback_slot_get) |
           http_route(instance, app, "POST", "/slots/@id/cancellation", 0, callback_slot_cancel) |
           http_route(instance, app, "POST", "/slots/@id/bookings", HTTP_IDEMPOTENT, callback_booking_create) |
           http_route(instance, app, "POST", "/bookings/@id/cancellation", 0, callback_booking_cancel);
}
