/* test_metrics.c — GET /metrics against a real tutord: the Prometheus text format, requests counted by
 * route PATTERN (never the concrete path) and status, unknown paths under one "(unmatched)" label,
 * latency histograms, the pools, the outbox's lag (absent, with the endpoint still answering, while the
 * database is down), the build and start time; and who may read it (loopback, or the token file's
 * bearer token; a forwarded request without it is refused). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"

#define METRICS_TOKEN "metrics-token-0123456789"

static char token_file[64] = "/tmp/tutord-metrics-XXXXXX", env_token[128];
static char school[32], student[32], student_path[64];
static char *admin;

/* Starts tutord with a metrics token file and makes one student to read. */
static void start(void)
{
    int fd = mkstemp(token_file);
    if (fd < 0 || write(fd, METRICS_TOKEN "\n", strlen(METRICS_TOKEN) + 1) < 0 || close(fd) != 0)
        abort();
    snprintf(env_token, sizeof(env_token), "TUTORD_METRICS_TOKEN_FILE=%s", token_file);
    const char *const env[] = {env_token, NULL};
    harness_start_with(env);
    admin = tt_admin_token();
    char n[32];
    tt_new_school(school, sizeof(school), "MET", NULL);
    snprintf(student, sizeof(student), "SMET%s", harness_unique("", n, sizeof(n)));
    tt_student(student, school);
    snprintf(student_path, sizeof(student_path), "/students/%s", student);
}

static void stop(void)
{
    free(admin);
    harness_stop();
    unlink(token_file);
}

/* GET /metrics with extra headers (NULL-terminated, may be NULL); asserts the status. */
static void scrape(const char *const *headers, long status, struct tt_response *r)
{
    ck_assert_int_eq(harness_request("GET", "/metrics", NULL, NULL, NULL, headers, r), 0);
    if (r->status != status)
        ck_abort_msg("GET /metrics answered %ld, not %ld: %s", r->status, status, r->body);
}

/* The value of the series written exactly as `series` ("name{labels}") in `text`, or -1 when absent. */
static double value_of(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return -1;
}

/* The value of `series` in a fresh scrape from loopback (-1 when absent). */
static double scraped(const char *series)
{
    struct tt_response r;
    scrape(NULL, 200, &r);
    double v = value_of(r.body, series);
    harness_response_free(&r);
    return v;
}

/* The value of `series` once it reaches `want` (a request is counted when its response has been sent, so
 * a scrape right after the reply may come first), or its last value after 10 s. */
static double scraped_once_at_least(const char *series, double want)
{
    double v = scraped(series);
    for (int i = 0; i < 200 && v < want; i++) {
        usleep(50 * 1000);
        v = scraped(series);
    }
    return v;
}

#define STUDENT_OK "tutord_http_requests_total{route=\"/students/{student_number}\",method=\"GET\",status=\"200\"}"
#define STUDENT_COUNT "tutord_http_request_duration_seconds_count{route=\"/students/{student_number}\",method=\"GET\"}"
#define UNMATCHED "tutord_http_requests_total{route=\"(unmatched)\",method=\"(any)\",status=\"404\"}"

