/* test_feedback.c — feedback invitations (who is invited: studying and away students registered by today,
 * active tutors and senior tutors; who may invite and read; bad input refused with nothing written;
 * pages; Idempotency-Key; the event and audit row without names) and Student Academic Experience Survey
 * results (PUT/GET with ETags and If-Match, bad input, access, the year in the path) with the two Tutee
 * Satisfaction KPIs they complete: the school's figure, null when not recorded, and the institution's
 * mean of the schools that recorded one, in JSON and CSV.
 *
 * Invitations and the survey tests use the academic year 2012/13 and the KPI test 2013/14 (inserted when
 * missing), each test its own fresh schools. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* Inserts academic year `label` (September to June) when missing. */
static void year(const char *label, const char *starts, const char *ends)
{
    const char *params[3] = {label, starts, ends};
    free(harness_sql("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ($1, $2::date, $3::date)"
                     " ON CONFLICT DO NOTHING",
                     3, params));
}

static void setup(void)
{
    world_setup();
    year("2012/13", "2012-09-10", "2013-06-28");
    year("2013/14", "2013-09-09", "2014-06-27");
}

static void invitations_path(char *buf, size_t size, const char *school, const char *rest)
{
    if (snprintf(buf, size, "/schools/%s/feedback-invitations%s", school, rest) >= (int)size)
        ck_abort_msg("path too long");
}

static long invitations_of(const char *school)
{
    return tt_count("SELECT count(*) FROM feedback_invitations WHERE school = $1", school);
}

/* The members of a list response's items named `key`, joined by ',' in order, into out. */
static void members(const struct tt_response *r, const char *a, const char *b, char *out, size_t size)
{
    size_t i;
    const json_t *it;
    out[0] = '\0';
    json_array_foreach(json_object_get(r->json, "items"), i, it)
    {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s:%s", i ? "," : "", json_string_value(json_object_get(it, a)),
                 json_string_value(json_object_get(it, b)));
    }
}

/* qsort order of two strings (C collation, as the invitees are listed). */
static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Inserts a student of `school` with `status`, registered `days` days from today (institution time). */
static void student_on(const char *number, const char *school, const char *status, const char *days)
{
    const char *params[4] = {number, school, status, days};
    free(harness_sql("INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)"
                     " VALUES ($1, 'Student ' || $1, lower($1) || '@uni.example', $2, '4', 'UG', $3,"
                     " (SELECT (now() AT TIME ZONE time_zone)::date FROM calendar_settings) + $4::int)",
                     4, params));
}

/* Invited: A and B, the students away (year abroad, placement, suspended) and one registered today; not
 * withdrawn or completed students, nor one registered tomorrow. Tutors: TA, TB, SX and a senior tutor
 * without the tutor role; not an inactive tutor, support staff, or school Y's senior tutor. */
