/* test_hostile_limits.c — request quotas and the CORS allow-list. The server runs with 5 reads per
 * principal and 12 reads per client address in a 60-second window, 2 heavy requests per principal, and
 * one allowed origin. Each test speaks from a loopback address of its own (127.0.0.x), so the
 * per-address counts of one test do not reach another's. Bounded: a fixed number of requests, each
 * with a socket timeout; nothing here measures time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "hostile_raw.h"

#define ALLOWED_ORIGIN "https://tutoring.example.ac.uk"

static const char *const SERVER_ENV[] = {"TUTORD_RATE_WINDOW=60",
                                         "TUTORD_RATE_READS_PER_SUB=5",
                                         "TUTORD_RATE_READS_PER_ADDRESS=12",
                                         "TUTORD_RATE_HEAVY_PER_SUB=2",
                                         "TUTORD_CORS_ORIGINS=https://other.example, " ALLOWED_ORIGIN,
                                         NULL};

static void start(void)
{
    harness_start_with(SERVER_ENV);
}

/* One request from `source`: METHOD PATH with `token` (may be NULL) and `extra` header lines (may be
 * ""), on a connection of its own. The caller frees *r. */
static void send_from(const char *source, const char *method, const char *path, const char *token, const char *extra,
                      struct raw_response *r)
{
    char request[2048], auth[1024] = "";
    if (token)
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
    snprintf(request, sizeof(request), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sConnection: close\r\n\r\n", method,
             path, auth, extra);
    ck_assert_int_eq(raw_exchange_from(source, request, r), 0);
}

/* GET /tutors?limit=1 from `source` as a fresh admin `sub`; returns the status, freeing the answer. */
static long read_as(const char *source, const char *sub)
{
    char *token = harness_token(sub, "admin", NULL);
    struct raw_response r;
    send_from(source, "GET", "/tutors?limit=1", token, "", &r);
    long status = r.status;
    raw_response_free(&r);
    free(token);
    return status;
}

/* Asserts a 429 problem+json with Retry-After (1..60 s) and the policy that ran out named. */
static void expect_429(const struct raw_response *r, const char *policy)
{
    char type[96], retry[16], header[256];
    ck_assert_msg(r->status == 429, "%ld: %s", r->status, r->body);
    ck_assert_str_eq(raw_header(r, "Content-Type", type, sizeof(type)), "application/problem+json");
    ck_assert_ptr_nonnull(raw_header(r, "Retry-After", retry, sizeof(retry)));
    ck_assert_int_ge(atoi(retry), 1);
    ck_assert_int_le(atoi(retry), 60);
    ck_assert_ptr_nonnull(raw_header(r, "RateLimit-Policy", header, sizeof(header)));
    ck_assert_msg(strstr(header, policy) != NULL, "RateLimit-Policy %s does not name %s", header, policy);
}

/* The sixth read of one principal in the window is 429; its first five carry the policy and what
 * remains (4, 3, ... 0); another principal from the same address still reads; a write is another class. */
START_TEST(test_reads_limited_per_principal)
{
    char sub[32], other[32], header[256], expect[64];
    harness_unique("RLS", sub, sizeof(sub));
    harness_unique("RLO", other, sizeof(other));
    char *token = harness_token(sub, "admin", NULL);
    for (int i = 1; i <= 5; i++) {
        struct raw_response r;
        send_from("127.0.0.11", "GET", "/tutors?limit=1", token, "", &r);
        ck_assert_msg(r.status == 200, "read %d: %ld %s", i, r.status, r.body);
        ck_assert_str_eq(raw_header(&r, "RateLimit-Policy", header, sizeof(header)),
                         "\"address-reads\";q=12;w=60, \"sub-reads\";q=5;w=60");
        snprintf(expect, sizeof(expect), "\"sub-reads\";r=%d;t=", 5 - i);
        ck_assert_msg(strstr(raw_header(&r, "RateLimit", header, sizeof(header)), expect), "%s", header);
        raw_response_free(&r);
    }
    struct raw_response r;
    send_from("127.0.0.11", "GET", "/tutors?limit=1", token, "", &r);
    expect_429(&r, "\"sub-reads\";q=5;w=60");
    raw_response_free(&r);
    ck_assert_int_eq(read_as("127.0.0.11", other), 200);
    /* writes have no quota in this server: a DELETE by the same principal is not refused for its reads */
    send_from("127.0.0.11", "DELETE", "/allocations/0", token, "", &r);
    ck_assert_int_ne(r.status, 429);
    raw_response_free(&r);
    free(token);
}
END_TEST

/* Twelve reads from one address, each by a different principal, use the address's quota: the
 * thirteenth is 429 whoever sends it — and so is a request with a bad token, counted before the token
 * is checked — while another address is served. Public routes (health) have no quota. */
START_TEST(test_reads_limited_per_address)
{
    char sub[32];
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(read_as("127.0.0.12", harness_unique("RLA", sub, sizeof(sub))), 200);
    struct raw_response r;
    char *token = harness_token(harness_unique("RLA", sub, sizeof(sub)), "admin", NULL);
    send_from("127.0.0.12", "GET", "/tutors?limit=1", token, "", &r);
    expect_429(&r, "\"address-reads\";q=12;w=60");
    raw_response_free(&r);
    send_from("127.0.0.12", "GET", "/tutors?limit=1", "not.a.token", "", &r);
    expect_429(&r, "\"address-reads\"");
    raw_response_free(&r);
    send_from("127.0.0.12", "GET", "/healthz", NULL, "", &r);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
    ck_assert_int_eq(read_as("127.0.0.13", sub), 200);
    free(token);
}
END_TEST

