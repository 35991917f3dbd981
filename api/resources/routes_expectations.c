/* routes_expectations.c — GET /schools/{code}/expectations: what the school's tutees can expect, from its
 * approved policy in force today, as plain statements each with the clause it comes from. JSON by default;
 * a printable, accessible page with `Accept: text/html`. For any authenticated member of the school
 * (its students, including joint-honours students of a partner school, its staff, its senior tutors), the
 * Dean and admins; 404 when the school has no approved policy in force. The Leicester Code of Practice:
 * "each School's approach to the elements listed in the Table 'What Tutees can expect' must be shared with
 * the Tutees to which it applies". */
#include "routes.h"

#include <stdlib.h>

#include "expectations.h"
#include "html_out.h"
#include "http.h"
#include "repo_policies.h"
#include "unit_of_work.h"

/* The expectations document for the school's version in force (new reference), or NULL on OOM. */
static json_t *expectations_document(const char *json)
{
    json_t *in = json_loads(json, 0, NULL);
    if (!in)
        return NULL;
    json_t *items = expectations_statements(json_object_get(in, "document"),
                                            json_string_value(json_object_get(in, "office_hours")));
    json_t *doc =
        items ? json_pack("{s:O, s:O, s:O, s:o}", "school", json_object_get(in, "school"), "school_name",
                          json_object_get(in, "school_name"), "policy", json_object_get(in, "policy"), "items", items)
              : NULL;
    json_decref(in);
    return doc;
}

/* The school whose policy in force to read, for whom, and what was read (malloc'd). */
struct policy_read {
    const struct principal *who;
    const char *code;
    char *json;
};

/* uow_work: a member of the school reads its policy in force. */
static enum app_status read_policy(struct db_conn *conn, void *ctx)
{
    struct policy_read *r = ctx;
    free(r->json);
    r->json = NULL;
    enum app_status st = repo_school_member(conn, r->who, r->code);
    return st == APP_OK ? repo_policy_in_force(conn, r->code, &r->json) : st;
}

/* GET /schools/{code}/expectations: the statements as JSON, or the page with `Accept: text/html`. */
static int callback_expectations(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *code = http_path_param(req, "code");
    struct policy_read r = {.who = http_principal(resp), .code = code};
    enum app_status st = uow_read(app->pool, read_policy, &r);
    json_t *doc = st == APP_OK ? expectations_document(r.json) : NULL;
    free(r.json);
    if (st != APP_OK || !doc)
        return http_problem_for(resp, st != APP_OK ? st : APP_NOMEM,
                                st == APP_NOT_FOUND   ? "no such school, or it has no approved policy in force"
                                : st == APP_FORBIDDEN ? "only members of the school may read what its tutees can expect"
                                                      : NULL);
    if (!html_out_wanted(http_header(req, "Accept")))
        return http_json(resp, 200, doc);
    struct strbuf sb = {0};
    expectations_html(doc, &sb);
    json_decref(doc);
    return html_out_send(resp, 200, &sb);
}

int routes_expectations_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/schools/@code/expectations", 0, callback_expectations);
}
