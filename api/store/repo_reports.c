/* repo_reports.c — the reports' SQL (see repo_reports.h). Definitions, over the year's span
 * [start, min(end, as_of)] (an as_of before the start leaves it empty):
 *   tutors            staff of the school with at least one personal allocation overlapping the span;
 *   tutees_per_tutor  median (percentile_cont: an even count takes the mean of the middle two) and max of
 *                     the distinct personal tutees each of those tutors had during the span;
 *   pct_not_allocated_within_week  of the school's students registered in the year whose first week has
 *                     ended by as_of (registered_on + 7 <= as_of), the share with no personal allocation
 *                     starting on or before registered_on + 7 (and not ended before registration);
 *   pct_tutors_trained_3y / pct_tutors_quiz_3y  of the tutors, the share with a training (quiz) record
 *                     completed on or before as_of and no more than 3 years before it (completed_on +
 *                     3 years >= as_of, as the engine's tutor_training_within judges it);
 *   median_quiz_score the median of each tutor's latest quiz score on or before as_of (null: none);
 *   pct_tutees_requesting_change   of the school's students with a personal allocation overlapping the
 *                     span, the share with a change request made during the span (local date);
 *   pct_saes_contact_approval / pct_saes_positive_experience   the Leicester Tutee Satisfaction KPIs: the
 *                     Student Academic Experience Survey figures the school recorded for the year
 *                     (survey_results), null when not recorded; on the institution total the mean of the
 *                     schools that recorded one (rounded to two decimals), null when none did;
 * percentages rounded to one decimal, null when there is nobody to divide by (the survey figures as
 * recorded, to two). Tutor figures follow the tutor's school, student figures the student's. */
#include "repo_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

/* The schools a report covers: $1 (or all when null) that the caller sees ($2 sees_all, $3 claimed
 * schools, $4 senior tutor). */
#define REPORT_SCHOOLS                                                                                                 \
    "sc AS (SELECT code FROM schools WHERE ($1::text IS NULL OR code = $1)"                                            \
    " AND ($2::boolean OR code = ANY (tutord_senior_schools($3::text[], $4))))"

/* Allocation `a` is in force on the day `day` (a parameter): its period (sql/001: daterange(starts_on,
 * ends_on, '[]'), so both ends included and no end open-ended) contains the day. For statements that read
 * the allocations without an index on period; where the GiST index on period selects, `a.period @> day` is
 * what it can use. */
#define A_IN_FORCE_ON(day) "(a.starts_on <= " day "::date AND (a.ends_on IS NULL OR a.ends_on >= " day "::date))"
#define A_IN_FORCE_ON_5 A_IN_FORCE_ON("$5")
#define A_IN_FORCE_ON_7 A_IN_FORCE_ON("$7")

/* $5 start, $6 end, $7 as_of: the span of the year up to as_of, as an expression of the parameters (not a
 * CTE's column: the planner then knows it and estimates the allocations it selects). */
#define SPAN_EXPR                                                                                                      \
    "(CASE WHEN $7::date < $5::date THEN 'empty'::daterange"                                                           \
    " ELSE daterange($5::date, LEAST($6::date, $7::date), '[]') END)"

/* `a.period && SPAN_EXPR` in dates, as A_IN_FORCE_ON is `a.period @> day`: the span is empty before the
 * year's start, else the allocation starts by its end (min(ye, as_of)) and ends, if at all, on or after ys. */
#define A_IN_SPAN                                                                                                      \
    "($7::date >= $5::date AND a.starts_on <= LEAST($6::date, $7::date)"                                               \
    " AND (a.ends_on IS NULL OR a.ends_on >= $5::date))"

/* The year's start and end, as_of, the span, and the institution's time zone. */
#define REPORT_SPAN                                                                                                    \
    "yr AS (SELECT $5::date AS ys, $6::date AS ye, $7::date AS r, " SPAN_EXPR " AS span,"                              \
    " (SELECT time_zone FROM calendar_settings) AS tz)"

/* Personal tutees per counted tutor during the span. */
#define REPORT_LOAD                                                                                                    \
    "load AS (SELECT t.school, t.staff_number, count(DISTINCT a.student_number) AS tutees"                             \
    " FROM staff t JOIN sc ON sc.code = t.school"                                                                      \
    " JOIN allocations a ON a.staff_number = t.staff_number AND a.kind = 'personal'"                                   \
    " WHERE a.period && " SPAN_EXPR " GROUP BY t.school, t.staff_number)"

