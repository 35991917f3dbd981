/* routes_exemptions.c — exemption periods (authorised absences): POST and GET
 * /students/{student_number}/exemptions, DELETE /exemptions/{id}. An exemption suspends the rules it
 * names (none named: every student rule) from `from` to `to` inclusive; in the findings an exempted rule
 * is not_applicable and names the exemption. Written by an admin or a senior tutor of the student's
 * school; read by whoever may read the student's pastoral record (the student, their tutors, senior
 * tutors, admin). Each write is one transaction with an audit row and an event whose payload carries
 * ids, the student and the dates, never the reason text. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "pastoral.h"
#include "repo_exemptions.h"
#include "repo_pastoral.h"
#include "validate.h"

#define EXEMPTION_MAX_RULES 16 /* = PE_EXEMPT_MAX_RULES and the CHECK of sql/011 */
#define RULE_ID_MAX 31         /* PE_ID_LEN - 1 */

/* The body's fields but `rules` (an array of free rule ids, which check_rules judges). */
static const struct field_spec EXEMPTION_FIELDS[] = {
    {"from", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"to", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"reason", FT_STRING, F_REQUIRED, 1, 60, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* True when `s` is a rule id we can store and match: 1..31 letters, digits, '_', '-' or '.'. */
static int is_rule_id(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
    return n > 0 && n <= RULE_ID_MAX && s[n] == '\0';
}

/* rules: an array of at most 16 distinct rule ids. */
static void check_rules(const json_t *rules, json_t *errors)
{
    if (!rules)
        return;
    if (!json_is_array(rules) || json_array_size(rules) > EXEMPTION_MAX_RULES) {
        validate_error(errors, "rules", "must be an array of at most 16 rule ids");
        return;
    }
    size_t i, j;
    const json_t *r;
    json_array_foreach(rules, i, r)
    {
        if (!json_is_string(r) || !is_rule_id(json_string_value(r))) {
            validate_error(errors, "rules", "every item must be a rule id: 1 to 31 letters, digits, '_', '-' or '.'");
            return;
        }
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(rules, j), r)) {
                validate_error(errors, "rules", "must not repeat a rule id");
                return;
            }
    }
}

/* Every problem of a POST body: the field specs (rules aside), the rules, and from <= to. */
static void validate_exemption(const json_t *body, json_t *errors)
{
    json_t *rest = json_copy((json_t *)body);
    json_object_del(rest, "rules");
    validate_object(rest, EXEMPTION_FIELDS, 0, errors);
    json_decref(rest);
    check_rules(json_object_get(body, "rules"), errors);
    const char *from = json_string_value(json_object_get(body, "from"));
    const char *to = json_string_value(json_object_get(body, "to"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    if (from && to && validate_is_date(from) && validate_is_date(to) && strcmp(from, to) > 0)
        validate_error(errors, "to", "must not be before from");
    if (reason && strspn(reason, " \t\r\n") == strlen(reason) && *reason)
        validate_error(errors, "reason", "must not be blank");
}

/* The audit row and the event of a write: {id, student, from, to, rules} (no reason text). */
static enum app_status record_change(struct db_conn *conn, const struct principal *who, const char *kind,
                                     const char *action, const char *id, const char *student, const char *json)
{
    json_t *row = json_loads(json, 0, NULL);
    json_t *payload = row ? json_pack("{s:O, s:s, s:O, s:O, s:O}", "id", json_object_get(row, "id"), "student", student,
                                      "from", json_object_get(row, "from"), "to", json_object_get(row, "to"), "rules",
                                      json_object_get(row, "rules"))
                          : NULL;
    enum app_status st = payload ? audit_event(conn, who, kind, student, payload) : APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, action, "exemption", id, student, payload);
    json_decref(payload);
    json_decref(row);
    return st;
}

/* ---- POST /students/{student_number}/exemptions ---------------------------------------------------- */

static int callback_exemptions_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *json = NULL, *id = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_exemption_gate(conn, who, number);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st,
                              st == APP_NOT_FOUND   ? "no such student"
                              : st == APP_FORBIDDEN ? "only an admin or a senior tutor of the student's school "
                                                      "records exemptions"
                                                    : NULL);
        goto cleanup;
    }
    validate_exemption(body, errors);
    if (pastoral_body_checked(resp, errors, "exemption") != 0)
        goto cleanup;
    st = repo_exemption_create(conn, number, body, who, &json, &id, &err);
    if (st == APP_OK)
        st = record_change(conn, who, "exemption.created", "exemption.create", id, number, json);
    if (st == APP_OK)
        st = db_commit(conn);
    rc = st == APP_OK ? pastoral_respond_json(resp, 201, json, NULL)
                      : http_problem_db(resp, st, &err, "student_exemptions");
    if (st == APP_OK)
        json = NULL;
cleanup:
    db_release(((const struct app *)user_data)->pool, conn);
    json_decref(body);
    json_decref(errors);
    free(json);
    free(id);
    return rc;
}

/* ---- GET /students/{student_number}/exemptions ----------------------------------------------------- */

static int callback_exemptions_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "exemptions are not available to this role");
    struct page page;
    if (listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct student_reach reach;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(((const struct app *)user_data)->pool, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK)
        st = repo_exemption_list(conn, number, page.after, page.limit, &body);
    db_release(((const struct app *)user_data)->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such student");
    }
    return pastoral_respond_page(resp, st, &body);
}

/* ---- DELETE /exemptions/{id} ----------------------------------------------------------------------- */

static int callback_exemption_delete(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    const char *id = http_path_param(req, "id");
    struct db_error err = {0};
    struct db_conn *conn = NULL;
    char *student = NULL, *json = NULL;
    enum app_status st = pastoral_begin(user_data, &conn);
    if (st == APP_OK)
        st = repo_exemption_lock(conn, id, &student, &json);
    if (st == APP_OK) /* a student hidden from the caller hides the exemption too: 404 */
        st = repo_exemption_gate(conn, who, student);
    if (st == APP_OK)
        st = repo_exemption_delete(conn, id, &err);
    if (st == APP_OK)
        st = record_change(conn, who, "exemption.deleted", "exemption.delete", id, student, json);
    if (st == APP_OK)
        st = db_commit(conn);
    db_release(((const struct app *)user_data)->pool, conn);
    free(student);
    free(json);
    if (st == APP_OK) {
        resp->status = 204;
        return U_CALLBACK_COMPLETE;
    }
    return st == APP_NOT_FOUND || st == APP_FORBIDDEN
               ? http_problem_for(resp, st,
                                  st == APP_NOT_FOUND ? "no such exemption"
                                                      : "only an admin or a senior tutor of the student's school "
                                                        "deletes exemptions")
               : http_problem_db(resp, st, &err, "student_exemptions");
}

int routes_exemptions_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/exemptions", 0, callback_exemptions_list) |
           http_route(instance, app, "POST", "/students/@student_number/exemptions", HTTP_IDEMPOTENT,
                      callback_exemptions_create) |
           http_route(instance, app, "DELETE", "/exemptions/@id", 0, callback_exemption_delete);
}
