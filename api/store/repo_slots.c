/* repo_slots.c — office hours, slots, bookings and calendar-feed secrets in SQL (see repo_slots.h). */
#include "repo_slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "repo_pastoral.h"
#include "repo_row.h"

#define TZ_SQL "(SELECT time_zone FROM calendar_settings)"

/* Visible (tutord_staff_visible) and writable (self, a senior tutor of the school, admin) as 0/1. */
static const char ACCESS_SQL[] =
    "SELECT tutord_staff_visible(t.staff_number, t.school, $2::boolean, $3,"
    "                            (SELECT tutord_senior_schools($4::text[], $5)), $6)::int::text,"
    " (t.staff_number = $6 OR t.school = ANY (tutord_senior_schools($4::text[], $5)))::int::text"
    " FROM staff t WHERE t.staff_number = $1";

enum app_status repo_staff_access(struct db_conn *conn, const struct principal *who, const char *staff,
                                  enum staff_access *out)
{
    struct access_scope scope;
    access_scope_of(who, &scope);
    const char *params[6] = {staff,           scope.params[0], scope.params[1],
                             scope.params[2], scope.params[3], scope.params[4]};
    char *visible = NULL, *writable = NULL;
    *out = STAFF_HIDDEN;
    enum app_status st = repo_row(conn, ACCESS_SQL, 6, params, NULL, (char **const[]){&visible, &writable}, 2);
    if (st == APP_OK && (strcmp(writable, "1") == 0 || access_has_role(who, ROLE_ADMIN)))
        *out = STAFF_WRITE;
    else if (st == APP_OK && strcmp(visible, "1") == 0)
        *out = STAFF_READ;
    free(visible);
    free(writable);
    return st;
}

#define HOURS_JSON_SQL "json_build_object('staff', $1::text, 'office_hours', tutord_office_hours_json($1))::text"

enum app_status repo_office_hours_put(struct db_conn *conn, const char *staff, const char *hours_json, char **json,
                                      struct db_error *err)
{
    const char *params[2] = {staff, hours_json};
    enum app_status st = db_query(conn, "DELETE FROM office_hours WHERE staff_number = $1", 1, params, NULL, err);
    if (st == APP_OK)
        st = db_query(conn,
                      "INSERT INTO office_hours (staff_number, day, starts, ends, location)"
                      " SELECT $1, x ->> 'day', (x ->> 'start')::time, (x ->> 'end')::time, x ->> 'location'"
                      " FROM json_array_elements($2::json) x",
                      2, params, NULL, err);
    return st == APP_OK ? repo_office_hours_get(conn, staff, json) : st;
}

enum app_status repo_office_hours_get(struct db_conn *conn, const char *staff, char **json)
{
    const char *params[1] = {staff};
    return repo_row(conn, "SELECT " HOURS_JSON_SQL, 1, params, NULL, (char **const[]){json}, 1);
}

enum app_status repo_slot_place(struct db_conn *conn, const char *starts_at, struct slot_place *out)
{
    const char *params[1] = {starts_at};
    char *end = NULL, *closure = NULL, *past = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st = repo_row(conn,
                                  "WITH d AS (SELECT ($1::timestamptz AT TIME ZONE " TZ_SQL ")::date AS day)"
                                  " SELECT COALESCE((SELECT max(t.ends_on)::text FROM terms t"
                                  "                  WHERE d.day BETWEEN t.starts_on AND t.ends_on), ''),"
                                  " EXISTS (SELECT 1 FROM closures c WHERE c.day = d.day)::int::text,"
                                  " ($1::timestamptz <= now())::int::text FROM d",
                                  1, params, NULL, (char **const[]){&end, &closure, &past}, 3);
    if (st == APP_OK) {
        snprintf(out->term_end, sizeof(out->term_end), "%s", end);
        out->closure = strcmp(closure, "1") == 0;
        out->past = strcmp(past, "1") == 0;
    }
    free(end);
    free(closure);
    free(past);
    return st;
}

/* Local wall-clock times week by week (so 10:00 stays 10:00 across a clock change), closure days
 * skipped and reported; one series id for the lot. */
