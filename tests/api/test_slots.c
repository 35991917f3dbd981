/* test_slots.c — bookable slots and bookings: weekly series across a clock change and a closure day,
 * every role on every route (404 rather than 403 where existence would leak), the booking rules
 * (capacity, one per student, deadline, the policy's open-bookings limit, cancellation by either side),
 * 50 parallel bookings of a 5-seat slot, a tutor's absence moving or cancelling slots, and four booked
 * meetings satisfying meetings_per_year with count offered. Dates come from the working-week world. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static void slots_path(char *buf, size_t size, const char *staff)
{
    snprintf(buf, size, "/tutors/%s/slots", staff);
}

/* A slot body on D + offset at 10:00 with the given local offset, and an optional recurrence. */
static void slot_body(char *buf, size_t size, int offset, const char *zone, const char *recurrence)
{
    char day[11];
    week_day(day, offset);
    snprintf(
        buf, size,
        "{\"starts_at\":\"%sT10:00:00%s\",\"ends_at\":\"%sT10:30:00%s\",\"capacity\":1,\"location\":\"Room 1\"%s%s}",
        day, zone, day, zone, recurrence ? ",\"recurrence\":" : "", recurrence ? recurrence : "");
}

/* A local hour and UTC hour of slot `id` as "HH/HH". */
static char *hours_of(const char *id)
{
    const char *p[1] = {id};
    return harness_sql("SELECT to_char(starts_at AT TIME ZONE 'Europe/London', 'HH24') || '/' ||"
                       " to_char(starts_at AT TIME ZONE 'UTC', 'HH24') FROM slots WHERE id = $1::bigint",
                       1, p);
}

START_TEST(test_weekly_series_across_clock_change_and_closure)
{
    char path[96], body[512], rec[96], until[11], closure[11];
    week_day(until, 15);
    week_day(closure, 1);
    snprintf(rec, sizeof(rec), "{\"frequency\":\"weekly\",\"until\":\"%s\"}", until);
    slot_body(body, sizeof(body), -20, "+00:00", rec); /* a Monday three weeks before the change */
    slots_path(path, sizeof(path), w.tutor_a);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_tutor_a, body, &r), 201);
    json_t *items = json_object_get(r.json, "items"), *skipped = json_object_get(r.json, "skipped");
    ck_assert_int_eq(json_array_size(items), 5); /* D-20, D-13, D-6, (D+1 closed), D+8, D+15 */
    ck_assert_int_eq(json_array_size(skipped), 1);
    ck_assert_str_eq(json_string_value(json_array_get(skipped, 0)), closure);
    const char *series = json_string_value(json_object_get(json_array_get(items, 0), "series_id"));
    ck_assert_ptr_nonnull(series);
    const char *expect[5] = {"10/10", "10/10", "10/10", "10/09", "10/09"}; /* local 10:00 on both sides */
    for (size_t i = 0; i < 5; i++) {
        char id[24];
        json_t *slot = json_array_get(items, i);
        snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(slot, "id")));
        char *h = hours_of(id);
        ck_assert_str_eq(h, expect[i]);
        free(h);
        ck_assert_str_eq(json_string_value(json_object_get(slot, "series_id")), series);
    }
    harness_response_free(&r);
    /* the closure day itself, alone, is refused; so is a series past the term's end, or outside a term */
    slot_body(body, sizeof(body), 1, "+01:00", NULL);
    tt_refused("POST", path, w.tok_tutor_a, body, 422, "starts_at");
    snprintf(rec, sizeof(rec), "{\"frequency\":\"weekly\",\"until\":\"%d-05-31\"}", wd.year);
    slot_body(body, sizeof(body), -20, "+00:00", rec);
    tt_refused("POST", path, w.tok_tutor_a, body, 422, "recurrence.until");
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%d-07-05T10:00:00+01:00\",\"ends_at\":\"%d-07-05T10:30:00+01:00\",\"location\":\"R\","
             "\"recurrence\":{\"frequency\":\"weekly\"}}",
             wd.year, wd.year);
    tt_refused("POST", path, w.tok_tutor_a, body, 422, "recurrence");
    tt_refused("POST", path, w.tok_tutor_a,
               "{\"starts_at\":\"2020-01-06T10:00:00+00:00\",\"ends_at\":\"2020-01-06T10:30:00+00:00\","
               "\"location\":\"R\"}",
               422, "starts_at");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM slots WHERE staff_number = $1", w.tutor_a), 5);
}
END_TEST

