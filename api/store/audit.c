/* audit.c — the audit trail and the change feed, written in the caller's transaction. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The principal's roles as a PostgreSQL array literal, e.g. {tutor,senior_tutor}. */
static void roles_literal(const struct principal *who, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "{");
    int first = 1;
    for (unsigned bit = ROLE_STUDENT; bit <= ROLE_DEAN; bit <<= 1) /* in the bits' order */
        if ((who->roles & bit) && role_name(bit)) {
            used += (size_t)snprintf(buf + used, size - used, "%s%s", first ? "" : ",", role_name(bit));
            first = 0;
        }
    snprintf(buf + used, size - used, "}");
}

enum app_status audit_record(struct db_conn *conn, const struct principal *who, const char *action, const char *entity,
                             const char *entity_id, const char *student, const json_t *detail)
{
    char roles[96];
    roles_literal(who, roles, sizeof(roles));
    char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    const char *params[7] = {who->sub, roles, action, entity, entity_id, student, detail_text ? detail_text : "{}"};
    enum app_status st = db_query(conn,
                                  "INSERT INTO audit (actor, actor_roles, action, entity, entity_id, student_number,"
                                  " detail) VALUES ($1, $2::text[], $3, $4, $5, $6, $7::jsonb)",
                                  7, params, NULL, NULL);
    free(detail_text);
    return st;
}

enum app_status audit_set_actor(struct db_conn *conn, const struct principal *who)
{
    char roles[96];
    roles_literal(who, roles, sizeof(roles));
    const char *params[2] = {who->sub, roles};
    return db_query(conn, "SELECT set_config('tutord.actor', $1, true), set_config('tutord.actor_roles', $2, true)", 2,
                    params, NULL, NULL);
}

enum app_status audit_event(struct db_conn *conn, const struct principal *who, const char *kind, const char *subject,
                            const json_t *payload)
{
    char *payload_text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    const char *params[4] = {kind, subject, who->sub, payload_text ? payload_text : "{}"};
    enum app_status st =
        db_query(conn, "INSERT INTO events (kind, subject, actor, payload) VALUES ($1, $2, $3, $4::jsonb)", 4, params,
                 NULL, NULL);
    free(payload_text);
    return st;
}

enum app_status audit_change(struct db_conn *conn, const struct principal *who, const char *kind, const char *action,
                             const char *entity, const char *entity_id, const char *student, const char *json)
{
    json_t *payload = json_loads(json, 0, NULL);
    enum app_status st = payload ? audit_event(conn, who, kind, student, payload) : APP_NOMEM;
    if (st == APP_OK)
        st = audit_record(conn, who, action, entity, entity_id, student, payload);
    json_decref(payload);
    return st;
}

enum app_status audit_booking(struct db_conn *conn, const struct principal *who, const char *kind, const char *booking)
{
    const char *params[3] = {kind, booking, who->sub};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn, "SELECT tutord_booking_events($1, ARRAY[$2::bigint], $3, NULL)", 3, params, &res, NULL);
    if (st == APP_OK && strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        st = APP_NOT_FOUND;
    PQclear(res);
    return st;
}
