/* test_ics.c — calendar feeds (RFC 5545): the tutor's and the student's feeds parsed with libical and
 * with a second, independent parser (Python's icalendar, tests/api/ics_check.py), each event checked
 * (stable UID, DTSTART in Europe/London on both sides of a clock change, STATUS, SEQUENCE bumped on
 * change, the VTIMEZONE); the feed secret (issued, rotated, revoked, stored only as a hash); and every
 * role on every route. */
#include <check.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "worlds.h"

/* GETs `path` with `token` (NULL: none); asserts `status`; returns the body (malloc'd) on 200. */
static char *fetch(const char *path, const char *token, long status)
{
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, token, NULL, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == status, "GET %s: %ld, wanted %ld: %s", path, r.status, status, r.body);
    char *body = NULL;
    if (status == 200) {
        ck_assert_str_eq(r.content_type, "text/calendar; charset=utf-8");
        body = strdup(r.body);
    }
    harness_response_free(&r);
    return body;
}

/* Issues a feed secret as `token`; returns the feed path (malloc'd). */
static char *issue_feed(const char *token)
{
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", "/me/calendar-feed", token, NULL, &r), 201);
    char *path = strdup(json_string_value(json_object_get(r.json, "path")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r.json, "url")), path));
    harness_response_free(&r);
    return path;
}

/* One event line as ics_check.py prints it, from libical: UID|local start|TZID|offset|STATUS|SEQUENCE. */
static void libical_line(icalcomponent *ev, char *out, size_t size)
{
    icalproperty *start = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    icalparameter *tzid = icalproperty_get_first_parameter(start, ICAL_TZID_PARAMETER);
    struct icaltimetype t = icalcomponent_get_dtstart(ev);
    int is_daylight = 0;
    int offset = icaltimezone_get_utc_offset((icaltimezone *)t.zone, &t, &is_daylight) / 3600;
    snprintf(out, size, "%s|%04d-%02d-%02dT%02d:%02d|%s|%+d|%s|%d", icalcomponent_get_uid(ev), t.year, t.month, t.day,
             t.hour, t.minute, tzid ? icalparameter_get_tzid(tzid) : "", offset,
             icalproperty_status_to_string(icalcomponent_get_status(ev)), icalcomponent_get_sequence(ev));
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Parses `text` with libical: every VEVENT as a line (sorted, joined with '\n', then the VTIMEZONE line
 * as ics_check.py prints it) into out. Asserts the calendar parses with no error properties. */
static void parse_libical(const char *text, char *out, size_t size)
{
    icalcomponent *cal = icalparser_parse_string(text);
    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_count_errors(cal), 0);
    icaltimezone *zones = NULL;
    icalcomponent *vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
    ck_assert_ptr_nonnull(vtz);
    zones = icaltimezone_new();
    icaltimezone_set_component(zones, icalcomponent_new_clone(vtz));
    char *lines[32];
    size_t n = 0;
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev && n < 32;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        char line[256];
        libical_line(ev, line, sizeof(line));
        lines[n++] = strdup(line);
    }
    qsort(lines, n, sizeof(lines[0]), by_string);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        used += (size_t)snprintf(out + used, size - used, "%s\n", lines[i]);
        free(lines[i]);
    }
    snprintf(out + used, size - used, "VTIMEZONE|%s\n", icaltimezone_get_tzid(zones));
    icaltimezone_free(zones, 1);
    icalcomponent_free(cal);
}

/* Parses `text` with tests/api/ics_check.py (Debian's python3-icalendar) into out. */
static void parse_python(const char *text, char *out, size_t size)
{
    char file[] = "/tmp/tutord-ics-XXXXXX", cmd[1024], dir[512];
    int fd = mkstemp(file);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(dir, sizeof(dir), "%s", __FILE__);
    *strrchr(dir, '/') = '\0';
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/ics_check.py %s", dir, file);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t got = fread(out, 1, size - 1, p);
    out[got] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    unlink(file);
}

