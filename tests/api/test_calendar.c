/* test_calendar.c — GET/PUT /calendar: any role reads, only an admin replaces; validation names the
 * field and leaves the calendar unchanged; If-Match. The suite owns the calendar (one row per
 * institution), so it restores what it found. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static const char GOOD[] = "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/"
                           "27\",\"start\":\"2026-09-14\",\"end\":\"2027-06-30\","
                           "\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-28\",\"end\":\"2026-12-11\"},"
                           "{\"name\":\"Spring\",\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"}]},"
                           "{\"label\":\"2027/28\",\"start\":\"2027-09-13\",\"end\":\"2028-06-30\",\"terms\":[]}],"
                           "\"closures\":[{\"date\":\"2026-12-25\",\"reason\":\"Christmas Day\"},"
                           "{\"date\":\"2026-12-28\",\"reason\":\"Boxing Day (substitute day)\"}]}";

static char *saved;

static void setup(void)
{
    world_setup();
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", "/calendar", w.tok_admin, NULL, &r), 200);
    json_t *doc = r.json;
    json_object_del(doc, "version");
    json_object_del(doc, "updated_at");
    saved = json_dumps(doc, JSON_COMPACT);
    harness_response_free(&r);
}

static void teardown(void)
{
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin, saved), 200);
    free(saved);
    world_teardown();
}

static long count_of(const char *table)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return harness_sql_long(sql, 0, NULL);
}

static const char WITH_WELCOME_WEEK[] =
    "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-06-30\",\"terms\":[{\"name\":\"Welcome Week\",\"start\":\"2026-09-21\","
    "\"end\":\"2026-09-25\",\"teaching\":false},{\"name\":\"Autumn\",\"start\":\"2026-09-28\","
    "\"end\":\"2026-12-11\"}]}],\"closures\":[]}";

/* A term can be marked as not a teaching term (Welcome Week); terms are teaching terms by default. */
START_TEST(test_non_teaching_term_round_trip)
{
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", "/calendar", w.tok_admin, WITH_WELCOME_WEEK, &r), 200);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", "/calendar", w.tok_tutor_a, NULL, &r), 200);
    json_t *terms = json_object_get(json_array_get(json_object_get(r.json, "years"), 0), "terms");
    ck_assert_int_eq(json_array_size(terms), 2);
    ck_assert(json_is_false(json_object_get(json_array_get(terms, 0), "teaching")));
    ck_assert(json_is_true(json_object_get(json_array_get(terms, 1), "teaching")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin,
                               "{\"time_zone\":\"UTC\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
                               "\"end\":\"2027-06-30\",\"terms\":[{\"name\":\"A\",\"start\":\"2026-09-21\","
                               "\"end\":\"2026-09-25\",\"teaching\":\"no\"}]}],\"closures\":[]}"),
                     422);
}
END_TEST

static const char WITH_SEMESTERS[] =
    "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-06-30\",\"terms\":[{\"name\":\"Welcome Week\",\"start\":\"2026-09-21\","
    "\"end\":\"2026-09-25\",\"teaching\":false},{\"name\":\"Autumn\",\"start\":\"2026-09-28\","
    "\"end\":\"2026-12-11\",\"semester\":1},{\"name\":\"Spring\",\"start\":\"2027-01-11\","
    "\"end\":\"2027-03-26\",\"semester\":2},{\"name\":\"Summer\",\"start\":\"2027-04-26\","
    "\"end\":\"2027-06-11\",\"semester\":2}]}],\"closures\":[]}";

/* The semester of term `i` of the first year in a calendar document, 0 when the term carries none. */
static long semester_of(const json_t *doc, size_t i)
{
    const json_t *term = json_array_get(json_object_get(json_array_get(json_object_get(doc, "years"), 0), "terms"), i);
    ck_assert_ptr_nonnull(term);
    const json_t *sem = json_object_get(term, "semester");
    ck_assert(sem == NULL || json_is_integer(sem));
    return sem ? (long)json_integer_value(sem) : 0;
}

/* Terms carry their semester (1..4) through PUT and GET, in the order of their dates; a term without one
 * (Welcome Week) carries none; the column holds it. */
