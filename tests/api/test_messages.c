/* test_messages.c — messages with content and threads (GET /students/{n}/messages), a student's tutors
 * (GET /students/{n}/tutors) and office hours (GET/PUT /tutors/{staff}/office-hours): every role on every
 * route (404 rather than 403 where existence would leak), content validation, admin reading no bodies,
 * and the 3-working-day rule still judging messages that carry content. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "worlds.h"

static char *post_contact(const char *student, const char *token, const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/contacts", student);
    return tt_post_id(path, token, body);
}

static const char ASK[] = "{\"kind\":\"message\",\"direction\":\"from_student\",\"subject\":\"Placement year\","
                          "\"body\":\"Hello,\\nCould we talk about my placement? \\u00e9t\\u00e9\"}";

/* The tutor's reply to message `id`: an email with content. */
static char *reply(const char *student, const char *token, const char *id)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"kind\":\"email\",\"direction\":\"to_student\",\"reply_to\":%s,\"subject\":\"Re: Placement year\","
             "\"body\":\"Yes: Tuesday at 10.\"}",
             id);
    return post_contact(student, token, body);
}

START_TEST(test_message_thread_roles)
{
    char path[96];
    char *ask = post_contact(w.student_a, w.tok_student_a, ASK);
    char *answer = reply(w.student_a, w.tok_tutor_a, ask);
    snprintf(path, sizeof(path), "/students/%s/messages", w.student_a);
    const char *readers[] = {w.tok_student_a, w.tok_tutor_a, w.tok_senior_x};
    for (size_t i = 0; i < 3; i++) {
        struct tt_response r;
        ck_assert_int_eq(tt_call("GET", path, readers[i], NULL, &r), 200);
        json_t *items = json_object_get(r.json, "items");
        ck_assert_int_eq(json_array_size(items), 1);
        json_t *thread = json_array_get(items, 0), *msgs = json_object_get(thread, "messages");
        ck_assert_str_eq(json_string_value(json_object_get(thread, "subject")), "Placement year");
        ck_assert_int_eq(json_array_size(msgs), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 0), "body")),
                         "Hello,\nCould we talk about my placement? \xc3\xa9t\xc3\xa9");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 1), "subject")), "Re: Placement year");
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(msgs, 0), "id")), atol(ask));
        harness_response_free(&r);
    }
    /* admin sees that the thread exists, never its content */
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    json_t *thread = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert(json_is_null(json_object_get(thread, "subject")));
    ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(thread, "messages"), 0), "body")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    ck_assert_int_eq(tt_status("GET", "/students/NOSUCH9/messages", w.tok_admin, NULL), 404);
    /* one contact: the same rule */
    snprintf(path, sizeof(path), "/contacts/%s", answer);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "body")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "body")), "Yes: Tuesday at 10.");
    harness_response_free(&r);
    free(ask);
    free(answer);
}
END_TEST

START_TEST(test_former_tutor_reads_own_thread)
{
    char path[96];
    char *ask = post_contact(w.student_a, w.tok_student_a, ASK);
    char *answer = reply(w.student_a, w.tok_tutor_a, ask);
    tt_sql("UPDATE allocations SET ends_on = current_date - 1, starts_on = current_date - 30"
           " WHERE student_number = $1",
           w.student_a, NULL);
    snprintf(path, sizeof(path), "/contacts/%s", answer);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200); /* the staff on the thread */
    snprintf(path, sizeof(path), "/contacts/%s", ask);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200); /* the student wrote to them */
    snprintf(path, sizeof(path), "/students/%s/messages", w.student_a);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 404); /* no longer their tutee */
    snprintf(path, sizeof(path), "/contacts/%s", answer);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404); /* never on the thread */
    free(ask);
    free(answer);
}
END_TEST

START_TEST(test_threads_newest_first_and_paged)
{
    char path[160], *first = post_contact(w.student_a, w.tok_student_a,
                                          "{\"kind\":\"message\",\"direction\":\"from_student\",\"subject\":\"One\","
                                          "\"body\":\"first\",\"occurred_at\":\"2026-10-01T10:00:00+01:00\"}");
    char *second = post_contact(w.student_a, w.tok_student_a,
                                "{\"kind\":\"message\",\"direction\":\"from_student\",\"subject\":\"Two\","
                                "\"body\":\"second\",\"occurred_at\":\"2026-10-02T10:00:00+01:00\"}");
    snprintf(path, sizeof(path), "/students/%s/messages?limit=1", w.student_a);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "subject")),
                     "Two");
    const char *cursor = json_string_value(json_object_get(r.json, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    char next[320];
    snprintf(next, sizeof(next), "/students/%s/messages?limit=1&cursor=%s", w.student_a, cursor);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", next, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "subject")),
                     "One");
    harness_response_free(&r);
    /* a reply to the older thread brings it to the top */
    char *answer = reply(w.student_a, w.tok_tutor_a, first);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    json_t *top = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(top, "thread")), atol(first));
    ck_assert_int_eq(json_array_size(json_object_get(top, "messages")), 2);
    harness_response_free(&r);
    free(first), free(second), free(answer);
}
END_TEST