START_TEST(test_slot_input_refused)
{
    char path[96], day[11], body[512];
    slots_path(path, sizeof(path), w.tutor_a);
    week_day(day, -6);
    const char *T = w.tok_tutor_a;
    snprintf(body, sizeof(body), "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT09:00:00Z\",\"location\":\"R\"}",
             day, day);
    tt_refused("POST", path, T, body, 422, "ends_at");
    snprintf(body, sizeof(body), "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT11:00:00Z\"}", day, day);
    tt_refused("POST", path, T, body, 422, "location");
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT11:00:00Z\",\"online_url\":\"http://x.example\"}", day,
             day);
    tt_refused("POST", path, T, body, 422, "online_url");
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT11:00:00Z\",\"location\":\"R\",\"capacity\":0}", day,
             day);
    tt_refused("POST", path, T, body, 422, "capacity");
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT11:00:00Z\",\"location\":\"R\","
             "\"recurrence\":{\"frequency\":\"daily\"}}",
             day, day);
    tt_refused("POST", path, T, body, 422, "recurrence.frequency");
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%sT10:00:00Z\",\"ends_at\":\"%sT11:00:00Z\",\"location\":\"R\",\"booked\":3}", day, day);
    tt_refused("POST", path, T, body, 422, "booked");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM slots WHERE staff_number = $1", w.tutor_a), 0);
}
END_TEST

START_TEST(test_slot_roles)
{
    char path[96], body[512], one[64];
    slots_path(path, sizeof(path), w.tutor_a);
    slot_body(body, sizeof(body), -6, "+00:00", NULL);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, body), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, body), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", path, NULL, body), 401);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM slots WHERE staff_number = $1", w.tutor_a), 0);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, body), 201);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, body), 201);
    char *id = week_slot(w.tutor_a, w.tok_tutor_a, -13, 11, 1);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_tutor_a), 3);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_student_a), 3); /* their tutor's */
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_x), 3);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_admin), 3);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_student_b), -404);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_tutor_b), -404);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_senior_y), -404);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_registry), -403);
    char day[11], query[64];
    week_day(day, -13);
    snprintf(query, sizeof(query), "from=%s&to=%s", day, day);
    ck_assert_int_eq(tt_list_count(path, query, w.tok_tutor_a), 1);
    ck_assert_int_eq(tt_list_count(path, "status=cancelled", w.tok_tutor_a), 0);
    ck_assert_int_eq(tt_list_count(path, "status=maybe", w.tok_tutor_a), -400);
    snprintf(one, sizeof(one), "/slots/%s", id);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", one, w.tok_student_a, NULL, &r), 200);
    ck_assert_ptr_null(json_object_get(r.json, "bookings")); /* only who manages it sees bookings */
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "one_to_one");
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", one, w.tok_tutor_a, NULL, &r), 200);
    ck_assert(json_is_array(json_object_get(r.json, "bookings")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", one, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", one, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", one, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", "/slots/999999999", w.tok_admin, NULL), 404);
    ck_assert_int_eq(tt_status("GET", "/slots/abc", w.tok_admin, NULL), 404);
    free(id);
}
END_TEST

/* A new level 4 student of school X with a personal allocation to `tutor`; number into out[24]. */
static void tutee(const char *tutor, char out[24])
{
    harness_unique("S", out, 24);
    tt_student(out, w.school_x);
    tt_allocate(out, tutor, NULL);
}

