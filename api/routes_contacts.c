/* routes_contacts.c — GET/POST /students/{student_number}/contacts, GET/PATCH /contacts/{id},
 * POST /contacts/{id}/confirmation (the student answers the record of a meeting naming them). */
#include "routes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "pastoral.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"
#include "validate.h"

static const char *const KINDS[] = {"meeting", "group_meeting",  "email",   "message",
                                    "phone",   "teaching_event", "checkin", NULL};
static const char *const DIRECTIONS[] = {"to_student", "from_student", NULL};
static const char *const CHANNELS[] = {"in_person", "online", NULL};
static const char *const ATTENDANCE[] = {"scheduled", "attended", "missed", "cancelled", NULL};
static const char *const ANSWERS[] = {"confirmed", "disputed", NULL};
static const char *const MEETINGS[] = {"meeting", "group_meeting", NULL};
static const char *const WRITTEN[] = {"message", "email", NULL};

/* Fields the service sets: refused on every write (mass assignment). */
#define CONTACT_READONLY                                                                                               \
    {"id", FT_INT, F_READONLY, 0, 0, NULL}, {"student", FT_ID, F_READONLY, 0, 0, NULL},                                \
        {"student_number", FT_ID, F_READONLY, 0, 0, NULL}, {"created_by", FT_ID, F_READONLY, 0, 0, NULL},              \
        {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL}, {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},        \
        {"version", FT_INT, F_READONLY, 0, 0, NULL},                                                                   \
    {                                                                                                                  \
        "confirmation", FT_STRING, F_READONLY, 0, 0, NULL                                                              \
    }

static const struct field_spec CONTACT_FIELDS[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, KINDS},
    {"direction", FT_ENUM, F_REQUIRED, 0, 0, DIRECTIONS},
    {"staff", FT_ID, 0, 1, 20, NULL},
    {"channel", FT_ENUM, F_NULLABLE, 0, 0, CHANNELS},
    {"scheduled_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"occurred_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"attendance", FT_ENUM, 0, 0, 0, ATTENDANCE},
    {"reply_to", FT_INT, F_NULLABLE, 1, LONG_MAX, NULL},
    {"wellbeing_check", FT_BOOL, 0, 0, 0, NULL},
    {"session_id", FT_STRING, F_NULLABLE, 36, 36, NULL},
    {"subject", FT_STRING, F_NULLABLE, 1, 200, NULL},
    {"body", FT_STRING, F_NULLABLE, 1, 10000, NULL},
    {"slot", FT_INT, F_READONLY, 0, 0, NULL},
    CONTACT_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

/* PATCH changes what happened, never who, whom or what kind. */
static const struct field_spec PATCH_FIELDS[] = {
    {"channel", FT_ENUM, F_NULLABLE, 0, 0, CHANNELS},
    {"scheduled_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"occurred_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"attendance", FT_ENUM, 0, 0, 0, ATTENDANCE},
    {"wellbeing_check", FT_BOOL, 0, 0, 0, NULL},
    {"kind", FT_ENUM, F_READONLY, 0, 0, NULL},
    {"direction", FT_ENUM, F_READONLY, 0, 0, NULL},
    {"staff", FT_ID, F_READONLY, 0, 0, NULL},
    {"reply_to", FT_INT, F_READONLY, 0, 0, NULL},
    {"session_id", FT_STRING, F_READONLY, 0, 0, NULL},
    {"subject", FT_STRING, F_READONLY, 0, 0, NULL},
    {"body", FT_STRING, F_READONLY, 0, 0, NULL},
    {"slot", FT_INT, F_READONLY, 0, 0, NULL},
    CONTACT_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field_spec CONFIRM_FIELDS[] = {
    {"status", FT_ENUM, F_REQUIRED, 0, 0, ANSWERS},
    {"comment", FT_STRING, F_NULLABLE, 0, 2000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* What a student may not set on the message they send: the service decides it. */
static const char *const STUDENT_DENIED[] = {"staff",      "channel", "scheduled_at", "attendance", "wellbeing_check",
                                             "session_id", NULL};

static const char *str_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

static int is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
            return 0;
    }
    return s[36] == '\0';
}

/* True when `s` holds a control character other than those `allowed` (plain text: the JSON parser has
 * already refused anything that is not UTF-8, and NUL). */
static int has_control(const char *s, const char *allowed)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 || *p == 0x7f) && !strchr(allowed, *p))
            return 1;
    return 0;
}

