/* test_hostile_slow.c — slow clients ("slowloris") on loopback: the server runs with a 3-second header
 * deadline and at most 8 connections per client address. The slow clients connect from 127.0.0.2 (any
 * 127/8 address reaches loopback), the healthy one from 127.0.0.1. Bounded: every socket has a receive
 * timeout, every loop a fixed number of rounds; the assertions are about what happened (answered,
 * closed), never about how long it took. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "hostile_raw.h"

#define PER_IP 8

static const char *const SERVER_ENV[] = {"TUTORD_HEADER_TIMEOUT=3", "TUTORD_MAX_CONNECTIONS_PER_IP=8",
                                         "TUTORD_MAX_CONNECTIONS=64", NULL};

static void start(void)
{
    harness_start_with(SERVER_ENV);
}

/* A connection from 127.0.0.2 with a receive timeout of `timeout_ms`; -1 when it cannot connect. */
static int connect_from_other(int timeout_ms)
{
    int port = 0;
    sscanf(harness_base_url(), "http://127.0.0.1:%d", &port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the server has closed `fd` (EOF or reset) — waiting at most the socket's receive timeout. */
static int closed_by_server(int fd)
{
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* GET /healthz from 127.0.0.1 answers 200. */
static void healthz_answers(void)
{
    struct raw_response r;
    ck_assert_int_eq(raw_exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 200);
    raw_response_free(&r);
}

/* What the server did with a connection within `ms`: 1 closed it without a byte (EOF or reset), 2 sent
 * something, 0 neither. */
static int fate(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return 0;
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    return n > 0 ? 2 : (n == 0 || errno == ECONNRESET) ? 1 : 0;
}

/* With PER_IP connections from 127.0.0.2 holding unfinished headers, one more from that address: one of
 * the PER_IP + 1 is closed without an answer at once, while 127.0.0.1 is still served. Which one is the
 * server's to choose — its threads accept in parallel, so the last to connect is not always the last
 * counted; none is answered before the header deadline unless it is the extra one (a complete request). */
START_TEST(test_connections_capped_per_address)
{
    int fd[PER_IP + 1];
    const char *extra_request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (int i = 0; i <= PER_IP; i++) {
        fd[i] = connect_from_other(5000);
        if (fd[i] < 0 && i == PER_IP)
            break; /* refused by the kernel: the cap held at accept */
        ck_assert_int_ge(fd[i], 0);
        if (i < PER_IP)
            ck_assert_int_eq(raw_send(fd[i], "GET /healthz HTTP/1.1\r\nHost: x\r\n", 33), 0);
        else
            raw_send(fd[i], extra_request, strlen(extra_request));
    }
    /* the first event on any of them (the capped one closed), well inside the 3 s header deadline; then
     * a moment for a second one that should not come */
    struct pollfd all[PER_IP + 1];
    for (int i = 0; i <= PER_IP; i++)
        all[i] = (struct pollfd){.fd = fd[i], .events = POLLIN};
    ck_assert_int_gt(poll(all, fd[PER_IP] < 0 ? PER_IP : PER_IP + 1, 2000), 0);
    usleep(200 * 1000);
    int closed = 0, answered_slow = 0;
    for (int i = 0; i <= PER_IP; i++) {
        int f = fd[i] < 0 ? 1 : fate(fd[i], 0);
        closed += f == 1;
        answered_slow += f == 2 && i < PER_IP;
    }
    ck_assert_int_eq(closed, 1);
    ck_assert_int_eq(answered_slow, 0);
    healthz_answers();
    for (int i = 0; i <= PER_IP; i++)
        if (fd[i] >= 0)
            close(fd[i]);
}
END_TEST

/* Connections trickling a header line every 200 ms never finish their headers: each is closed once its
 * header deadline passes, though it was never idle — a new connection, and one kept alive after a
 * whole request — and /healthz answers throughout. */
START_TEST(test_trickling_headers_are_cut_off)
{
    enum { SLOW = 6, ROUNDS = 60 }; /* 60 rounds of 200 ms: four times the deadline */
    int fd[SLOW], open_count = SLOW;
    for (int i = 0; i < SLOW; i++) {
        fd[i] = connect_from_other(i == 0 ? 5000 : 200);
        ck_assert_int_ge(fd[i], 0);
        if (i == 0) { /* a kept-alive connection: one whole request first, then the trickle */
            const char *whole = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
            struct raw_response r;
            ck_assert_int_eq(raw_send(fd[0], whole, strlen(whole)), 0);
            ck_assert_int_eq(raw_read(fd[0], &r), 0);
            ck_assert_int_eq(r.status, 200);
            raw_response_free(&r);
            struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
            setsockopt(fd[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        }
        ck_assert_int_eq(raw_send(fd[i], "GET /healthz HTTP/1.1\r\n", 23), 0);
    }
    for (int round = 0; round < ROUNDS && open_count > 0; round++) {
        for (int i = 0; i < SLOW; i++) {
            if (fd[i] < 0)
                continue;
            if (raw_send(fd[i], "X-Slow: 1\r\n", 11) != 0 || closed_by_server(fd[i])) {
                close(fd[i]);
                fd[i] = -1;
                open_count--;
            }
        }
        if (round % 10 == 0)
            healthz_answers();
    }
    for (int i = 0; i < SLOW; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    ck_assert_msg(open_count == 0, "%d trickling connections were still open", open_count);
    healthz_answers();
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_connections_capped_per_address,
        test_trickling_headers_are_cut_off,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_slow", .tests = tests, .start = start, .stop = harness_stop, .timeout = 120};
    return harness_run(&suite);
}