static const char KPI_SQL[] =
    "WITH " REPORT_SCHOOLS ", " REPORT_SPAN ", " REPORT_LOAD ","
    " tutor AS (SELECT l.school, l.tutees,"
    "   EXISTS (SELECT 1 FROM training_records x WHERE x.staff_number = l.staff_number AND x.kind = 'training'"
    "           AND x.completed_on <= yr.r AND (x.completed_on + interval '3 years')::date >= yr.r) AS trained,"
    "   EXISTS (SELECT 1 FROM training_records x WHERE x.staff_number = l.staff_number AND x.kind = 'quiz'"
    "           AND x.completed_on <= yr.r AND (x.completed_on + interval '3 years')::date >= yr.r) AS quizzed,"
    "   (SELECT x.score FROM training_records x WHERE x.staff_number = l.staff_number AND x.kind = 'quiz'"
    "     AND x.completed_on <= yr.r ORDER BY x.completed_on DESC, x.id DESC LIMIT 1) AS score"
    "  FROM load l, yr),"
    " tk AS (SELECT COALESCE(school, '') AS k, count(*) AS tutors,"
    "   percentile_cont(0.5) WITHIN GROUP (ORDER BY tutees) AS median, max(tutees) AS max,"
    "   round(100.0 * count(*) FILTER (WHERE trained) / NULLIF(count(*), 0), 1) AS trained,"
    "   round(100.0 * count(*) FILTER (WHERE quizzed) / NULLIF(count(*), 0), 1) AS quizzed,"
    "   percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS quiz"
    "  FROM tutor GROUP BY GROUPING SETS ((school), ())),"
    " rg AS (SELECT COALESCE(s.school, '') AS k, count(*) AS registered,"
    "   count(*) FILTER (WHERE ok.student_number IS NULL) AS late"
    "  FROM yr, students s JOIN sc ON sc.code = s.school"
    "  LEFT JOIN (SELECT DISTINCT a.student_number FROM allocations a"
    "    JOIN students r ON r.student_number = a.student_number"
    "    WHERE a.kind = 'personal' AND a.starts_on <= r.registered_on + 7"
    "      AND (a.ends_on IS NULL OR a.ends_on >= r.registered_on)) ok ON ok.student_number = s.student_number"
    "  WHERE s.registered_on BETWEEN yr.ys AND yr.ye AND s.registered_on + 7 <= yr.r"
    "  GROUP BY GROUPING SETS ((s.school), ())),"
    " te AS (SELECT COALESCE(s.school, '') AS k, count(*) AS tutees,"
    "   count(*) FILTER (WHERE s.student_number IN (SELECT c.student_number FROM change_requests c, yr"
    "     WHERE (c.requested_at AT TIME ZONE yr.tz)::date <@ yr.span)) AS requested"
    "  FROM students s JOIN sc ON sc.code = s.school"
    "  WHERE s.student_number IN (SELECT a.student_number FROM allocations a"
    "     WHERE a.kind = 'personal' AND a.period && " SPAN_EXPR ")"
    "  GROUP BY GROUPING SETS ((s.school), ())),"
    " sv AS (SELECT COALESCE(r.school, '') AS k, round(avg(r.contact_pct), 2) AS contact,"
    "   round(avg(r.positive_pct), 2) AS positive"
    "  FROM survey_results r JOIN sc ON sc.code = r.school WHERE r.year = $8"
    "  GROUP BY GROUPING SETS ((r.school), ())),"
    " keys AS (SELECT code AS k FROM sc UNION ALL SELECT '' WHERE $1::text IS NULL)"
    " SELECT COALESCE(json_agg(json_build_object("
    "   'school', NULLIF(keys.k, ''), 'year', $8::text, 'as_of', $7::date, 'tutors', COALESCE(tk.tutors, 0),"
    "   'tutees_per_tutor', json_build_object('median', tk.median, 'max', tk.max),"
    "   'pct_not_allocated_within_week', round(100.0 * rg.late / NULLIF(rg.registered, 0), 1),"
    "   'pct_tutors_trained_3y', tk.trained, 'pct_tutors_quiz_3y', tk.quizzed, 'median_quiz_score', tk.quiz,"
    "   'tutors_not_fulfilling_role', NULL::int,"
    "   'pct_tutees_requesting_change', round(100.0 * te.requested / NULLIF(te.tutees, 0), 1),"
    "   'tutees', COALESCE(te.tutees, 0), 'tutees_requesting_change', COALESCE(te.requested, 0),"
    "   'registered', COALESCE(rg.registered, 0), 'not_allocated_within_week', COALESCE(rg.late, 0),"
    "   'pct_saes_contact_approval', sv.contact, 'pct_saes_positive_experience', sv.positive)"
    "   ORDER BY keys.k = '', keys.k), '[]')::text"
    " FROM keys LEFT JOIN tk USING (k) LEFT JOIN rg USING (k) LEFT JOIN te USING (k) LEFT JOIN sv USING (k)";

