/* routes_policy_drafts.c — a school's policy goes through approval before it binds (sql/016):
 *   POST /schools/{code}/policy-drafts       a senior tutor of the school proposes a version (201, `draft`)
 *   GET  /schools/{code}/policy-drafts       the school's drafts (its senior tutors, the Dean, admins)
 *   GET  /policy-drafts/{id}                 one draft with every transition
 *   PUT  /policy-drafts/{id}                 revise a `draft` or `returned` one (back to `draft`)
 *   POST /policy-drafts/{id}/submission      `draft` → `submitted`, for the Dean's approval
 *   POST /policy-drafts/{id}/decision        the Dean (or an admin): `submitted` → `approved` | `returned`
 *   POST /policy-drafts/{id}/simulation      the draft evaluated against current data, as if adopted
 * The Leicester Code of Practice: "The approach is documented and shared with the Dean of Personal Tutoring
 * for approval. Discussions and changes are arranged if appropriate." An approved draft becomes a version of
 * the school's policy, binding from its effective_from; only such versions are evaluated. Every transition
 * is audited and raises an event (policy_draft.<status>). A transition from the wrong state is 409. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "governance.h"
#include "http.h"
#include "policy_presets.h"
#include "repo_policies.h"
#include "validate.h"

/* True when `id` is a plausible draft id (1 to 18 digits); anything else is simply not found. */
static int is_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n > 0 && n <= 18 && strspn(id, "0123456789") == n;
}

/* May `who` read the school's drafts: a senior tutor of it, an admin, or the Dean. */
static enum app_status may_read(struct db_conn *conn, const struct principal *who, const char *school)
{
    enum app_status st = repo_school_authority(conn, who, school);
    return st == APP_FORBIDDEN && access_has_role(who, ROLE_DEAN) ? APP_OK : st;
}

/* Answers a refusal with the detail that says why. */
static int refuse(struct _u_response *resp, enum app_status st, const char *conflict)
{
    const char *detail = st == APP_NOT_FOUND   ? "no such school or policy draft"
                         : st == APP_FORBIDDEN ? "only a senior tutor of the school (and, to decide, the Dean of"
                                                 " Personal Tutoring) may do this"
                         : st == APP_CONFLICT  ? conflict
                                               : NULL;
    return http_problem_for(resp, st, detail);
}

/* Commits, then answers `status` with the draft as JSON. */
static int commit_and_show(struct _u_response *resp, struct db_conn *conn, const char *id, long status)
{
    char *json = NULL, school[20];
    enum app_status st = db_commit(conn);
    if (st == APP_OK)
        st = repo_draft_get(conn, id, &json, school);
    if (st != APP_OK)
        return refuse(resp, st, "the draft changed meanwhile: read it again");
    return http_json_text(resp, status, json);
}

/* Records the transition with the draft's JSON as it now stands (the same transaction). */
static enum app_status record(struct db_conn *conn, const struct principal *who, const struct draft_head *h,
                              const char *from, const char *to, const char *comment)
{
    char *json = NULL, school[20];
    enum app_status st = repo_draft_get(conn, h->id, &json, school);
    if (st == APP_OK)
        st = governance_record(conn, who, "policy_draft", h->id, from, to, comment, h->school, json);
    free(json);
    return st;
}

/* ---- POST /schools/{code}/policy-drafts ------------------------------------------------------------------ */

/* POST /schools/{code}/policy-drafts: a senior tutor of the school proposes a version (201, `draft`). */
static int callback_draft_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *code = http_path_param(req, "code");
    const struct principal *who = http_principal(resp);
    struct db_conn *conn = NULL;
    struct db_error err = {0};
    struct policy_input in = {0};
    struct draft_head h = {0};
    char *id = NULL;
    json_t *body = http_body_object(req, resp, 0);
    if (!body || policy_input_read(resp, body, &in) != 0)
        return json_decref(body), U_CALLBACK_COMPLETE;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_school_authority(conn, who, code);
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = repo_draft_insert(conn, who, code, in.preset, in.policy, in.office_hours, &id, &err);
    if (st == APP_OK) {
        snprintf(h.id, sizeof(h.id), "%s", id);
        snprintf(h.school, sizeof(h.school), "%s", code);
        st = record(conn, who, &h, NULL, "draft", NULL);
    }
    int rc = st == APP_OK                              ? commit_and_show(resp, conn, id, 201)
             : st == APP_INVALID || st == APP_CONFLICT ? http_problem_db(resp, st, &err, "policy_drafts")
                                                       : refuse(resp, st, NULL);
    db_release(app->pool, conn);
    policy_input_free(&in);
    json_decref(body);
    free(id);
    return rc;
}