START_TEST(test_feeds_parse_with_two_parsers)
{
    /* a one-to-one slot before the clock change and a group slot after it, both booked by A; the
     * second booking is cancelled */
    char *early = week_slot(w.tutor_a, w.tok_tutor_a, -6, 10, 1), *late = week_slot(w.tutor_a, w.tok_tutor_a, 8, 14, 4);
    char b1[24], b2[24], path[96], day_early[11], day_late[11];
    ck_assert_int_eq(week_book(early, w.tok_student_a, b1), 201);
    ck_assert_int_eq(week_book(late, w.tok_student_a, b2), 201);
    snprintf(path, sizeof(path), "/bookings/%s/cancellation", b2);
    tt_expect_status("POST", path, w.tok_student_a, NULL, 200);
    week_day(day_early, -6);
    week_day(day_late, 8);

    char *feed = issue_feed(w.tok_student_a);
    char *text = fetch(feed, NULL, 200), want[1024], got_c[2048], got_py[2048];
    snprintf(want, sizeof(want),
             "contact-%s@tutord|%sT10:00|Europe/London|+0|CONFIRMED|0\n"
             "contact-%s@tutord|%sT14:00|Europe/London|+1|CANCELLED|1\n"
             "VTIMEZONE|Europe/London\n",
             b1, day_early, b2, day_late);
    /* the two lines sort by UID; the earlier booking has the smaller id */
    parse_libical(text, got_c, sizeof(got_c));
    parse_python(text, got_py, sizeof(got_py));
    ck_assert_str_eq(got_c, want);
    ck_assert_str_eq(got_py, want);
    free(text);

    /* the tutor's feed, by bearer token: the two slots, the second still open */
    snprintf(path, sizeof(path), "/tutors/%s/calendar.ics", w.tutor_a);
    text = fetch(path, w.tok_tutor_a, 200);
    snprintf(want, sizeof(want),
             "slot-%s@tutord|%sT10:00|Europe/London|+0|CONFIRMED|0\n"
             "slot-%s@tutord|%sT14:00|Europe/London|+1|CONFIRMED|0\n"
             "VTIMEZONE|Europe/London\n",
             early, day_early, late, day_late);
    parse_libical(text, got_c, sizeof(got_c));
    parse_python(text, got_py, sizeof(got_py));
    ck_assert_str_eq(got_c, want);
    ck_assert_str_eq(got_py, want);
    free(text);

    /* cancelling the slot: same UID, STATUS:CANCELLED, SEQUENCE 1 */
    snprintf(path, sizeof(path), "/slots/%s/cancellation", late);
    tt_expect_status("POST", path, w.tok_tutor_a, NULL, 200);
    snprintf(path, sizeof(path), "/tutors/%s/calendar.ics", w.tutor_a);
    text = fetch(path, w.tok_tutor_a, 200);
    parse_python(text, got_py, sizeof(got_py));
    char line[128];
    snprintf(line, sizeof(line), "slot-%s@tutord|%sT14:00|Europe/London|+1|CANCELLED|1\n", late, day_late);
    ck_assert_ptr_nonnull(strstr(got_py, line));
    free(text);
    free(feed), free(early), free(late);
}
END_TEST

START_TEST(test_feed_secret_rotation_and_hash)
{
    char *first = issue_feed(w.tok_student_a);
    char *body = fetch(first, NULL, 200);
    free(body);
    /* only the SHA-256 of the secret is stored */
    const char *secret = strstr(first, "token=") + 6;
    const char *p[1] = {secret};
    ck_assert_int_eq(
        harness_sql_long("SELECT count(*) FROM calendar_feeds WHERE secret_hash = encode(sha256($1::bytea),"
                         " 'hex')",
                         1, p),
        1);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM calendar_feeds WHERE secret_hash = $1", 1, p), 0);
    char *second = issue_feed(w.tok_student_a); /* rotation: the old URL stops working */
    ck_assert_str_ne(first, second);
    fetch(first, NULL, 401);
    body = fetch(second, NULL, 200);
    free(body);
    /* a secret works only for its owner's feed */
    char other[160];
    snprintf(other, sizeof(other), "/students/%s/calendar.ics?%s", w.student_b, strchr(second, '?') + 1);
    fetch(other, NULL, 401);
    tt_expect_status("DELETE", "/me/calendar-feed", w.tok_student_a, NULL, 204);
    fetch(second, NULL, 401);
    tt_expect_status("DELETE", "/me/calendar-feed", w.tok_student_a, NULL, 404);
    tt_expect_status("POST", "/me/calendar-feed", w.tok_registry, NULL, 403);
    tt_expect_status("POST", "/me/calendar-feed", w.tok_admin, NULL, 403);
    tt_expect_status("POST", "/me/calendar-feed", NULL, NULL, 401);
    /* a tutor's feed secret */
    char *tutor = issue_feed(w.tok_tutor_a);
    ck_assert_ptr_nonnull(strstr(tutor, w.tutor_a));
    body = fetch(tutor, NULL, 200);
    free(body);
    free(first), free(second), free(tutor);
}
END_TEST

START_TEST(test_feed_roles_by_bearer_token)
{
    char tutor[96], student[96];
    snprintf(tutor, sizeof(tutor), "/tutors/%s/calendar.ics", w.tutor_a);
    snprintf(student, sizeof(student), "/students/%s/calendar.ics", w.student_a);
    free(fetch(tutor, w.tok_senior_x, 200));
    free(fetch(tutor, w.tok_admin, 200));
    fetch(tutor, w.tok_student_a, 403); /* their tutor, but the calendar names other students */
    fetch(tutor, w.tok_tutor_b, 404);
    fetch(tutor, w.tok_senior_y, 404);
    fetch(tutor, w.tok_student_b, 404);
    fetch(tutor, NULL, 401);
    fetch("/tutors/NOSUCH9/calendar.ics", w.tok_admin, 404);
    free(fetch(student, w.tok_student_a, 200));
    free(fetch(student, w.tok_tutor_a, 200));
    free(fetch(student, w.tok_senior_x, 200));
    free(fetch(student, w.tok_admin, 200));
    fetch(student, w.tok_registry, 403);
    fetch(student, w.tok_tutor_b, 404);
    fetch(student, w.tok_student_b, 404);
    fetch(student, w.tok_senior_y, 404);
    fetch(student, "not-a-token", 401);
    char bad[160];
    snprintf(bad, sizeof(bad), "%s?token=%s", student, "00");
    fetch(bad, NULL, 401);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_feeds_parse_with_two_parsers, test_feed_secret_rotation_and_hash,
                                  test_feed_roles_by_bearer_token, NULL};
    return harness_run_suite("ics", tests, week_setup, week_teardown);
}
