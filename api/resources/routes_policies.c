/* routes_policies.c — GET/PUT /schools/{code}/policy, GET /policy-presets and
 * POST /schools/{code}/policy:simulate. A policy is validated by the engine's parser (errors name the
 * JSON path, e.g. "$.rules[2].days"); each PUT appends a version (sql/007). Simulating a school's policy is
 * for an admin or a senior tutor of the school (the seeds give Senior Personal Tutors the school's
 * implementation policy: "The Senior Personal Tutor(s) will have developed the implementation policy for the
 * School"); adopting one at once with PUT is for an admin or the Dean, since a senior tutor's version binds
 * only once the Dean approves its draft (routes_policy_drafts.c). GET /policy-presets lists each shipped preset with
 * the clauses it encodes and, from its sidecar (sql/presets/<name>.notes.json), the clauses it leaves out and why.
 * `tutord seed-demo` has the demo schools adopt their presets through the same preset reading
 * (policies_seed_demo, policy_presets.h). */
#include "routes.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "compliance_tally.h"
#include "embedded.h"
#include "evaluation.h"
#include "http.h"
#include "policy_presets.h"
#include "repo_policies.h"
#include "report_rules.h"
#include "unit_of_work.h"
#include "validate.h"

/* The shipped presets: each policy file, and its sidecar listing the clauses of the university's documents
 * that no rule encodes, with why (the policy parser rejects unknown keys, so they cannot live in the policy). */
static const struct {
    const char *name, *file, *notes;
} PRESETS[] = {
    {"leicester", "sql/presets/leicester.json", "sql/presets/leicester.notes.json"},
    {"essex", "sql/presets/essex.json", "sql/presets/essex.notes.json"},
    {"westminster", "sql/presets/westminster.json", "sql/presets/westminster.notes.json"},
};
#define N_PRESETS (sizeof(PRESETS) / sizeof(PRESETS[0]))

/* An embedded JSON file (new reference), or NULL when it is missing or unreadable. */
static json_t *embedded_json(const char *file)
{
    const struct embedded_file *f = embedded_find(file);
    return f ? json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

/* The preset's policy JSON (new reference), or NULL when `name` is not a preset. */
static json_t *preset_json(const char *name, const char **canonical)
{
    for (size_t i = 0; name && i < N_PRESETS; i++) {
        if (strcmp(PRESETS[i].name, name) != 0)
            continue;
        *canonical = PRESETS[i].name;
        return embedded_json(PRESETS[i].file);
    }
    return NULL;
}

/* {"preset": name[, "effective_from": date]} → the preset's policy, from that date when given. NULL
 * after adding errors. */
static json_t *policy_of_preset(const json_t *body, const char **preset, json_t *errors)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key,
                        value) if (strcmp(key, "preset") != 0 && strcmp(key, "effective_from") != 0)
        validate_error(errors, key, "is not allowed with a preset (only effective_from may be given)");
    const json_t *from = json_object_get(body, "effective_from");
    if (from && (!json_is_string(from) || !validate_is_date(json_string_value(from))))
        validate_error(errors, "effective_from", "must be a date (YYYY-MM-DD)");
    json_t *policy = preset_json(json_string_value(json_object_get(body, "preset")), preset);
    if (!policy)
        validate_error(errors, "preset", "must be one of leicester, essex, westminster");
    if (json_array_size(errors) > 0) {
        json_decref(policy);
        return NULL;
    }
    if (from)
        json_object_set(policy, "effective_from", (json_t *)from);
    return policy;
}

/* Takes the optional "office_hours" member out of *body (a copy the caller owns): the school's office-hours
 * arrangement travels with its policy but is not part of the engine's document. Returns 0 with
 * *office (malloc'd, or NULL when absent or null), or -1 after adding the error. */
static int take_office_hours(json_t *body, char **office, json_t *errors)
{
    const json_t *v = json_object_get(body, "office_hours");
    *office = NULL;
    if (v && !json_is_null(v) && (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 2000))
        return validate_error(errors, "office_hours", "must be text of 1 to 2000 characters, or null"), -1;
    if (v && json_is_string(v) && !(*office = strdup(json_string_value(v))))
        return -1;
    json_object_del(body, "office_hours");
    return 0;
}

