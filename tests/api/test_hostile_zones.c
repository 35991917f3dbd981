/* test_hostile_zones.c — a calendar in any IANA time zone: PUT /calendar accepts America/New_York and
 * Australia/Sydney, and deadlines are then counted from the local day in that zone, with its clock
 * changes (northern and southern). Each case is a message received at an instant that falls on
 * different local days in the zone's summer and standard time, so only the right offset gives the
 * expected due date (three working days after the local day of receipt, Leicester's preset). The
 * calendar is put back to Europe/London after each test. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "worlds.h"

/* PUTs the compliance world's calendar with `zone` as its time zone; returns the status. */
static long put_zone(const char *zone)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"time_zone\":\"%s\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\",\"end\":\"2027-09-12\","
             "\"terms\":[{\"name\":\"Autumn\",\"start\":\"2026-09-21\",\"end\":\"2026-12-11\"},{\"name\":\"Spring\","
             "\"start\":\"2027-01-11\",\"end\":\"2027-03-26\"},{\"name\":\"Summer\",\"start\":\"2027-04-26\","
             "\"end\":\"2027-06-11\"}]}],\"closures\":[{\"date\":\"2026-12-25\",\"reason\":\"Christmas Day\"}]}",
             zone);
    return tt_status("PUT", "/calendar", cw.tok_admin, body);
}

/* The due date of the response to a message a fresh tutee of TA sent at `instant`, as the engine
 * counts it today (as_of 2027-07-01: long after), into due[11]. */
static void due_of(const char *instant, char due[11])
{
    static int n;
    char student[24], id[24];
    snprintf(student, sizeof(student), "Z%d%.18s", n++, cw.student_a + 1);
    cworld_student(student, cw.school_p, cw.tutor_a);
    tt_contact(student, cw.tutor_a, "message", "from_student", instant, NULL, id);
    json_t *findings = tt_findings(student, "2027-07-01", cw.tok_admin);
    const char *d = json_string_value(json_object_get(tt_finding(findings, "response"), "due"));
    ck_assert_msg(d != NULL, "no response finding for a message of %s", instant);
    snprintf(due, 11, "%s", d);
    json_decref(findings);
}

/* Asserts the due date of a message received at `instant`. */
static void expect_due(const char *instant, const char *expected)
{
    char due[11];
    due_of(instant, due);
    ck_assert_msg(strcmp(due, expected) == 0, "message at %s: due %s, wanted %s", instant, due, expected);
}

/* New York: EDT (UTC-4) until Sunday 1 November 2026, EST (UTC-5) after. */
START_TEST(test_new_york)
{
    ck_assert_int_eq(put_zone("America/New_York"), 200);
    /* Thu 22 Oct 23:30 EDT (London: Fri 04:30): Fri, Mon, Tue → Tue 27 */
    expect_due("2026-10-23T03:30:00Z", "2026-10-27");
    /* Fri 23 Oct 00:30 EDT (had it been EST: Thu 23:30 → Tue 27) → Wed 28 */
    expect_due("2026-10-23T04:30:00Z", "2026-10-28");
    /* Thu 5 Nov 23:30 EST, after the clock change (in EDT: Fri 00:30 → Wed 11) → Tue 10 */
    expect_due("2026-11-06T04:30:00Z", "2026-11-10");
    ck_assert_int_eq(put_zone("Europe/London"), 200);
}
END_TEST

/* Sydney: AEDT (UTC+11) from Sunday 4 October 2026 to Sunday 4 April 2027, AEST (UTC+10) outside. */
START_TEST(test_sydney)
{
    ck_assert_int_eq(put_zone("Australia/Sydney"), 200);
    /* Fri 23 Oct 00:30 AEDT (in AEST: Thu 23:30 → Tue 27; London: Thu 14:30 → Tue 27) → Wed 28 */
    expect_due("2026-10-22T13:30:00Z", "2026-10-28");
    /* Thu 6 May 2027 23:30 AEST, after the clocks went back (in AEDT: Fri 00:30 → Wed 12) → Tue 11 */
    expect_due("2027-05-06T13:30:00Z", "2027-05-11");
    ck_assert_int_eq(put_zone("Europe/London"), 200);
}
END_TEST

/* A name that is no zone is still refused, naming time_zone; so is a path out of the tzdata folder. */
START_TEST(test_unknown_zones_refused)
{
    static const char *const BAD[] = {"Mars/Olympus_Mons", "../../etc/passwd", "America/", "America//New_York"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        char body[512];
        snprintf(body, sizeof(body),
                 "{\"time_zone\":\"%s\",\"years\":[{\"label\":\"2026/27\",\"start\":\"2026-09-14\","
                 "\"end\":\"2027-09-12\"}],\"closures\":[]}",
                 BAD[i]);
        tt_refused("PUT", "/calendar", cw.tok_admin, body, 422, "time_zone");
    }
}
END_TEST

/* Puts the London calendar back whatever a test left (a failed test stops before its own reset). */
static void teardown(void)
{
    put_zone("Europe/London");
    cworld_teardown();
}

int main(void)
{
    const TTest *const tests[] = {test_new_york, test_sydney, test_unknown_zones_refused, NULL};
    return harness_run_suite("hostile_zones", tests, cworld_setup, teardown);
}
