/* routes_contacts.c — GET/POST /students/{student_number}/contacts, GET/PATCH /contacts/{id},
 * POST /contacts/{id}/confirmation (the student answers the record of a meeting naming them). */
#include "routes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "pe.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"
#include "unit_of_work.h"
#include "validate.h"

static const char *const CHANNELS[] = {"in_person", "online", NULL};
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
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, PE_CONTACT_KIND_NAMES},
    {"direction", FT_ENUM, F_REQUIRED, 0, 0, PE_DIRECTION_NAMES},
    {"staff", FT_ID, 0, 1, 20, NULL},
    {"channel", FT_ENUM, F_NULLABLE, 0, 0, CHANNELS},
    {"scheduled_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"occurred_at", FT_INSTANT, F_NULLABLE, 0, 0, NULL},
    {"attendance", FT_ENUM, 0, 0, 0, PE_ATTENDANCE_NAMES},
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
    {"attendance", FT_ENUM, 0, 0, 0, PE_ATTENDANCE_NAMES},
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
    pastoral_query_enum(req, "kind", PE_CONTACT_KIND_NAMES, errors, &f->kind);
    pastoral_query_enum(req, "direction", PE_DIRECTION_NAMES, errors, &f->direction);
    return http_list_filter_done(resp, errors);
}

/* A page of a student's contacts to read. */
struct list_read {
    const struct principal *who;
    const char *student;
    const struct contact_filter *filter;
    struct page_rows rows;
};

/* uow_work for the list: the student must be there for the caller. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct list_read *list = ctx;
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, list->student, list->who, &reach);
    return st == APP_OK ? repo_contact_list(conn, list->student, list->filter, &list->rows) : st;
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
    struct list_read list = {.who = who, .student = http_path_param(req, "student_number"), .filter = &filter};
    enum app_status st = uow_read(app->pool, read_page, &list);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&list.rows);
        return http_problem_for(resp, st, "no such student");
    }
    return http_list_respond(resp, st, &list.rows);
}

/* ---- POST /students/{student_number}/contacts ------------------------------------------------------ */

struct contact_input {
    struct contact_new c;
    char reply_to[24], staff[64];
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

/* Why a new contact was refused before its body was looked at. */
enum contact_refusal { REFUSED_NONE = 0, REFUSED_NOT_STAFF, REFUSED_OTHER_STAFF };

/* A staff member records contacts only for their own students, and for another staff member only as a
 * senior tutor. */
static enum contact_refusal staff_rules(const json_t *body, const struct principal *who,
                                        const struct student_reach *reach)
{
    if (!repo_reach_staff(reach))
        return REFUSED_NOT_STAFF;
    const char *staff = str_of(body, "staff");
    return staff && strcmp(staff, who->sub) != 0 && !reach->senior ? REFUSED_OTHER_STAFF : REFUSED_NONE;
}

static void fill_contact(const json_t *body, const char *number, const char *staff, struct contact_input *in)
{
    struct contact_new *c = &in->c;
    memset(in, 0, sizeof(*in));
    c->student = number;
    snprintf(in->staff, sizeof(in->staff), "%s", staff);
    c->staff = in->staff;
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

/* The check of a new contact against the caller's reach on the student (contact_check_fn): the body's
 * rules for this caller into `errors`, the contact into `in`. */
struct create_check {
    const json_t *body;
    const struct principal *who;
    const char *number;
    json_t *errors;
    enum contact_refusal refusal;
    struct contact_input in;
};

/* contact_check_fn for POST: APP_FORBIDDEN (refusal says why), APP_INVALID (errors), or APP_OK. */
static enum app_status check_new_contact(void *ctx, const struct contact_head *head, const struct student_reach *reach)
{
    (void)head;
    struct create_check *c = ctx;
    json_array_clear(c->errors);
    int as_student = reach->self && access_has_role(c->who, ROLE_STUDENT);
    c->refusal = as_student ? REFUSED_NONE : staff_rules(c->body, c->who, reach);
    if (c->refusal != REFUSED_NONE)
        return APP_FORBIDDEN;
    validate_object(c->body, CONTACT_FIELDS, 0, c->errors);
    const char *session = str_of(c->body, "session_id");
    if (session && !is_uuid(session))
        validate_error(c->errors, "session_id", "must be a UUID");
    content_rules(c->body, c->errors);
    if (as_student)
        student_rules(c->body, reach, c->errors);
    const char *named = str_of(c->body, "staff");
    fill_contact(c->body, c->number, as_student ? reach->personal_tutor : named ? named : c->who->sub, &c->in);
    return json_array_size(c->errors) > 0 ? APP_INVALID : APP_OK;
}

/* Answers a refused new contact from where it stopped. */
static int answer_create_refusal(struct _u_response *resp, enum app_status st, const struct contact_write *w,
                                 const struct create_check *c)
{
    if (w->stage == CONTACT_REACH)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    if (w->stage == CONTACT_CHECK && c->refusal == REFUSED_NOT_STAFF)
        return pastoral_forbid(resp, "only the student's tutors and senior tutors record contacts");
    if (w->stage == CONTACT_CHECK && c->refusal == REFUSED_OTHER_STAFF)
        return http_problem(resp, 403, NULL, "only a senior tutor may record a contact for another staff member",
                            json_pack("[{s:s, s:s}]", "field", "staff", "message", "must be yourself"));
    if (w->stage == CONTACT_CHECK) {
        pastoral_body_checked(resp, c->errors, "contact");
        return U_CALLBACK_COMPLETE;
    }
    return http_problem_db(resp, st, &w->err, "contacts");
}

static int callback_contacts_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only the student, their tutors and senior tutors record contacts");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct create_check check = {
        .body = body, .who = who, .number = http_path_param(req, "student_number"), .errors = json_array()};
    struct contact_write w = {
        .who = who, .student = check.number, .check = check_new_contact, .check_ctx = &check, .in = &check.in.c};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_contact_create_work, &w, NULL);
    int rc =
        st == APP_OK ? pastoral_respond_json(resp, 201, w.json, NULL) : answer_create_refusal(resp, st, &w, &check);
    if (st == APP_OK)
        w.json = NULL;
    free(w.json);
    repo_contact_head_free(&w.head);
    json_decref(check.errors);
    json_decref(body);
    return rc;
}