START_TEST(test_message_content_refused)
{
    char path[96], big[10100];
    snprintf(path, sizeof(path), "/students/%s/contacts", w.student_a);
    long before = tt_count("SELECT count(*) FROM contacts WHERE student_number = $1", w.student_a);
    const char *S = w.tok_student_a;
    tt_refused("POST", path, S, "{\"kind\":\"message\",\"direction\":\"from_student\",\"text\":\"hi\"}", 422, "text");
    tt_refused("POST", path, S, "{\"kind\":\"message\",\"direction\":\"from_student\",\"subject\":\"a\\nb\"}", 422,
               "subject");
    tt_refused("POST", path, S, "{\"kind\":\"message\",\"direction\":\"from_student\",\"body\":\"bell\\u0007\"}", 422,
               "body");
    tt_refused("POST", path, S, "{\"kind\":\"message\",\"direction\":\"from_student\",\"body\":\"\"}", 422, "body");
    tt_refused("POST", path, w.tok_tutor_a,
               "{\"kind\":\"meeting\",\"direction\":\"to_student\",\"subject\":\"x\","
               "\"occurred_at\":\"2026-10-01T10:00:00+01:00\"}",
               422, "subject");
    int n = snprintf(big, sizeof(big), "{\"kind\":\"message\",\"direction\":\"from_student\",\"body\":\"");
    memset(big + n, 'x', 10001);
    snprintf(big + n + 10001, sizeof(big) - (size_t)n - 10001, "\"}");
    tt_refused("POST", path, S, big, 422, "body");
    /* exactly 10,000 bytes is accepted */
    snprintf(big + n + 10000, sizeof(big) - (size_t)n - 10000, "\"}");
    tt_expect_status("POST", path, S, big, 201);
    /* not UTF-8: the JSON parser refuses it */
    tt_expect_status("POST", path, S, "{\"kind\":\"message\",\"direction\":\"from_student\",\"body\":\"\xff\xfe\"}",
                     400);
    /* a message is never edited */
    char *id = post_contact(w.student_a, w.tok_tutor_a,
                            "{\"kind\":\"email\",\"direction\":\"to_student\",\"subject\":\"s\",\"body\":\"b\"}");
    char cpath[64];
    snprintf(cpath, sizeof(cpath), "/contacts/%s", id);
    tt_refused("PATCH", cpath, w.tok_tutor_a, "{\"body\":\"changed\"}", 422, "body");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM contacts WHERE student_number = $1", w.student_a), before + 2);
    free(id);
}
END_TEST

/* PUTs a calendar of one academic year and one term around today (100 days before to 200 after). */
static void calendar_around_today(void)
{
    char from[11], to[11], body[512];
    time_t now = time(NULL), a = now - 100 * 86400, b = now + 200 * 86400;
    struct tm start;
    gmtime_r(&a, &start);
    strftime(from, sizeof(from), "%Y-%m-%d", &start);
    strftime(to, sizeof(to), "%Y-%m-%d", gmtime(&b));
    snprintf(body, sizeof(body),
             "{\"time_zone\":\"Europe/London\",\"years\":[{\"label\":\"%d/%02d\",\"start\":\"%s\",\"end\":\"%s\","
             "\"terms\":[{\"name\":\"All\",\"start\":\"%s\",\"end\":\"%s\"}]}],\"closures\":[]}",
             start.tm_year + 1900, (start.tm_year + 1901) % 100, from, to, from, to);
    tt_expect_status("PUT", "/calendar", w.tok_admin, body, 200);
}

START_TEST(test_response_rule_still_judges_messages)
{
    char path[160], as_of[11];
    time_t later = time(NULL) + 10 * 86400;
    strftime(as_of, sizeof(as_of), "%Y-%m-%d", gmtime(&later));
    calendar_around_today();
    snprintf(path, sizeof(path), "/schools/%s/policy", w.school_x);
    tt_expect_status("PUT", path, w.tok_admin, "{\"preset\":\"leicester\"}", 200);
    char *ask = post_contact(w.student_a, w.tok_student_a, ASK);
    snprintf(path, sizeof(path), "/students/%s/compliance?as_of=%s", w.student_a, as_of);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    json_t *f = tt_finding(json_object_get(r.json, "findings"), "response");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "breached");
    harness_response_free(&r);
    char *answer = reply(w.student_a, w.tok_tutor_a, ask);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    f = tt_finding(json_object_get(r.json, "findings"), "response");
    ck_assert_str_eq(json_string_value(json_object_get(f, "status")), "met");
    harness_response_free(&r);
    free(ask), free(answer);
}
END_TEST