/* Heavy routes have their own quota (2 per principal here): the third report is 429, and reads by the
 * same principal are still within theirs. */
START_TEST(test_heavy_limited_per_principal)
{
    char sub[32];
    char *token = harness_token(harness_unique("RLH", sub, sizeof(sub)), "admin", NULL);
    struct raw_response r;
    for (int i = 0; i < 2; i++) {
        send_from("127.0.0.14", "GET", "/reports/kpis", token, "", &r);
        ck_assert_msg(r.status != 429, "report %d: %ld", i, r.status);
        raw_response_free(&r);
    }
    send_from("127.0.0.14", "GET", "/reports/kpis", token, "", &r);
    expect_429(&r, "\"sub-heavy\";q=2;w=60");
    raw_response_free(&r);
    send_from("127.0.0.14", "GET", "/tutors?limit=1", token, "", &r);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
    free(token);
}
END_TEST

/* A preflight from an allowed origin is answered 204 with that origin, the path's methods and the
 * request headers a page may send; from any other origin it gets no CORS header at all. */
START_TEST(test_cors_preflight_only_for_allowed_origins)
{
    static const char *const PREFLIGHT = "Access-Control-Request-Method: PUT\r\n"
                                         "Access-Control-Request-Headers: authorization, content-type\r\n";
    char extra[512], buf[256];
    struct raw_response r;
    snprintf(extra, sizeof(extra), "Origin: %s\r\n%s", ALLOWED_ORIGIN, PREFLIGHT);
    send_from("127.0.0.15", "OPTIONS", "/students/S1", NULL, extra, &r);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
    ck_assert_str_eq(raw_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)), ALLOWED_ORIGIN);
    ck_assert_str_eq(raw_header(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)), "GET, PUT, PATCH");
    ck_assert_ptr_nonnull(strstr(raw_header(&r, "Access-Control-Allow-Headers", buf, sizeof(buf)), "Authorization"));
    ck_assert_str_eq(raw_header(&r, "Vary", buf, sizeof(buf)), "Origin");
    raw_response_free(&r);
    static const char *const OTHERS[] = {"https://evil.example", "https://tutoring.example.ac.uk.evil.example", "null",
                                         "https://TUTORING.example.ac.uk"};
    for (size_t i = 0; i < sizeof(OTHERS) / sizeof(OTHERS[0]); i++) {
        snprintf(extra, sizeof(extra), "Origin: %s\r\n%s", OTHERS[i], PREFLIGHT);
        send_from("127.0.0.15", "OPTIONS", "/students/S1", NULL, extra, &r);
        ck_assert_msg(r.status != 204, "%s got a preflight answer", OTHERS[i]);
        ck_assert_msg(!raw_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)), "%s: %s", OTHERS[i], buf);
        ck_assert_ptr_null(raw_header(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)));
        raw_response_free(&r);
    }
}
END_TEST

/* An ordinary request from an allowed origin may be read by its page (Allow-Origin, exposed headers),
 * errors included; one from another origin carries no CORS header. Personal data is never cached and
 * never sniffed, with or without an origin. */
START_TEST(test_cors_headers_on_answers)
{
    char sub[32], extra[256], buf[256];
    char *token = harness_token(harness_unique("RLC", sub, sizeof(sub)), "admin", NULL);
    struct raw_response r;
    snprintf(extra, sizeof(extra), "Origin: %s\r\n", ALLOWED_ORIGIN);
    send_from("127.0.0.16", "GET", "/tutors?limit=1", token, extra, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(raw_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)), ALLOWED_ORIGIN);
    ck_assert_ptr_nonnull(strstr(raw_header(&r, "Access-Control-Expose-Headers", buf, sizeof(buf)), "RateLimit"));
    ck_assert_str_eq(raw_header(&r, "Cache-Control", buf, sizeof(buf)), "no-store");
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", buf, sizeof(buf)), "nosniff");
    ck_assert_str_eq(raw_header(&r, "Referrer-Policy", buf, sizeof(buf)), "no-referrer");
    ck_assert_str_eq(raw_header(&r, "Content-Security-Policy", buf, sizeof(buf)),
                     "default-src 'none'; frame-ancestors 'none'");
    raw_response_free(&r);
    send_from("127.0.0.16", "GET", "/tutors?limit=1", NULL, extra, &r);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(raw_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)), ALLOWED_ORIGIN);
    raw_response_free(&r);
    send_from("127.0.0.16", "GET", "/tutors?limit=1", token, "Origin: https://evil.example\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(raw_header(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    ck_assert_str_eq(raw_header(&r, "Cache-Control", buf, sizeof(buf)), "no-store");
    raw_response_free(&r);
    free(token);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_reads_limited_per_principal, test_reads_limited_per_address,
        test_heavy_limited_per_principal, test_cors_preflight_only_for_allowed_origins,
        test_cors_headers_on_answers,     NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_limits", .tests = tests, .start = start, .stop = harness_stop, .timeout = 120};
    return harness_run(&suite);
}