static const char CREATE_SQL[] =
    "WITH z AS (SELECT " TZ_SQL " AS tz),"
    " w AS (SELECT n, ($2::timestamptz AT TIME ZONE z.tz) + n * interval '7 days' AS ls,"
    "              ($3::timestamptz AT TIME ZONE z.tz) + n * interval '7 days' AS le"
    "         FROM z, generate_series(0, CASE WHEN $8::date IS NULL THEN 0 ELSE 60 END) n),"
    " cand AS (SELECT w.*, EXISTS (SELECT 1 FROM closures c WHERE c.day = w.ls::date) AS closed FROM w"
    "           WHERE w.ls::date <= COALESCE($8::date, w.ls::date)),"
    " sid AS (SELECT CASE WHEN $8::date IS NOT NULL THEN gen_random_uuid() END AS id),"
    " ins AS (INSERT INTO slots AS s (staff_number, starts_at, ends_at, capacity, location, online_url,"
    "                                 booking_deadline, series_id, created_by)"
    "         SELECT $1, cand.ls AT TIME ZONE z.tz, cand.le AT TIME ZONE z.tz, $4::int, $5, $6,"
    "                (cand.ls AT TIME ZONE z.tz) - make_interval(mins => COALESCE($7::int, 0)), sid.id, $9"
    "           FROM cand, z, sid WHERE NOT cand.closed"
    "         RETURNING tutord_slot_json(s) AS j, s.starts_at)"
    " SELECT json_build_object('items', COALESCE((SELECT json_agg(ins.j ORDER BY ins.starts_at) FROM ins), '[]'),"
    "        'skipped', COALESCE((SELECT json_agg(cand.ls::date ORDER BY cand.n) FROM cand WHERE cand.closed),"
    "                            '[]'))::text";

enum app_status repo_slot_create(struct db_conn *conn, const struct slot_new *s, const char *actor, char **json,
                                 struct db_error *err)
{
    const char *params[9] = {s->staff,      s->starts_at,       s->ends_at,      s->capacity, s->location,
                             s->online_url, s->book_by_minutes, s->weekly_until, actor};
    return repo_row(conn, CREATE_SQL, 9, params, err, (char **const[]){json}, 1);
}

static const char LIST_SQL[] =
    "SELECT tutord_slot_json(s)::text, s.starts_at::text || '|' || s.id FROM slots s"
    " WHERE s.staff_number = $1"
    " AND ($2::date IS NULL OR s.starts_at >= ($2::date::timestamp AT TIME ZONE " TZ_SQL "))"
    " AND ($3::date IS NULL OR s.starts_at < (($3::date + 1)::timestamp AT TIME ZONE " TZ_SQL "))"
    " AND ($4::text IS NULL OR s.status = $4)"
    " AND ($5::text IS NULL OR (s.starts_at, s.id) >"
    "      (split_part($5, '|', 1)::timestamptz, split_part($5, '|', 2)::bigint))"
    " ORDER BY s.starts_at, s.id LIMIT $6";

enum app_status repo_slot_list(struct db_conn *conn, const char *staff, const struct slot_filter *f,
                               struct page_rows *out)
{
    if (f->after && !strchr(f->after, '|'))
        return APP_INVALID;
    const char *params[6] = {staff, f->from, f->to, f->status, f->after, NULL};
    return page_query(conn, LIST_SQL, 6, params, f->limit, NULL, NULL, out);
}

enum app_status repo_slot_get(struct db_conn *conn, const char *id, int with_bookings, char staff[24], char **json)
{
    const char *params[2] = {id, with_bookings ? "t" : "f"};
    char *who = NULL;
    enum app_status st =
        repo_row(conn,
                 "SELECT CASE WHEN $2::boolean THEN (tutord_slot_json(s)::jsonb || jsonb_build_object('bookings',"
                 "   COALESCE((SELECT jsonb_agg(jsonb_build_object('id', c.id, 'student', c.student_number,"
                 "             'attendance', c.attendance) ORDER BY c.id) FROM contacts c WHERE c.slot_id = s.id),"
                 "            '[]'::jsonb)))::json ELSE tutord_slot_json(s) END::text, s.staff_number"
                 " FROM slots s WHERE s.id = $1::bigint",
                 2, params, NULL, (char **const[]){json, &who}, 2);
    if (st == APP_OK)
        snprintf(staff, 24, "%s", who);
    free(who);
    return st;
}