int policy_input_read(struct _u_response *resp, const json_t *body, struct policy_input *in)
{
    json_t *errors = json_array(), *copy = json_copy((json_t *)body), *engine_errors = NULL;
    memset(in, 0, sizeof(*in));
    if (copy && take_office_hours(copy, &in->office_hours, errors) == 0)
        in->policy =
            json_object_get(copy, "preset") ? policy_of_preset(copy, &in->preset, errors) : json_deep_copy(copy);
    if (in->policy && pe_policy_parse(in->policy, &in->parsed, &engine_errors) != PE_OK) {
        json_array_extend(errors, engine_errors);
        if (json_array_size(errors) == 0)
            validate_error(errors, "$", "the policy could not be read");
    }
    json_decref(engine_errors);
    json_decref(copy);
    if (in->parsed && json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    policy_input_free(in);
    http_problem(resp, 422, NULL, "the policy is not valid", errors);
    return -1;
}

void policy_input_free(struct policy_input *in)
{
    pe_policy_free(in->parsed);
    json_decref(in->policy);
    free(in->office_hours);
    memset(in, 0, sizeof(*in));
}

/* ---- GET /schools/{code}/policy ------------------------------------------------------------------------ */

/* A school's policy to read, and what was read (malloc'd). */
struct policy_read {
    const char *code;
    char *json, *version;
};

/* uow_work for GET /schools/{code}/policy. */
static enum app_status read_policy(struct db_conn *conn, void *ctx)
{
    struct policy_read *r = ctx;
    free(r->json), free(r->version);
    r->json = r->version = NULL;
    return repo_policy_get(conn, r->code, &r->json, &r->version);
}

static int callback_policy_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct policy_read r = {.code = http_path_param(req, "code")};
    enum app_status st = uow_read(app->pool, read_policy, &r);
    char *json = r.json, *version = r.version;
    if (st != APP_OK) {
        free(json), free(version);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such school, or it has no policy yet" : NULL);
    }
    http_set_etag(resp, version);
    free(version);
    return http_json_text(resp, 200, json);
}

/* ---- PUT /schools/{code}/policy ------------------------------------------------------------------------ */

/* One unit of work: lock the school, If-Match against its latest version, append the version; answers
 * the policy with its ETag, or where it stopped. */
static int put_policy(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                      const struct policy_input *in)
{
    struct policy_write w = {.who = http_principal(resp),
                             .code = http_path_param(req, "code"),
                             .preset = in->preset,
                             .office_hours = in->office_hours,
                             .policy = in->policy,
                             .if_match = http_header(req, "If-Match")};
    enum app_status st = uow_run(app->pool, repo_policy_put_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK) {
        http_set_etag(resp, w.version);
        rc = http_json_text(resp, 200, w.json);
        w.json = NULL;
    } else if (w.stage == POLICY_LOCK)
        rc = http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such school" : NULL);
    else if (w.stage == POLICY_IF_MATCH)
        http_check_if_match(req, resp, w.locked_version);
    else
        rc = http_problem_db(resp, st, &w.err, "school_policies");
    free(w.locked_version), free(w.json), free(w.version);
    return rc;
}

/* Answers a refusal of the caller's authority over a school: 404, 403, or the failure. */
static void refuse_school(struct _u_response *resp, enum app_status st)
{
    http_problem_for(resp, st,
                     st == APP_NOT_FOUND   ? "no such school"
                     : st == APP_FORBIDDEN ? "only an admin or a senior tutor of the school may do this"
                                           : NULL);
}

/* uow_work: the caller acts for school `code` (ctx: {who, code}). */
static enum app_status school_authority(struct db_conn *conn, void *ctx)
{
    const void *const *args = ctx;
    return repo_school_authority(conn, args[0], args[1]);
}

/* 0 when the caller acts for the school, else -1 after answering 404 or 403. */
static int authorised_for_school(const struct app *app, struct _u_response *resp, const char *code)
{
    const void *args[2] = {http_principal(resp), code};
    enum app_status st = uow_read(app->pool, school_authority, args);
    if (st == APP_OK)
        return 0;
    refuse_school(resp, st);
    return -1;
}

/* PUT /schools/{code}/policy adopts a version at once, recorded as approved by its caller: for an admin or
 * the Dean only. A senior tutor proposes a version as a draft (POST /schools/{code}/policy-drafts) that binds
 * once the Dean approves it (Leicester CoP 18: the approach is "approved by the School Education Committee"
 * and "shared with the Dean of Personal Tutoring for approval"). */