/* A message's content: subject and body only on a message or email; the subject is one line, the
 * body plain text (line breaks and tabs allowed). Lengths are checked by the field specs (bytes). */
static void content_rules(const json_t *body, json_t *errors)
{
    const char *kind = str_of(body, "kind"), *subject = str_of(body, "subject"), *text = str_of(body, "body");
    if ((subject || text) && kind && !pastoral_in(WRITTEN, kind))
        validate_error(errors, subject ? "subject" : "body", "only a message or an email has a subject and a body");
    if (subject && has_control(subject, ""))
        validate_error(errors, "subject", "must be one line of text without control characters");
    if (text && has_control(text, "\n\r\t"))
        validate_error(errors, "body", "must be plain text (control characters other than line breaks and tabs)");
}

/* ---- GET /students/{student_number}/contacts ------------------------------------------------------ */

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct contact_filter *f)
{
    json_t *errors = json_array();
    memset(f, 0, sizeof(*f));
    pastoral_query_date_range(req, errors, &f->from, &f->to);
    pastoral_query_enum(req, "kind", KINDS, errors, &f->kind);
    pastoral_query_enum(req, "direction", DIRECTIONS, errors, &f->direction);
    return listing_filter_done(resp, errors);
}

static int callback_contacts_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "registry may not read contacts");
    struct contact_filter filter;
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    filter.after = page.after;
    filter.limit = page.limit;
    filter.with_body = repo_contact_content_reader(who);
    const char *number = http_path_param(req, "student_number");
    struct student_reach reach;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK)
        st = repo_contact_list(conn, number, &filter, &body);
    db_release(app->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such student");
    }
    return pastoral_respond_page(resp, st, &body);
}

/* ---- POST /students/{student_number}/contacts ------------------------------------------------------ */

struct contact_input {
    struct contact_new c;
    char reply_to[24];
};

/* A student sends a message to their current personal tutor, and sets nothing else. */
static void student_rules(const json_t *body, const struct student_reach *reach, json_t *errors)
{
    for (const char *const *f = STUDENT_DENIED; *f; f++)
        if (json_object_get(body, *f))
            validate_error(errors, *f, "is set by the service for a student's message");
    const char *kind = str_of(body, "kind"), *direction = str_of(body, "direction");
    if (kind && strcmp(kind, "message") != 0)
        validate_error(errors, "kind", "a student may only send a message");
    if (direction && strcmp(direction, "from_student") != 0)
        validate_error(errors, "direction", "a student's message is from_student");
    if (!reach->personal_tutor[0])
        validate_error(errors, "staff", "you have no current personal tutor to send a message to");
}

/* Which staff member the contact is with; refuses (403) a tutor naming someone else. */
static int staff_rules(struct _u_response *resp, const json_t *body, const struct principal *who,
                       const struct student_reach *reach)
{
    if (!repo_reach_staff(reach)) {
        pastoral_forbid(resp, "only the student's tutors and senior tutors record contacts");
        return -1;
    }
    const char *staff = str_of(body, "staff");
    if (staff && strcmp(staff, who->sub) != 0 && !reach->senior) {
        http_problem(resp, 403, NULL, "only a senior tutor may record a contact for another staff member",
                     json_pack("[{s:s, s:s}]", "field", "staff", "message", "must be yourself"));
        return -1;
    }
    return 0;
}