/* Why slot `slot` may not be booked by `student` now, judged under the student's booking lock. */
static const char JUDGE_SQL[] =
    "SELECT CASE WHEN s.status <> 'open' THEN 'cancelled' WHEN now() > s.booking_deadline THEN 'closed'"
    "  WHEN NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = $2 AND a.staff_number = s.staff_number"
    "                   AND a.kind IN ('personal', 'cover') AND a.period @> current_date) THEN 'not_tutor'"
    "  WHEN EXISTS (SELECT 1 FROM contacts c WHERE c.slot_id = s.id AND c.student_number = $2"
    "               AND c.attendance <> 'cancelled') THEN 'taken'"
    "  WHEN (SELECT count(*) FROM contacts c JOIN slots o ON o.id = c.slot_id WHERE c.student_number = $2"
    "        AND c.attendance = 'scheduled' AND o.starts_at > now()) >= $3::int THEN 'limit'"
    "  ELSE 'ok' END FROM slots s WHERE s.id = $1::bigint";

/* Makes (or revives) the booking's contact; the slot count trigger and CHECK hold the capacity. */
static const char BOOK_SQL[] =
    "INSERT INTO contacts AS c (student_number, staff_number, kind, direction, channel, scheduled_at,"
    " attendance, session_id, slot_id, created_by)"
    " SELECT $2, s.staff_number, CASE WHEN s.capacity = 1 THEN 'meeting' ELSE 'group_meeting' END, 'to_student',"
    " CASE WHEN s.location IS NULL THEN 'online' ELSE 'in_person' END, s.starts_at, 'scheduled',"
    " CASE WHEN s.capacity > 1 THEN s.session_id END, s.id, $3 FROM slots s WHERE s.id = $1::bigint"
    " ON CONFLICT ON CONSTRAINT contacts_slot_id_key DO UPDATE SET attendance = 'scheduled',"
    " staff_number = EXCLUDED.staff_number, version = c.version + 1, updated_at = now()"
    " WHERE c.attendance = 'cancelled'"
    " RETURNING tutord_contact_full_json(c, true)::text, c.id::text";

static enum booking_refusal refusal_of(const char *verdict)
{
    static const struct {
        const char *name;
        enum booking_refusal why;
    } map[] = {{"cancelled", BOOK_CANCELLED},
               {"closed", BOOK_CLOSED},
               {"not_tutor", BOOK_NOT_TUTOR},
               {"taken", BOOK_TAKEN},
               {"limit", BOOK_LIMIT}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].name, verdict) == 0)
            return map[i].why;
    return BOOK_OK;
}

enum app_status repo_booking_create(struct db_conn *conn, const char *slot, const char *student, int limit,
                                    const char *actor, char **json, char **id, enum booking_refusal *why)
{
    char lim[16], *verdict = NULL;
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *params[3] = {slot, student, lim};
    struct db_error err = {0};
    *why = BOOK_OK;
    /* one student's bookings one at a time, so the open-bookings limit is not a race */
    enum app_status st = db_query(conn, "SELECT pg_advisory_xact_lock(hashtext('tutord.bookings'), hashtext($1))", 1,
                                  params + 1, NULL, NULL);
    if (st == APP_OK)
        st = repo_row(conn, JUDGE_SQL, 3, params, NULL, (char **const[]){&verdict}, 1);
    if (st == APP_OK && (*why = refusal_of(verdict)) != BOOK_OK)
        st = APP_CONFLICT;
    free(verdict);
    if (st == APP_OK)
        st = repo_row(conn, BOOK_SQL, 3, (const char *const[]){slot, student, actor}, &err, (char **const[]){json, id},
                      2);
    if (st == APP_NOT_FOUND) /* the conflict clause found a live booking: another request made it */
        *why = BOOK_TAKEN, st = APP_CONFLICT;
    else if (st == APP_INVALID && strcmp(err.constraint, "slots_booked_check") == 0)
        *why = BOOK_FULL, st = APP_CONFLICT;
    return st;
}