/* ---- GET /schools/{code}/policy-drafts, GET /policy-drafts/{id} ------------------------------------------- */

/* GET /schools/{code}/policy-drafts: the school's drafts, newest first, optionally of one status. */
static int callback_draft_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *code = http_path_param(req, "code"), *status = http_query(req, "status");
    if (status && strcmp(status, "draft") != 0 && strcmp(status, "submitted") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "returned") != 0)
        return http_problem_field(resp, 400, "status", "must be draft, submitted, approved or returned");
    struct db_conn *conn = NULL;
    char *json = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = may_read(conn, http_principal(resp), code);
    if (st == APP_OK)
        st = repo_draft_list(conn, code, status, &json);
    db_release(app->pool, conn);
    return st == APP_OK ? http_json_text(resp, 200, json) : refuse(resp, st, NULL);
}

/* GET /policy-drafts/{id}: one draft with its transitions; another school's is not found. */
static int callback_draft_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *id = http_path_param(req, "id");
    struct db_conn *conn = NULL;
    char *json = NULL, school[20];
    enum app_status st = is_id(id) ? db_acquire(app->pool, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = repo_draft_get(conn, id, &json, school);
    if (st == APP_OK && (st = may_read(conn, http_principal(resp), school)) != APP_OK)
        free(json), json = NULL; /* another school's drafts: not found, as for a note that is not yours */
    if (st == APP_FORBIDDEN)
        st = APP_NOT_FOUND;
    db_release(app->pool, conn);
    return st == APP_OK ? http_json_text(resp, 200, json) : refuse(resp, st, NULL);
}

/* ---- the transitions ------------------------------------------------------------------------------------- */

enum draft_step { STEP_REVISE, STEP_SUBMIT, STEP_DECIDE };

/* What one transition needs from its request. */
struct draft_change {
    enum draft_step step;
    struct policy_input in;   /* STEP_REVISE */
    const char *to, *comment; /* STEP_DECIDE */
};

/* Checks who may take the step and from which state; APP_FORBIDDEN or APP_CONFLICT (with *why) when not. */
static enum app_status may_step(struct db_conn *conn, const struct principal *who, const struct draft_head *h,
                                enum draft_step step, const char **why)
{
    if (step == STEP_DECIDE) {
        *why = "only a submitted draft can be decided";
        if (!governance_is_dean(who))
            return may_read(conn, who, h->school) == APP_OK ? APP_FORBIDDEN : APP_NOT_FOUND;
        return strcmp(h->status, "submitted") == 0 ? APP_OK : APP_CONFLICT;
    }
    enum app_status st = repo_school_authority(conn, who, h->school);
    if (st != APP_OK)
        return st == APP_FORBIDDEN && may_read(conn, who, h->school) != APP_OK ? APP_NOT_FOUND : st;
    *why = step == STEP_SUBMIT ? "only a draft can be submitted (revise a returned one first)"
                               : "only a draft or a returned one can be revised";
    if (strcmp(h->status, "draft") == 0)
        return APP_OK;
    return step == STEP_REVISE && strcmp(h->status, "returned") == 0 ? APP_OK : APP_CONFLICT;
}

/* Applies the step to the locked draft and records it. */
static enum app_status apply_step(struct db_conn *conn, const struct principal *who, const struct draft_head *h,
                                  struct draft_change *c, struct db_error *err)
{
    enum app_status st;
    const char *to = c->step == STEP_REVISE ? "draft" : c->step == STEP_SUBMIT ? "submitted" : c->to;
    if (c->step == STEP_REVISE)
        st = repo_draft_revise(conn, h->id, c->in.preset, c->in.policy, c->in.office_hours, err);
    else if (strcmp(to, "approved") == 0)
        st = repo_draft_approve(conn, h->id, who, c->comment);
    else
        st = repo_draft_move(conn, h->id, to, who, c->comment);
    return st == APP_OK ? record(conn, who, h, h->status, to, c->comment) : st;
}

