/* routes_my_tutors.c — GET /students/{student_number}/tutors: the student's tutors in force today
 * (personal, cover, secondary) with name, email and office hours, and nothing more (SPEC §2: a student
 * reads "own current tutor (name, email, office hours)"). Anyone who may see the student may ask;
 * 404 for a student the caller may not see. */
#include "routes.h"

#include "db.h"
#include "http.h"
#include "repo_pastoral.h"
#include "repo_row.h"

static const char TUTORS_SQL[] =
    "SELECT json_build_object('student', $1::text, 'items', COALESCE(json_agg(json_build_object("
    "   'kind', a.kind, 'staff_number', t.staff_number, 'name', t.name, 'email', t.email,"
    "   'office_hours', tutord_office_hours_json(t.staff_number))"
    " ORDER BY array_position(ARRAY['personal', 'cover', 'secondary'], a.kind), t.staff_number), '[]'::json))::text"
    " FROM allocations a JOIN staff t ON t.staff_number = a.staff_number"
    " WHERE a.student_number = $1 AND a.period @> current_date";

static int callback_student_tutors(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const char *number = http_path_param(req, "student_number");
    const char *params[1] = {number};
    struct student_reach reach;
    struct db_conn *conn = NULL;
    char *json = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, http_principal(resp), &reach);
    if (st == APP_OK)
        st = repo_row(conn, TUTORS_SQL, 1, params, NULL, (char **const[]){&json}, 1);
    db_release(app->pool, conn);
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    return http_json_text(resp, 200, json);
}

int routes_my_tutors_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/tutors", 0, callback_student_tutors);
}