START_TEST(test_semesters_round_trip)
{
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", "/calendar", w.tok_admin, WITH_SEMESTERS, &r), 200);
    ck_assert_int_eq(semester_of(r.json, 1), 1);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", "/calendar", w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(semester_of(r.json, 0), 0);
    ck_assert_int_eq(semester_of(r.json, 1), 1);
    ck_assert_int_eq(semester_of(r.json, 2), 2);
    ck_assert_int_eq(semester_of(r.json, 3), 2);
    harness_response_free(&r);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM terms WHERE semester = 2", 0, NULL), 2);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM terms WHERE semester IS NULL", 0, NULL), 1);
    /* GET's document, read-only fields removed, is a valid PUT: the semesters survive a second round */
    ck_assert_int_eq(tt_call("GET", "/calendar", w.tok_admin, NULL, &r), 200);
    json_object_del(r.json, "version");
    json_object_del(r.json, "updated_at");
    char *again = json_dumps(r.json, JSON_COMPACT);
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin, again), 200);
    free(again);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM terms WHERE semester = 2", 0, NULL), 2);
}
END_TEST

/* A semester outside 1..4, or not an integer, is refused by the engine's parser with the field named. */
START_TEST(test_semester_refused)
{
    static const char *const bad[][2] = {
        {"\"semester\":1}", "\"semester\":0}"},
        {"\"semester\":1}", "\"semester\":5}"},
        {"\"semester\":1}", "\"semester\":\"1\"}"},
        {"\"semester\":1}", "\"semester\":1.5}"},
    };
    long version = harness_sql_long("SELECT version FROM calendar_settings", 0, NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[2048];
        const char *at = strstr(WITH_SEMESTERS, bad[i][0]);
        ck_assert_ptr_nonnull(at);
        snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - WITH_SEMESTERS), WITH_SEMESTERS, bad[i][1],
                 at + strlen(bad[i][0]));
        tt_refused("PUT", "/calendar", w.tok_admin, body, 422, "years[0].terms[1].semester");
    }
    ck_assert_int_eq(harness_sql_long("SELECT version FROM calendar_settings", 0, NULL), version);
}
END_TEST

/* The engine's reading is the one check: a teaching term without a semester in a calendar that groups
 * terms is refused, naming it; terms going back to an earlier semester are refused; a year may still come
 * without terms. */
START_TEST(test_semesters_all_or_none)
{
    char body[2048];
    const char *at = strstr(WITH_SEMESTERS, ",\"semester\":2}]");
    ck_assert_ptr_nonnull(at);
    snprintf(body, sizeof(body), "%.*s}]%s", (int)(at - WITH_SEMESTERS), WITH_SEMESTERS,
             at + strlen(",\"semester\":2}]"));
    tt_refused("PUT", "/calendar", w.tok_admin, body, 422, "years[0].terms[3].semester");
    at = strstr(WITH_SEMESTERS, "\"semester\":1}");
    snprintf(body, sizeof(body), "%.*s\"semester\":3}%s", (int)(at - WITH_SEMESTERS), WITH_SEMESTERS,
             at + strlen("\"semester\":1}"));
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin, body), 422);
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin,
                               "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\","
                               "\"start\":\"2026-09-14\",\"end\":\"2027-06-30\"}],\"closures\":[]}"),
                     200);
}
END_TEST

START_TEST(test_everyone_reads)
{
    const char *tokens[] = {w.tok_admin, w.tok_registry, w.tok_senior_x, w.tok_tutor_a, w.tok_student_a};
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        ck_assert_int_eq(tt_status("GET", "/calendar", tokens[i], NULL), 200);
    ck_assert_int_eq(tt_status("GET", "/calendar", NULL, NULL), 401);
}
END_TEST