/* Each counted tutor with their personal tutees on as_of ($7), grouped in one pass over the personal
 * allocations: a tutor is counted as REPORT_LOAD counts them (an allocation overlapping the span: A_IN_SPAN),
 * and their tutees are those of the allocations in force on as_of. The tutees come in no order: report_rules.c sorts
 * them (collect_tutees) and looks each up. Against a statement with REPORT_LOAD (count(DISTINCT), unused here) and a
 * second pass sorting every allocation by tutor and each tutor's by student: 117-128 ms -> about 40 ms on a
 * 40,000-student bench/gen institution, the same tutors and tutees (md5 of the sorted JSON). */
static const char KPI_TUTORS_SQL[] =
    "WITH " REPORT_SCHOOLS ","
    " tt AS (SELECT t.school, t.staff_number, array_agg(a.student_number) FILTER (WHERE " A_IN_FORCE_ON_7 ") AS tutees"
    "  FROM staff t JOIN sc ON sc.code = t.school"
    "  JOIN allocations a ON a.staff_number = t.staff_number AND a.kind = 'personal'"
    "  GROUP BY t.school, t.staff_number HAVING bool_or(" A_IN_SPAN "))"
    " SELECT COALESCE(json_agg(json_build_object('school', tt.school, 'tutor', tt.staff_number,"
    "   'tutees', COALESCE(tt.tutees, '{}'::text[])) ORDER BY tt.school, tt.staff_number), '[]')::text FROM tt";

/* The single value (JSON text) of a report statement's result `res`, whose outcome was st, parsed into *out;
 * clears res. */
static enum app_status take_json(enum app_status st, PGresult *res, json_t **out)
{
    *out = NULL;
    if (st == APP_OK && (PQntuples(res) != 1 || !(*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL))))
        st = PQntuples(res) == 1 ? APP_NOMEM : APP_DB;
    PQclear(res);
    return st;
}

/* Runs one report statement whose single value is JSON text, and parses it into *out. */
static enum app_status json_query(struct db_conn *conn, const char *sql, int n, const char *const *params, json_t **out)
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, sql, n, params, &res, NULL);
    return take_json(st, res, out);
}

/* The four school-set parameters ($1..$4) for `who` and `school`. */
static void school_params(const struct principal *who, const char *school, struct access_scope *scope,
                          const char *params[4])
{
    access_scope_of(who, scope);
    params[0] = school;
    params[1] = access_has_role(who, ROLE_ADMIN) ? "t" : "f";
    params[2] = scope->params[2];
    params[3] = scope->params[3];
}