static int callback_policy_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN | ROLE_DEAN))
        return http_problem(resp, 403, "Forbidden",
                            "a policy binds once the Dean approves it: propose it with POST "
                            "/schools/{code}/policy-drafts (an admin or the Dean may adopt one at once)",
                            NULL),
               U_CALLBACK_COMPLETE;
    if (authorised_for_school(app, resp, http_path_param(req, "code")) != 0)
        return U_CALLBACK_COMPLETE;
    json_t *body = http_body_object(req, resp, 0);
    struct policy_input in;
    int rc = U_CALLBACK_COMPLETE;
    if (body && policy_input_read(resp, body, &in) == 0) {
        rc = put_policy(req, resp, app, &in);
        policy_input_free(&in);
    }
    json_decref(body);
    return rc;
}

/* ---- GET /policy-presets -------------------------------------------------------------------------------- */

/* The rules a preset encodes, each as {id, type, source} (new reference). */
static json_t *encoded_rules(const json_t *rules)
{
    json_t *list = json_array(), *rule;
    size_t i;
    json_array_foreach(rules, i, rule)
    {
        json_t *entry = json_pack("{s:O, s:O, s:O}", "id", json_object_get(rule, "id"), "type",
                                  json_object_get(rule, "type"), "source", json_object_get(rule, "source"));
        json_array_append_new(list, entry);
    }
    return list;
}

/* One listing item: the preset's policy, its encoded clauses and the clauses it leaves out (new reference),
 * or NULL when an embedded file cannot be read. */
static json_t *preset_item(size_t i)
{
    const char *name = NULL;
    json_t *p = preset_json(PRESETS[i].name, &name), *notes = embedded_json(PRESETS[i].notes), *item = NULL;
    if (p && notes)
        item = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:o, s:O}", "name", name, "title", json_object_get(p, "name"),
                         "description", json_object_get(p, "description"), "documents",
                         json_object_get(notes, "documents"), "effective_from", json_object_get(p, "effective_from"),
                         "rules", json_object_get(p, "rules"), "encoded", encoded_rules(json_object_get(p, "rules")),
                         "not_encoded", json_object_get(notes, "not_encoded"));
    static const char *const optional[] = {"cohorts", "senior_tutor_hours", "not_fulfilling_pct", "warning_days"};
    for (size_t k = 0; item && k < sizeof(optional) / sizeof(optional[0]); k++)
        if (json_object_get(p, optional[k]))
            json_object_set(item, optional[k], json_object_get(p, optional[k]));
    json_decref(p);
    json_decref(notes);
    return item;
}

/* GET /policy-presets: every shipped preset (any authenticated caller). */
static int callback_presets(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    (void)user_data;
    json_t *items = json_array();
    for (size_t i = 0; i < N_PRESETS; i++) {
        json_t *item = preset_item(i);
        if (!item) {
            json_decref(items);
            return http_problem_for(resp, APP_NOMEM, NULL);
        }
        json_array_append_new(items, item);
    }
    return http_json(resp, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* ---- POST /schools/{code}/policy:simulate ------------------------------------------------------------- */

/* The rules whose status differs between the two findings sets: [{rule, type, current, draft}] (a rule
 * missing on one side is null there); NULL when nothing changed. */
static json_t *changed_rules(const pe_findings *a, const pe_findings *b)
{
    json_t *list = json_array();
    for (int side = 0; side < 2; side++) {
        const pe_findings *x = side ? b : a, *y = side ? a : b;
        for (size_t i = 0; i < x->n; i++) {
            const pe_finding *other = NULL;
            for (size_t k = 0; k < y->n && !other; k++)
                if (strcmp(y->items[k].rule_id, x->items[i].rule_id) == 0)
                    other = &y->items[k];
            if ((side == 1 && other) || (other && other->status == x->items[i].status))
                continue;
            const char *mine = pe_status_name(x->items[i].status),
                       *theirs = other ? pe_status_name(other->status) : NULL;
            json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:s?}", "rule", x->items[i].rule_id, "type",
                                                  pe_rule_type_name(x->items[i].type), "current", side ? theirs : mine,
                                                  "draft", side ? mine : theirs));
        }
    }
    if (json_array_size(list) > 0)
        return list;
    json_decref(list);
    return NULL;
}

