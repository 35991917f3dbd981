/* routes_messages.c — GET /students/{student_number}/messages: a student's messages and emails as
 * threads (by reply_to), the thread with the latest message first. Who reads them is who reads the
 * student's contacts (the student, their tutors in force today, the school's senior tutors); admin sees
 * the threads without subject or body, registry nothing. */
#include "routes.h"

#include "access.h"
#include "db.h"
#include "http.h"
#include "pastoral.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"

static int callback_messages_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "registry may not read messages");
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    const char *number = http_path_param(req, "student_number");
    struct student_reach reach;
    struct strbuf body = {0};
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_reach_of(conn, number, who, &reach);
    if (st == APP_OK)
        st = repo_message_threads(conn, number, repo_contact_content_reader(who), page.after, page.limit, &body);
    db_release(app->pool, conn);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        strbuf_free(&body);
        return http_problem_for(resp, st, "no such student");
    }
    return pastoral_respond_page(resp, st, &body);
}

int routes_messages_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/messages", 0, callback_messages_list);
}
