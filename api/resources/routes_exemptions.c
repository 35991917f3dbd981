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

#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "repo_exemptions.h"
#include "repo_pastoral.h"
#include "unit_of_work.h"
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

/* ---- POST /students/{student_number}/exemptions ---------------------------------------------------- */

static int callback_exemptions_create(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    json_t *body = http_body_object(req, resp, 0), *errors = json_array();
    if (!body)
        return json_decref(errors), U_CALLBACK_COMPLETE;
    validate_exemption(body, errors);
    struct exemption_write w = {.who = http_principal(resp),
                                .student = http_path_param(req, "student_number"),
                                .body = body,
                                .body_invalid = json_array_size(errors) > 0};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_exemption_create_work, &w, NULL);
    int rc = U_CALLBACK_COMPLETE;
    if (st == APP_OK)
        rc = pastoral_respond_json(resp, 201, w.json, NULL), w.json = NULL;
    else if (!w.gated)
        rc = http_problem_for(resp, st,
                              st == APP_NOT_FOUND   ? "no such student"
                              : st == APP_FORBIDDEN ? "only an admin or a senior tutor of the student's school "
                                                      "records exemptions"
                                                    : NULL);
    else if (w.body_invalid)
        pastoral_body_checked(resp, errors, "exemption");
    else
        rc = http_problem_db(resp, st, &w.err, "student_exemptions");
    json_decref(body);
    json_decref(errors);
    free(w.json);
    return rc;
}

/* ---- GET /students/{student_number}/exemptions ----------------------------------------------------- */

/* A page of a student's exemptions to read. */
struct list_read {
    const struct principal *who;
    const char *student;
    const struct page *page;
    struct page_rows rows;
};

/* uow_work for the list: the student must be there for the caller. */
static enum app_status read_page(struct db_conn *conn, void *ctx)
{
    struct list_read *list = ctx;
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, list->student, list->who, &reach);
    return st == APP_OK ? repo_exemption_list(conn, list->student, list->page->after, list->page->limit, &list->rows)
                        : st;
}

static int callback_exemptions_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "exemptions are not available to this role");
    struct page page;
    if (http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct list_read list = {.who = who, .student = http_path_param(req, "student_number"), .page = &page};
    enum app_status st = uow_read(((const struct app *)user_data)->pool, read_page, &list);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&list.rows);
        return http_problem_for(resp, st, "no such student");
    }
    return http_list_respond(resp, st, &list.rows);
}

/* ---- DELETE /exemptions/{id} ----------------------------------------------------------------------- */

static int callback_exemption_delete(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct principal *who = http_principal(resp);
    struct exemption_write w = {.who = who, .id = http_path_param(req, "id")};
    enum app_status st = uow_run(((const struct app *)user_data)->pool, repo_exemption_delete_work, &w, NULL);
    free(w.json);
    if (st == APP_OK) {
        resp->status = 204;
        return U_CALLBACK_COMPLETE;
    }
    return st == APP_NOT_FOUND || st == APP_FORBIDDEN
               ? http_problem_for(resp, st,
                                  st == APP_NOT_FOUND ? "no such exemption"
                                                      : "only an admin or a senior tutor of the student's school "
                                                        "deletes exemptions")
               : http_problem_db(resp, st, &w.err, "student_exemptions");
}

int routes_exemptions_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/exemptions", 0, callback_exemptions_list) |
           http_route(instance, app, "POST", "/students/@student_number/exemptions", HTTP_IDEMPOTENT,
                      callback_exemptions_create) |
           http_route(instance, app, "DELETE", "/exemptions/@id", 0, callback_exemption_delete);
}
