/* routes_messages.c — GET /students/{student_number}/messages: a student's messages and emails as
 * threads (by reply_to), the thread with the latest message first. Who reads them is who reads the
 * student's contacts (the student, their tutors in force today, the school's senior tutors); admin sees
 * the threads without subject or body, registry nothing. */
#include "routes.h"

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "pastoral.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"
#include "unit_of_work.h"

/* A page of a student's message threads to read. */
struct threads_read {
    const struct principal *who;
    const char *student;
    const struct page *page;
    struct page_rows rows;
};

/* uow_work: the student must be there for the caller; then the threads (bodies as they may read them). */
static enum app_status read_threads(struct db_conn *conn, void *ctx)
{
    struct threads_read *r = ctx;
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, r->student, r->who, &reach);
    return st == APP_OK ? repo_message_threads(conn, r->student, repo_contact_content_reader(r->who), r->page->after,
                                               r->page->limit, &r->rows)
                        : st;
}

static int callback_messages_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!repo_pastoral_reader(who))
        return pastoral_forbid(resp, "registry may not read messages");
    struct page page;
    if (http_page(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    struct threads_read r = {.who = who, .student = http_path_param(req, "student_number"), .page = &page};
    enum app_status st = uow_read(app->pool, read_threads, &r);
    http_page_free(&page);
    if (st == APP_NOT_FOUND) {
        page_rows_free(&r.rows);
        return http_problem_for(resp, st, "no such student");
    }
    return http_list_respond(resp, st, &r.rows);
}

int routes_messages_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/students/@student_number/messages", 0, callback_messages_list);
}