static void fill_contact(const json_t *body, const char *number, const char *staff, struct contact_input *in)
{
    struct contact_new *c = &in->c;
    memset(in, 0, sizeof(*in));
    c->student = number;
    c->staff = staff;
    c->kind = str_of(body, "kind");
    c->direction = str_of(body, "direction");
    c->channel = str_of(body, "channel");
    c->scheduled_at = str_of(body, "scheduled_at");
    c->occurred_at = str_of(body, "occurred_at");
    c->attendance = str_of(body, "attendance");
    c->session_id = str_of(body, "session_id");
    c->subject = str_of(body, "subject");
    c->body = str_of(body, "body");
    const json_t *wb = json_object_get(body, "wellbeing_check"), *reply = json_object_get(body, "reply_to");
    c->wellbeing_check = json_is_boolean(wb) ? (json_is_true(wb) ? "true" : "false") : NULL;
    if (json_is_integer(reply)) {
        snprintf(in->reply_to, sizeof(in->reply_to), "%" JSON_INTEGER_FORMAT, json_integer_value(reply));
        c->reply_to = in->reply_to;
    }
}

/* Validates the body for this caller and fills *in; returns -1 after answering 403 or 422. */
static int contact_from_body(struct _u_response *resp, const json_t *body, const struct principal *who,
                             const struct student_reach *reach, const char *number, struct contact_input *in)
{
    int as_student = reach->self && access_has_role(who, ROLE_STUDENT);
    if (!as_student && staff_rules(resp, body, who, reach) != 0)
        return -1;
    json_t *errors = json_array();
    validate_object(body, CONTACT_FIELDS, 0, errors);
    const char *session = str_of(body, "session_id");
    if (session && !is_uuid(session))
        validate_error(errors, "session_id", "must be a UUID");
    content_rules(body, errors);
    if (as_student)
        student_rules(body, reach, errors);
    int rc = pastoral_body_checked(resp, errors, "contact");
    json_decref(errors);
    const char *staff = as_student ? reach->personal_tutor : str_of(body, "staff") ? str_of(body, "staff") : who->sub;
    fill_contact(body, number, staff, in);
    return rc;
}

static int callback_contacts_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only the student, their tutors and senior tutors record contacts");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct student_reach reach;
    struct contact_input in;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL, *id = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
        goto cleanup;
    }
    if (contact_from_body(resp, body, who, &reach, number, &in) != 0)
        goto cleanup;
    st = repo_contact_insert(conn, &in.c, who->sub, &json, &id, &err);
    if (st == APP_OK)
        st = audit_record(conn, who, "contact.create", "contact", id, number, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? pastoral_respond_json(resp, 201, json, NULL) : http_problem_db(resp, st, &err, "contacts");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    free(json);
    free(id);
    return rc;
}

/* ---- GET / PATCH /contacts/{id} -------------------------------------------------------------------- */

/* Reads the contact and the caller's reach over its student; APP_NOT_FOUND when either is hidden. The
 * staff member a contact is with still reads it when no longer the student's tutor (a message
 * thread's staff read their thread); the reach is then empty. Admin reads no message content. */
static enum app_status load_contact(struct db_conn *conn, const char *id, int lock, const struct principal *who,
                                    struct contact_head *head, struct student_reach *reach)
{
    if (!listing_is_row_id(id))
        return APP_NOT_FOUND;
    enum app_status st = repo_contact_head(conn, id, lock, repo_contact_content_reader(who), head);
    if (st == APP_OK)
        st = repo_reach_of(conn, head->student, who, reach);
    if (st == APP_NOT_FOUND && head->json && access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR) &&
        strcmp(head->staff, who->sub) == 0) {
        memset(reach, 0, sizeof(*reach));
        st = APP_OK;
    }
    return st;
}

static int callback_contact_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "registry may not read contacts");
    struct contact_head head;
    struct student_reach reach;
    struct db_conn *conn = NULL;
    memset(&head, 0, sizeof(head));
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = load_contact(conn, http_path_param(req, "id"), 0, who, &head, &reach);
    db_release(app->pool, conn);
    int rc = st == APP_OK ? pastoral_respond_json(resp, 200, head.json, head.version)
                          : http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such contact" : NULL);
    if (st == APP_OK)
        head.json = NULL;
    repo_contact_head_free(&head);
    return rc;
}

