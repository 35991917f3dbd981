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
#include "unit_of_work.h"
#include "validate.h"
#include "wire.h"

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

/* Where a draft write stopped: the draft and the caller's right over it (404/403/409), If-Match, the
 * write, the draft read back (and the commit). */
enum draft_stage { DRAFT_CHECK = 0, DRAFT_IF_MATCH, DRAFT_WRITE, DRAFT_SHOW };

/* One draft write in a unit of work: its inputs, and on APP_OK the draft (malloc'd); otherwise the stage,
 * why a step was refused, the locked version and the database's refusal. */
struct draft_work {
    const struct principal *who;
    const char *school;            /* create */
    const struct policy_input *in; /* create */
    const char *id;                /* a transition (set by create once inserted) */
    struct draft_change *change;   /* a transition */
    const char *if_match;          /* a transition: the If-Match header, or NULL */
    enum draft_stage stage;
    const char *why;
    struct draft_head head;
    char *new_id, *json;
    struct db_error err;
};

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_work(struct draft_work *w)
{
    free(w->new_id), free(w->json);
    w->new_id = w->json = NULL;
    w->stage = DRAFT_CHECK;
    w->why = NULL;
    memset(&w->err, 0, sizeof(w->err));
}

/* Reads draft `id` back, as it now stands, for the answer. */
static enum app_status show(struct db_conn *conn, struct draft_work *w, const char *id)
{
    char school[20];
    w->stage = DRAFT_SHOW;
    return repo_draft_get(conn, id, &w->json, school);
}

/* Answers a draft write: `status` with the draft, or where it stopped. */
static int answer_work(const struct _u_request *req, struct _u_response *resp, enum app_status st, struct draft_work *w,
                       long status)
{
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK)
        rc = http_json_text(resp, status, w->json), w->json = NULL;
    else if (w->stage == DRAFT_SHOW)
        rc = refuse(resp, st, "the draft changed meanwhile: read it again");
    else if (w->stage == DRAFT_IF_MATCH)
        http_check_if_match(req, resp, w->head.version);
    else if (st == APP_INVALID || (st == APP_CONFLICT && !w->change && w->stage == DRAFT_WRITE))
        rc = http_problem_db(resp, st, &w->err, "policy_drafts");
    else
        rc = refuse(resp, st, w->why);
    free(w->json), free(w->new_id);
    return rc;
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

/* uow_work: the caller's authority over the school, the draft and its first transition, read back. */
static enum app_status create_work(struct db_conn *conn, void *ctx)
{
    struct draft_work *w = ctx;
    reset_work(w);
    enum app_status st = repo_school_authority(conn, w->who, w->school);
    if (st == APP_OK) {
        w->stage = DRAFT_WRITE;
        st = repo_draft_insert(conn, w->who, w->school, w->in->preset, w->in->policy, w->in->office_hours, &w->new_id,
                               &w->err);
    }
    if (st == APP_OK) {
        snprintf(w->head.id, sizeof(w->head.id), "%s", w->new_id);
        snprintf(w->head.school, sizeof(w->head.school), "%s", w->school);
        st = record(conn, w->who, &w->head, NULL, "draft", NULL);
    }
    return st == APP_OK ? show(conn, w, w->new_id) : st;
}

/* POST /schools/{code}/policy-drafts: a senior tutor of the school proposes a version (201, `draft`). */
static int callback_draft_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct policy_input in = {0};
    json_t *body = http_body_object(req, resp, 0);
    if (!body || policy_input_read(resp, body, &in) != 0)
        return json_decref(body), U_CALLBACK_COMPLETE;
    struct draft_work w = {.who = http_principal(resp), .school = http_path_param(req, "code"), .in = &in};
    enum app_status st = uow_run(app->pool, create_work, &w, NULL);
    int rc = answer_work(req, resp, st, &w, 201);
    policy_input_free(&in);
    json_decref(body);
    return rc;
}

/* ---- GET /schools/{code}/policy-drafts, GET /policy-drafts/{id} ------------------------------------------- */

/* A read of drafts: a school's list (school, status) or one draft (id); what was read (malloc'd). */
struct draft_read {
    const struct principal *who;
    const char *school, *status, *id;
    char *json;
};

/* uow_work for the list: the caller may read the school's drafts. */
static enum app_status read_list(struct db_conn *conn, void *ctx)
{
    struct draft_read *r = ctx;
    free(r->json);
    r->json = NULL;
    enum app_status st = may_read(conn, r->who, r->school);
    return st == APP_OK ? repo_draft_list(conn, r->school, r->status, &r->json) : st;
}