START_TEST(test_invite_records_who_is_invited)
{
    static const struct {
        const char *status, *days;
        int invited;
    } who[] = {{"year_abroad", "-10", 1}, {"placement", "-10", 1}, {"suspended", "-10", 1}, {"studying", "0", 1},
               {"withdrawn", "-10", 0},   {"completed", "-10", 0}, {"studying", "1", 0}};
    enum { N = sizeof(who) / sizeof(who[0]) };
    char number[N][24], idle[24], support[24], senior[24], path[128], body[256];
    const char *tutees[N + 2] = {w.student_a, w.student_b};
    size_t n = 2;
    for (size_t i = 0; i < N; i++) {
        harness_unique("S", number[i], sizeof(number[i]));
        student_on(number[i], w.school_x, who[i].status, who[i].days);
        if (who[i].invited)
            tutees[n++] = number[i];
    }
    harness_unique("T", idle, sizeof(idle));
    harness_unique("T", support, sizeof(support));
    harness_unique("T", senior, sizeof(senior));
    tt_tutor(idle, w.school_x, "{tutor}", 30, 0);   /* inactive: not */
    tt_staff(support, w.school_x, "{support}");     /* not a tutor: not */
    tt_staff(senior, w.school_x, "{senior_tutor}"); /* invited */
    invitations_path(path, sizeof(path), w.school_x, "");
    struct tt_response r;
    ck_assert_int_eq(
        tt_call("POST", path, w.tok_senior_x, "{\"year\":\"2012/13\",\"audience\":[\"tutees\",\"tutors\"]}", &r), 201);
    const json_t *invited = json_object_get(r.json, "invited");
    ck_assert_int_eq(json_integer_value(json_object_get(invited, "tutees")), (long long)n);
    ck_assert_int_eq(json_integer_value(json_object_get(invited, "tutors")), 4);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "school")), w.school_x);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "year")), "2012/13");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "invited_by")), w.senior_x);
    char *id = tt_id(&r);
    harness_response_free(&r);
    snprintf(body, sizeof(body), "/%s/invitees?role=tutee", id);
    invitations_path(path, sizeof(path), w.school_x, body);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    char got[1024], want[1024] = "";
    members(&r, "role", "person", got, sizeof(got));
    qsort(tutees, n, sizeof(tutees[0]), by_text);
    for (size_t i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%stutee:%s", i ? "," : "", tutees[i]);
    ck_assert_str_eq(got, want);
    harness_response_free(&r);
    /* the event and the audit row carry the counts, no names */
    char *payload = harness_sql("SELECT payload::text FROM events WHERE kind = 'feedback.invited'"
                                " AND payload->>'id' = $1",
                                1, (const char *const[]){id});
    ck_assert_ptr_nonnull(strstr(payload, "\"tutees\": 6"));
    ck_assert_ptr_null(strstr(payload, "Student "));
    ck_assert_ptr_null(strstr(payload, w.student_a));
    free(payload);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM audit WHERE action = 'feedback_invitation.create'"
                              " AND entity_id = $1",
                              id),
                     1);
    free(id);
    /* tutors only */
    invitations_path(path, sizeof(path), w.school_x, "");
    ck_assert_int_eq(tt_call("POST", path, w.tok_admin, "{\"year\":\"2012/13\",\"audience\":[\"tutors\"]}", &r), 201);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r.json, "invited"), "tutees")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r.json, "invited"), "tutors")), 4);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_invite_access)
{
    static const char BODY[] = "{\"year\":\"2012/13\",\"audience\":[\"tutees\"]}";
    char path[128], other[128];
    invitations_path(path, sizeof(path), w.school_x, "");
    ck_assert_int_eq(tt_status("POST", path, NULL, BODY), 401);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, BODY), 403); /* another school's senior tutor */
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, BODY), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, BODY), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, BODY), 403);
    ck_assert_int_eq(invitations_of(w.school_x), 0);
    ck_assert_int_eq(tt_status("POST", "/schools/NOSUCH9/feedback-invitations", w.tok_admin, BODY), 404);
    char *id = tt_post_id(path, w.tok_senior_x, BODY);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_x), 1);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_admin), 1);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_y), -403);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_tutor_a), -403);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_student_a), -403);
    snprintf(other, sizeof(other), "/%s/invitees", id);
    invitations_path(path, sizeof(path), w.school_x, other);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_x), 2);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_y), -403);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_tutor_a), -403);
    invitations_path(path, sizeof(path), w.school_y, other); /* the invitation is not school Y's */
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_y), -404);
    invitations_path(path, sizeof(path), w.school_x, "/999999999/invitees");
    ck_assert_int_eq(tt_list_count(path, "", w.tok_admin), -404);
    free(id);
}
END_TEST

