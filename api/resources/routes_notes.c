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
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "repo_notes.h"
#include "repo_pastoral.h"
#include "unit_of_work.h"
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
    struct note_read r = {.who = who, .student = http_path_param(req, "student_number")};
    struct page page;
    json_t *errors = json_array();
    pastoral_query_enum(req, "visibility", VISIBILITY, errors, &r.visibility);
    pastoral_query_bool(req, "history", errors, &r.history);
    if (http_list_filter_done(resp, errors) != 0 || http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    r.after = page.after;
    r.limit = page.limit;
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_note_list_work, &r, NULL);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&r.rows);
        return http_problem_for(resp, st, "no such student");
    }
    return http_list_respond(resp, st, &r.rows);
}

/* ---- GET /notes/{id} --------------------------------------------------------------------------------- */

/* Answers `status` with note `id` as the caller may read it now (404 when they may not), auditing a read
 * of confidential text: GET /notes/{id}, and the replay of a note's creation. */
static int answer_note(struct _u_response *resp, void *user_data, const struct principal *who, const char *id,
                       int history, long status)
{
    struct note_read r = {.who = who, .id = id, .history = history};
    enum app_status st = page_is_row_id(id)
                             ? uow_run(((const struct app *)user_data)->pool, repo_note_read_work, &r, NULL)
                             : APP_NOT_FOUND;
    if (st != APP_OK) {
        free(r.json);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such note" : NULL);
    }
    return pastoral_respond_json(resp, status, r.json, r.head.revision);
}

static int callback_note_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return forbid_registry(resp);
    int history = 0;
    json_t *errors = json_array();
    pastoral_query_bool(req, "history", errors, &history);
    if (http_list_filter_done(resp, errors) != 0)
        return U_CALLBACK_COMPLETE;
    return answer_note(resp, user_data, who, http_path_param(req, "id"), history, 200);
}

/* ---- writes ------------------------------------------------------------------------------------------ */

/* Runs a note write in a unit of work and answers it: 201 with the note and its revision as ETag, or
 * the refusal of the stage where it stopped. `what` names the body ("note", "revision"); `forbidden`
 * is the 403's detail. */
static int write_note(const struct _u_request *req, struct _u_response *resp, const struct app *app, uow_work work_fn,
                      struct note_write *w, json_t *errors, const char *what, const char *forbidden)
{
    enum app_status st = uow_run(app->pool, work_fn, w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK)
        rc = pastoral_respond_json(resp, 201, w->json, w->head.revision), w->json = NULL;
    else if (w->stage == NOTE_REACH && st == APP_FORBIDDEN)
        rc = pastoral_forbid(resp, forbidden);
    else if (w->stage == NOTE_REACH)
        rc = http_problem_for(resp, st, st != APP_NOT_FOUND ? NULL : w->id ? "no such note" : "no such student");
    else if (w->stage == NOTE_IF_MATCH)
        http_check_if_match(req, resp, w->head.revision);
    else if (w->stage == NOTE_CONTACT) {
        validate_error(errors, "contact", "must be a contact of this student");
        pastoral_body_checked(resp, errors, what);
    } else if (w->stage == NOTE_BODY)
        pastoral_body_checked(resp, errors, what);
    else if (st == APP_CONFLICT)
        rc = http_problem_for(resp, APP_CONFLICT, "the note was revised meanwhile; read it and try again");
    else
        rc = http_problem_db(resp, st, &w->err, "notes");
    free(w->json);
    return rc;
}

static int forbid_unless_staff(struct _u_response *resp, const struct principal *who)
{
    return pastoral_staff_only(resp, who, "only the student's tutors and senior tutors write notes");
}

/* ---- POST /students/{student_number}/notes ------------------------------------------------------------ */

static int callback_notes_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    validate_object(body, NOTE_FIELDS, 0, errors);
    check_consent(body, 1, errors);
    char contact[24] = "";
    const json_t *about = json_object_get(body, "contact");
    if (json_is_integer(about))
        snprintf(contact, sizeof(contact), "%lld", (long long)json_integer_value(about));
    struct note_input in = {http_path_param(req, "student_number"),
                            who->sub,
                            json_string_value(json_object_get(body, "visibility")),
                            json_string_value(json_object_get(body, "text")),
                            bool_text(body, "consent_recorded"),
                            *contact ? contact : NULL};
    struct note_write w = {.who = who, .in = &in, .body_invalid = json_array_size(errors) > 0};
    int rc = write_note(req, resp, user_data, repo_note_create_work, &w, errors, "note",
                        "only the student's tutors and senior tutors write notes");
    json_decref(body);
    json_decref(errors);
    return rc;
}

/* ---- POST /notes/{id}/revisions ----------------------------------------------------------------------- */

static int callback_note_revise(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = forbid_unless_staff(resp, who) == 0 ? http_body_object(req, resp, 0) : NULL;
    if (!body)
        return U_CALLBACK_COMPLETE;
    const char *id = http_path_param(req, "id");
    if (!page_is_row_id(id)) {
        json_decref(body);
        return http_problem_for(resp, APP_NOT_FOUND, "no such note");
    }
    json_t *errors = json_array();
    validate_object(body, REVISION_FIELDS, 0, errors);
    check_consent(body, 0, errors);
    struct note_write w = {.who = who,
                           .id = id,
                           .text = json_string_value(json_object_get(body, "text")),
                           .consent = bool_text(body, "consent_recorded"),
                           .if_match = http_header(req, "If-Match"),
                           .body_invalid = json_array_size(errors) > 0};
    int rc = write_note(req, resp, user_data, repo_note_revise_work, &w, errors, "revision",
                        "only the note's author or a senior tutor may revise it");
    json_decref(body);
    json_decref(errors);
    return rc;
}

/* A note created again under the same Idempotency-Key: the key store kept only the note's id (never its
 * text), so the answer is the note as the caller may read it now — 201, as the first time — and a read
 * of confidential text is audited as any read. */
static int replay_note_create(const struct _u_request *req, struct _u_response *resp, void *user_data, const char *id)
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