START_TEST(test_booking_rules)
{
    char *slot = week_slot(w.tutor_a, w.tok_tutor_a, -6, 10, 1), other[24], path[96], booking[24];
    tutee(w.tutor_a, other);
    char *tok_other = tt_student_token(other);
    ck_assert_int_eq(week_book(slot, w.tok_student_b, NULL), 404); /* not their tutor's: hidden */
    ck_assert_int_eq(week_book(slot, w.tok_registry, NULL), 403);
    ck_assert_int_eq(week_book(slot, NULL, NULL), 401);
    ck_assert_int_eq(week_book(slot, w.tok_student_a, booking), 201);
    ck_assert_int_eq(week_book(slot, w.tok_student_a, NULL), 409); /* once per student */
    ck_assert_int_eq(week_book(slot, tok_other, NULL), 409);       /* full */
    const char *p[1] = {booking};
    char *row = harness_sql("SELECT kind || '/' || attendance || '/' || staff_number || '/' || slot_id"
                            " FROM contacts WHERE id = $1::bigint",
                            1, p);
    char expect[96];
    snprintf(expect, sizeof(expect), "meeting/scheduled/%s/%s", w.tutor_a, slot);
    ck_assert_str_eq(row, expect);
    free(row);
    /* cancellation: not by another tutor or student; by the student before the deadline */
    snprintf(path, sizeof(path), "/bookings/%s/cancellation", booking);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("POST", path, tok_other, NULL), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, NULL), 200);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, NULL), 409); /* already cancelled */
    ck_assert_int_eq(tt_count("SELECT booked FROM slots WHERE id = $1::bigint", slot), 0);
    char second[24];
    ck_assert_int_eq(week_book(slot, tok_other, second), 201); /* the seat is free again */
    /* the tutor cancels the other's booking; the student re-books theirs (the row is revived) */
    snprintf(path, sizeof(path), "/bookings/%s/cancellation", second);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, NULL), 200);
    char again[24];
    ck_assert_int_eq(week_book(slot, w.tok_student_a, again), 201);
    ck_assert_str_eq(again, booking);
    /* past the deadline neither booking nor cancelling */
    tt_sql("UPDATE slots SET booking_deadline = now() - interval '1 minute' WHERE id = $1::bigint", slot, NULL);
    snprintf(path, sizeof(path), "/bookings/%s/cancellation", booking);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, NULL), 409);
    ck_assert_int_eq(week_book(slot, tok_other, NULL), 409);
    /* the tutor marks the meeting attended */
    char cpath[64], day[11], patch[160];
    week_day(day, -6);
    snprintf(cpath, sizeof(cpath), "/contacts/%s", booking);
    snprintf(patch, sizeof(patch), "{\"attendance\":\"attended\",\"occurred_at\":\"%sT10:00:00+00:00\"}", day);
    tt_expect_status("PATCH", cpath, w.tok_tutor_a, patch, 200);
    ck_assert_int_eq(tt_count("SELECT booked FROM slots WHERE id = $1::bigint", slot), 1);
    free(slot);
    free(tok_other);
}
END_TEST

START_TEST(test_staff_book_for_a_student_and_slot_cancellation)
{
    char *slot = week_slot(w.tutor_a, w.tok_tutor_a, -6, 14, 3), path[96], body[96], one[64];
    snprintf(path, sizeof(path), "/slots/%s/bookings", slot);
    snprintf(body, sizeof(body), "{\"student\":\"%s\"}", w.student_a);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, body), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_b, body), 404);
    tt_refused("POST", path, w.tok_tutor_a, "{}", 422, "student");
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_tutor_a, body, &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "group_meeting");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "session_id")));
    harness_response_free(&r);
    snprintf(one, sizeof(one), "/slots/%s/cancellation", slot);
    ck_assert_int_eq(tt_status("POST", one, w.tok_student_a, NULL), 403);
    ck_assert_int_eq(tt_status("POST", one, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("POST", one, w.tok_tutor_a, NULL), 200);
    ck_assert_int_eq(tt_status("POST", one, w.tok_tutor_a, NULL), 409);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM contacts WHERE slot_id = $1::bigint AND attendance = 'cancelled'", slot), 1);
    ck_assert_int_eq(week_book(slot, w.tok_student_a, NULL), 409); /* cancelled */
    free(slot);
}
END_TEST

