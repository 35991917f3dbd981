/* routes_notes.c — GET/POST /students/{student_number}/notes, GET /notes/{id}, POST /notes/{id}/revisions.
 * A note is never overwritten: a correction is a new revision. Students read only their own shared
 * notes, registry none, admin no confidential text; every read of confidential text is audited in the
 * read's own transaction. */
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
#include "repo_notes.h"
#include "repo_pastoral.h"
#include "validate.h"

static const char *const VISIBILITY[] = {"shared", "confidential", NULL};

#define NOTE_READONLY                                                                                                  \
    {"id", FT_INT, F_READONLY, 0, 0, NULL}, {"student", FT_ID, F_READONLY, 0, 0, NULL},                                \
        {"student_number", FT_ID, F_READONLY, 0, 0, NULL}, {"author", FT_ID, F_READONLY, 0, 0, NULL},                  \
        {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL}, {"revision", FT_INT, F_READONLY, 0, 0, NULL},              \
        {"revisions", FT_INT, F_READONLY, 0, 0, NULL}, {"updated_by", FT_ID, F_READONLY, 0, 0, NULL},                  \
        {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},                                                            \
    {                                                                                                                  \
        "history", FT_STRING, F_READONLY, 0, 0, NULL                                                                   \
    }

static const struct field_spec NOTE_FIELDS[] = {
    {"text", FT_STRING, 0, 1, 20000, NULL},
    {"visibility", FT_ENUM, F_REQUIRED, 0, 0, VISIBILITY},
    {"consent_recorded", FT_BOOL, 0, 0, 0, NULL},
    {"contact", FT_INT, F_NULLABLE, 1, LONG_MAX, NULL},
    NOTE_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

/* A revision corrects the text (and consent); who wrote it and who may see it stay. */
static const struct field_spec REVISION_FIELDS[] = {
    {"text", FT_STRING, 0, 1, 20000, NULL},
    {"consent_recorded", FT_BOOL, 0, 0, 0, NULL},
    {"visibility", FT_ENUM, F_READONLY, 0, 0, NULL},
    {"contact", FT_INT, F_READONLY, 0, 0, NULL},
    NOTE_READONLY,
    {NULL, 0, 0, 0, 0, NULL},
};

/* "true" or "false" for the boolean member `name` of body, else NULL (absent). */
static const char *bool_text(const json_t *body, const char *name)
{
    const json_t *v = json_object_get(body, name);
    return json_is_boolean(v) ? (json_is_true(v) ? "true" : "false") : NULL;
}

/* Consent (Essex, Personal Tutor 5 and Senior Personal Tutor 8: "Content of the meetings is not necessarily
 * included and not without student permission"): text is stored only with consent_recorded true. Without
 * it a note records only that a meeting took place, so a new note without text must name its contact; a
 * revision without text must say consent_recorded false (the student withdrew permission: no content from
 * then on). A revision with text but no consent_recorded keeps the note's consent, which the database
 * checks (note_revisions_consent_check). Adds every problem to errors. */
static void check_consent(const json_t *body, int creating, json_t *errors)
{
    const json_t *text = json_object_get(body, "text"), *consent = json_object_get(body, "consent_recorded");
    if (text && json_is_false(consent))
        validate_error(errors, "consent_recorded",
                       "must be true to record what was said: content is kept only with the student's permission "
                       "(leave text out to record only that the meeting took place)");
    else if (text && creating && !consent)
        validate_error(errors, "consent_recorded",
                       "is required with text: content is kept only with the student's permission");
    else if (!text && creating && !json_is_integer(json_object_get(body, "contact")))
        validate_error(errors, "text",
                       "is required, unless the note records only that a meeting took place (then name its contact)");
    else if (!text && !creating && !json_is_false(consent))
        validate_error(errors, "text", "is required, unless consent_recorded is false (no content kept)");
}

/* What this caller sees of this student's notes (SPEC §2). */
static struct note_view view_of(const struct principal *who, const struct student_reach *reach, int history)
{
    struct note_view v = {0};
    v.confidential_text = repo_reach_staff(reach);
    v.confidential_rows = v.confidential_text || access_has_role(who, ROLE_ADMIN);
    v.history = history;
    return v;
}

struct read_audit {
    struct db_conn *conn;
    const struct principal *who;
    int history;
};

/* Audits one read of confidential text, in the read's transaction. */
static enum app_status audit_read(void *ctx, const char *id, const char *student)
{
    const struct read_audit *a = ctx;
    json_t *detail = json_pack("{s:b}", "history", a->history);
    enum app_status st = audit_record(a->conn, a->who, "note.read_confidential", "note", id, student, detail);
    json_decref(detail);
    return st;
}

static int forbid_registry(struct _u_response *resp)
{
    return pastoral_forbid(resp, "notes are not available to this role");
}

/* ---- GET /students/{student_number}/notes ----------------------------------------------------------- */

static int callback_notes_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return forbid_registry(resp);
    struct note_view view = {0};
    struct page page;
    int history = 0;
    json_t *errors = json_array();
    pastoral_query_enum(req, "visibility", VISIBILITY, errors, &view.visibility);
    pastoral_query_bool(req, "history", errors, &history);
    if (listing_filter_done(resp, errors) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number"), *visibility = view.visibility;
    struct student_reach reach;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK) {
        view = view_of(who, &reach, history);
        view.visibility = visibility;
        struct read_audit audit = {conn, who, history};
        st = repo_note_list(conn, number, &view, page.after, page.limit, audit_read, &audit, &body);
    }
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(((const struct app *)user_data)->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such student");
    }
    return pastoral_respond_page(resp, st, &body);
}

