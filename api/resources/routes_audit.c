/* routes_audit.c — GET /audit (admin only): who did what to which record, and who read which
 * confidential note; filters actor, entity, student, from/to (dates or RFC 3339 instants); keyset pages. */
#include "routes.h"

#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "http_list.h"
#include "repo_audit.h"
#include "validate.h"

/* A `from`/`to` bound: a date (midnight, in the database's time zone) or an RFC 3339 instant. */
static int is_bound(const char *s)
{
    return validate_is_date(s) || validate_is_instant(s);
}

static int read_filter(const struct _u_request *req, struct _u_response *resp, struct audit_filter *f)
{
    static const char *const names[] = {"actor", "entity", "student", "from", "to"};
    const char **fields[] = {&f->actor, &f->entity, &f->student, &f->from, &f->to};
    json_t *errors = json_array();
    for (size_t i = 0; i < 5; i++) {
        const char *v = *fields[i] = http_query(req, names[i]);
        if (!v)
            continue;
        if (i < 3 && (strlen(v) < 1 || strlen(v) > 64))
            validate_error(errors, names[i], "must be 1 to 64 characters");
        if (i >= 3 && !is_bound(v))
            validate_error(errors, names[i], "must be a date YYYY-MM-DD or an RFC 3339 date-time with an offset");
    }
    return http_list_filter_done(resp, errors);
}

/* http_list_run for GET /audit (ctx: the filter). */
static enum app_status run_list(struct db_conn *conn, const struct principal *who, void *ctx, const struct page *page,
                                struct page_rows *out)
{
    (void)who;
    return repo_audit_list(conn, ctx, page->after, page->limit, out);
}

static int callback_audit_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem_for(resp, APP_FORBIDDEN, "only an admin reads the audit trail");
    struct audit_filter filter = {0};
    struct page page;
    if (read_filter(req, resp, &filter) != 0 || http_list_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    return http_list_serve(resp, user_data, &page, run_list, &filter);
}

int routes_audit_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/audit", 0, callback_audit_list);
}