struct racer {
    char path[64];
    char *token;
    long status;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    r->status = tt_status("POST", r->path, r->token, NULL);
    return NULL;
}

START_TEST(test_fifty_parallel_bookings_of_five_seats)
{
    enum { N = 50 };
    static struct racer racers[N];
    pthread_t threads[N];
    char *slot = week_slot(w.tutor_a, w.tok_tutor_a, -6, 16, 5);
    for (int i = 0; i < N; i++) {
        char number[24];
        tutee(w.tutor_a, number);
        racers[i].token = tt_student_token(number);
        snprintf(racers[i].path, sizeof(racers[i].path), "/slots/%s/bookings", slot);
    }
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
    int made = 0, full = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        made += racers[i].status == 201;
        full += racers[i].status == 409;
        free(racers[i].token);
    }
    ck_assert_int_eq(made, 5);
    ck_assert_int_eq(full, 45);
    ck_assert_int_eq(tt_count("SELECT booked FROM slots WHERE id = $1::bigint", slot), 5);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM contacts WHERE slot_id = $1::bigint AND attendance = 'scheduled'", slot), 5);
    free(slot);
}
END_TEST

/* PUTs a policy for school X with one meetings_per_year rule (min 4, count offered) and, when given,
 * max_open_bookings. */
static void meetings_policy(int max_open)
{
    char path[64], body[512], extra[48] = "";
    if (max_open)
        snprintf(extra, sizeof(extra), "\"max_open_bookings\":%d,", max_open);
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_x);
    snprintf(body, sizeof(body),
             "{\"name\":\"Week\",\"effective_from\":\"%d-09-14\",%s\"rules\":[{\"id\":\"meetings\","
             "\"type\":\"meetings_per_year\",\"min\":4,\"count\":\"offered\",\"source\":\"Leicester CoP: four "
             "meetings a year\"}]}",
             wd.year - 1, extra);
    tt_expect_status("PUT", path, w.tok_admin, body, 200);
}

START_TEST(test_open_bookings_limit_from_policy)
{
    char path[64];
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_x);
    tt_refused("PUT", path, w.tok_admin,
               "{\"name\":\"Bad\",\"effective_from\":\"2026-09-14\",\"max_open_bookings\":0,\"rules\":[]}", 422,
               "$.max_open_bookings");
    meetings_policy(2);
    char *a = week_slot(w.tutor_a, w.tok_tutor_a, -13, 10, 1), *b = week_slot(w.tutor_a, w.tok_tutor_a, -6, 10, 1);
    char *c = week_slot(w.tutor_a, w.tok_tutor_a, 8, 10, 1), first[24];
    ck_assert_int_eq(week_book(a, w.tok_student_a, first), 201);
    ck_assert_int_eq(week_book(b, w.tok_student_a, NULL), 201);
    ck_assert_int_eq(week_book(c, w.tok_student_a, NULL), 409); /* two open bookings: the school's limit */
    char cancel[64];
    snprintf(cancel, sizeof(cancel), "/bookings/%s/cancellation", first);
    tt_expect_status("POST", cancel, w.tok_student_a, NULL, 200);
    ck_assert_int_eq(week_book(c, w.tok_student_a, NULL), 201);
    free(a), free(b), free(c);
}
END_TEST

START_TEST(test_four_booked_meetings_satisfy_meetings_per_year_offered)
{
    meetings_policy(10);
    char *slots[4] = {week_slot(w.tutor_a, w.tok_tutor_a, -20, 10, 1), week_slot(w.tutor_a, w.tok_tutor_a, -13, 10, 1),
                      week_slot(w.tutor_a, w.tok_tutor_a, -6, 10, 1), week_slot(w.tutor_a, w.tok_tutor_a, 8, 10, 1)};
    char path[128];
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=%s", w.student_a, wd.year_end);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(week_book(slots[i], w.tok_student_a, NULL), 201);
        struct tt_response r;
        ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
        json_t *f = tt_finding(json_object_get(r.json, "findings"), "meetings");
        ck_assert_ptr_nonnull(f);
        const char *status = json_string_value(json_object_get(f, "status"));
        if (i < 3)
            ck_assert_str_ne(status, "met");
        else {
            ck_assert_str_eq(status, "met");
            ck_assert_int_eq(json_array_size(json_object_get(f, "evidence")), 4);
        }
        harness_response_free(&r);
    }
    for (int i = 0; i < 4; i++)
        free(slots[i]);
}
END_TEST