/* ---- GET /notes/{id} --------------------------------------------------------------------------------- */

/* Reads note `id` for the caller, auditing confidential text; within the caller's transaction. */
static enum app_status read_note(struct db_conn *conn, const struct principal *who, const struct note_head *head,
                                 int history, char **json)
{
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, head->student, who, &reach);
    if (st != APP_OK)
        return st;
    struct note_view view = view_of(who, &reach, history);
    int confidential = 0;
    st = repo_note_get(conn, head->id, &view, json, &confidential);
    if (st == APP_OK && confidential) {
        struct read_audit audit = {conn, who, history};
        st = audit_read(&audit, head->id, head->student);
    }
    return st;
}

/* Answers `status` with note `id` as the caller may read it now (404 when they may not), auditing a read
 * of confidential text: GET /notes/{id}, and the replay of a note's creation. */
static int answer_note(struct _u_response *resp, void *user_data, const struct principal *who, const char *id,
                       int history, long status)
{
    struct note_head head;
    struct db_conn *conn = NULL;
    char *json = NULL;
    enum app_status st = listing_is_row_id(id) ? pastoral_begin(user_data, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_note_head(conn, id, &head);
    if (st == APP_OK)
        st = read_note(conn, who, &head, history, &json);
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(((const struct app *)user_data)->pool, conn);
    if (st != APP_OK) {
        free(json);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such note" : NULL);
    }
    return pastoral_respond_json(resp, status, json, head.revision);
}

static int callback_note_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return forbid_registry(resp);
    int history = 0;
    json_t *errors = json_array();
    pastoral_query_bool(req, "history", errors, &history);
    if (listing_filter_done(resp, errors) != 0)
        return U_CALLBACK_COMPLETE;
    return answer_note(resp, user_data, who, http_path_param(req, "id"), history, 200);
}

/* ---- writes ------------------------------------------------------------------------------------------ */

/* After a note or revision was inserted (st): audits `action`, reads the note back, commits, and
 * answers 201 with the note and its revision as ETag — or the problem for the failure. */
static int finish_write(struct _u_response *resp, struct db_conn *conn, const struct principal *who, enum app_status st,
                        const struct db_error *err, const char *action, struct note_head *head)
{
    char *json = NULL;
    if (st == APP_OK)
        st = audit_record(conn, who, action, "note", head->id, head->student, NULL);
    if (st == APP_OK)
        st = repo_note_head(conn, head->id, head);
    if (st == APP_OK)
        st = read_note(conn, who, head, 0, &json);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_OK)
        return pastoral_respond_json(resp, 201, json, head->revision);
    free(json);
    if (st == APP_CONFLICT)
        return http_problem(resp, 409, NULL, "the note was revised meanwhile; read it and try again", NULL);
    return http_problem_db(resp, st, err, "notes");
}

static int forbid_unless_staff(struct _u_response *resp, const struct principal *who)
{
    return pastoral_staff_only(resp, who, "only the student's tutors and senior tutors write notes");
}

/* ---- POST /students/{student_number}/notes ------------------------------------------------------------ */

