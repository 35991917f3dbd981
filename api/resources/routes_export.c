/* routes_export.c — GET /students/{student_number}/export: everything held on a student, for a subject
 * access request. An admin gets every record (confidential notes without their text); the student
 * themself gets what they may read elsewhere: no confidential note, no concern raised by someone else
 * (/concerns shows a student only the concerns they raised), and no audit row naming either. The
 * export itself is audited. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "http.h"
#include "repo_export.h"
#include "unit_of_work.h"

static int callback_export_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    const char *number = http_path_param(req, "student_number");
    int admin = access_has_role(who, ROLE_ADMIN),
        self = access_has_role(who, ROLE_STUDENT) && strcmp(who->sub, number) == 0;
    if (!admin && access_has_role(who, ROLE_STUDENT) && !self)
        return http_problem_for(resp, APP_NOT_FOUND, "no such student");
    if (!admin && !self)
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin or the student themself may export a record");
    struct repo_export x = {.who = who, .number = number, .as_student = !admin};
    enum app_status st = uow_run(app->pool, repo_export_work, &x, NULL);
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    return http_json_text(resp, 200, x.json);
}

int routes_export_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/export", 0, callback_export_get);
}