START_TEST(test_requests_counted_by_route_pattern)
{
    double before = scraped(STUDENT_OK), unmatched_before = scraped(UNMATCHED);
    for (int i = 0; i < 3; i++)
        tt_expect_status("GET", student_path, admin, NULL, 200);
    tt_expect_status("GET", "/no/such/path/S1234567", admin, NULL, 404);
    scraped_once_at_least(STUDENT_OK, (before < 0 ? 0 : before) + 3);
    scraped_once_at_least(UNMATCHED, (unmatched_before < 0 ? 0 : unmatched_before) + 1);
    struct tt_response r;
    scrape(NULL, 200, &r);
    ck_assert_str_eq(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_double_eq(value_of(r.body, STUDENT_OK), (before < 0 ? 0 : before) + 3);
    ck_assert_double_ge(value_of(r.body, STUDENT_COUNT), 3);
    ck_assert_double_eq(value_of(r.body, UNMATCHED), (unmatched_before < 0 ? 0 : unmatched_before) + 1);
    ck_assert_ptr_null(strstr(r.body, student)); /* never a concrete path */
    ck_assert_ptr_null(strstr(r.body, "S1234567"));
    ck_assert_ptr_nonnull(strstr(r.body, "# TYPE tutord_http_request_duration_seconds histogram\n"));
    ck_assert_double_ge(value_of(r.body, "tutord_http_request_duration_seconds_bucket{route=\"/students/"
                                         "{student_number}\",method=\"GET\",le=\"+Inf\"}"),
                        3);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_pools_outbox_build_and_start)
{
    struct tt_response r;
    scrape(NULL, 200, &r);
    ck_assert_double_ge(value_of(r.body, "tutord_db_pool_size"), 1);
    ck_assert_double_ge(value_of(r.body, "tutord_db_pool_in_use"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_db_pool_waiting"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_db_pool_acquire_timeouts_total"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_heavy_threads"), 1);
    ck_assert_double_ge(value_of(r.body, "tutord_heavy_busy"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_heavy_queue_depth"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_heavy_rejected_total"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_outbox_queued"), 0);
    ck_assert_double_ge(value_of(r.body, "tutord_outbox_oldest_age_seconds"), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "\ntutord_build_info{version=\""));
    double started = value_of(r.body, "process_start_time_seconds");
    ck_assert_double_gt(started, 1.7e9);
    ck_assert_double_le(started, (double)time(NULL) + 1);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_outbox_lag_counts_queued_notifications)
{
    /* a queued reminder made by SQL, ten days old: counted, and the oldest age is at least its age */
    char staff[32], n[32], contact[24];
    snprintf(staff, sizeof(staff), "EMET%s", harness_unique("", n, sizeof(n)));
    tt_staff(staff, school, "{tutor}");
    tt_contact(student, staff, "meeting", "to_student", NULL, NULL, contact);
    double before = scraped("tutord_outbox_queued");
    tt_sql("INSERT INTO notifications (event_kind, category, person, email, subject, body, link, reminder_for,"
           " created_at, next_attempt_at) VALUES ('meeting.reminder', 'reminder', $1, 'm@uni.example', 's',"
           " 'b {link}', '/x', $2::bigint, now() - interval '10 days', now() + interval '1 day')",
           student, contact);
    struct tt_response r;
    scrape(NULL, 200, &r);
    ck_assert_double_ge(value_of(r.body, "tutord_outbox_queued"), before + 1);
    ck_assert_double_ge(value_of(r.body, "tutord_outbox_oldest_age_seconds"), 10 * 86400);
    harness_response_free(&r);
    tt_sql("DELETE FROM notifications WHERE reminder_for = $1::bigint", contact, NULL);
}
END_TEST

START_TEST(test_outbox_lag_absent_while_database_down)
{
    if (harness_db_stop() != 0) {
        fprintf(stderr, "test_outbox_lag_absent_while_database_down: SKIPPED (not the harness's own cluster)\n");
        return;
    }
    struct tt_response r;
    scrape(NULL, 200, &r);
    ck_assert_double_eq(value_of(r.body, "tutord_outbox_queued"), -1);
    ck_assert_double_eq(value_of(r.body, "tutord_outbox_oldest_age_seconds"), -1);
    ck_assert_double_ge(value_of(r.body, "tutord_db_pool_size"), 1);
    harness_response_free(&r);
    ck_assert_int_eq(harness_db_start(), 0);
    double queued = -1;
    for (int i = 0; i < 100 && queued < 0; i++) { /* until the pool reconnects; a bound, not a timing */
        queued = scraped("tutord_outbox_queued");
        if (queued < 0)
            usleep(100 * 1000);
    }
    ck_assert_double_ge(queued, 0);
}
END_TEST

START_TEST(test_who_may_read)
{
    struct tt_response r;
    const char *const forwarded[] = {"X-Forwarded-For: 203.0.113.9", NULL};
    scrape(forwarded, 401, &r);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    ck_assert_str_eq(r.www_authenticate, "Bearer");
    harness_response_free(&r);
    const char *const wrong[] = {"Forwarded: for=203.0.113.9", "Authorization: Bearer not-the-token", NULL};
    scrape(wrong, 401, &r);
    harness_response_free(&r);
    const char *const right[] = {"X-Forwarded-For: 203.0.113.9", "Authorization: Bearer " METRICS_TOKEN, NULL};
    scrape(right, 200, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "tutord_build_info"));
    harness_response_free(&r);
    /* a JWT, even an admin's, is not the metrics token */
    char header[1024];
    snprintf(header, sizeof(header), "Authorization: Bearer %s", admin);
    const char *const jwt[] = {"X-Forwarded-For: 203.0.113.9", header, NULL};
    scrape(jwt, 401, &r);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_without_token_file_only_loopback)
{
    harness_stop();
    harness_start();
    struct tt_response r;
    const char *const forwarded[] = {"X-Forwarded-For: 203.0.113.9", "Authorization: Bearer " METRICS_TOKEN, NULL};
    scrape(forwarded, 403, &r);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    harness_response_free(&r);
    scrape(NULL, 200, &r);
    harness_response_free(&r);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_requests_counted_by_route_pattern,
        test_pools_outbox_build_and_start,
        test_outbox_lag_counts_queued_notifications,
        test_outbox_lag_absent_while_database_down,
        test_who_may_read,
        test_without_token_file_only_loopback, /* last: restarts tutord without the token file */
        NULL,
    };
    const struct harness_suite suite = {
        .name = "metrics", .tests = tests, .start = start, .stop = stop, .timeout = 120, .in_process = 1};
    return harness_run(&suite);
}
