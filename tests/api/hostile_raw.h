/* hostile_raw.h — raw HTTP/1.1 over a loopback socket to the harness's tutord, for requests libcurl
 * will not send as written (two Content-Length headers, Expect with a huge length, a header sent a byte
 * at a time) and for reading every response header. Bounded: every socket has a receive timeout. */
#ifndef TUTORD_TEST_HOSTILE_RAW_H
#define TUTORD_TEST_HOSTILE_RAW_H

#include <stddef.h>

/* A raw response: the status, the head (status line and headers, NUL-terminated) and the body. */
struct raw_response {
    long status; /* 0 when nothing parseable came back */
    char *head;  /* malloc'd, never NULL */
    char *body;  /* malloc'd, never NULL */
};

/* Opens a TCP connection to the harness's tutord with a receive timeout of `timeout_s` seconds.
 * Returns the socket, or -1. */
int raw_connect(int timeout_s);

/* As raw_connect, from the loopback address `source` ("127.0.0.3": any 127/8 address reaches the
 * server and is a client address of its own); NULL: the system's choice. */
int raw_connect_from(const char *source, int timeout_s);

/* Sends `len` bytes of `data` on `fd`. Returns 0, or -1 when the peer has gone. */
int raw_send(int fd, const char *data, size_t len);

/* Reads one response from `fd` (up to the end of its Content-Length body, or until the peer closes or
 * the timeout passes, at most 1 MiB) into *out; free with raw_response_free. Returns 0, or -1 when
 * nothing came back. */
int raw_read(int fd, struct raw_response *out);

/* One exchange on a fresh connection: sends `request` as is, reads the response, closes. */
int raw_exchange(const char *request, struct raw_response *out);

/* As raw_exchange, on a connection from `source` (raw_connect_from). */
int raw_exchange_from(const char *source, const char *request, struct raw_response *out);

/* The value of header `name` in a response head (case-insensitive), copied into buf; NULL when absent. */
const char *raw_header(const struct raw_response *r, const char *name, char *buf, size_t size);

void raw_response_free(struct raw_response *r);

#endif
