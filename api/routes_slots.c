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
#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "pastoral.h"
#include "pe.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"
#include "repo_slots.h"
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

/* Validates a slot body into *s (strings borrowed from body; buf holds numbers); 0 or -1 after 422. */
static int slot_from_body(struct _u_response *resp, json_t *body, const char *staff, struct slot_new *s,
                          char buf[2][16])
{
    json_t *errors = json_array(), *plain = json_copy(body);
    json_object_del(plain, "recurrence");
    validate_object(plain, SLOT_FIELDS, 0, errors);
    json_decref(plain);
    const json_t *rec = json_object_get(body, "recurrence");
    if (rec)
        recurrence_rules(rec, errors);
    const char *url = json_string_value(json_object_get(body, "online_url"));
    if (url && (strncmp(url, "https://", 8) != 0 || strpbrk(url, " \t\r\n")))
        validate_error(errors, "online_url", "must be an https:// link without spaces");
    int rc = pastoral_body_checked(resp, errors, "slot");
    json_decref(errors);
    memset(s, 0, sizeof(*s));
    s->staff = staff;
    s->starts_at = json_string_value(json_object_get(body, "starts_at"));
    s->ends_at = json_string_value(json_object_get(body, "ends_at"));
    s->capacity = int_text(body, "capacity", "1", buf[0], sizeof(buf[0]));
    s->location = json_string_value(json_object_get(body, "location"));
    s->online_url = url;
    s->book_by_minutes = int_text(body, "book_by_minutes", "0", buf[1], sizeof(buf[1]));
    s->weekly_until = rec ? json_string_value(json_object_get(rec, "until")) : NULL;
    return rc;
}

/* Where the slot falls: in the future; not on a closure day (one slot); a series within one term, its
 * `until` defaulting to the term's end. Fills s->weekly_until. 0, or -1 after 422 (or the db problem). */
static int place_rules(struct _u_response *resp, struct db_conn *conn, int recurring, struct slot_new *s,
                       struct slot_place *place)
{
    enum app_status st = repo_slot_place(conn, s->starts_at, place);
    if (st != APP_OK)
        return http_problem_for(resp, st, NULL), -1;
    if (place->past)
        return http_problem_field(resp, 422, "starts_at", "must not be in the past"), -1;
    if (!recurring && place->closure)
        return http_problem_field(resp, 422, "starts_at", "is a closure day: the university is closed"), -1;
    if (!recurring)
        return 0;
    if (!place->term_end[0])
        return http_problem_field(resp, 422, "recurrence", "a weekly series starts within a term"), -1;
    if (!s->weekly_until)
        s->weekly_until = place->term_end;
    if (strcmp(s->weekly_until, place->term_end) > 0)
        return http_problem_field(resp, 422, "recurrence.until", "must not be after the end of the term"), -1;
    if (strncmp(s->weekly_until, s->starts_at, 10) < 0)
        return http_problem_field(resp, 422, "recurrence.until", "must not be before the first slot"), -1;
    return 0;
}

/* Answers 404 (hidden) or 403 (read only) unless `level` reaches `need`; returns -1 after answering. */
static int require_access(struct _u_response *resp, enum staff_access level, enum staff_access need, const char *hidden,
                          const char *forbidden)
{
    if (level >= need)
        return 0;
    if (level == STAFF_HIDDEN)
        http_problem(resp, 404, NULL, hidden, NULL);
    else
        pastoral_forbid(resp, forbidden);
    return -1;
}

static int callback_slots_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR | ROLE_ADMIN))
        return pastoral_forbid(resp, "only the tutor, a senior tutor of their school or admin publishes slots");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *staff = http_path_param(req, "staff_number");
    struct slot_new s;
    struct slot_place place;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    enum staff_access level = STAFF_HIDDEN;
    char buf[2][16], *json = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_staff_access(conn, who, staff, &level);
    if (st != APP_OK && st != APP_NOT_FOUND) {
        rc = http_problem_for(resp, st, NULL);
        goto cleanup;
    }
    if (require_access(resp, level, STAFF_WRITE, "no such tutor", "only the tutor or a senior tutor publishes slots") ||
        slot_from_body(resp, body, staff, &s, buf) ||
        place_rules(resp, conn, json_object_get(body, "recurrence") != NULL, &s, &place))
        goto cleanup;
    st = repo_slot_create(conn, &s, who->sub, &json, &err);
    if (st == APP_OK)
        st = audit_record(conn, who, "slot.create", "staff", staff, NULL, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? http_json_text(resp, 201, json) : http_problem_db(resp, st, &err, "slots");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    free(json);
    return rc;
}

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct slot_filter *f)
{
    json_t *errors = json_array();
    memset(f, 0, sizeof(*f));
    pastoral_query_date_range(req, errors, &f->from, &f->to);
    pastoral_query_enum(req, "status", SLOT_STATUSES, errors, &f->status);
    return listing_filter_done(resp, errors);
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
    const char *staff = http_path_param(req, "staff_number");
    enum staff_access level = STAFF_HIDDEN;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_staff_access(conn, who, staff, &level);
    if (st == APP_OK && level == STAFF_HIDDEN)
        st = APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_slot_list(conn, staff, &filter, &body);
    db_release(app->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such tutor");
    }
    return pastoral_respond_page(resp, st, &body);
}