START_TEST(test_invite_bad_input_writes_nothing)
{
    char path[128];
    invitations_path(path, sizeof(path), w.school_x, "");
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"year\":\"2012-13\",\"audience\":[\"tutees\"]}", "year"},
        {"{\"year\":\"2012/14\",\"audience\":[\"tutees\"]}", "year"},
        {"{\"year\":\"2098/99\",\"audience\":[\"tutees\"]}", "year"}, /* well formed, not in the calendar */
        {"{\"audience\":[\"tutees\"]}", "year"},
        {"{\"year\":\"2012/13\",\"audience\":[]}", "audience"},
        {"{\"year\":\"2012/13\",\"audience\":[\"parents\"]}", "audience"},
        {"{\"year\":\"2012/13\",\"audience\":[\"tutees\",\"tutees\"]}", "audience"},
        {"{\"year\":\"2012/13\"}", "audience"},
        {"{\"year\":\"2012/13\",\"audience\":[\"tutees\"],\"invited\":{\"tutees\":9}}", "invited"},
        {"{\"year\":\"2012/13\",\"audience\":[\"tutees\"],\"school\":\"X\"}", "school"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("POST", path, w.tok_senior_x, cases[i].body, 422, cases[i].field);
    ck_assert_int_eq(invitations_of(w.school_x), 0);
}
END_TEST

