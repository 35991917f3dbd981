/* test_hostile_http.c — hostile HTTP framing over raw loopback sockets: ambiguous lengths (request
 * smuggling) are refused, and a body is judged from the headers before any of it is read — a request
 * that will be refused gets its answer without sending the body, and `Expect: 100-continue` gets 413,
 * not 100 Continue, when the declared length is over the route's limit. Every read is bounded by a
 * socket timeout; nothing here measures time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "hostile_raw.h"

static char *admin;

static void start(void)
{
    harness_start();
    admin = tt_admin_token();
}

static void stop(void)
{
    free(admin);
    harness_stop();
}

/* Sends `head` (a request line and headers, without the blank line) plus `extra_headers` and the blank
 * line, and nothing of any body; returns the first response on that connection (the caller frees). */
static void head_only(const char *head, struct raw_response *r)
{
    int fd = raw_connect(15);
    ck_assert_int_ge(fd, 0);
    char request[4096];
    snprintf(request, sizeof(request), "%s\r\nHost: 127.0.0.1\r\n\r\n", head);
    ck_assert_int_eq(raw_send(fd, request, strlen(request)), 0);
    ck_assert_msg(raw_read(fd, r) == 0, "no answer before the body was sent to: %s", head);
    close(fd);
}

/* Asserts a problem+json answer with `status`. */
static void expect_problem(const struct raw_response *r, long status)
{
    char type[96];
    ck_assert_msg(r->status == status, "%ld, wanted %ld: %s", r->status, status, r->body);
    ck_assert_str_eq(raw_header(r, "Content-Type", type, sizeof(type)), "application/problem+json");
}

/* Two Content-Length headers (differing, or the same twice) and Content-Length with chunked are 400. */
START_TEST(test_ambiguous_length_is_refused)
{
    static const char *const FRAMINGS[] = {
        "Content-Length: 2\r\nContent-Length: 40",
        "Content-Length: 2\r\nContent-Length: 2",
        "Content-Length: 2\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 2",
    };
    for (size_t i = 0; i < sizeof(FRAMINGS) / sizeof(FRAMINGS[0]); i++) {
        char request[2048];
        snprintf(request, sizeof(request),
                 "POST /allocations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\n%s\r\n\r\n{}",
                 admin, FRAMINGS[i]);
        struct raw_response r;
        ck_assert_int_eq(raw_exchange(request, &r), 0);
        expect_problem(&r, 400);
        raw_response_free(&r);
    }
}
END_TEST

/* Refusals decided by the headers come back before any of the announced body is sent: an oversized
 * body to a public route, a body without a token, a body to a path that does not exist. */
START_TEST(test_refused_before_the_body)
{
    struct raw_response r;
    head_only("GET /healthz HTTP/1.1\r\nContent-Length: 70254592", &r); /* 67 MB, no token */
    expect_problem(&r, 413);
    raw_response_free(&r);
    head_only("POST /healthz HTTP/1.1\r\nContent-Length: 70254592", &r);
    expect_problem(&r, 405);
    raw_response_free(&r);
    head_only("POST /allocations HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000", &r);
    expect_problem(&r, 401);
    raw_response_free(&r);
    head_only("POST /nowhere HTTP/1.1\r\nContent-Length: 1000", &r);
    expect_problem(&r, 404);
    raw_response_free(&r);
    char head[1024];
    snprintf(head, sizeof(head),
             "POST /allocations HTTP/1.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
             "Content-Length: 1048577",
             admin); /* one byte over the 1 MiB body limit */
    head_only(head, &r);
    expect_problem(&r, 413);
    raw_response_free(&r);
}
END_TEST

/* Expect: 100-continue with 50 MB: 413 on an ordinary route, 100 Continue on an import route (whose
 * larger limit applies to import routes only). */