/* Reads slot `id` and the caller's access to its staff member (APP_NOT_FOUND when either is hidden). */
static enum app_status load_slot(struct db_conn *conn, const struct principal *who, const char *id,
                                 enum staff_access *level, char staff[24], char **json)
{
    char *probe = NULL;
    *level = STAFF_HIDDEN;
    if (!listing_is_row_id(id))
        return APP_NOT_FOUND;
    enum app_status st = repo_slot_get(conn, id, 0, staff, &probe);
    free(probe);
    if (st == APP_OK)
        st = repo_staff_access(conn, who, staff, level);
    if (st == APP_OK && *level == STAFF_HIDDEN)
        st = APP_NOT_FOUND;
    if (st == APP_OK && json)
        st = repo_slot_get(conn, id, *level == STAFF_WRITE, staff, json);
    return st;
}

static int callback_slot_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (access_has_role(who, ROLE_REGISTRY) && !access_has_role(who, ROLE_ADMIN))
        return pastoral_forbid(resp, "registry does not read tutors' slots");
    enum staff_access level;
    char staff[24], *json = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = load_slot(conn, who, http_path_param(req, "id"), &level, staff, &json);
    db_release(app->pool, conn);
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such slot" : NULL);
    return http_json_text(resp, 200, json);
}

static int callback_slot_cancel(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    const char *id = http_path_param(req, "id");
    enum staff_access level = STAFF_HIDDEN;
    char staff[24], *json = NULL;
    struct db_conn *conn = NULL;
    int rc;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = load_slot(conn, who, id, &level, staff, NULL);
    if (st == APP_OK && level < STAFF_WRITE) {
        rc = pastoral_forbid(resp, "only the tutor or a senior tutor cancels a slot");
        goto cleanup;
    }
    if (st == APP_OK)
        st = repo_slot_cancel(conn, id, who->sub, &json);
    if (st == APP_OK)
        st = audit_record(conn, who, "slot.cancel", "slot", id, NULL, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_OK) {
        rc = http_json_text(resp, 200, json);
        json = NULL;
    } else
        rc = http_problem_for(resp, st,
                              st == APP_NOT_FOUND  ? "no such slot"
                              : st == APP_CONFLICT ? "the slot is already cancelled"
                                                   : NULL);
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    free(json);
    return rc;
}

/* The school policy's limit of open bookings for `student` (the engine's default when there is no
 * policy or it does not parse). */
static enum app_status booking_limit(struct db_conn *conn, const char *student, int *limit)
{
    char *text = NULL;
    pe_policy *policy = NULL;
    json_t *errors = NULL;
    *limit = PE_DEFAULT_MAX_OPEN_BOOKINGS;
    enum app_status st = repo_booking_policy(conn, student, &text);
    if (st == APP_OK && text && pe_policy_parse_string(text, strlen(text), &policy, &errors) == PE_OK)
        *limit = policy->max_open_bookings;
    pe_policy_free(policy);
    json_decref(errors);
    free(text);
    return st;
}

/* Whom the booking is for: a student books for themself; a tutor or senior tutor who manages the
 * slot names a student they may see. 0 with student[64] set, or -1 after answering. */
static int booking_student(struct _u_response *resp, struct db_conn *conn, const struct principal *who,
                           const json_t *body, enum staff_access level, char student[64])
{
    json_t *errors = json_array();
    validate_object(body, BOOKING_FIELDS, 0, errors);
    const char *named = json_string_value(json_object_get(body, "student"));
    int as_student = access_has_role(who, ROLE_STUDENT);
    if (as_student && named && strcmp(named, who->sub) != 0)
        validate_error(errors, "student", "a student books for themself");
    if (!as_student && !named)
        validate_error(errors, "student", "is required when staff book for a student");
    int rc = pastoral_body_checked(resp, errors, "booking");
    json_decref(errors);
    if (rc != 0)
        return -1;
    snprintf(student, 64, "%s", as_student ? who->sub : named);
    if (as_student)
        return 0;
    if (level < STAFF_WRITE)
        return pastoral_forbid(resp, "only the slot's tutor or a senior tutor books for a student"), -1;
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, student, who, &reach);
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL), -1;
    return 0;
}