/* POSTs an absence of tutor A on D + offset (one day), covered by `cover` (NULL: none), as senior X. */
static void absence(int offset, const char *cover)
{
    char path[96], day[11], body[256], extra[64] = "";
    week_day(day, offset);
    if (cover)
        snprintf(extra, sizeof(extra), ",\"cover_tutor\":\"%s\"", cover);
    snprintf(path, sizeof(path), "/tutors/%s/absences", w.tutor_a);
    snprintf(body, sizeof(body), "{\"starts_on\":\"%s\",\"ends_on\":\"%s\",\"reason\":\"conference\"%s}", day, day,
             extra);
    tt_expect_status("POST", path, w.tok_senior_x, body, 201);
}

START_TEST(test_absence_moves_slots_to_cover_or_cancels_them)
{
    char *moved = week_slot(w.tutor_a, w.tok_tutor_a, -6, 10, 1), *gone = week_slot(w.tutor_a, w.tok_tutor_a, 8, 10, 1);
    char *kept = week_slot(w.tutor_a, w.tok_tutor_a, -13, 10, 1), b1[24], b2[24];
    ck_assert_int_eq(week_book(moved, w.tok_student_a, b1), 201);
    ck_assert_int_eq(week_book(gone, w.tok_student_a, b2), 201);
    absence(-6, w.tutor_b); /* with cover: the slot and its booking move to the cover tutor */
    const char *p1[1] = {moved};
    char *row = harness_sql("SELECT staff_number || '/' || moved_from || '/' || status || '/' || version FROM slots"
                            " WHERE id = $1::bigint",
                            1, p1);
    char expect[96];
    snprintf(expect, sizeof(expect), "%s/%s/open/2", w.tutor_b, w.tutor_a);
    ck_assert_str_eq(row, expect);
    free(row);
    const char *pb[1] = {b1};
    row = harness_sql("SELECT staff_number || '/' || attendance FROM contacts WHERE id = $1::bigint", 1, pb);
    snprintf(expect, sizeof(expect), "%s/scheduled", w.tutor_b);
    ck_assert_str_eq(row, expect);
    free(row);
    absence(8, NULL); /* no cover: the slot and its booking are cancelled */
    ck_assert_int_eq(tt_count("SELECT count(*) FROM slots WHERE id = $1::bigint AND status = 'cancelled'", gone), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM contacts WHERE id = $1::bigint AND attendance = 'cancelled'", b2),
                     1);
    ck_assert_int_eq(tt_count("SELECT booked FROM slots WHERE id = $1::bigint", gone), 0);
    /* a slot outside both absences stays */
    char *k = NULL;
    const char *pk[1] = {kept};
    k = harness_sql("SELECT staff_number || '/' || status FROM slots WHERE id = $1::bigint", 1, pk);
    snprintf(expect, sizeof(expect), "%s/open", w.tutor_a);
    ck_assert_str_eq(k, expect);
    free(k);
    free(moved), free(gone), free(kept);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_weekly_series_across_clock_change_and_closure,
                                  test_slot_input_refused,
                                  test_slot_roles,
                                  test_booking_rules,
                                  test_staff_book_for_a_student_and_slot_cancellation,
                                  test_fifty_parallel_bookings_of_five_seats,
                                  test_open_bookings_limit_from_policy,
                                  test_four_booked_meetings_satisfy_meetings_per_year_offered,
                                  test_absence_moves_slots_to_cover_or_cancels_them,
                                  NULL};
    return harness_run_suite("slots", tests, week_setup, week_teardown);
}