/* The contact's own staff member (still the student's tutor) or a senior tutor of the school. */
static int may_change(const struct principal *who, const struct contact_head *head, const struct student_reach *r)
{
    return r->senior || (r->tutor && strcmp(head->staff, who->sub) == 0);
}

static int callback_contact_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only the contact's staff member or a senior tutor may change it");
    json_t *body = http_body_object(req, resp, 1), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    struct contact_head head;
    struct student_reach reach;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL, *version = NULL;
    int rc = U_CALLBACK_COMPLETE;
    memset(&head, 0, sizeof(head));
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = load_contact(conn, http_path_param(req, "id"), 1, who, &head, &reach);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such contact" : NULL);
        goto cleanup;
    }
    if (!may_change(who, &head, &reach)) {
        rc = pastoral_forbid(resp, "only the contact's staff member or a senior tutor may change it");
        goto cleanup;
    }
    validate_object(body, PATCH_FIELDS, 1, errors);
    if (http_check_if_match(req, resp, head.version) != 0 || pastoral_body_checked(resp, errors, "contact") != 0)
        goto cleanup;
    st = repo_contact_update(conn, head.id, body, &json, &version, &err);
    if (st == APP_OK)
        st = audit_record(conn, who, "contact.update", "contact", head.id, head.student, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? pastoral_respond_json(resp, 200, json, version) : http_problem_db(resp, st, &err, "contacts");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    repo_contact_head_free(&head);
    json_decref(body);
    json_decref(errors);
    free(json);
    free(version);
    return rc;
}

/* ---- POST /contacts/{id}/confirmation ------------------------------------------------------------- */

static int check_answer(struct _u_response *resp, const json_t *body, const struct contact_head *head)
{
    json_t *errors = json_array();
    validate_object(body, CONFIRM_FIELDS, 0, errors);
    const char *status = str_of(body, "status"), *comment = str_of(body, "comment");
    if (status && strcmp(status, "disputed") == 0 && (!comment || !comment[strspn(comment, " \t\r\n")]))
        validate_error(errors, "comment", "is required when disputing the record");
    if (!pastoral_in(MEETINGS, head->kind))
        validate_error(errors, "kind", "only the record of a meeting can be confirmed or disputed");
    int rc = pastoral_body_checked(resp, errors, "answer");
    json_decref(errors);
    return rc;
}

static int callback_contact_confirm(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT))
        return pastoral_forbid(resp, "only the student named by a meeting confirms its record");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct contact_head head;
    struct student_reach reach;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL;
    int rc = U_CALLBACK_COMPLETE;
    memset(&head, 0, sizeof(head));
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = load_contact(conn, http_path_param(req, "id"), 1, who, &head, &reach);
    if (st == APP_OK && !reach.self)
        st = APP_NOT_FOUND;
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such contact" : NULL);
        goto cleanup;
    }
    if (check_answer(resp, body, &head) != 0)
        goto cleanup;
    st = repo_contact_confirm(conn, &head, str_of(body, "status"), str_of(body, "comment"), &json, &err);
    if (st == APP_OK)
        st = audit_record(conn, who, "contact.confirm", "contact", head.id, head.student, NULL);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_CONFLICT)
        rc = http_problem(resp, 409, NULL, "the student has already answered this meeting record", NULL);
    else
        rc = st == APP_OK ? pastoral_respond_json(resp, 201, json, NULL)
                          : http_problem_db(resp, st, &err, "meeting_confirmations");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    repo_contact_head_free(&head);
    json_decref(body);
    free(json);
    return rc;
}

int routes_contacts_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/contacts", 0, callback_contacts_list) |
           http_route(instance, app, "POST", "/students/@student_number/contacts", HTTP_IDEMPOTENT,
                      callback_contacts_create) |
           http_route(instance, app, "GET", "/contacts/@id", 0, callback_contact_get) |
           http_route(instance, app, "PATCH", "/contacts/@id", 0, callback_contact_patch) |
           http_route(instance, app, "POST", "/contacts/@id/confirmation", HTTP_IDEMPOTENT, callback_contact_confirm);
}