/* The 403/409 answer for a refused booking. */
static int refuse_booking(struct _u_response *resp, enum booking_refusal why, int limit)
{
    char detail[160];
    switch (why) {
    case BOOK_NOT_TUTOR:
        return pastoral_forbid(resp, "a student books only their personal or cover tutor's slots");
    case BOOK_FULL:
        return http_problem(resp, 409, NULL, "the slot is full", NULL);
    case BOOK_TAKEN:
        return http_problem(resp, 409, NULL, "the student has already booked this slot", NULL);
    case BOOK_CLOSED:
        return http_problem(resp, 409, NULL, "bookings for this slot have closed", NULL);
    case BOOK_CANCELLED:
        return http_problem(resp, 409, NULL, "the slot is cancelled", NULL);
    default:
        snprintf(detail, sizeof(detail), "the student already holds %d open bookings (the school's limit)", limit);
        return http_problem(resp, 409, NULL, detail, NULL);
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
    const char *slot = http_path_param(req, "id");
    enum staff_access level = STAFF_HIDDEN;
    enum booking_refusal why = BOOK_OK;
    char staff[24], student[64], *json = NULL, *id = NULL;
    struct db_conn *conn = NULL;
    int limit = 0, rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = load_slot(conn, who, slot, &level, staff, NULL);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such slot" : NULL);
        goto cleanup;
    }
    if (booking_student(resp, conn, who, body, level, student) != 0)
        goto cleanup;
    st = booking_limit(conn, student, &limit);
    if (st == APP_OK)
        st = repo_booking_create(conn, slot, student, limit, who->sub, &json, &id, &why);
    if (st == APP_OK)
        st = audit_record(conn, who, "booking.create", "contact", id, student, NULL);
    if (st == APP_OK)
        st = audit_booking(conn, who, "booking.confirmed", id);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_CONFLICT && why != BOOK_OK)
        rc = refuse_booking(resp, why, limit);
    else if (st == APP_OK) {
        rc = http_json_text(resp, 201, json);
        json = NULL;
    } else
        rc = http_problem_for(resp, st, NULL);
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    free(json);
    free(id);
    return rc;
}

/* May the caller cancel booking `head`: the student who holds it, or who manages the slot. Otherwise
 * 403 when the caller may see the student, else 404. Returns 0, or -1 after answering. */
static int may_cancel(struct _u_response *resp, struct db_conn *conn, const struct principal *who,
                      const struct contact_head *head)
{
    enum staff_access level = STAFF_HIDDEN;
    struct student_reach reach;
    if (access_has_role(who, ROLE_STUDENT) && strcmp(head->student, who->sub) == 0)
        return 0;
    enum app_status st = repo_staff_access(conn, who, head->staff, &level);
    if (st == APP_OK && level == STAFF_WRITE)
        return 0;
    if (st == APP_OK || st == APP_NOT_FOUND)
        st = repo_reach_of(conn, head->student, who, &reach);
    if (st == APP_OK)
        return pastoral_forbid(resp, "only the student or the slot's tutor cancels a booking"), -1;
    return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such booking" : NULL), -1;
}

static int callback_booking_cancel(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    const char *id = http_path_param(req, "id");
    struct contact_head head;
    enum booking_refusal why = BOOK_OK;
    struct db_conn *conn = NULL;
    char *json = NULL;
    int rc = U_CALLBACK_COMPLETE;
    memset(&head, 0, sizeof(head));
    enum app_status st = listing_is_row_id(id) ? pastoral_begin(user_data, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_contact_head(conn, id, 1, 1, &head);
    if (st == APP_OK && !head.slot[0])
        st = APP_NOT_FOUND;
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such booking" : NULL);
        goto cleanup;
    }
    if (may_cancel(resp, conn, who, &head) != 0)
        goto cleanup;
    st = repo_booking_cancel(conn, id, &json, &why);
    if (st == APP_OK)
        st = audit_record(conn, who, "booking.cancel", "contact", id, head.student, NULL);
    if (st == APP_OK)
        st = audit_booking(conn, who, "booking.cancelled", id);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_CONFLICT)
        rc = http_problem(resp, 409, NULL,
                          why == BOOK_CLOSED ? "the booking deadline has passed" : "the booking is not open", NULL);
    else {
        rc = st == APP_OK ? http_json_text(resp, 200, json) : http_problem_for(resp, st, NULL);
        if (st == APP_OK)
            json = NULL;
    }
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    repo_contact_head_free(&head);
    free(json);
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