/* A simulation built page by page of the school's students (evaluation_school_pages): the current policy
 * and the date from the first page, every student under both into the tallies, and the page of students
 * whose findings change. */
struct simulation {
    const char *code;
    pe_policy *draft;
    struct tally current, draft_tally;
    struct student_page page;
    long changed;
    size_t students;
    json_t *current_policy;
    pe_date as_of;
};

/* Evaluates every student of ev under both (draft: the school's versions with the draft), counts, and
 * pages the students whose findings change. */
static int simulate(const struct evaluation *ev, const struct school_versions *draft, struct simulation *sim)
{
    pe_findings a, b;
    pe_findings_init(&a);
    pe_findings_init(&b);
    int ok = 1;
    for (size_t i = 0; ok && i < ev->facts.n_students; i++) {
        const struct facts_student *s = &ev->facts.students[i];
        pe_findings_clear(&a);
        pe_findings_clear(&b);
        ok = evaluation_student(ev, i, NULL, &a) == PE_OK && evaluation_student(ev, i, draft, &b) == PE_OK &&
             tally_add(&sim->current, &a) == 0 && tally_add(&sim->draft_tally, &b) == 0;
        json_t *changes = ok ? changed_rules(&a, &b) : NULL;
        sim->changed += changes != NULL;
        if (changes)
            student_page_offer(&sim->page, s->number,
                               json_pack("{s:s, s:s, s:o}", "student", s->number, "name", s->name, "changes", changes));
    }
    pe_findings_free(&a);
    pe_findings_free(&b);
    return ok ? 0 : -1;
}

/* {name, effective_from} of a policy, or null. */
static json_t *policy_ref_json(const pe_policy *p)
{
    char from[11];
    return p ? json_pack("{s:s?, s:s}", "name", p->name, "effective_from", pe_date_format(p->effective_from, from))
             : json_null();
}

/* page_judge.each: one page of the school's students simulated into sim (on one connection: slot 0). */
static int simulate_page(const struct evaluation *ev, int first, size_t slot, void *arg)
{
    (void)slot;
    struct simulation *sim = arg;
    const struct school_versions *sv = evaluation_school(ev, sim->code);
    if (first) {
        sim->current_policy = policy_ref_json(evaluation_policy(ev, sv));
        sim->as_of = ev->as_of_date;
    }
    struct school_versions dv = {0};
    int rc = evaluation_with_draft(sv, sim->code, sim->draft, &dv) == 0 ? simulate(ev, &dv, sim) : -1;
    free(dv.versions);
    sim->students += ev->facts.n_students;
    return rc;
}

/* The answer from a finished simulation (its current policy and page are taken: call once). */
static json_t *simulation_json(struct simulation *sim)
{
    char as_of[11];
    json_t *body =
        json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:o}", "school", sim->code, "as_of",
                  pe_date_format(sim->as_of, as_of), "current_policy", sim->current_policy, "draft_policy",
                  policy_ref_json(sim->draft), "students", (json_int_t)sim->students, "changed_students",
                  (json_int_t)sim->changed, "rules", tally_compare_json(&sim->current, &sim->draft_tally), "items",
                  sim->page.items, "next_cursor", http_cursor_encode(student_page_next_key(&sim->page)));
    sim->current_policy = sim->page.items = NULL;
    return body;
}

/* A simulation's read (uow_work context): in the reader and the date, out why the facts could not be
 * loaded (APP_CONFLICT). */
struct simulation_run {
    const struct principal *reader;
    struct as_of when;
    struct simulation *sim;
    const char *why;
};

/* uow_work: the school's students (those the reader may see) a page at a time, each page simulated. */
static enum app_status simulation_work(struct db_conn *conn, void *ctx)
{
    struct simulation_run *r = ctx;
    struct access_scope scope;
    access_scope_of(r->reader, &scope);
    struct facts_query q = {.by = FACTS_BY_SCHOOL, .key = r->sim->code, .scope = &scope};
    const struct page_judge judge = {NULL, simulate_page, r->sim};
    return evaluation_school_pages(conn, NULL, &q, &r->when, r->sim->code, report_rules_batch(), &judge, &r->why);
}

/* The simulation of `draft` for school `code` (policy_presets.h): the school's students read and judged
 * a page at a time. */