START_TEST(test_expect_continue_judged_by_route)
{
    char head[1024];
    struct raw_response r;
    snprintf(head, sizeof(head),
             "POST /allocations HTTP/1.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
             "Expect: 100-continue\r\nContent-Length: 52428800",
             admin);
    head_only(head, &r);
    expect_problem(&r, 413);
    raw_response_free(&r);
    snprintf(head, sizeof(head),
             "POST /students:import HTTP/1.1\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\n"
             "Expect: 100-continue\r\nContent-Length: 52428800",
             admin);
    int fd = raw_connect(15);
    char request[1200];
    snprintf(request, sizeof(request), "%s\r\nHost: 127.0.0.1\r\n\r\n", head);
    ck_assert_int_eq(raw_send(fd, request, strlen(request)), 0);
    char line[64] = {0};
    ck_assert_int_gt(recv(fd, line, sizeof(line) - 1, 0), 12);
    ck_assert_msg(strncmp(line, "HTTP/1.1 100", 12) == 0, "%s", line);
    close(fd);
}
END_TEST

/* A chunked body (no declared length) that runs over the limit is refused with 413; one within it
 * reaches the handler (here: 400 for malformed JSON, so nothing is written). */
START_TEST(test_chunked_body_over_limit)
{
    size_t chunk = 64 * 1024, chunks = 17; /* 1088 KiB > 1 MiB */
    char *body = malloc(chunks * (chunk + 16) + 16), head[1024];
    size_t n = 0;
    for (size_t i = 0; i < chunks; i++) {
        n += (size_t)sprintf(body + n, "%zx\r\n", chunk);
        memset(body + n, ' ', chunk);
        n += chunk;
        n += (size_t)sprintf(body + n, "\r\n");
    }
    n += (size_t)sprintf(body + n, "0\r\n\r\n");
    snprintf(head, sizeof(head),
             "POST /allocations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
             admin);
    int fd = raw_connect(15);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(raw_send(fd, head, strlen(head)), 0);
    raw_send(fd, body, n); /* the server may close before taking it all */
    struct raw_response r;
    ck_assert_int_eq(raw_read(fd, &r), 0);
    expect_problem(&r, 413);
    raw_response_free(&r);
    close(fd);
    free(body);
    char request[1200];
    snprintf(request, sizeof(request), "%s5\r\n{\"a\":\r\n0\r\n\r\n", head);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    expect_problem(&r, 400);
    raw_response_free(&r);
}
END_TEST

/* Keep-alive still carries request after request on one connection. */
START_TEST(test_keep_alive_still_works)
{
    int fd = raw_connect(15);
    ck_assert_int_ge(fd, 0);
    for (int i = 0; i < 3; i++) {
        const char *request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        ck_assert_int_eq(raw_send(fd, request, strlen(request)), 0);
        struct raw_response r;
        ck_assert_int_eq(raw_read(fd, &r), 0);
        ck_assert_int_eq(r.status, 200);
        raw_response_free(&r);
    }
    close(fd);
}
END_TEST

/* GET `path` with `token` (may be NULL) over a raw socket; the caller frees the response. */
static void raw_get(const char *path, const char *token, struct raw_response *r)
{
    char request[2048];
    snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: close\r\n\r\n", path,
             token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    ck_assert_int_eq(raw_exchange(request, r), 0);
}

/* Every response says nosniff and carries a CSP; personal data (any route behind a token, refusals
 * included) says Cache-Control: no-store; the docs page gets a CSP that lets it run only its own script. */