/* One transition in one transaction: lock, If-Match on the draft's version, check, apply, answer. */
static int draft_transition(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                            struct draft_change *c)
{
    const char *id = http_path_param(req, "id"), *why = NULL;
    const struct principal *who = http_principal(resp);
    struct db_conn *conn = NULL;
    struct draft_head h;
    struct db_error err = {0};
    enum app_status st = is_id(id) ? db_acquire(app->pool, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = db_begin(conn);
    if (st == APP_OK)
        st = repo_draft_lock(conn, id, &h);
    if (st == APP_OK)
        st = may_step(conn, who, &h, c->step, &why);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK && http_check_if_match(req, resp, h.version) != 0)
        st = APP_PRECONDITION_FAILED;
    else if (st == APP_OK && (st = apply_step(conn, who, &h, c, &err)) == APP_OK)
        rc = commit_and_show(resp, conn, id, 200);
    if (st == APP_INVALID)
        rc = http_problem_db(resp, st, &err, "policy_drafts");
    else if (st != APP_OK && st != APP_PRECONDITION_FAILED)
        rc = refuse(resp, st, why);
    db_release(app->pool, conn);
    return rc;
}

/* PUT /policy-drafts/{id}: a new policy for a `draft` or `returned` draft (back to `draft`). */
static int callback_draft_revise(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct draft_change c = {.step = STEP_REVISE};
    json_t *body = http_body_object(req, resp, 0);
    int rc = U_CALLBACK_COMPLETE;
    if (body && policy_input_read(resp, body, &c.in) == 0) {
        rc = draft_transition(req, resp, user_data, &c);
        policy_input_free(&c.in);
    }
    json_decref(body);
    return rc;
}

/* POST /policy-drafts/{id}/submission: `draft` → `submitted`. */
static int callback_draft_submit(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct draft_change c = {.step = STEP_SUBMIT};
    return draft_transition(req, resp, user_data, &c);
}

/* POST /policy-drafts/{id}/decision: the Dean approves (the draft becomes a version) or returns it. */
static int callback_draft_decide(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    struct draft_change c = {.step = STEP_DECIDE};
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (body && governance_read_decision(body, &c.to, &c.comment, errors) == 0)
        rc = draft_transition(req, resp, user_data, &c);
    else if (body)
        rc = http_problem(resp, 422, NULL, "the decision is not valid", json_incref(errors));
    json_decref(errors);
    json_decref(body);
    return rc;
}

/* ---- POST /policy-drafts/{id}/simulation ----------------------------------------------------------------- */

/* Reads the draft's policy and parses it (the engine accepted it when it was written). */
static enum app_status draft_policy(struct db_conn *conn, const char *id, char school[20], pe_policy **out)
{
    char *json = NULL;
    *out = NULL;
    enum app_status st = repo_draft_get(conn, id, &json, school);
    json_t *doc = st == APP_OK ? json_loads(json, 0, NULL) : NULL, *errors = NULL;
    if (st == APP_OK && pe_policy_parse(json_object_get(doc, "policy"), out, &errors) != PE_OK)
        st = APP_DB;
    json_decref(errors);
    json_decref(doc);
    free(json);
    return st;
}

/* POST /policy-drafts/{id}/simulation: the draft evaluated as if adopted; writes nothing. */
static int callback_draft_simulate(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *id = http_path_param(req, "id");
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct db_conn *conn = NULL;
    pe_policy *draft = NULL;
    char school[20];
    json_t *result = NULL;
    enum app_status st = is_id(id) ? db_acquire(app->pool, &conn) : APP_NOT_FOUND;
    if (st == APP_OK)
        st = draft_policy(conn, id, school, &draft);
    if (st == APP_OK)
        st = may_read(conn, http_principal(resp), school);
    struct principal reader = governance_reader(http_principal(resp));
    if (st == APP_OK) /* the Dean sees every school's students, as an admin does */
        result = policy_simulate(req, resp, conn, &reader, school, draft, &page);
    else
        refuse(resp, st, NULL);
    db_release(app->pool, conn);
    pe_policy_free(draft);
    http_page_free(&page);
    return result ? http_json(resp, 200, result) : U_CALLBACK_COMPLETE;
}

int routes_policy_drafts_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/schools/@code/policy-drafts", HTTP_IDEMPOTENT, callback_draft_create) |
           http_route(instance, app, "GET", "/schools/@code/policy-drafts", 0, callback_draft_list) |
           http_route(instance, app, "GET", "/policy-drafts/@id", 0, callback_draft_get) |
           http_route(instance, app, "PUT", "/policy-drafts/@id", 0, callback_draft_revise) |
           http_route(instance, app, "POST", "/policy-drafts/@id/submission", 0, callback_draft_submit) |
           http_route(instance, app, "POST", "/policy-drafts/@id/decision", 0, callback_draft_decide) |
           http_route(instance, app, "POST", "/policy-drafts/@id/simulation", 0, callback_draft_simulate);
}
