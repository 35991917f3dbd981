/* routes_erasure.c — POST /students/{student_number}/erasure: a subject-erasure request carried out by an
 * admin. The student's personal data is anonymised in place (name, email, programme, date of birth, note
 * text, messages' subject and body, the free text of concerns, referrals, change requests, meeting confirmations and
 * exemptions) while every row stays, so the counts behind past KPIs do not change; the subject access export then shows
 * what remains. Idempotent: a second request changes nothing ("erased": false). Audited (student.erase) and announced
 * (student.erased, carrying only the student number). */
#include "routes.h"

#include "access.h"
#include "http.h"
#include "repo_retention.h"
#include "unit_of_work.h"

/* POST /students/{n}/erasure: an admin's erasure request, answered with what changed. */
static int callback_erasure(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin carries out an erasure request");
    struct erasure_work w = {.who = who, .student = http_path_param(req, "student_number")};
    enum app_status st = uow_run(app->pool, repo_erasure_work, &w, NULL); /* anonymise, audit, announce */
    if (st != APP_OK) {
        json_decref(w.result);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    }
    return http_json(resp, 200, w.result);
}

int routes_erasure_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "POST", "/students/@student_number/erasure", 0, callback_erasure);
}