static void hours_path(char *buf, size_t size, const char *staff)
{
    snprintf(buf, size, "/tutors/%s/office-hours", staff);
}

static const char HOURS[] = "{\"office_hours\":[{\"day\":\"tuesday\",\"start\":\"10:00\",\"end\":\"12:00\","
                            "\"location\":\"Room 2.14\"},{\"day\":\"monday\",\"start\":\"14:00\",\"end\":\"15:00\","
                            "\"location\":\"Online\"}]}";

START_TEST(test_office_hours_roles)
{
    char path[96];
    hours_path(path, sizeof(path), w.tutor_a);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_tutor_b, HOURS), 404);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_senior_y, HOURS), 404);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_student_a, HOURS), 403);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_registry, HOURS), 403);
    ck_assert_int_eq(tt_status("PUT", path, NULL, HOURS), 401);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM office_hours WHERE staff_number = $1", w.tutor_a), 0);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_senior_x, HOURS), 200);
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", path, w.tok_tutor_a, HOURS, &r), 200);
    json_t *hours = json_object_get(r.json, "office_hours");
    ck_assert_int_eq(json_array_size(hours), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hours, 0), "day")), "monday");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("PUT", path, w.tok_admin, HOURS), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 200); /* their tutor */
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 200);
    ck_assert_int_eq(tt_status("GET", "/tutors/NOSUCH9/office-hours", w.tok_admin, NULL), 404);
    tt_refused("PUT", path, w.tok_tutor_a,
               "{\"office_hours\":[{\"day\":\"monday\",\"start\":\"12:00\",\"end\":\"11:00\",\"location\":\"R\"}]}",
               422, "office_hours[0]");
    tt_refused("PUT", path, w.tok_tutor_a,
               "{\"office_hours\":[{\"day\":\"funday\",\"start\":\"10:00\",\"end\":\"11:00\",\"location\":\"R\"}]}",
               422, "office_hours[0]");
    tt_refused("PUT", path, w.tok_tutor_a,
               "{\"office_hours\":[{\"day\":\"monday\",\"start\":\"24:00\",\"end\":\"24:30\",\"location\":\"R\"}]}",
               422, "office_hours[0]");
    tt_refused("PUT", path, w.tok_tutor_a, "{\"hours\":[]}", 422, "office_hours");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM office_hours WHERE staff_number = $1", w.tutor_a), 2);
    /* the empty set clears them */
    tt_expect_status("PUT", path, w.tok_tutor_a, "{\"office_hours\":[]}", 200);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM office_hours WHERE staff_number = $1", w.tutor_a), 0);
}
END_TEST

START_TEST(test_student_tutors)
{
    char path[96];
    hours_path(path, sizeof(path), w.tutor_a);
    tt_expect_status("PUT", path, w.tok_tutor_a, HOURS, 200);
    tt_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
           " VALUES ($1, $2, 'secondary', current_date - 5, 'test')",
           w.student_a, w.tutor_b);
    snprintf(path, sizeof(path), "/students/%s/tutors", w.student_a);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    json_t *personal = json_array_get(items, 0);
    ck_assert_str_eq(json_string_value(json_object_get(personal, "kind")), "personal");
    ck_assert_str_eq(json_string_value(json_object_get(personal, "staff_number")), w.tutor_a);
    ck_assert_int_eq(json_object_size(personal), 5); /* kind, staff_number, name, email, office_hours */
    ck_assert_int_eq(json_array_size(json_object_get(personal, "office_hours")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "kind")), "secondary");
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_x, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_admin, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    /* an ended allocation is not a tutor today */
    tt_sql("UPDATE allocations SET ends_on = current_date - 1 WHERE student_number = $1 AND kind = 'secondary'",
           w.student_a, NULL);
    ck_assert_int_eq(tt_list_count(path, "", w.tok_student_a), 1);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_message_thread_roles,
                                  test_former_tutor_reads_own_thread,
                                  test_threads_newest_first_and_paged,
                                  test_message_content_refused,
                                  test_response_rule_still_judges_messages,
                                  test_office_hours_roles,
                                  test_student_tutors,
                                  NULL};
    return harness_run_suite("messages", tests, world_setup, world_teardown);
}
