/* test_hostile_heavy.c — heavy work (reports, school compliance, imports, auto-allocation) runs in a
 * pool of its own: while 16 reports run or wait, /healthz and GET /students/{n} are still answered; a
 * full heavy queue answers 503 with Retry-After instead of stalling; a report whose client hung up
 * before it began is dropped without harm. Each test starts its own tutord with its pool sizes.
 * Bounded: fixed numbers of requests, every socket with a receive timeout. The latencies measured are
 * printed (p50, p99, max), never asserted: the machine is shared. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "hostile_raw.h"

enum { HEAVY = 16, PROBES = 60 };

/* The suite's own fixture does nothing: each test starts the server it needs. */
static void no_server(void)
{
}

/* Opens `n` connections and sends GET `path` as admin on each, reading nothing yet. */
static void send_heavy(int *fd, int n, const char *path, const char *token)
{
    char request[1024];
    snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", path, token);
    for (int i = 0; i < n; i++) {
        fd[i] = raw_connect(60);
        ck_assert_int_ge(fd[i], 0);
        ck_assert_int_eq(raw_send(fd[i], request, strlen(request)), 0);
    }
}

/* Reads the answer on each of `n` connections and closes it; counts the statuses 200 and 503 (the
 * 503s must carry Retry-After). Fails on any other status. */
static void read_heavy(int *fd, int n, int *ok, int *busy)
{
    *ok = *busy = 0;
    for (int i = 0; i < n; i++) {
        struct raw_response r;
        char retry[16];
        ck_assert_int_eq(raw_read(fd[i], &r), 0);
        ck_assert_msg(r.status == 200 || r.status == 503, "heavy request %d: %ld %s", i, r.status, r.body);
        if (r.status == 503)
            ck_assert_ptr_nonnull(raw_header(&r, "Retry-After", retry, sizeof(retry)));
        *ok += r.status == 200;
        *busy += r.status == 503;
        raw_response_free(&r);
        close(fd[i]);
    }
}

/* Milliseconds since `t0`. */
static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints p50, p99 and max of `n` latencies (sorted in place). */
static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof(*ms), by_value);
    printf("while %d reports ran: %s p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d requests)\n", HEAVY, what, ms[n / 2],
           ms[(n * 99 + 99) / 100 - 1], ms[n - 1], n);
}

/* Gives the school `code` 60 tutors and 3,000 allocated students, so that a report has work to do. */
static void populate(const char *code)
{
    tt_sql("INSERT INTO staff (staff_number, name, email, school, roles, capacity, active)"
           " SELECT $1 || 'T' || g, 'Staff ' || g, lower($1) || 't' || g || '@uni.example', $1, '{tutor}', 60, true"
           " FROM generate_series(1, 60) g",
           code, NULL);
    tt_sql("INSERT INTO students (student_number, name, email, school, level, cohort, status, registered_on)"
           " SELECT $1 || 'S' || g, 'Student ' || g, lower($1) || 's' || g || '@uni.example', $1, '4', 'UG',"
           " 'studying', DATE '2026-09-21' FROM generate_series(1, 3000) g",
           code, NULL);
    tt_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
           " SELECT $1 || 'S' || g, $1 || 'T' || (g % 60 + 1), 'personal', DATE '2026-10-01', 'test'"
           " FROM generate_series(1, 3000) g",
           code, NULL);
}

/* 16 engagement reports sent at once on the default pool (2 threads, 16 waiting): all 16 are
 * answered 200, and meanwhile every /healthz and GET /students/{n} is answered 200. */
START_TEST(test_reads_answered_while_heavy_runs)
{
    harness_start();
    char *admin = tt_admin_token(), school[16], student[32];
    tt_new_school(school, sizeof(school), "HV", NULL);
    populate(school);
    tt_student(harness_unique("S", student, sizeof(student)), school);
    char path[64];
    snprintf(path, sizeof(path), "/students/%s", student);
    int fd[HEAVY], ok, busy;
    double health[PROBES], record[PROBES];
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    send_heavy(fd, HEAVY, "/reports/engagement", admin);
    for (int i = 0; i < PROBES; i++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        tt_expect_status("GET", "/healthz", NULL, NULL, 200);
        health[i] = ms_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        tt_expect_status("GET", path, admin, NULL, 200);
        record[i] = ms_since(&t0);
    }
    double probing = ms_since(&began);
    read_heavy(fd, HEAVY, &ok, &busy);
    printf("%d reports answered in %.0f ms; the %d probes took %.0f ms\n", HEAVY, ms_since(&began), 2 * PROBES,
           probing);
    ck_assert_int_eq(ok, HEAVY);
    report("GET /healthz", health, PROBES);
    report("GET /students/{n}", record, PROBES);
    free(admin);
    harness_stop();
}
END_TEST

/* One heavy thread and one waiting place: of 12 reports sent at once some are refused 503 with
 * Retry-After (in at most 5 rounds), the rest answered 200, and /healthz answers throughout. */
START_TEST(test_full_heavy_queue_is_503)
{
    static const char *const ENV[] = {"TUTORD_HEAVY_THREADS=1", "TUTORD_HEAVY_QUEUE=1", NULL};
    harness_start_with(ENV);
    char *admin = tt_admin_token(), school[16];
    tt_new_school(school, sizeof(school), "HQ", NULL);
    populate(school);
    int refused = 0;
    for (int round = 0; round < 5 && refused == 0; round++) {
        int fd[12], ok, busy;
        send_heavy(fd, 12, "/reports/engagement", admin);
        tt_expect_status("GET", "/healthz", NULL, NULL, 200);
        read_heavy(fd, 12, &ok, &busy);
        ck_assert_int_ge(ok, 1);
        refused += busy;
    }
    ck_assert_msg(refused > 0, "no report was refused with one thread and one waiting place");
    free(admin);
    harness_stop();
}
END_TEST

/* Reports whose clients hang up while they wait are dropped: ten clients close at once, then one more
 * report and /healthz are answered 200 (the server neither crashes nor writes to a freed connection). */
START_TEST(test_report_of_departed_client_dropped)
{
    static const char *const ENV[] = {"TUTORD_HEAVY_THREADS=1", "TUTORD_HEAVY_QUEUE=16", NULL};
    harness_start_with(ENV);
    char *admin = tt_admin_token();
    int gone[10], last[1], ok, busy;
    send_heavy(gone, 10, "/reports/engagement", admin);
    for (int i = 0; i < 10; i++) {
        shutdown(gone[i], SHUT_RDWR);
        close(gone[i]);
    }
    send_heavy(last, 1, "/reports/engagement", admin);
    read_heavy(last, 1, &ok, &busy);
    ck_assert_int_eq(ok, 1);
    tt_expect_status("GET", "/healthz", NULL, NULL, 200);
    free(admin);
    harness_stop();
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_reads_answered_while_heavy_runs,
        test_full_heavy_queue_is_503,
        test_report_of_departed_client_dropped,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_heavy", .tests = tests, .start = no_server, .stop = no_server, .timeout = 180};
    return harness_run(&suite);
}
