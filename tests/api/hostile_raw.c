/* hostile_raw.c — raw HTTP/1.1 exchanges with the harness's tutord (see hostile_raw.h). */
#include "hostile_raw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"

#define RAW_MAX (1u << 20)

int raw_connect(int timeout_s)
{
    return raw_connect_from(NULL, timeout_s);
}

int raw_connect_from(const char *source, int timeout_s)
{
    int port = 0;
    if (sscanf(harness_base_url(), "http://127.0.0.1:%d", &port) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = timeout_s, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in from = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if ((source &&
         (inet_pton(AF_INET, source, &from.sin_addr) != 1 || bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0)) ||
        connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int raw_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The Content-Length of a head, or -1 when it has none. */
static long head_length(const char *head)
{
    for (const char *p = strchr(head, '\n'); p; p = strchr(p + 1, '\n'))
        if (strncasecmp(p + 1, "Content-Length:", 15) == 0)
            return strtol(p + 16, NULL, 10);
    return -1;
}

/* Splits buf (n bytes, NUL-terminated) into *out once the head is complete; 1 when the response is whole. */
static int split(const char *buf, size_t n, struct raw_response *out, int final)
{
    const char *end = strstr(buf, "\r\n\r\n");
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - buf) + 2, body_at = head_len + 2;
    long want = -1;
    char *head = strndup(buf, head_len);
    want = head_length(head);
    if (!final && (want < 0 || n - body_at < (size_t)want)) {
        free(head);
        return 0;
    }
    out->head = head;
    size_t body_len = want >= 0 && (size_t)want < n - body_at ? (size_t)want : n - body_at;
    out->body = strndup(buf + body_at, body_len);
    sscanf(head, "HTTP/1.%*d %ld", &out->status);
    return 1;
}

int raw_read(int fd, struct raw_response *out)
{
    memset(out, 0, sizeof(*out));
    char *buf = malloc(RAW_MAX + 1);
    size_t n = 0;
    int whole = 0;
    while (buf && !whole && n < RAW_MAX) {
        ssize_t got = recv(fd, buf + n, RAW_MAX - n, 0);
        if (got <= 0)
            break;
        n += (size_t)got;
        buf[n] = '\0';
        whole = split(buf, n, out, 0);
    }
    if (buf && !whole) {
        buf[n] = '\0';
        whole = split(buf, n, out, 1);
    }
    free(buf);
    if (!whole) {
        out->head = strdup("");
        out->body = strdup("");
        return -1;
    }
    return 0;
}

int raw_exchange(const char *request, struct raw_response *out)
{
    return raw_exchange_from(NULL, request, out);
}

int raw_exchange_from(const char *source, const char *request, struct raw_response *out)
{
    int fd = raw_connect_from(source, 20);
    if (fd < 0) {
        memset(out, 0, sizeof(*out));
        out->head = strdup("");
        out->body = strdup("");
        return -1;
    }
    raw_send(fd, request, strlen(request));
    int rc = raw_read(fd, out);
    close(fd);
    return rc;
}

const char *raw_header(const struct raw_response *r, const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    for (const char *p = strchr(r->head, '\n'); p; p = strchr(p + 1, '\n')) {
        if (strncasecmp(p + 1, name, len) != 0 || p[1 + len] != ':')
            continue;
        const char *v = p + 2 + len;
        v += strspn(v, " \t");
        size_t n = strcspn(v, "\r\n");
        snprintf(buf, size, "%.*s", (int)n, v);
        return buf;
    }
    return NULL;
}

void raw_response_free(struct raw_response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}