START_TEST(test_invitation_pages_and_idempotency)
{
    char path[128], query[192];
    invitations_path(path, sizeof(path), w.school_x, "");
    free(tt_post_id(path, w.tok_senior_x, "{\"year\":\"2012/13\",\"audience\":[\"tutees\"]}"));
    free(tt_post_id(path, w.tok_senior_x, "{\"year\":\"2013/14\",\"audience\":[\"tutors\"]}"));
    static const char BODY[] = "{\"year\":\"2012/13\",\"audience\":[\"tutees\",\"tutors\"]}";
    static const char *const key[] = {"Idempotency-Key: feedback-invite-1", NULL};
    struct tt_response a, b;
    ck_assert_int_eq(harness_request("POST", path, w.tok_senior_x, "application/json", BODY, key, &a), 0);
    ck_assert_int_eq(harness_request("POST", path, w.tok_senior_x, "application/json", BODY, key, &b), 0);
    ck_assert_int_eq(a.status, 201);
    ck_assert_int_eq(b.status, 201);
    ck_assert_str_eq(a.body, b.body);
    harness_response_free(&a), harness_response_free(&b);
    ck_assert_int_eq(invitations_of(w.school_x), 3);
    ck_assert_int_eq(tt_list_count(path, "year=2012/13", w.tok_senior_x), 2);
    ck_assert_int_eq(tt_list_count(path, "year=2013/14", w.tok_senior_x), 1);
    ck_assert_int_eq(tt_list_count(path, "year=2013-14", w.tok_senior_x), -400);
    struct tt_response r;
    snprintf(query, sizeof(query), "%s?limit=2", path);
    ck_assert_int_eq(tt_call("GET", query, w.tok_senior_x, NULL, &r), 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 2);
    const char *cursor = json_string_value(json_object_get(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    snprintf(query, sizeof(query), "%s?limit=2&cursor=%s", path, cursor);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", query, w.tok_senior_x, NULL, &r), 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    const json_t *last = json_array_get(json_object_get(r.json, "items"), 0);
    char *id = harness_sql("SELECT max(id)::text FROM feedback_invitations WHERE school = $1", 1,
                           (const char *const[]){w.school_x});
    ck_assert_int_eq(json_integer_value(json_object_get(last, "id")), atol(id));
    harness_response_free(&r);
    /* the invitees of the last one, two to a page: TA, TB, SX, then A and B */
    snprintf(query, sizeof(query), "%s/%s/invitees?limit=2", path, id);
    size_t seen = 0;
    for (int pages = 0; pages < 5; pages++) {
        ck_assert_int_eq(tt_call("GET", query, w.tok_senior_x, NULL, &r), 200);
        seen += json_array_size(json_object_get(r.json, "items"));
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        if (next)
            snprintf(query, sizeof(query), "%s/%s/invitees?limit=2&cursor=%s", path, id, next);
        harness_response_free(&r);
        if (!next)
            break;
    }
    ck_assert_uint_eq(seen, 5);
    snprintf(query, sizeof(query), "%s/%s/invitees", path, id);
    ck_assert_int_eq(tt_list_count(query, "role=tutor", w.tok_senior_x), 3);
    ck_assert_int_eq(tt_list_count(query, "role=parent", w.tok_senior_x), -400);
    free(id);
}
END_TEST

/* ---- survey results -------------------------------------------------------------------------------- */

static void survey_path(char *buf, size_t size, const char *school, const char *year_path)
{
    if (snprintf(buf, size, "/schools/%s/survey-results/%s", school, year_path) >= (int)size)
        ck_abort_msg("path too long");
}

static char *survey_row(const char *school)
{
    return harness_sql("SELECT COALESCE((SELECT contact_pct || '|' || COALESCE(positive_pct::text, '-') || '|' ||"
                       " actions || '|' || version FROM survey_results WHERE school = $1 AND year = '2012/13'), '')",
                       1, (const char *const[]){school});
}

START_TEST(test_survey_put_get_and_if_match)
{
    char path[128];
    survey_path(path, sizeof(path), w.school_x, "2012-13");
    struct tt_response r;
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 404); /* nothing recorded yet */
    static const char FIRST[] = "{\"contact_pct\":82.5,\"positive_pct\":null,\"actions\":\"Drop-in hours\"}";
    ck_assert_int_eq(tt_call("PUT", path, w.tok_senior_x, FIRST, &r), 201);
    ck_assert_str_eq(r.etag, "\"1\"");
    ck_assert(json_number_value(json_object_get(r.json, "contact_pct")) == 82.5);
    ck_assert(json_is_null(json_object_get(r.json, "positive_pct")));
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "year")), "2012/13");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "recorded_by")), w.senior_x);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("PUT", path, w.tok_senior_x, FIRST, &r), 200); /* the same: no new version */
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "actions")), "Drop-in hours");
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    static const char *const match1[] = {"If-Match: \"1\"", NULL};
    static const char SECOND[] = "{\"contact_pct\":80,\"positive_pct\":71.25,\"actions\":\"Drop-in hours; FAQ\"}";
    ck_assert_int_eq(harness_request("PUT", path, w.tok_senior_x, "application/json", SECOND, match1, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.etag, "\"2\"");
    harness_response_free(&r);
    char *before = survey_row(w.school_x);
    ck_assert_int_eq(harness_request("PUT", path, w.tok_senior_x, "application/json", FIRST, match1, &r), 0);
    ck_assert_int_eq(r.status, 412); /* stale */
    harness_response_free(&r);
    char *after = survey_row(w.school_x);
    ck_assert_str_eq(after, before);
    ck_assert_str_eq(after, "80.00|71.25|Drop-in hours; FAQ|2");
    free(before), free(after);
    /* two changes, two events (the no-op and the refused write none) */
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE kind = 'survey_results.recorded' AND subject = $1", w.school_x), 2);
}
END_TEST