enum app_status repo_booking_policy(struct db_conn *conn, const char *student, char **policy)
{
    const char *params[1] = {student};
    PGresult *res = NULL;
    *policy = NULL;
    enum app_status st =
        db_query(conn,
                 "SELECT (SELECT v.policy::text FROM school_policy_versions v WHERE v.school = s.school"
                 "        ORDER BY (v.effective_from <= current_date) DESC,"
                 "        CASE WHEN v.effective_from <= current_date THEN v.effective_from END DESC,"
                 "        v.effective_from LIMIT 1)"
                 " FROM students s WHERE s.student_number = $1",
                 1, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK && !PQgetisnull(res, 0, 0) && !(*policy = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_booking_cancel(struct db_conn *conn, const char *id, char **json, enum booking_refusal *why)
{
    const char *params[1] = {id};
    char *verdict = NULL;
    *why = BOOK_OK;
    enum app_status st = repo_row(conn,
                                  "SELECT CASE WHEN c.attendance <> 'scheduled' THEN 'cancelled'"
                                  " WHEN now() > s.booking_deadline THEN 'closed' ELSE 'ok' END"
                                  " FROM contacts c JOIN slots s ON s.id = c.slot_id WHERE c.id = $1::bigint"
                                  " FOR UPDATE OF c",
                                  1, params, NULL, (char **const[]){&verdict}, 1);
    if (st == APP_OK && (*why = refusal_of(verdict)) != BOOK_OK)
        st = APP_CONFLICT;
    free(verdict);
    if (st == APP_OK)
        st = repo_row(conn,
                      "UPDATE contacts c SET attendance = 'cancelled', version = c.version + 1, updated_at = now()"
                      " WHERE c.id = $1::bigint RETURNING tutord_contact_full_json(c, true)::text",
                      1, params, NULL, (char **const[]){json}, 1);
    return st;
}

enum app_status repo_slot_cancel(struct db_conn *conn, const char *id, const char *actor, char **json)
{
    const char *params[2] = {id, actor};
    enum app_status st = repo_row(conn,
                                  "UPDATE slots s SET status = 'cancelled', version = s.version + 1, updated_at = now()"
                                  " WHERE s.id = $1::bigint AND s.status = 'open' RETURNING s.id::text",
                                  1, params, NULL, (char **const[]){json}, 1);
    free(*json);
    *json = NULL;
    if (st == APP_NOT_FOUND)
        return APP_CONFLICT;
    if (st == APP_OK)
        st = db_query(conn,
                      "WITH b AS (UPDATE contacts c SET attendance = 'cancelled', version = c.version + 1,"
                      "                  updated_at = now()"
                      "            WHERE c.slot_id = $1::bigint AND c.attendance = 'scheduled' RETURNING c.id)"
                      "SELECT tutord_booking_events('booking.cancelled', (SELECT array_agg(id) FROM b), $2, NULL)",
                      2, params, NULL, NULL);
    return st == APP_OK ? repo_row(conn, "SELECT tutord_slot_json(s)::text FROM slots s WHERE s.id = $1::bigint", 1,
                                   params, NULL, (char **const[]){json}, 1)
                        : st;
}

enum app_status repo_feed_set(struct db_conn *conn, const char *owner, const char *kind, const char *hash)
{
    const char *params[3] = {owner, kind, hash};
    return db_query(conn,
                    "INSERT INTO calendar_feeds (owner, owner_kind, secret_hash) VALUES ($1, $2, $3)"
                    " ON CONFLICT (owner) DO UPDATE SET owner_kind = EXCLUDED.owner_kind,"
                    " secret_hash = EXCLUDED.secret_hash, created_at = now()",
                    3, params, NULL, NULL);
}

enum app_status repo_feed_revoke(struct db_conn *conn, const char *owner)
{
    const char *params[1] = {owner};
    char *gone = NULL;
    enum app_status st = repo_row(conn, "DELETE FROM calendar_feeds WHERE owner = $1 RETURNING owner", 1, params, NULL,
                                  (char **const[]){&gone}, 1);
    free(gone);
    return st;
}

enum app_status repo_feed_check(struct db_conn *conn, const char *owner, const char *kind, const char *hash)
{
    const char *params[3] = {owner, kind, hash};
    char *one = NULL;
    enum app_status st = repo_row(conn,
                                  "SELECT 1 FROM calendar_feeds WHERE owner = $1 AND owner_kind = $2"
                                  " AND secret_hash = $3",
                                  3, params, NULL, (char **const[]){&one}, 1);
    free(one);
    return st;
}

/* Columns of a feed row (see repo_feed_events); `e` is the epoch of an instant. */
#define EPOCH(x) "extract(epoch FROM " x ")::bigint::text"

/* clang-format off */
static const char STAFF_FEED_SQL[] =
    "SELECT 'slot-' || s.id || '@tutord', " EPOCH("s.starts_at") ", " EPOCH("s.ends_at") ","
    " CASE WHEN s.capacity = 1 THEN 'Personal tutoring: one-to-one slot'      ELSE 'Personal tutoring: group meeting (' || s.capacity || ' places)' END,"
    " COALESCE(s.location, 'Online'), COALESCE(s.online_url, ''), (s.status = 'cancelled')::text, (s.version - 1)::text, " EPOCH("s.updated_at") ","
    " 'Booked: ' || s.booked || ' of ' || s.capacity || COALESCE(E'\\n' || (SELECT string_agg(st.name, ', '"
    "   ORDER BY st.name) FROM contacts c JOIN students st ON st.student_number = c.student_number"
    "   WHERE c.slot_id = s.id AND c.attendance <> 'cancelled'), '')"
    " FROM slots s WHERE s.staff_number = $1 AND s.starts_at > now() - interval '180 days'"
    " UNION ALL SELECT 'contact-' || c.id || '@tutord', " EPOCH("c.scheduled_at") ", " EPOCH("c.scheduled_at + interval '30 minutes'") ","
    " 'Personal tutoring meeting with ' || st.name, CASE c.channel WHEN 'online' THEN 'Online' ELSE 'In person' END, '', (c.attendance = 'cancelled')::text, (c.version - 1)::text, " EPOCH("c.updated_at") ", ''"
    " FROM contacts c JOIN students st ON st.student_number = c.student_number WHERE c.staff_number = $1 AND c.slot_id IS NULL"
    " AND c.kind IN ('meeting', 'group_meeting') AND c.scheduled_at > now() - interval '180 days' ORDER BY 2, 1";
/* clang-format on */

/* clang-format off */
static const char STUDENT_FEED_SQL[] =
    "SELECT 'contact-' || c.id || '@tutord', " EPOCH("COALESCE(s.starts_at, c.scheduled_at)") ", " EPOCH("COALESCE(s.ends_at, c.scheduled_at + interval '30 minutes')") ","
    " 'Personal tutoring ' || CASE c.kind WHEN 'group_meeting' THEN 'group meeting' ELSE 'meeting' END   || ' with ' || t.name,"
    " COALESCE(s.location, CASE c.channel WHEN 'online' THEN 'Online' ELSE 'In person' END),"
    " COALESCE(s.online_url, ''), (c.attendance = 'cancelled')::text, (c.version - 1)::text, " EPOCH("c.updated_at") ", ''"
    " FROM contacts c JOIN staff t ON t.staff_number = c.staff_number LEFT JOIN slots s ON s.id = c.slot_id"
    " WHERE c.student_number = $1 AND c.kind IN ('meeting', 'group_meeting') AND c.scheduled_at IS NOT NULL"
    " AND c.scheduled_at > now() - interval '180 days' ORDER BY 2, 1";
/* clang-format on */

enum app_status repo_feed_events(struct db_conn *conn, const char *owner, const char *kind, PGresult **res)
{
    const char *params[1] = {owner};
    return db_query(conn, strcmp(kind, "staff") == 0 ? STAFF_FEED_SQL : STUDENT_FEED_SQL, 1, params, res, NULL);
}

enum app_status repo_time_zone(struct db_conn *conn, char tz[65])
{
    char *z = NULL;
    enum app_status st =
        repo_row(conn, "SELECT time_zone FROM calendar_settings", 0, NULL, NULL, (char **const[]){&z}, 1);
    if (st == APP_OK)
        snprintf(tz, 65, "%s", z);
    free(z);
    return st;
}