START_TEST(test_only_admin_writes)
{
    long version = harness_sql_long("SELECT version FROM calendar_settings", 0, NULL);
    const char *tokens[] = {w.tok_registry, w.tok_senior_x, w.tok_tutor_a, w.tok_student_a};
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        ck_assert_int_eq(tt_status("PUT", "/calendar", tokens[i], GOOD), 403);
    ck_assert_int_eq(tt_status("PUT", "/calendar", NULL, GOOD), 401);
    ck_assert_int_eq(harness_sql_long("SELECT version FROM calendar_settings", 0, NULL), version);
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", "/calendar", w.tok_admin, GOOD, &r), 200);
    json_t *years = json_object_get(r.json, "years");
    ck_assert_int_eq(json_array_size(years), 2);
    ck_assert_int_eq(json_array_size(json_object_get(json_array_get(years, 0), "terms")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "closures")), 2);
    harness_response_free(&r);
    ck_assert_int_eq(count_of("terms"), 2);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM audit WHERE action = 'calendar.replace'", 0, NULL) > 0, 1);
    /* If-Match */
    const char *stale[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(harness_request("PUT", "/calendar", w.tok_admin, "application/json", GOOD, stale, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
}
END_TEST

/* Replaces one fragment of GOOD and expects a 422 naming `field`, with the calendar unchanged. */
static void refused(const char *from, const char *to, const char *field)
{
    char body[2048];
    const char *at = strstr(GOOD, from);
    ck_assert_ptr_nonnull(at);
    snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
    long version = harness_sql_long("SELECT version FROM calendar_settings", 0, NULL);
    long closures = count_of("closures"), years = count_of("academic_years");
    tt_refused("PUT", "/calendar", w.tok_admin, body, 422, field);
    ck_assert_int_eq(harness_sql_long("SELECT version FROM calendar_settings", 0, NULL), version);
    ck_assert_int_eq(count_of("closures"), closures);
    ck_assert_int_eq(count_of("academic_years"), years);
}

START_TEST(test_bad_input)
{
    refused("\"Europe/London\"", "\"Mars/Olympus\"", "time_zone");
    refused("\"Europe/London\"", "42", "time_zone");
    refused("\"2026/27\"", "\"2026-27\"", "years[0].label");
    refused("\"start\":\"2026-09-14\"", "\"start\":\"2026-02-30\"", "years[0].start");
    refused("\"end\":\"2027-06-30\"", "\"end\":\"2026-01-01\"", "years[0].end");
    refused("\"start\":\"2027-09-13\"", "\"start\":\"2027-06-01\"", "years"); /* overlap */
    refused("\"end\":\"2026-12-11\"", "\"end\":\"2026-09-01\"", "years[0].terms[0].end");
    refused("\"start\":\"2027-01-11\"", "\"start\":\"2026-01-11\"", "years[0].terms[1]"); /* outside */
    refused("\"Spring\"", "\"Autumn\"", "years[0].terms[1].name");
    refused("\"Christmas Day\"", "\"\"", "closures[0].reason");
    refused("\"date\":\"2026-12-28\"", "\"date\":\"2026-12-25\"", "closures[1].date");
    refused("\"date\":\"2026-12-28\"", "\"day\":\"2026-12-28\"", "closures[1].day");
    refused("\"closures\":[", "\"colour\":\"red\",\"closures\":[", "colour");
    refused("\"closures\":[", "\"version\":3,\"closures\":[", "version");
    refused("\"years\":[", "\"years\":[7,", "years[0]");
}
END_TEST

/* GOOD with its time zone replaced by `zone`, into body. */
static void with_zone(const char *zone, char *body, size_t size)
{
    const char *at = strstr(GOOD, "Europe/London");
    snprintf(body, size, "%.*s%s%s", (int)(at - GOOD), GOOD, zone, at + strlen("Europe/London"));
}

/* A zone the engine cannot evaluate is refused by the engine's own reading, on the field, with the
 * calendar unchanged: tzdata's right/ zones count leap seconds and their files carry no POSIX rule
 * (RFC 8536 §3.3), so there is nothing to evaluate deadlines with. The same zone from the posix/ tree
 * (no leap seconds, a rule) is taken. */
START_TEST(test_zone_the_engine_cannot_evaluate)
{
    char body[sizeof(GOOD) + 32];
    refused("\"Europe/London\"", "\"right/Europe/London\"", "time_zone");
    with_zone("right/Europe/London", body, sizeof(body));
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", "/calendar", w.tok_admin, body, &r), 422);
    const json_t *first = json_array_get(json_object_get(r.json, "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "field")), "time_zone");
    ck_assert_str_eq(json_string_value(json_object_get(first, "message")),
                     "must be a POSIX TZ rule or a known zone name");
    harness_response_free(&r);
    with_zone("posix/Europe/London", body, sizeof(body));
    ck_assert_int_eq(tt_status("PUT", "/calendar", w.tok_admin, body), 200);
    char *zone = harness_sql("SELECT time_zone FROM calendar_settings", 0, NULL);
    ck_assert_str_eq(zone, "posix/Europe/London");
    free(zone);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_everyone_reads,
        test_non_teaching_term_round_trip,
        test_only_admin_writes,
        test_bad_input,
        test_semesters_round_trip,
        test_semester_refused,
        test_semesters_all_or_none,
        test_zone_the_engine_cannot_evaluate,
        NULL,
    };
    return harness_run_suite("calendar", tests, setup, teardown);
}
