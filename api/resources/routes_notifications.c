/* routes_notifications.c — the outbox seen from outside (sql/015):
 *   GET /notifications?status=queued|sent|failed&person=  (admin) what was, is to be, or could not be sent;
 *                                                         keyset pages by id
 *   GET /notifications/stats                              (admin) queued, sent, failed, oldest queued age,
 *                                                         and the webhook subscriptions' state
 *   GET|PUT /notifications/preferences                    (a student or tutor, about themself) the kinds they
 *                                                         may refuse: only reminders, never allocation notices */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "repo_notifications.h"
#include "unit_of_work.h"
#include "validate.h"

/* A one-row read: the person (when it needs one), what was read (malloc'd). */
struct row_read {
    const char *person;
    const char *reminder; /* PUT: "true"/"false" to set first */
    char *json;
};

/* uow_work for GET /notifications/stats. */
static enum app_status read_stats(struct db_conn *conn, void *ctx)
{
    struct row_read *r = ctx;
    free(r->json);
    return repo_notification_stats(conn, &r->json);
}

/* uow_work for GET /notifications/preferences, and for PUT (sets them first). */
static enum app_status read_prefs(struct db_conn *conn, void *ctx)
{
    struct row_read *r = ctx;
    free(r->json);
    r->json = NULL;
    enum app_status st = r->reminder ? repo_notification_prefs_set(conn, r->person, r->reminder) : APP_OK;
    return st == APP_OK ? repo_notification_prefs(conn, r->person, &r->json) : st;
}

/* Answers 200 with what `work` read (in a unit of work when `write`), or the problem. */
static int answer_row(const struct app *app, struct _u_response *resp, uow_work work, struct row_read *r, int write)
{
    enum app_status st = write ? uow_run(app->pool, work, r, NULL) : uow_read(app->pool, work, r);
    if (st == APP_OK)
        return http_json_text(resp, 200, r->json);
    free(r->json);
    return http_problem_for(resp, st, NULL);
}

/* http_list_run for GET /notifications (ctx: the status and person filters). */
static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    (void)who;
    const char *const *filter = ctx;
    return repo_notification_list(conn, filter[0], filter[1], page->after, page->limit, out);
}

/* GET /notifications: admin only. */
static int callback_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    static const char *const statuses[] = {"queued", "sent", "failed", NULL};
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin reads the outbox");
    const char *params[2] = {http_query(req, "status"), http_query(req, "person")};
    json_t *errors = json_array();
    http_list_check_enum(errors, "status", params[0], statuses);
    if (params[1] && (strlen(params[1]) < 1 || strlen(params[1]) > 20))
        validate_error(errors, "person", "must be 1 to 20 characters");
    struct page page;
    if (http_list_filter_done(resp, errors) != 0 || http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, app, &page, run_list, params);
}

/* GET /notifications/stats: admin only. */
static int callback_stats(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin reads the outbox's figures");
    struct row_read r = {0};
    return answer_row(user_data, resp, read_stats, &r, 0);
}

/* GET /notifications/preferences: the caller's own (a student or a tutor). */
static int callback_prefs_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR))
        return http_problem_for(resp, APP_FORBIDDEN, "only students and tutors have notification preferences");
    struct row_read r = {.person = who->sub};
    return answer_row(user_data, resp, read_prefs, &r, 0);
}

/* PUT /notifications/preferences {"reminder": bool}: sets the caller's own, answers them. */
static int callback_prefs_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR))
        return http_problem_for(resp, APP_FORBIDDEN, "only students and tutors have notification preferences");
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *reminder = json_object_get(body, "reminder");
    int ok = json_is_boolean(reminder) && json_object_size(body) == 1;
    struct row_read r = {.person = who->sub, .reminder = json_is_true(reminder) ? "true" : "false"};
    json_decref(body);
    if (!ok)
        return http_problem_field(resp, 422, "reminder", "must be true or false, and is the only kind one may refuse");
    return answer_row(app, resp, read_prefs, &r, 1);
}

int routes_notifications_register(struct _u_instance *instance, const struct app *app)
{
    int rc = http_route(instance, app, "GET", "/notifications", 0, callback_list);
    rc |= http_route(instance, app, "GET", "/notifications/stats", 0, callback_stats);
    rc |= http_route(instance, app, "GET", "/notifications/preferences", 0, callback_prefs_get);
    rc |= http_route(instance, app, "PUT", "/notifications/preferences", 0, callback_prefs_put);
    return rc;
}