enum app_status repo_report_access(struct db_conn *conn, const struct principal *who, const char *school, int whole_ok)
{
    int admin = access_has_role(who, ROLE_ADMIN);
    if (!admin && (!access_has_role(who, ROLE_SENIOR_TUTOR) || (!school && !whole_ok)))
        return APP_FORBIDDEN;
    if (!school)
        return APP_OK;
    struct access_scope scope;
    const char *params[4];
    school_params(who, school, &scope, params);
    PGresult *res = NULL;
    enum app_status st = db_query(conn, "WITH " REPORT_SCHOOLS " SELECT count(*) FROM sc", 4, params, &res, NULL);
    if (st == APP_OK && strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        st = admin ? APP_NOT_FOUND : APP_FORBIDDEN;
    PQclear(res);
    return st;
}

enum app_status repo_report_year(struct db_conn *conn, const char *label, const char *as_of, struct report_year *out)
{
    const char *params[2] = {label, as_of};
    PGresult *res = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st =
        db_query(conn,
                 "SELECT label, starts_on::text, ends_on::text,"
                 " COALESCE($2::date, LEAST(ends_on, " REPORT_TODAY "))::text FROM academic_years"
                 " WHERE CASE WHEN $1::text IS NULL THEN starts_on <= " REPORT_TODAY "  ELSE label = $1 END"
                 " ORDER BY starts_on DESC LIMIT 1",
                 2, params, &res, NULL);
    if (st == APP_OK && PQntuples(res) == 0)
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        snprintf(out->label, sizeof(out->label), "%s", PQgetvalue(res, 0, 0));
        snprintf(out->starts_on, sizeof(out->starts_on), "%s", PQgetvalue(res, 0, 1));
        snprintf(out->ends_on, sizeof(out->ends_on), "%s", PQgetvalue(res, 0, 2));
        snprintf(out->as_of, sizeof(out->as_of), "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return st;
}

#define MEETING_RULE_PATH "? (@.type == \"meetings_per_year\" || @.type == \"meeting_each_term\")"

static const char MEETING_KINDS_SQL[] =
    "SELECT '{' || string_agg(DISTINCT k, ',') || '}' FROM ("
    "  SELECT 'meeting' AS k UNION ALL SELECT 'group_meeting'"
    "  UNION ALL SELECT jsonb_array_elements_text(r -> 'kinds') FROM school_policies p,"
    "         jsonb_path_query(p.policy, '$.rules[*] " MEETING_RULE_PATH "') r WHERE r ? 'kinds'"
    "  UNION ALL SELECT jsonb_array_elements_text(r -> 'kinds') FROM school_policies p,"
    "         jsonb_path_query(p.policy, '$.cohorts[*].rules[*] " MEETING_RULE_PATH "') r WHERE r ? 'kinds'"
    ") kinds";

enum app_status repo_report_meeting_kinds(struct db_conn *conn, char **literal)
{
    PGresult *res = NULL;
    *literal = NULL;
    enum app_status st = db_query(conn, MEETING_KINDS_SQL, 0, NULL, &res, NULL);
    if (st == APP_OK && !(*literal = strdup(PQgetvalue(res, 0, 0))))
        st = APP_NOMEM;
    PQclear(res);
    return st;
}

enum app_status repo_report_snapshot(struct db_conn *conn)
{
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = db_query(conn, "SET LOCAL jit = off", 0, NULL, NULL, NULL);
    /* the per-tutor and per-student groupings sort tens of thousands of rows: in memory, not on disk */
    return st == APP_OK ? db_query(conn, "SET LOCAL work_mem = '64MB'", 0, NULL, NULL, NULL) : st;
}

enum app_status repo_report_today(struct db_conn *conn, char out[11])
{
    PGresult *res = NULL;
    enum app_status st = db_query(conn, "SELECT " REPORT_TODAY "::text", 0, NULL, &res, NULL);
    if (st == APP_OK)
        snprintf(out, 11, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

/* The parameters of a KPI-shaped statement: $1..$4 schools, $5..$7 span, $8 label. */
static void kpi_params(const struct principal *who, const char *school, const struct report_year *y,
                       struct access_scope *scope, const char *params[8])
{
    school_params(who, school, scope, params);
    params[4] = y->starts_on, params[5] = y->ends_on, params[6] = y->as_of, params[7] = y->label;
}

enum app_status repo_report_kpis_start(struct db_conn *conn, const struct principal *who, const char *school,
                                       const struct report_year *year)
{
    struct access_scope scope;
    const char *params[8];
    kpi_params(who, school, year, &scope, params);
    return db_send(conn, KPI_SQL, 8, params);
}

enum app_status repo_report_kpis_finish(struct db_conn *conn, json_t **out)
{
    PGresult *res = NULL;
    enum app_status st = db_collect(conn, &res, NULL);
    return take_json(st, res, out);
}

enum app_status repo_report_kpi_tutors(struct db_conn *conn, const struct principal *who, const char *school,
                                       const struct report_year *year, json_t **out)
{
    struct access_scope scope;
    const char *params[8];
    kpi_params(who, school, year, &scope, params);
    return json_query(conn, KPI_TUTORS_SQL, 7, params, out);
}

/* ---- engagement --------------------------------------------------------------------------------- */

/* $5 as_of: the students of the schools studying with a personal tutor on that day. A_IN_FORCE_ON_5 rather than
 * the period: the allocations are scanned whole here (EXPLAIN ANALYZE, 40k bench/gen: 16-17 ms -> 7-10 ms
 * for the scan, the statement 115 -> 70 ms for the institution, 37 -> 30 ms for a 4,000-student school), and a
 * range condition would let the planner probe the GiST index per student, as it did for a school's count
 * (repo_facts.c, SCHOOL_SQL). */
#define REPORT_TUTEES                                                                                                  \
    "tee AS (SELECT s.student_number AS student, s.name AS student_name, s.school,"                                    \
    " a.staff_number AS tutor, t.name AS tutor_name"                                                                   \
    " FROM students s JOIN sc ON sc.code = s.school"                                                                   \
    " JOIN allocations a ON a.student_number = s.student_number AND a.kind = 'personal'"                               \
    "  AND " A_IN_FORCE_ON_5 " JOIN staff t ON t.staff_number = a.staff_number"                                        \
    " WHERE s.status = 'studying' AND s.registered_on <= $5::date)"

/* A contact's instant as RFC 3339 UTC, as report_format_instant writes the engine's. */
#define REPORT_AT(c) "to_char(" c ".sort_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* "This term": the teaching term containing as_of, else the last one that started before it (a vacation looks
 * back at the term just ended). The window runs from its start to min(its end, as_of); contacts are
 * placed on local dates in the institution's time zone; nothing after as_of counts. Reasons:
 *   no_attended_meeting_this_term  no meeting or group meeting attended in the window (evidence: the
 *                                  window's meetings that were not attended);
 *   unanswered_outreach            a to_student email, message, phone call or check-in (not cancelled),
 *                                  in the window and at least $6 days before as_of, after which the
 *                                  student sent nothing (from_student) and attended no meeting up to as_of
 *                                  (evidence: every such unanswered contact). */
#define REPORT_TERM                                                                                                    \
    "term AS (SELECT name, starts_on, ends_on FROM terms WHERE teaching AND starts_on <= $5::date"                     \
    " ORDER BY starts_on DESC LIMIT 1)"

/* A value as JSON text: to_json's, which escapes a string as jansson does but for the case of the hex digits
 * in a control character's \u escape (the route upper-cases them); null for NULL. */
#define JSON_TEXT(v) "COALESCE(to_json(" v ")::text, 'null')"
/* A string that needs no escaping as JSON text: quoted. Only for values NOT NULL whose characters a CHECK
 * constraint or their construction keeps to letters, digits, spaces and punctuation other than '"' and '\\'
 * (student and staff numbers, school codes, the vocabulary's kinds and attendances, dates, counts), where it
 * is to_json's text exactly. to_json costs a type lookup per call: 0.6 µs, 200 ms more than quoting for 300,000
 * values (psql, 150,000 contacts, two columns). The engagement statement quotes six of an item's eight members
 * and its evidence's three this way: its backend CPU per execution 590-695 -> 542-605 ms (40k bench/gen, four
 * alternating rounds of four executions), the same text (md5 of the rows; of the route's JSON and CSV). */
#define JSON_PLAIN(v) "'\"' || " v " || '\"'"

/* clang-format off */
/* One contact c of an item's evidence as compact JSON text: {"id", "kind", "at", "attendance"}. */
#define EVIDENCE_TEXT(c)                                                                                               \
    "'{\"id\":' || " c ".id"                                                                                           \
    " || ',\"kind\":' || " JSON_PLAIN(c ".kind")                                                                       \
    " || ',\"at\":' || " JSON_PLAIN(REPORT_AT(c))                                                                      \
    " || ',\"attendance\":' || " JSON_PLAIN(c ".attendance")                                                           \
    " || '}'"

/* An item (a row x of no_meeting or outreach) as compact JSON text, its members in the order of the columns. */
#define ITEM_TEXT                                                                                                      \
    "'{\"student\":' || " JSON_PLAIN("x.student")                                                                      \
    " || ',\"student_name\":' || " JSON_TEXT("x.student_name")                                                         \
    " || ',\"school\":' || " JSON_PLAIN("x.school")                                                                    \
    " || ',\"tutor\":' || " JSON_PLAIN("x.tutor")                                                                      \
    " || ',\"tutor_name\":' || " JSON_TEXT("x.tutor_name")                                                             \
    " || ',\"reason\":' || " JSON_PLAIN("x.reason")                                                                    \
    " || ',\"evidence\":' || x.evidence"                                                                              \
    " || ',\"detail\":' || " JSON_PLAIN("x.detail")                                                                    \
    " || '}'"
/* clang-format on */

/* The items, one row each with its sort key: school, tutor, student, reason, and the item as compact JSON
 * text, as jansson writes it but for the \u escapes' case (JSON_TEXT), its members in the order of the
 * rows' columns: the route sends it without parsing it. Parsed and written again by jansson, the 14,000
 * items of the 40k bench/gen institution (4.9 MB) cost tutord about 100 ms a report, after the statement. */
static const char ENGAGEMENT_SQL[] =
    "WITH " REPORT_SCHOOLS ", " REPORT_TUTEES ", " REPORT_TERM ","
    " win AS (SELECT starts_on AS ws, LEAST(ends_on, $5::date) AS we, z.tz,"
    "         starts_on::timestamp AT TIME ZONE z.tz AS t0,"
    "         (LEAST(ends_on, $5::date) + 1)::timestamp AT TIME ZONE z.tz AS t1,"
    "         ($5::date + 1)::timestamp AT TIME ZONE z.tz AS t_end,"
    "         ($5::date - $6::int + 1)::timestamp AT TIME ZONE z.tz AS t_grace"
    "         FROM term, (SELECT time_zone AS tz FROM calendar_settings) z),"
    /* per student, over the contacts from the window's start up to as_of: the last answer (sent by the
     * student, or a meeting attended), and whether a meeting was attended in the window. Its filter, and
     * outreach's below, are the predicates of the partial indexes of sql/027: keep them word for word, or
     * the scans fall back to every contact of the window */
    " ans AS (SELECT c.student_number, max(c.sort_at) AS last,"
    "   bool_or(c.kind IN ('meeting', 'group_meeting') AND c.attendance = 'attended' AND c.sort_at < win.t1) AS met"
    "   FROM win, contacts c WHERE c.sort_at >= win.t0 AND c.sort_at < win.t_end AND (c.direction = 'from_student'"
    "     OR (c.kind IN ('meeting', 'group_meeting') AND c.attendance = 'attended')) GROUP BY c.student_number),"
    " no_meeting AS (SELECT tee.*, 'no_attended_meeting_this_term' AS reason,"
    "   (SELECT '[' || COALESCE(string_agg(" EVIDENCE_TEXT(
        "c") ", ',' ORDER BY c.sort_at, c.id), '') || ']'"
             "     FROM contacts c"
             "     WHERE c.student_number = tee.student AND c.sort_at >= win.t0 AND c.sort_at < win.t1"
             "       AND c.kind IN ('meeting', 'group_meeting')) AS evidence,"
             "   'no attended meeting between ' || win.ws || ' and ' || win.we AS detail"
             "  FROM tee, win WHERE NOT EXISTS (SELECT 1 FROM ans WHERE ans.student_number = tee.student AND ans.met)),"
             " outreach AS (SELECT tee.student, tee.student_name, tee.school, tee.tutor, tee.tutor_name,"
             "   'unanswered_outreach' AS reason,"
             "   '[' || string_agg(" EVIDENCE_TEXT(
                 "o") ", ',' ORDER BY o.sort_at, o.id) || ']' AS evidence,"
                      "   count(*) || ' contact(s) from the tutor since ' || min((o.sort_at AT TIME ZONE win.tz)::date)"
                      "     || ' with no response' AS detail"
                      "  FROM win, tee JOIN contacts o ON o.student_number = tee.student"
                      "  LEFT JOIN ans r ON r.student_number = o.student_number"
                      "  WHERE o.sort_at >= win.t0 AND o.sort_at < win.t_grace AND o.occurred_at IS NOT NULL"
                      "    AND o.direction = 'to_student' AND o.kind IN ('email', 'message', 'phone', 'checkin')"
                      "    AND o.attendance <> 'cancelled' AND (r.last IS NULL OR r.last <= o.sort_at)"
                      "  GROUP BY tee.student, tee.student_name, tee.school, tee.tutor, tee.tutor_name)"
                      " SELECT x.school, x.tutor, x.student, x.reason, " ITEM_TEXT
                      " FROM (SELECT * FROM no_meeting UNION ALL SELECT * FROM outreach) x"
                      " ORDER BY x.school COLLATE \"C\", x.tutor COLLATE \"C\", x.student COLLATE \"C\", x.reason COLLATE \"C\"";

/* The report's head: as_of, the term, and an empty item list for the caller to fill. */
static const char ENGAGEMENT_HEAD_SQL[] =
    "WITH " REPORT_SCHOOLS ", " REPORT_TERM " SELECT json_build_object('as_of', $5::date," /* sc types $1..$4 */
    " 'term', (SELECT json_build_object('name', name, 'start', starts_on, 'end', ends_on) FROM term),"
    " 'items', '[]'::json)::text";

static const char TUTEES_SQL[] =
    "WITH " REPORT_SCHOOLS ", " REPORT_TUTEES " SELECT student, student_name, school, tutor, tutor_name FROM tee"
    " ORDER BY student COLLATE \"C\"";

/* Copies the text columns of each row of `res` into t (one block of text; NULL for a null). */
static enum app_status copy_table(const PGresult *res, struct report_table *t)
{
    size_t n = (size_t)PQntuples(res), cols = (size_t)PQnfields(res), size = 1, at = 0;
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++)
            size += (size_t)PQgetlength(res, (int)r, (int)c) + 1;
    if (!(t->cells = calloc(n * cols + 1, sizeof(*t->cells))) || !(t->text = malloc(size)))
        return APP_NOMEM;
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t len = (size_t)PQgetlength(res, (int)r, (int)c) + 1;
            memcpy(t->text + at, PQgetvalue(res, (int)r, (int)c), len);
            t->cells[r * cols + c] = PQgetisnull(res, (int)r, (int)c) ? NULL : t->text + at;
            at += len;
        }
    t->n = n;
    t->cols = cols;
    return APP_OK;
}

/* Runs `sql` and copies its rows into *out (zeroed first). */
static enum app_status table_query(struct db_conn *conn, const char *sql, int n, const char *const *params,
                                   struct report_table *out)
{
    PGresult *res = NULL;
    memset(out, 0, sizeof(*out));
    enum app_status st = db_query(conn, sql, n, params, &res, NULL);
    if (st == APP_OK)
        st = copy_table(res, out);
    PQclear(res);
    return st;
}

void repo_report_table_free(struct report_table *t)
{
    if (!t)
        return;
    free(t->cells);
    free(t->text);
    memset(t, 0, sizeof(*t));
}

enum app_status repo_report_engagement_start(struct db_conn *conn, const struct principal *who, const char *school,
                                             const char *as_of, int grace_days, json_t **head)
{
    struct access_scope scope;
    char grace[16];
    const char *params[6];
    school_params(who, school, &scope, params);
    snprintf(grace, sizeof(grace), "%d", grace_days);
    params[4] = as_of, params[5] = grace;
    enum app_status st = json_query(conn, ENGAGEMENT_HEAD_SQL, 5, params, head);
    return st == APP_OK ? db_send(conn, ENGAGEMENT_SQL, 6, params) : st;
}

enum app_status repo_report_engagement_finish(struct db_conn *conn, struct report_table *items)
{
    PGresult *res = NULL;
    memset(items, 0, sizeof(*items));
    enum app_status st = db_collect(conn, &res, NULL);
    if (st == APP_OK)
        st = copy_table(res, items);
    PQclear(res);
    return st;
}

enum app_status repo_report_tutees(struct db_conn *conn, const struct principal *who, const char *school,
                                   const char *as_of, struct report_table *out)
{
    struct access_scope scope;
    const char *params[5];
    school_params(who, school, &scope, params);
    params[4] = as_of;
    return table_query(conn, TUTEES_SQL, 5, params, out);
}

/* ---- workload ------------------------------------------------------------------------------------ */

/* On as_of ($5): a school's tutees are its students who are registered and not withdrawn or completed
 * (those the senior tutor answers for), `allocated` those of them with a personal tutor; its tutors are
 * its staff with the tutor role or any allocation in force, each with the distinct students they tutor
 * by kind and their personal tutees as a share of capacity (null when capacity is 0). The distinct
 * (tutor, kind, student) triples are hashed once and then counted, rather than three count(DISTINCT)s
 * sorting each tutor's allocations: 15 % of the statement at 40,000 students. Personal allocations need no
 * hashing: a student has one in force at most (allocations_one_personal_tutor excludes overlaps), so each
 * (tutor, student) of them is distinct already (another 6 %, psql, alternating).
 * "In force on as_of" is A_IN_FORCE_ON_5: the dates compared as dates rather than `a.period @> $5`, which
 * takes apart each row's stored range and compares its bounds through date_cmp. Every allocation is read
 * three times here, and the statement's median fell from 129.6-130.2 ms to 93.4-95.0 ms with it (psql,
 * 30 alternating executions of each on the 40k bench/gen database; same text for seven as_of days about
 * the allocations' first start and last end).
 * Each school's "tutors" is a string holding the array's JSON text, compact, as jansson writes it (the
 * route sends it as it is): 2,000 tutor objects parsed and written again cost tutord 30 ms a report. The
 * columns are NOT NULL; the staff number is quoted (JSON_PLAIN), the name is to_json's, which escapes as
 * jansson does but for the case of the hex digits in a control character's \u escape; round(…, 1)'s text
 * ("83.3", "100.0") is what jansson writes for the same double at 15 digits. */
/* clang-format off */
static const char WORKLOAD_SQL[] =
    "WITH " REPORT_SCHOOLS ","
    " pop AS (SELECT s.school, count(*) AS tutees, count(*) FILTER (WHERE s.student_number IN (SELECT"
    "     a.student_number FROM allocations a WHERE a.kind = 'personal' AND " A_IN_FORCE_ON_5 ")) AS allocated"
    "   FROM students s JOIN sc ON sc.code = s.school"
    "   WHERE s.status IN ('studying', 'year_abroad', 'placement', 'suspended') AND s.registered_on <= $5::date"
    "   GROUP BY s.school),"
    " al AS (SELECT a.staff_number, count(*) FILTER (WHERE a.kind = 'personal') AS tutees,"
    "   count(*) FILTER (WHERE a.kind = 'cover') AS cover, count(*) FILTER (WHERE a.kind = 'secondary') AS secondary"
    "   FROM (SELECT a.staff_number, a.kind FROM allocations a WHERE " A_IN_FORCE_ON_5 " AND a.kind = 'personal'"
    "         UNION ALL SELECT d.staff_number, d.kind FROM (SELECT DISTINCT a.staff_number, a.kind, a.student_number"
    "           FROM allocations a WHERE " A_IN_FORCE_ON_5 " AND a.kind <> 'personal') d) a GROUP BY a.staff_number),"
    " tut AS (SELECT t.school, t.staff_number, t.name, t.capacity, t.active,"
    "   COALESCE(al.tutees, 0) AS tutees, COALESCE(al.cover, 0) AS cover, COALESCE(al.secondary, 0) AS secondary"
    "   FROM staff t JOIN sc ON sc.code = t.school LEFT JOIN al ON al.staff_number = t.staff_number"
    "   WHERE 'tutor' = ANY (t.roles) OR al.staff_number IS NOT NULL),"
    " tj AS (SELECT tut.school, '[' || string_agg('{\"tutor\":' || " JSON_PLAIN("tut.staff_number")
    "       || ',\"name\":' || to_json(tut.name)::text || ',\"capacity\":' || tut.capacity"
    "       || ',\"tutees\":' || tut.tutees || ',\"cover_tutees\":' || tut.cover"
    "       || ',\"secondary_tutees\":' || tut.secondary"
    "       || ',\"pct_of_capacity\":' || COALESCE(round(100.0 * tut.tutees / NULLIF(tut.capacity, 0), 1)::text, 'null')"
    "       || ',\"over_capacity\":' || (tut.tutees > tut.capacity)::text"
    "       || ',\"active\":' || tut.active::text || '}', ',' ORDER BY tut.staff_number) || ']'"
    "       AS tutors"
    "   FROM tut GROUP BY tut.school)"
    " SELECT json_build_object('school', sc.code, 'as_of', $5::date,"
    "   'tutees', COALESCE(pop.tutees, 0), 'allocated', COALESCE(pop.allocated, 0))::text, COALESCE(tj.tutors, '[]')"
    " FROM sc LEFT JOIN pop ON pop.school = sc.code LEFT JOIN tj ON tj.school = sc.code ORDER BY sc.code";
/* clang-format on */

enum app_status repo_report_workload(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *as_of, json_t **out)
{
    struct access_scope scope;
    const char *params[5];
    school_params(who, school, &scope, params);
    params[4] = as_of;
    PGresult *res = NULL;
    *out = NULL;
    enum app_status st = db_query(conn, WORKLOAD_SQL, 5, params, &res, NULL);
    if (st == APP_OK && !(*out = json_array()))
        st = APP_NOMEM;
    for (int r = 0; st == APP_OK && r < PQntuples(res); r++) { /* {school, as_of, tutees, allocated}, tutors */
        json_t *row = json_loads(PQgetvalue(res, r, 0), 0, NULL);
        json_t *tutors = json_stringn_nocheck(PQgetvalue(res, r, 1), (size_t)PQgetlength(res, r, 1));
        if (!row || !tutors || json_object_set(row, "tutors", tutors) != 0 || json_array_append(*out, row) != 0)
            st = APP_NOMEM;
        json_decref(row);
        json_decref(tutors);
    }
    PQclear(res);
    if (st != APP_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

/* ---- policies ------------------------------------------------------------------------------------ */

/* Each school's policy version in force on $5: the last to take effect on or before it, else the
 * earliest (as pe_policy_in_force picks). */
static const char POLICIES_SQL[] =
    "WITH " REPORT_SCHOOLS " SELECT COALESCE(json_object_agg(p.school, p.policy), '{}')::text FROM ("
    "  SELECT DISTINCT ON (v.school) v.school, v.policy FROM school_policy_versions v JOIN sc ON sc.code = v.school"
    "  ORDER BY v.school, v.effective_from <= $5::date DESC,"
    "   CASE WHEN v.effective_from <= $5::date THEN v.effective_from END DESC, v.effective_from) p";

enum app_status repo_report_policies(struct db_conn *conn, const struct principal *who, const char *school,
                                     const char *as_of, json_t **out)
{
    struct access_scope scope;
    const char *params[5];
    school_params(who, school, &scope, params);
    params[4] = as_of;
    return json_query(conn, POLICIES_SQL, 5, params, out);
}