/* ---- GET / PATCH /contacts/{id} -------------------------------------------------------------------- */

/* A contact to read: the caller, the id, and the contact read. */
struct contact_read {
    const struct principal *who;
    const char *id;
    struct contact_head head;
};

/* uow_work for GET /contacts/{id}. */
static enum app_status read_contact(struct db_conn *conn, void *ctx)
{
    struct contact_read *r = ctx;
    struct student_reach reach;
    repo_contact_head_free(&r->head);
    return repo_contact_load(conn, r->id, 0, r->who, &r->head, &reach);
}

static int callback_contact_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "registry may not read contacts");
    struct contact_read r = {.who = who, .id = http_path_param(req, "id")};
    enum app_status st = uow_read(app->pool, read_contact, &r);
    int rc = st == APP_OK ? pastoral_respond_json(resp, 200, r.head.json, r.head.version)
                          : http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such contact" : NULL);
    if (st == APP_OK)
        r.head.json = NULL;
    repo_contact_head_free(&r.head);
    return rc;
}

/* Answers a contact write that stopped short: 404 or 403 (`forbidden`) on the contact, If-Match's 400
 * or 412, the body's 422 (`errors`, about `what`), 409 (`conflict`, when not NULL), or the database's. */
static int answer_write_refusal(const struct _u_request *req, struct _u_response *resp, enum app_status st,
                                const struct contact_write *w, json_t *errors, const char *what, const char *forbidden,
                                const char *conflict, const char *table)
{
    if (w->stage == CONTACT_REACH && st == APP_FORBIDDEN)
        return pastoral_forbid(resp, forbidden);
    if (w->stage == CONTACT_REACH)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such contact" : NULL);
    if (w->stage == CONTACT_IF_MATCH) {
        http_check_if_match(req, resp, w->head.version);
        return U_CALLBACK_COMPLETE;
    }
    if (w->stage == CONTACT_CHECK) {
        pastoral_body_checked(resp, errors, what);
        return U_CALLBACK_COMPLETE;
    }
    if (st == APP_CONFLICT && conflict)
        return http_problem_for(resp, APP_CONFLICT, conflict);
    return http_problem_db(resp, st, &w->err, table);
}

static int callback_contact_patch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR))
        return pastoral_forbid(resp, "only the contact's staff member or a senior tutor may change it");
    json_t *body = http_body_object(req, resp, 1), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    validate_object(body, PATCH_FIELDS, 1, errors);
    struct contact_write w = {.who = who,
                              .id = http_path_param(req, "id"),
                              .patch = body,
                              .if_match = http_header(req, "If-Match"),
                              .body_invalid = json_array_size(errors) > 0};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_contact_patch_work, &w, NULL);
    int rc = st == APP_OK ? pastoral_respond_json(resp, 200, w.json, w.version)
                          : answer_write_refusal(req, resp, st, &w, errors, "contact",
                                                 "only the contact's staff member or a senior tutor may change it",
                                                 NULL, "contacts");
    if (st == APP_OK)
        w.json = NULL;
    free(w.json), free(w.version);
    repo_contact_head_free(&w.head);
    json_decref(body);
    json_decref(errors);
    return rc;
}

/* ---- POST /contacts/{id}/confirmation ------------------------------------------------------------- */

/* The student's answer to check against the meeting record. */
struct answer_check {
    const json_t *body;
    json_t *errors;
};

/* contact_check_fn for a confirmation: the body's rules, and the contact must be a meeting. */
static enum app_status check_answer(void *ctx, const struct contact_head *head, const struct student_reach *reach)
{
    (void)reach;
    struct answer_check *a = ctx;
    json_array_clear(a->errors);
    validate_object(a->body, CONFIRM_FIELDS, 0, a->errors);
    const char *status = str_of(a->body, "status"), *comment = str_of(a->body, "comment");
    if (status && strcmp(status, "disputed") == 0 && (!comment || !comment[strspn(comment, " \t\r\n")]))
        validate_error(a->errors, "comment", "is required when disputing the record");
    if (!pastoral_in(MEETINGS, head->kind))
        validate_error(a->errors, "kind", "only the record of a meeting can be confirmed or disputed");
    return json_array_size(a->errors) > 0 ? APP_INVALID : APP_OK;
}

static int callback_contact_confirm(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT))
        return pastoral_forbid(resp, "only the student named by a meeting confirms its record");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    struct answer_check check = {.body = body, .errors = json_array()};
    struct contact_write w = {.who = who,
                              .id = http_path_param(req, "id"),
                              .check = check_answer,
                              .check_ctx = &check,
                              .status = str_of(body, "status"),
                              .comment = str_of(body, "comment")};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_contact_confirm_work, &w, NULL);
    int rc = st == APP_OK ? pastoral_respond_json(resp, 201, w.json, NULL)
                          : answer_write_refusal(req, resp, st, &w, check.errors, "answer", NULL,
                                                 "the student has already answered this meeting record",
                                                 "meeting_confirmations");
    if (st == APP_OK)
        w.json = NULL;
    free(w.json);
    repo_contact_head_free(&w.head);
    json_decref(check.errors);
    json_decref(body);
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
