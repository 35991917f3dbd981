/* routes_erasure.c — POST /students/{student_number}/erasure: a subject-erasure request carried out by an
 * admin. The student's personal data is anonymised in place (name, email, programme, date of birth, note
 * text, messages' subject and body, the free text of concerns, referrals, change requests, meeting confirmations and
 * exemptions) while every row stays, so the counts behind past KPIs do not change; the subject access export then shows
 * what remains. Idempotent: a second request changes nothing ("erased": false). Audited (student.erase) and announced
 * (student.erased, carrying only the student number). */
#include "routes.h"

#include "access.h"
#include "audit.h"
#include "http.h"
#include "repo_retention.h"

/* In one transaction: anonymise, audit, announce. */
static enum app_status erase(struct db_conn *conn, const struct principal *who, const char *number, json_t **result)
{
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = repo_erase_student(conn, number, "request", result);
    if (st == APP_OK)
        st = audit_record(conn, who, "student.erase", "student", number, number, *result);
    json_t *payload =
        st == APP_OK && json_is_true(json_object_get(*result, "erased")) ? json_pack("{s:s}", "student", number) : NULL;
    if (payload)
        st = audit_event(conn, who, "student.erased", number, payload);
    json_decref(payload);
    if (st == APP_OK)
        st = db_commit(conn);
    return st;
}

/* POST /students/{n}/erasure: an admin's erasure request, answered with what changed. */
static int callback_erasure(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin carries out an erasure request", NULL);
    struct db_conn *conn = NULL;
    json_t *result = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = erase(conn, who, http_path_param(req, "student_number"), &result);
    db_release(app->pool, conn);
    if (st != APP_OK) {
        json_decref(result);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    }
    return http_json(resp, 200, result);
}

int routes_erasure_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/students/@student_number/erasure", 0, callback_erasure);
}