START_TEST(test_survey_bad_input_access_and_year)
{
    char path[128], big[4100 + 64];
    survey_path(path, sizeof(path), w.school_x, "2012-13");
    static const char OK[] = "{\"contact_pct\":50,\"positive_pct\":50,\"actions\":\"\"}";
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"contact_pct\":100.01}", "contact_pct"},
        {"{\"contact_pct\":-0.5}", "contact_pct"},
        {"{\"positive_pct\":\"90\"}", "positive_pct"},
        {"{\"positive_pct\":true}", "positive_pct"},
        {"{\"actions\":7}", "actions"},
        {"{\"version\":3}", "version"},
        {"{\"school\":\"X\"}", "school"},
        {"{\"respondents\":40}", "respondents"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("PUT", path, w.tok_senior_x, cases[i].body, 422, cases[i].field);
    snprintf(big, sizeof(big), "{\"actions\":\"%4001d\"}", 1);
    tt_refused("PUT", path, w.tok_senior_x, big, 422, "actions");
    char *row = survey_row(w.school_x);
    ck_assert_str_eq(row, ""); /* nothing written */
    free(row);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_senior_y, OK), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_tutor_a, OK), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_student_a, OK), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_registry, OK), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_admin, "{\"contact_pct\":0,\"positive_pct\":100}"), 201);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 403);
    static const char *const years[] = {"2012-14", "2098-99", "2012%2F13", "201213", "2012-1x"};
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        survey_path(path, sizeof(path), w.school_x, years[i]);
        ck_assert_msg(tt_status("PUT", path, w.tok_admin, OK) == 404, "PUT %s", years[i]);
        ck_assert_msg(tt_status("GET", path, w.tok_admin, NULL) == 404, "GET %s", years[i]);
    }
    survey_path(path, sizeof(path), "NOSUCH9", "2012-13");
    ck_assert_int_eq(tt_status("PUT", path, w.tok_admin, OK), 404);
}
END_TEST

/* The two Tutee Satisfaction KPIs for 2013/14: school X 80 / 60.5, school Y 70 / not recorded, a third
 * school nothing. Institution: the mean of the schools that recorded each (75, 60.5). */
START_TEST(test_kpis_show_the_survey_figures)
{
    char path[160], z[24];
    tt_new_school(z, sizeof(z), "Z", NULL);
    survey_path(path, sizeof(path), w.school_x, "2013-14");
    tt_expect_status("PUT", path, w.tok_senior_x, "{\"contact_pct\":80,\"positive_pct\":60.5}", 201);
    survey_path(path, sizeof(path), w.school_y, "2013-14");
    tt_expect_status("PUT", path, w.tok_senior_y, "{\"contact_pct\":70,\"positive_pct\":null}", 201);
    struct tt_response r;
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2013/14", w.school_x);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert(json_number_value(json_object_get(r.json, "pct_saes_contact_approval")) == 80);
    ck_assert(json_number_value(json_object_get(r.json, "pct_saes_positive_experience")) == 60.5);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2013/14", w.school_y);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_number_value(json_object_get(r.json, "pct_saes_contact_approval")) == 70);
    ck_assert(json_is_null(json_object_get(r.json, "pct_saes_positive_experience")));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2013/14", z);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "pct_saes_contact_approval")));
    ck_assert(json_is_null(json_object_get(r.json, "pct_saes_positive_experience")));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2012/13", w.school_x); /* another year */
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "pct_saes_contact_approval")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", "/reports/kpis?year=2013/14", w.tok_admin, NULL, &r), 200);
    const json_t *total = json_object_get(r.json, "total");
    ck_assert(json_number_value(json_object_get(total, "pct_saes_contact_approval")) == 75);
    ck_assert(json_number_value(json_object_get(total, "pct_saes_positive_experience")) == 60.5);
    harness_response_free(&r);
    static const char *const csv[] = {"Accept: text/csv", NULL};
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2013/14", w.school_x);
    ck_assert_int_eq(harness_request("GET", path, w.tok_admin, NULL, NULL, csv, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "pct_saes_contact_approval,pct_saes_positive_experience\r\n"));
    char *row = strstr(r.body, "\r\n") + 2, *end = strstr(row, "\r\n"), *last = NULL;
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    last = strrchr(row, ',');
    ck_assert(strtod(last + 1, NULL) == 60.5);
    *last = '\0';
    ck_assert(strtod(strrchr(row, ',') + 1, NULL) == 80);
    harness_response_free(&r);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_invite_records_who_is_invited,   test_invite_access,
        test_invite_bad_input_writes_nothing, test_invitation_pages_and_idempotency,
        test_survey_put_get_and_if_match,     test_survey_bad_input_access_and_year,
        test_kpis_show_the_survey_figures,    NULL,
    };
    return harness_run_suite("feedback", tests, setup, world_teardown);
}