START_TEST(test_security_headers)
{
    char school[24], student[24], path[96], value[512];
    tt_new_school(school, sizeof(school), "HD", NULL);
    harness_unique("HD", student, sizeof(student));
    tt_student(student, school);
    snprintf(path, sizeof(path), "/students/%s", student);
    struct raw_response r;
    raw_get(path, admin, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(raw_header(&r, "Cache-Control", value, sizeof(value)), "no-store");
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", value, sizeof(value)), "nosniff");
    ck_assert_str_eq(raw_header(&r, "Content-Security-Policy", value, sizeof(value)),
                     "default-src 'none'; frame-ancestors 'none'");
    raw_response_free(&r);
    raw_get(path, NULL, &r); /* a refusal on a personal route is not cached either */
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(raw_header(&r, "Cache-Control", value, sizeof(value)), "no-store");
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", value, sizeof(value)), "nosniff");
    raw_response_free(&r);
    raw_get("/nowhere", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", value, sizeof(value)), "nosniff");
    raw_response_free(&r);
    raw_get("/healthz", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", value, sizeof(value)), "nosniff");
    ck_assert_ptr_null(raw_header(&r, "Cache-Control", value, sizeof(value)));
    raw_response_free(&r);
    raw_get("/docs", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(raw_header(&r, "X-Content-Type-Options", value, sizeof(value)), "nosniff");
    ck_assert_ptr_nonnull(raw_header(&r, "Content-Security-Policy", value, sizeof(value)));
    ck_assert_ptr_nonnull(strstr(value, "script-src 'self';"));
    ck_assert_ptr_nonnull(strstr(value, "default-src 'none'"));
    ck_assert_ptr_nonnull(strstr(value, "frame-ancestors 'none'"));
    ck_assert_ptr_null(strstr(value, "unsafe-eval"));
    raw_response_free(&r);
}
END_TEST

/* A target over 8 KB gets 414 and header fields over 16 KB get 431, both as problem+json from the
 * service (libmicrohttpd's own fixed answers start only far beyond); just under both still routes. */
START_TEST(test_oversized_target_and_headers)
{
    size_t cap = 40000;
    char *request = malloc(cap), *filler = malloc(20000);
    struct raw_response r;
    memset(filler, 'a', 19999);
    filler[19999] = '\0';
    snprintf(request, cap, "GET /healthz?x=%.8100s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", filler);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
    snprintf(request, cap, "GET /healthz?x=%.8200s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", filler);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    expect_problem(&r, 414);
    raw_response_free(&r);
    snprintf(request, cap, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %.16000s\r\nConnection: close\r\n\r\n",
             filler);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
    snprintf(request, cap, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %.17000s\r\nConnection: close\r\n\r\n",
             filler);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    expect_problem(&r, 431);
    raw_response_free(&r);
    free(filler);
    free(request);
}
END_TEST

/* Writes a GET /healthz with a target of `target` bytes of query and `fields` header fields (Host and
 * Connection among them) holding some `bytes` bytes in all into request[cap]. */
static void many_fields(char *request, size_t cap, size_t target, int fields, size_t bytes)
{
    size_t used = (size_t)snprintf(request, cap, "GET /healthz?x=");
    for (size_t i = 0; i < target; i++)
        request[used++] = 'q';
    used += (size_t)snprintf(request + used, cap - used, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    size_t each = bytes / (size_t)fields;
    for (int i = 0; i < fields - 2; i++) {
        int n = snprintf(request + used, cap - used, "X-F%d: ", i);
        used += (size_t)n;
        for (size_t k = (size_t)n + 2; k < each; k++)
            request[used++] = 'v';
        used += (size_t)snprintf(request + used, cap - used, "\r\n");
    }
    snprintf(request + used, cap - used, "\r\n");
}

/* 100 header fields are served, with an 8 KB target and 16 KB of fields at once (the connection's memory
 * holds them: server.c); 101 get 431 as problem+json from the service, and so do 200. */
START_TEST(test_header_fields_counted)
{
    size_t cap = 64000;
    char *request = malloc(cap);
    struct raw_response r;
    many_fields(request, cap, 8100, 100, 16000);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
    many_fields(request, cap, 0, 101, 2000);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    expect_problem(&r, 431);
    raw_response_free(&r);
    many_fields(request, cap, 0, 200, 16000);
    ck_assert_int_eq(raw_exchange(request, &r), 0);
    expect_problem(&r, 431);
    raw_response_free(&r);
    free(request);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_ambiguous_length_is_refused,  test_refused_before_the_body, test_expect_continue_judged_by_route,
        test_chunked_body_over_limit,      test_keep_alive_still_works,  test_security_headers,
        test_oversized_target_and_headers, test_header_fields_counted,   NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_http", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
