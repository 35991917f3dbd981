/* test_eval_cache.c — tutord keeps the parsed calendar and policy versions between requests
 * (api/store/eval_cache.h); a change is seen by the very next request, whichever of the server's threads
 * serves it: PUT /calendar, a calendar change made in SQL (the stamp of sql/020), PUT
 * /schools/{code}/policy. Each check asks the same question from several client threads at once, before
 * and after the change, so that the answers come from several server threads. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "worlds.h"

/* Requests asked at once (more than the server's threads). */
#define PROBES 12

/* The compliance world's calendar with Monday 2026-10-26 closed: A's message of Friday 23rd is then due
 * by Thursday 29th, the day TA answered it: met (a met finding has no due day). */
static const char CLOSED_MONDAY[] =
    "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-09-12\",\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-21\",\"end\":\"2026-12-11\"},"
    "{\"name\":\"Spring\",\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"},"
    "{\"name\":\"Summer\",\"start\":\"2027-04-26\",\"end\":\"2027-06-11\"}]}],"
    "\"closures\":[{\"date\":\"2026-10-26\",\"reason\":\"Staff day\"},"
    "{\"date\":\"2026-12-25\",\"reason\":\"Christmas Day\"}]}";

static const char LEICESTER[] = "University of Leicester Code of Practice on Personal Tutoring";
static const char ESSEX[] = "University of Essex Personal Tutor Policy";

/* One answer to GET /students/{A}/compliance?as_of=2026-11-01: the response rule's due day and status,
 * and the policy's name. */
struct probe {
    long status;
    char due[16], verdict[16], policy[128];
};

/* Copies a string member of `obj` (or "") into dst. */
static void copy_member(char *dst, size_t size, json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    snprintf(dst, size, "%s", v ? v : "");
}

/* A client thread: asks once and records the answer (the assertions run on the main thread). */
static void *ask(void *arg)
{
    struct probe *p = arg;
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=2026-11-01", cw.student_a);
    if (harness_json("GET", path, cw.tok_admin, NULL, &r) != 0)
        return NULL;
    p->status = r.status;
    json_t *f = tt_finding(json_object_get(r.json, "findings"), "response");
    copy_member(p->due, sizeof(p->due), f, "due");
    copy_member(p->verdict, sizeof(p->verdict), f, "status");
    copy_member(p->policy, sizeof(p->policy), json_object_get(r.json, "policy"), "name");
    harness_response_free(&r);
    return NULL;
}

/* Asks PROBES times at once and asserts that every answer is 200 with the response rule due on `due`
 * with `verdict`, under the policy named `policy`. */
static void expect_everywhere(const char *due, const char *verdict, const char *policy)
{
    struct probe probes[PROBES];
    pthread_t threads[PROBES];
    memset(probes, 0, sizeof(probes));
    for (int i = 0; i < PROBES; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, ask, &probes[i]), 0);
    for (int i = 0; i < PROBES; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < PROBES; i++) {
        ck_assert_int_eq(probes[i].status, 200);
        ck_assert_str_eq(probes[i].due, due);
        ck_assert_str_eq(probes[i].verdict, verdict);
        ck_assert_str_eq(probes[i].policy, policy);
    }
}

START_TEST(test_calendar_put_is_seen_by_the_next_requests)
{
    expect_everywhere("2026-10-28", "breached", LEICESTER);
    tt_expect_status("PUT", "/calendar", cw.tok_admin, CLOSED_MONDAY, 200);
    expect_everywhere("", "met", LEICESTER); /* answered in time: nothing due */
}
END_TEST

START_TEST(test_calendar_changed_in_sql_is_seen)
{
    expect_everywhere("2026-10-28", "breached", LEICESTER);
    free(harness_sql("INSERT INTO closures (day, reason) VALUES ('2026-10-26', 'Staff day')", 0, NULL));
    expect_everywhere("", "met", LEICESTER); /* answered in time: nothing due */
    free(harness_sql("DELETE FROM closures WHERE day = '2026-10-26'", 0, NULL));
    expect_everywhere("2026-10-28", "breached", LEICESTER);
}
END_TEST

START_TEST(test_policy_put_is_seen_by_the_next_requests)
{
    char path[64];
    expect_everywhere("2026-10-28", "breached", LEICESTER);
    snprintf(path, sizeof(path), "/schools/%s/policy", cw.school_p);
    tt_expect_status("PUT", path, cw.tok_admin, "{\"preset\":\"essex\"}", 200);
    struct probe p = {0};
    ask(&p);
    ck_assert_int_eq(p.status, 200);
    ck_assert_str_eq(p.policy, ESSEX);
    expect_everywhere(p.due, p.verdict, ESSEX);
    tt_expect_status("PUT", path, cw.tok_admin, "{\"preset\":\"leicester\"}", 200);
    expect_everywhere("2026-10-28", "breached", LEICESTER);
}
END_TEST

/* The compliance world's calendar in Tokyo's time: 23:30 UTC is already the next day there. */
static const char TOKYO[] =
    "{\"time_zone\":\"Asia/Tokyo\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
    "\"end\":\"2027-09-12\",\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-21\",\"end\":\"2026-12-11\"},"
    "{\"name\":\"Spring\",\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"},"
    "{\"name\":\"Summer\",\"start\":\"2027-04-26\",\"end\":\"2027-06-11\"}]}],\"closures\":[]}";

/* TA's agenda as of `instant`: asserts its day and its number of tutees. */
static void expect_agenda(const char *instant, const char *day, long tutees)
{
    char path[160];
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s/agenda?as_of=%s", cw.tutor_a, instant);
    ck_assert_int_eq(harness_json("GET", path, cw.tok_admin, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "as_of")), day);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "tutees")), tutees);
    harness_response_free(&r);
}

/* A tutor's tutees are selected for the day of as_of in the calendar's time zone, which the selection
 * guesses from the calendar tutord holds, before the request's snapshot says which calendar is current
 * (repo_facts.h: facts_tail.guess). When the time zone changes and with it the day, the guess is wrong
 * once and the tutees are those of the new day all the same: N, TA's tutee from 16 November, counts at
 * 23:30 UTC on the 15th in Tokyo (the 16th there), not in London. */
START_TEST(test_time_zone_change_selects_the_new_days_tutees)
{
    char n[24];
    harness_unique("CN", n, sizeof(n));
    tt_student_full(n, cw.school_p, NULL, NULL, "2026-09-21");
    tt_allocate(n, cw.tutor_a, "2026-11-16");
    const char *late = "2026-11-15T23:30:00Z";
    expect_agenda(late, "2026-11-15", 1); /* London: the calendar held is London's */
    expect_agenda("2026-11-16T12:00:00Z", "2026-11-16", 2);
    tt_expect_status("PUT", "/calendar", cw.tok_admin, TOKYO, 200);
    expect_agenda(late, "2026-11-16", 2); /* guessed the 15th from London's; selected again for the 16th */
    expect_agenda(late, "2026-11-16", 2); /* Tokyo's held now: guessed right */
    tt_expect_status("PUT", "/calendar", cw.tok_admin, CLOSED_MONDAY, 200);
    expect_agenda(late, "2026-11-15", 1); /* guessed the 16th from Tokyo's */
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_calendar_put_is_seen_by_the_next_requests,
        test_calendar_changed_in_sql_is_seen,
        test_policy_put_is_seen_by_the_next_requests,
        test_time_zone_change_selects_the_new_days_tutees,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "eval_cache", .tests = tests, .setup = cworld_setup, .teardown = cworld_teardown, .timeout = 60};
    return harness_run(&suite);
}
