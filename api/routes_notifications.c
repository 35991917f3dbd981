/* routes_notifications.c — the outbox seen from outside (sql/015):
 *   GET /notifications?status=queued|sent|failed&person=  (admin) what was, is to be, or could not be sent;
 *                                                         keyset pages by id
 *   GET /notifications/stats                              (admin) queued, sent, failed, oldest queued age,
 *                                                         and the webhook subscriptions' state
 *   GET|PUT /notifications/preferences                    (a student or tutor, about themself) the kinds they
 *                                                         may refuse: only reminders, never allocation notices */
#include "routes.h"

#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "repo_row.h"
#include "validate.h"

static const char LIST_SQL[] =
    "SELECT json_build_object('id', n.id, 'event_id', n.event_id, 'reminder_for', n.reminder_for,"
    "       'event_kind', n.event_kind,"
    "       'category', n.category, 'person', n.person, 'email', n.email, 'subject', n.subject,"
    "       'status', n.status, 'attempts', n.attempts, 'next_attempt_at', n.next_attempt_at,"
    "       'last_error', n.last_error, 'message_id', n.message_id, 'created_at', n.created_at,"
    "       'sent_at', n.sent_at)::text, n.id::text"
    "  FROM notifications n"
    " WHERE ($1::text IS NULL OR n.status = $1) AND ($2::text IS NULL OR n.person = $2)"
    "   AND ($3::bigint IS NULL OR n.id > $3::bigint)"
    " ORDER BY n.id LIMIT $4";

static const char STATS_SQL[] =
    "SELECT json_build_object("
    "  'queued', count(*) FILTER (WHERE status = 'queued'), 'sent', count(*) FILTER (WHERE status = 'sent'),"
    "  'failed', count(*) FILTER (WHERE status = 'failed'),"
    "  'oldest_queued_age_seconds', coalesce(floor(extract(epoch FROM now() - min(created_at)"
    "                                          FILTER (WHERE status = 'queued'))), 0)::bigint,"
    "  'webhooks', (SELECT json_build_object('subscriptions', count(*), 'enabled', count(*) FILTER (WHERE enabled),"
    "                 'disabled', count(*) FILTER (WHERE NOT enabled)) FROM webhook_subscriptions))::text"
    "  FROM notifications";

static const char PREFS_SQL[] =
    "SELECT json_build_object('reminder', coalesce((SELECT enabled FROM notification_preferences"
    "                          WHERE person = $1 AND category = 'reminder'), true))::text";

static const char PREFS_PUT_SQL[] =
    "INSERT INTO notification_preferences (person, category, enabled) VALUES ($1, 'reminder', $2::boolean)"
    " ON CONFLICT (person, category) DO UPDATE SET enabled = EXCLUDED.enabled RETURNING 1";

/* Runs `sql` (one row, one JSON text column) on a pooled connection and answers 200 with it. */
static int answer_row(const struct app *app, struct _u_response *resp, const char *sql, int n,
                      const char *const *params)
{
    struct db_conn *conn = NULL;
    char *json = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_row(conn, sql, n, params, NULL, (char **const[]){&json}, 1);
    db_release(app->pool, conn);
    return st == APP_OK ? http_json_text(resp, 200, json) : http_problem_for(resp, st, NULL);
}

/* GET /notifications: admin only. */
static int callback_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    static const char *const statuses[] = {"queued", "sent", "failed", NULL};
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin reads the outbox", NULL);
    const char *params[4] = {http_query(req, "status"), http_query(req, "person"), NULL, NULL};
    json_t *errors = json_array();
    listing_check_enum(errors, "status", params[0], statuses);
    if (params[1] && (strlen(params[1]) < 1 || strlen(params[1]) > 20))
        validate_error(errors, "person", "must be 1 to 20 characters");
    struct page page;
    if (listing_filter_done(resp, errors) != 0 || listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    params[2] = page.after;
    struct strbuf items = {0};
    char *next = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = listing_query(conn, LIST_SQL, 4, params, page.limit, &items, &next);
    db_release(app->pool, conn);
    http_page_free(&page);
    return st == APP_OK ? listing_respond(resp, &items, next) : listing_fail(resp, st, &items, next);
}

/* GET /notifications/stats: admin only. */
static int callback_stats(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin reads the outbox's figures", NULL);
    return answer_row(user_data, resp, STATS_SQL, 0, NULL);
}

/* GET /notifications/preferences: the caller's own (a student or a tutor). */
static int callback_prefs_get(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR))
        return http_problem(resp, 403, NULL, "only students and tutors have notification preferences", NULL);
    const char *params[1] = {who->sub};
    return answer_row(user_data, resp, PREFS_SQL, 1, params);
}

/* PUT /notifications/preferences {"reminder": bool}: sets the caller's own, answers them. */
static int callback_prefs_put(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!access_has_role(who, ROLE_STUDENT | ROLE_TUTOR))
        return http_problem(resp, 403, NULL, "only students and tutors have notification preferences", NULL);
    json_t *body = http_body_object(req, resp, 0);
    if (!body)
        return U_CALLBACK_COMPLETE;
    json_t *reminder = json_object_get(body, "reminder");
    int ok = json_is_boolean(reminder) && json_object_size(body) == 1;
    const char *params[2] = {who->sub, json_is_true(reminder) ? "true" : "false"};
    json_decref(body);
    if (!ok)
        return http_problem_field(resp, 422, "reminder", "must be true or false, and is the only kind one may refuse");
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = db_query(conn, PREFS_PUT_SQL, 2, params, NULL, NULL);
    db_release(app->pool, conn);
    return st == APP_OK ? answer_row(app, resp, PREFS_SQL, 1, params) : http_problem_for(resp, st, NULL);
}

int routes_notifications_register(struct _u_instance *instance, const struct app *app)
{
    int rc = http_route(instance, app, "GET", "/notifications", 0, callback_list);
    rc |= http_route(instance, app, "GET", "/notifications/stats", 0, callback_stats);
    rc |= http_route(instance, app, "GET", "/notifications/preferences", 0, callback_prefs_get);
    rc |= http_route(instance, app, "PUT", "/notifications/preferences", 0, callback_prefs_put);
    return rc;
}