/* Inserts the validated note `body` about student `number` by `author`. APP_INVALID when its `contact`
 * is not a contact of that student (nothing written). */
static enum app_status insert_note(struct db_conn *conn, const char *number, const char *author, const json_t *body,
                                   char **id, struct db_error *err)
{
    char contact[24] = "";
    const json_t *about = json_object_get(body, "contact");
    if (json_is_integer(about))
        snprintf(contact, sizeof(contact), "%lld", (long long)json_integer_value(about));
    struct note_input in = {number,
                            author,
                            json_string_value(json_object_get(body, "visibility")),
                            json_string_value(json_object_get(body, "text")),
                            bool_text(body, "consent_recorded"),
                            *contact ? contact : NULL};
    return repo_note_insert(conn, &in, id, err);
}

static int callback_notes_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL, *errors = NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct note_head head;
    struct student_reach reach;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *id = NULL;
    int rc = U_CALLBACK_COMPLETE;
    memset(&head, 0, sizeof(head));
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
        goto cleanup;
    }
    if (!repo_reach_staff(&reach)) {
        rc = pastoral_forbid(resp, "only the student's tutors and senior tutors write notes");
        goto cleanup;
    }
    validate_object(body, NOTE_FIELDS, 0, errors = json_array());
    check_consent(body, 1, errors);
    if (pastoral_body_checked(resp, errors, "note") != 0)
        goto cleanup;
    st = insert_note(conn, number, who->sub, body, &id, &err);
    if (st == APP_INVALID) {
        validate_error(errors, "contact", "must be a contact of this student");
        pastoral_body_checked(resp, errors, "note");
        goto cleanup;
    }
    snprintf(head.id, sizeof(head.id), "%s", id ? id : "");
    snprintf(head.student, sizeof(head.student), "%s", number);
    rc = finish_write(resp, conn, who, st, &err, "note.create", &head);
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(id);
    return rc;
}

/* ---- POST /notes/{id}/revisions ----------------------------------------------------------------------- */

/* The note's author (still the student's tutor) or a senior tutor of the school revises it. */
static enum app_status may_revise(struct db_conn *conn, const struct principal *who, const struct note_head *head)
{
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, head->student, who, &reach);
    if (st != APP_OK)
        return st;
    if (!repo_reach_staff(&reach))
        return APP_NOT_FOUND; /* a student or admin who can see the student, but not this note's text */
    return reach.senior || (reach.tutor && strcmp(head->author, who->sub) == 0) ? APP_OK : APP_FORBIDDEN;
}

static int callback_note_revise(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL, *errors = NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *id = http_path_param(req, "id");
    struct note_head head;
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = listing_is_row_id(id) ? pastoral_begin(user_data, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_note_head(conn, id, &head);
    if (st == APP_OK)
        st = may_revise(conn, who, &head);
    if (st != APP_OK) {
        rc = st == APP_FORBIDDEN ? pastoral_forbid(resp, "only the note's author or a senior tutor may revise it")
                                 : http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such note" : NULL);
        goto cleanup;
    }
    validate_object(body, REVISION_FIELDS, 0, errors = json_array());
    check_consent(body, 0, errors);
    if (http_check_if_match(req, resp, head.revision) != 0 || pastoral_body_checked(resp, errors, "revision") != 0)
        goto cleanup;
    st = repo_note_revise(conn, &head, json_string_value(json_object_get(body, "text")),
                          bool_text(body, "consent_recorded"), who->sub, &err);
    rc = finish_write(resp, conn, who, st, &err, "note.revise", &head);
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    return rc;
}

/* A note created again under the same Idempotency-Key: the key store kept only the note's id (never its
 * text), so the answer is the note as the caller may read it now — 201, as the first time — and a read
 * of confidential text is audited as any read. */
static int replay_note_create(const struct _u_request *req, struct _u_response *resp, void *user_data,
                              const char *id)
{
    (void)req;
    return answer_note(resp, user_data, http_principal(resp), id, 0, 201);
}

int routes_notes_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/notes", 0, callback_notes_list) |
           http_route_replayed(instance, app, "POST", "/students/@student_number/notes", 0, callback_notes_create,
                               replay_note_create) |
           http_route(instance, app, "GET", "/notes/@id", 0, callback_note_get) |
           http_route(instance, app, "POST", "/notes/@id/revisions", 0, callback_note_revise);
}
