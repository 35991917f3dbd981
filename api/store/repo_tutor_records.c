/* repo_tutor_records.c — a tutor's absences (with cover allocations) and training records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "page_query.h"
#include "repo_tutors.h"

static const char *text_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The cover tutor exists, is active, tutors, and is not the absent tutor. */
static enum app_status check_cover(struct db_conn *conn, const char *number, const char *cover,
                                   struct alloc_refusal *why)
{
    const char *params[1] = {cover};
    PGresult *res = NULL;
    if (strcmp(number, cover) == 0)
        return alloc_refuse(why, APP_INVALID, "cover_tutor", "must be someone other than the absent tutor");
    enum app_status st = db_query(conn,
                                  "SELECT (active AND roles && '{tutor,senior_tutor}'::text[])::int FROM staff"
                                  " WHERE staff_number = $1",
                                  1, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = alloc_refuse(why, APP_INVALID, "cover_tutor", "no such staff member");
    else if (st == APP_OK && strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        st = alloc_refuse(why, APP_INVALID, "cover_tutor", "must be an active tutor");
    PQclear(res);
    return st;
}

/* Cover allocations for the absent tutor's personal tutees over the overlap with absence `id`. */
static enum app_status make_cover(struct db_conn *conn, const struct principal *who, const char *id, const char *cover,
                                  json_t *ids, struct alloc_refusal *why)
{
    const char *params[1] = {id};
    PGresult *res = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT a.student_number, greatest(a.starts_on, b.starts_on)::text,"
                 "       least(COALESCE(a.ends_on, b.ends_on), b.ends_on)::text"
                 "  FROM tutor_absences b JOIN allocations a ON a.staff_number = b.staff_number AND a.kind = 'personal'"
                 "   AND a.period && daterange(b.starts_on, b.ends_on, '[]')"
                 " WHERE b.id = $1::bigint ORDER BY a.student_number",
                 1, params, &res, NULL);
    for (int i = 0; st == APP_OK && i < PQntuples(res); i++) {
        struct allocation_input in = {.student = PQgetvalue(res, i, 0),
                                      .tutor = cover,
                                      .kind = "cover",
                                      .starts_on = PQgetvalue(res, i, 1),
                                      .ends_on = PQgetvalue(res, i, 2),
                                      .reason = "cover during the personal tutor's absence",
                                      .absence_id = id};
        char *aid = NULL, *json = NULL;
        st = repo_allocation_create(conn, who, &in, &aid, &json, why);
        if (st == APP_OK)
            json_array_append_new(ids, json_integer(strtoll(aid, NULL, 10)));
        free(aid);
        free(json);
    }
    PQclear(res);
    return st;
}

enum app_status repo_absence_create(struct db_conn *conn, const struct principal *who, const char *number,
                                    const json_t *fields, char **json, struct alloc_refusal *why)
{
    const char *starts = text_of(fields, "starts_on"), *ends = text_of(fields, "ends_on");
    const char *cover = text_of(fields, "cover_tutor");
    *json = NULL;
    memset(why, 0, sizeof(*why));
    if (strcmp(ends, starts) < 0)
        return alloc_refuse(why, APP_INVALID, "ends_on", "must not be before starts_on");
    enum app_status st = cover ? check_cover(conn, number, cover, why) : APP_OK;
    const char *params[6] = {number, starts, ends, text_of(fields, "reason"), cover, who->sub};
    PGresult *res = NULL;
    if (st == APP_OK)
        st = db_query(conn,
                      "INSERT INTO tutor_absences AS b (staff_number, starts_on, ends_on, reason,"
                      " cover_staff_number, created_by) VALUES ($1, $2, $3, COALESCE($4, ''), $5, $6)"
                      " RETURNING b.id::text, tutord_absence_json(b)::text",
                      6, params, &res, NULL);
    if (st != APP_OK)
        return st;
    json_t *absence = json_loads(PQgetvalue(res, 0, 1), 0, NULL), *ids = json_array();
    if (cover)
        st = make_cover(conn, who, PQgetvalue(res, 0, 0), cover, ids, why);
    if (st == APP_OK)
        st = audit_record(conn, who, "absence.create", "absence", PQgetvalue(res, 0, 0), NULL, absence);
    json_object_set_new(absence, "cover_allocations", ids);
    if (st == APP_OK && !(*json = json_dumps(absence, JSON_COMPACT)))
        st = APP_NOMEM;
    json_decref(absence);
    PQclear(res);
    return st;
}

enum app_status repo_training_create(struct db_conn *conn, const struct principal *who, const char *number,
                                     const json_t *fields, char **json, struct alloc_refusal *why)
{
    const char *kind = text_of(fields, "kind");
    const json_t *score = json_object_get(fields, "score");
    char score_text[16] = "";
    *json = NULL;
    memset(why, 0, sizeof(*why));
    int is_quiz = strcmp(kind, "quiz") == 0, has_score = json_is_integer(score);
    if (is_quiz != has_score)
        return alloc_refuse(why, APP_INVALID, "score", is_quiz ? "a quiz needs a score" : "only a quiz has a score");
    if (has_score)
        snprintf(score_text, sizeof(score_text), "%lld", (long long)json_integer_value(score));
    const char *params[5] = {number, kind, text_of(fields, "completed_on"), has_score ? score_text : NULL, who->sub};
    PGresult *res = NULL;
    enum app_status st = db_query(conn,
                                  "INSERT INTO training_records AS r (staff_number, kind, completed_on, score,"
                                  " created_by) SELECT $1, $2, $3::date, $4::integer, $5 WHERE $3::date <= current_date"
                                  " RETURNING r.id::text, tutord_training_json(r)::text",
                                  5, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = alloc_refuse(why, APP_INVALID, "completed_on", "must not be in the future");
    if (st == APP_OK)
        st = audit_record(conn, who, "training.create", "training", PQgetvalue(res, 0, 0), NULL, NULL);
    if (st == APP_OK && !(*json = strdup(PQgetvalue(res, 0, 1))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_tutor_records(struct db_conn *conn, const char *what, const char *number, const char *after,
                                   int limit, struct page_rows *out)
{
    static const char ABSENCES[] = "SELECT tutord_absence_json(b)::text, b.id::text FROM tutor_absences b"
                                   " WHERE b.staff_number = $1 AND ($2::bigint IS NULL OR b.id > $2::bigint)"
                                   " ORDER BY b.id LIMIT $3";
    static const char TRAINING[] = "SELECT tutord_training_json(r)::text, r.id::text FROM training_records r"
                                   " WHERE r.staff_number = $1 AND ($2::bigint IS NULL OR r.id > $2::bigint)"
                                   " ORDER BY r.id LIMIT $3";
    const char *params[3] = {number, after, NULL};
    return page_query(conn, strcmp(what, "absences") == 0 ? ABSENCES : TRAINING, 3, params, limit, NULL, NULL, out);
}

enum app_status repo_tutor_readable(struct db_conn *conn, const struct principal *who, const char *number)
{
    char *json = NULL, *version = NULL;
    enum app_status st = repo_tutor_get(conn, who, number, 0, &json, &version);
    free(json);
    free(version);
    return st;
}

enum app_status repo_tutor_record_work(struct db_conn *conn, void *work)
{
    struct tutor_record_write *w = work;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    memset(&w->why, 0, sizeof(w->why));
    enum app_status st = repo_tutor_readable(conn, w->who, w->number);
    if (st == APP_OK)
        st = repo_tutor_senior_of(conn, w->who, w->number);
    return st == APP_OK ? w->writer(conn, w->who, w->number, w->fields, &w->json, &w->why) : st;
}
