/* routes_my_tutors.c — GET /students/{student_number}/tutors: the student's tutors in force today
 * (personal, cover, secondary) with name, email and office hours, and nothing more (SPEC §2: a student
 * reads "own current tutor (name, email, office hours)"). Anyone who may see the student may ask;
 * 404 for a student the caller may not see. */
#include "routes.h"

#include <stdlib.h>

#include "db.h"
#include "http.h"
#include "repo_tutors.h"
#include "unit_of_work.h"

/* The student whose tutors to read, for whom, and what was read (malloc'd). */
struct tutors_read {
    const struct principal *who;
    const char *number;
    char *json;
};

/* uow_work: repo_student_tutors. */
static enum app_status read_tutors(struct db_conn *conn, void *ctx)
{
    struct tutors_read *r = ctx;
    free(r->json);
    return repo_student_tutors(conn, r->who, r->number, &r->json);
}

static int callback_student_tutors(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct tutors_read r = {.who = http_principal(resp), .number = http_path_param(req, "student_number")};
    enum app_status st = uow_read(app->pool, read_tutors, &r);
    if (st != APP_OK) {
        free(r.json);
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such student" : NULL);
    }
    return http_json_text(resp, 200, r.json);
}

int routes_my_tutors_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/tutors", 0, callback_student_tutors);
}
