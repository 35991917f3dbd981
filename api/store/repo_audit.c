/* repo_audit.c — a page of the audit trail. */
#include "repo_audit.h"

#include "page_query.h"

static const char LIST_SQL[] =
    "SELECT json_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'actor_roles', to_json(a.actor_roles),"
    "       'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id, 'student', a.student_number,"
    "       'detail', a.detail)::text, a.id::text"
    "  FROM audit a"
    " WHERE ($1::text IS NULL OR a.actor = $1) AND ($2::text IS NULL OR a.entity = $2)"
    "   AND ($3::text IS NULL OR a.student_number = $3)"
    "   AND ($4::timestamptz IS NULL OR a.at >= $4::timestamptz) AND ($5::timestamptz IS NULL OR a.at < "
    "$5::timestamptz)"
    "   AND ($6::bigint IS NULL OR a.id > $6::bigint)"
    " ORDER BY a.id LIMIT $7";

enum app_status repo_audit_list(struct db_conn *conn, const struct audit_filter *f, const char *after, int limit,
                                struct page_rows *out)
{
    const char *params[7] = {f->actor, f->entity, f->student, f->from, f->to, after, NULL};
    return page_query(conn, LIST_SQL, 7, params, limit, NULL, NULL, out);
}
