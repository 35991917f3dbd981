/* governance.c — the approval lifecycle shared by policy drafts and annual report analyses. */
#include "governance.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "validate.h"

int governance_is_dean(const struct principal *who)
{
    return access_has_role(who, ROLE_DEAN | ROLE_ADMIN);
}

struct principal governance_reader(const struct principal *who)
{
    struct principal p = *who;
    if (access_has_role(who, ROLE_DEAN))
        p.roles |= ROLE_ADMIN;
    return p;
}

int governance_read_decision(const json_t *body, const char **to_status, const char **comment, json_t *errors)
{
    const char *key;
    json_t *value;
    size_t before = json_array_size(errors);
    json_object_foreach((json_t *)body, key, value)
    {
        if (strcmp(key, "decision") != 0 && strcmp(key, "comment") != 0)
            validate_error(errors, key, "is not allowed");
    }
    const char *decision = json_string_value(json_object_get(body, "decision"));
    const json_t *c = json_object_get(body, "comment");
    *to_status = decision && strcmp(decision, "approved") == 0   ? "approved"
                 : decision && strcmp(decision, "returned") == 0 ? "returned"
                                                                 : NULL;
    *comment = json_string_value(c);
    if (!*to_status)
        validate_error(errors, "decision", "must be approved or returned");
    if (c && !json_is_null(c) && (!*comment || json_string_length(c) < 1 || json_string_length(c) > 2000))
        validate_error(errors, "comment", "must be text of 1 to 2000 characters");
    else if (*to_status && strcmp(*to_status, "returned") == 0 && !*comment)
        validate_error(errors, "comment", "is required to return a document: say what to change");
    return json_array_size(errors) == before ? 0 : -1;
}

enum app_status governance_record(struct db_conn *conn, const struct principal *who, const char *entity, const char *id,
                                  const char *from, const char *to, const char *comment, const char *subject,
                                  const char *json)
{
    const char *params[6] = {entity, id, from, to, who->sub, comment};
    enum app_status st = db_query(conn,
                                  "INSERT INTO governance_transitions (entity, entity_id, from_status, to_status,"
                                  " actor, comment) VALUES ($1, $2::bigint, $3, $4, $5, $6)",
                                  6, params, NULL, NULL);
    char kind[64];
    snprintf(kind, sizeof(kind), "%s.%s", entity, to);
    json_t *payload = st == APP_OK ? json_loads(json, 0, NULL) : NULL;
    if (st == APP_OK && !payload)
        st = APP_NOMEM;
    if (st == APP_OK)
        st = audit_event(conn, who, kind, subject, payload);
    if (st == APP_OK)
        st = audit_record(conn, who, kind, entity, id, NULL, payload);
    json_decref(payload);
    return st;
}