json_t *policy_simulate(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                        const struct principal *reader, const char *code, pe_policy *draft, const struct page *page)
{
    struct simulation sim = {.code = code, .draft = draft};
    struct simulation_run run = {.reader = reader, .sim = &sim};
    if (evaluation_parse_as_of(http_query(req, "as_of"), &run.when) != 0)
        return http_problem_field(resp, 400, "as_of", "must be a date (YYYY-MM-DD) or an RFC 3339 instant"), NULL;
    student_page_init(&sim.page, page->after, page->limit);
    enum app_status st = sim.page.items ? uow_read(app->pool, simulation_work, &run) : APP_NOMEM;
    json_t *body = st == APP_OK ? simulation_json(&sim) : NULL;
    if (!body)
        http_problem_for(resp, st == APP_OK ? APP_NOMEM : st, run.why);
    json_decref(sim.current_policy);
    json_decref(sim.page.items);
    tally_free(&sim.current);
    tally_free(&sim.draft_tally);
    return body;
}

static int callback_policy_simulate(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *code = http_path_param(req, "code");
    json_t *body = authorised_for_school(app, resp, code) == 0 ? http_body_object(req, resp, 0) : NULL, *result = NULL;
    struct policy_input in;
    if (body && policy_input_read(resp, body, &in) == 0) {
        result = policy_simulate(req, resp, app, http_principal(resp), code, in.parsed, &page);
        policy_input_free(&in);
    }
    json_decref(body);
    http_page_free(&page);
    return result ? http_json(resp, 200, result) : U_CALLBACK_COMPLETE;
}

/* ---- seed-demo: the demo schools adopt the presets ---------------------------------------------------- */

/* Which preset each demo school (sql/demo/seed_demo.sql) adopts: two schools in each university's style. */
static const struct {
    const char *school, *preset;
} DEMO_POLICIES[] = {
    {"CMS", "leicester"}, {"LAW", "leicester"},   {"HIS", "essex"},
    {"ENG", "essex"},     {"BIO", "westminster"}, {"NUR", "westminster"},
};

/* A demo school and the preset it adopts. */
struct adoption {
    const char *school, *preset;
};

/* uow_work: `school` adopts `preset` exactly as PUT {"preset": name} stores it (the same preset reading,
 * the engine's validation, the same version row, audit and event), unless it has a policy already (so a
 * second seed changes nothing). */
static enum app_status adopt_preset(struct db_conn *conn, void *ctx)
{
    static const struct principal seeder = {.sub = "seed-demo"};
    const struct adoption *a = ctx;
    json_t *body = json_pack("{s:s}", "preset", a->preset), *errors = json_array(), *policy = NULL, *perr = NULL;
    const char *preset = NULL;
    char *version = NULL;
    pe_policy *parsed = NULL;
    enum app_status st = body && errors ? repo_policy_lock(conn, a->school, &version) : APP_NOMEM;
    if (st == APP_OK && !version) {
        policy = policy_of_preset(body, &preset, errors);
        st = policy && pe_policy_parse(policy, &parsed, &perr) == PE_OK
                 ? repo_policy_insert(conn, &seeder, a->school, preset, policy, NULL, NULL)
                 : APP_INVALID;
    }
    pe_policy_free(parsed);
    json_decref(perr);
    json_decref(policy);
    json_decref(errors);
    json_decref(body);
    free(version);
    return st;
}

int policies_seed_demo(struct app *app)
{
    enum app_status st = APP_OK;
    for (size_t i = 0; st == APP_OK && i < sizeof(DEMO_POLICIES) / sizeof(DEMO_POLICIES[0]); i++) {
        struct adoption a = {DEMO_POLICIES[i].school, DEMO_POLICIES[i].preset};
        if ((st = uow_run(app->pool, adopt_preset, &a, NULL)) != APP_OK)
            fprintf(stderr, "tutord seed-demo: %s could not adopt the %s preset\n", a.school, a.preset);
    }
    return st == APP_OK ? 0 : 1;
}

int routes_policies_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/schools/@code/policy", 0, callback_policy_get) |
           http_route(instance, app, "PUT", "/schools/@code/policy", 0, callback_policy_put) |
           http_route(instance, app, "GET", "/policy-presets", 0, callback_presets) |
           http_route(instance, app, "POST", "/schools/@code/policy:simulate", 0, callback_policy_simulate);
}