/* uow_work for one draft: another school's is not found, as for a note that is not yours. */
static enum app_status read_draft(struct db_conn *conn, void *ctx)
{
    struct draft_read *r = ctx;
    char school[20];
    free(r->json);
    r->json = NULL;
    enum app_status st = repo_draft_get(conn, r->id, &r->json, school);
    if (st == APP_OK)
        st = may_read(conn, r->who, school);
    return st == APP_FORBIDDEN ? APP_NOT_FOUND : st;
}

/* Answers a read: 200 with the JSON, or the refusal. */
static int answer_read(struct _u_response *resp, enum app_status st, struct draft_read *r)
{
    if (st == APP_OK)
        return http_json_text(resp, 200, r->json);
    free(r->json);
    return refuse(resp, st, NULL);
}

/* GET /schools/{code}/policy-drafts: the school's drafts, newest first, optionally of one status. */
static int callback_draft_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *code = http_path_param(req, "code"), *status = http_query(req, "status");
    if (status && strcmp(status, "draft") != 0 && strcmp(status, "submitted") != 0 && strcmp(status, "approved") != 0 &&
        strcmp(status, "returned") != 0)
        return http_problem_field(resp, 400, "status", "must be draft, submitted, approved or returned");
    struct draft_read r = {.who = http_principal(resp), .school = code, .status = status};
    return answer_read(resp, uow_read(app->pool, read_list, &r), &r);
}

/* GET /policy-drafts/{id}: one draft with its transitions; another school's is not found. */
static int callback_draft_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct draft_read r = {.who = http_principal(resp), .id = http_path_param(req, "id")};
    return answer_read(resp, is_id(r.id) ? uow_read(app->pool, read_draft, &r) : APP_NOT_FOUND, &r);
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

/* uow_work: lock the draft, check the step, If-Match on its version, apply, read back. */
static enum app_status transition_work(struct db_conn *conn, void *ctx)
{
    struct draft_work *w = ctx;
    reset_work(w);
    enum app_status st = repo_draft_lock(conn, w->id, &w->head);
    if (st == APP_OK)
        st = may_step(conn, w->who, &w->head, w->change->step, &w->why);
    if (st == APP_OK && wire_if_match(w->if_match, w->head.version) != 1)
        w->stage = DRAFT_IF_MATCH, st = APP_PRECONDITION_FAILED;
    if (st == APP_OK) {
        w->stage = DRAFT_WRITE;
        st = apply_step(conn, w->who, &w->head, w->change, &w->err);
    }
    return st == APP_OK ? show(conn, w, w->id) : st;
}

/* One transition in one unit of work: lock, check, If-Match on the draft's version, apply, answer. */
static int draft_transition(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                            struct draft_change *c)
{
    struct draft_work w = {.who = http_principal(resp),
                           .id = http_path_param(req, "id"),
                           .change = c,
                           .if_match = http_header(req, "If-Match")};
    enum app_status st = is_id(w.id) ? uow_run(app->pool, transition_work, &w, NULL) : APP_NOT_FOUND;
    return answer_work(req, resp, st, &w, 200);
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

/* The draft a simulation runs (uow_work context): in the id and the caller; out its school and policy. */
struct draft_gate {
    const char *id;
    const struct principal *who;
    char school[20];
    pe_policy *draft;
};

/* uow_work: the draft's policy, then whether the caller may read drafts of its school. */
static enum app_status draft_gate_read(struct db_conn *conn, void *ctx)
{
    struct draft_gate *g = ctx;
    pe_policy_free(g->draft); /* an earlier attempt's */
    g->draft = NULL;
    enum app_status st = draft_policy(conn, g->id, g->school, &g->draft);
    return st == APP_OK ? may_read(conn, g->who, g->school) : st;
}

/* POST /policy-drafts/{id}/simulation: the draft evaluated as if adopted; writes nothing. */
static int callback_draft_simulate(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *id = http_path_param(req, "id");
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct draft_gate g = {.id = id, .who = http_principal(resp)};
    json_t *result = NULL;
    enum app_status st = is_id(id) ? uow_read(app->pool, draft_gate_read, &g) : APP_NOT_FOUND;
    struct principal reader = governance_reader(http_principal(resp));
    if (st == APP_OK) /* the Dean sees every school's students, as an admin does */
        result = policy_simulate(req, resp, app, &reader, g.school, g.draft, &page);
    else
        refuse(resp, st, NULL);
    pe_policy_free(g.draft);
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
