/* routes_audit.c — GET /audit (admin only): who did what to which record, and who read which
 * confidential note; filters actor, entity, student, from/to (dates or RFC 3339 instants); keyset pages. */
#include "routes.h"

#include <string.h>

#include "access.h"
#include "db.h"
#include "http.h"
#include "listing.h"
#include "validate.h"

static const char LIST_SQL[] =
    "SELECT json_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'actor_roles', to_json(a.actor_roles),"
    "       'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id, 'student', a.student_number,"
    "       'detail', a.detail)::text, a.id::text"
    "  FROM audit a"
    " WHERE ($1::text IS NULL OR a.actor = $1) AND ($2::text IS NULL OR a.entity = $2)"
    "   AND ($3::text IS NULL OR a.student_number = $3)"
    "   AND ($4::timestamptz IS NULL OR a.at >= $4::timestamptz) AND ($5::timestamptz IS NULL OR a.at < $5::timestamptz)"
    "   AND ($6::bigint IS NULL OR a.id > $6::bigint)"
    " ORDER BY a.id LIMIT $7";

/* A `from`/`to` bound: a date (midnight, in the database's time zone) or an RFC 3339 instant. */
static int is_bound(const char *s)
{
    return validate_is_date(s) || validate_is_instant(s);
}

static int read_filter(const struct _u_request *req, struct _u_response *resp, const char **params)
{
    static const char *const names[] = {"actor", "entity", "student", "from", "to"};
    json_t *errors = json_array();
    for (size_t i = 0; i < 5; i++) {
        const char *v = params[i] = http_query(req, names[i]);
        if (!v)
            continue;
        if (i < 3 && (strlen(v) < 1 || strlen(v) > 64))
            validate_error(errors, names[i], "must be 1 to 64 characters");
        if (i >= 3 && !is_bound(v))
            validate_error(errors, names[i], "must be a date YYYY-MM-DD or an RFC 3339 date-time with an offset");
    }
    return listing_filter_done(resp, errors);
}

static int callback_audit_list(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    if (!access_has_role(http_principal(resp), ROLE_ADMIN))
        return http_problem(resp, 403, NULL, "only an admin reads the audit trail", NULL);
    const char *params[7] = {NULL};
    struct page page;
    if (read_filter(req, resp, params) != 0 || listing_page_ids(req, resp, &page) != 0)
        return U_CALLBACK_COMPLETE;
    params[5] = page.after;
    struct strbuf items = {0};
    char *next = NULL;
    struct db_conn *conn = NULL;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = listing_query(conn, LIST_SQL, 7, params, page.limit, &items, &next);
    db_release(app->pool, conn);
    http_page_free(&page);
    return st == APP_OK ? listing_respond(resp, &items, next) : listing_fail(resp, st, &items, next);
}

int routes_audit_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/audit", 0, callback_audit_list);
}
