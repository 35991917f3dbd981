/* log.c — JSON lines on stderr, built with jansson so every string is escaped. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

static const char *const LEVEL_NAMES[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
    min_level = level;
}

static void stamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void emit(json_t *line)
{
    char *text = json_dumps(line, JSON_COMPACT);
    if (text) {
        size_t len = strlen(text);
        text[len] = '\n'; /* json_dumps leaves room: we overwrite the NUL and write len+1 bytes */
        ssize_t ignored = write(STDERR_FILENO, text, len + 1);
        (void)ignored;
        free(text);
    }
    json_decref(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > min_level)
        return;
    char when[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    stamp(when, sizeof(when));
    emit(json_pack("{s:s, s:s, s:s}", "time", when, "level", LEVEL_NAMES[level], "msg", msg));
}

/* Copies src into dst (size bytes) with every space-separated word holding '/' or '?' replaced by
 * "[url]" and line breaks made spaces; trailing spaces dropped. */
static void redact_urls(char *dst, size_t size, const char *src)
{
    size_t o = 0;
    while (*src && o + 8 < size) {
        size_t word = strcspn(src, " \t\r\n");
        if (word == 0) {
            dst[o++] = ' ';
            src++;
            continue;
        }
        int url = memchr(src, '/', word) || memchr(src, '?', word);
        size_t n = url ? 5 : (word < size - o - 1 ? word : size - o - 1);
        memcpy(dst + o, url ? "[url]" : src, n);
        o += n;
        src += word;
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
}

void log_text(enum log_level level, const char *source, const char *text)
{
    if (level > min_level || !text)
        return;
    char when[40], msg[1024];
    redact_urls(msg, sizeof(msg), text);
    stamp(when, sizeof(when));
    emit(json_pack("{s:s, s:s, s:s, s:s}", "time", when, "level", LEVEL_NAMES[level], "source", source, "msg", msg));
}

/* Copies a token (method, route, role) for a log line: printable ASCII without quotes or backslashes,
 * anything else becomes '?', so the line needs no JSON escaping. */
static void safe_token(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < size; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = '?';
        if (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
            dst[i] = (char)c;
    }
    dst[i] = '\0';
}

void log_request(const char *request_id, const char *method, const char *path, long status, double duration_ms,
                 const char *subject_role)
{
    if (min_level < LOG_INFO)
        return;
    char when[40], m[16], p[128], r[24], line[384];
    stamp(when, sizeof(when));
    safe_token(m, sizeof(m), method);
    safe_token(p, sizeof(p), path);
    safe_token(r, sizeof(r), subject_role);
    int n = snprintf(line, sizeof(line),
                     "{\"time\":\"%s\",\"level\":\"info\",\"request_id\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
                     "\"status\":%ld,\"duration_ms\":%.3f,\"role\":%s%s%s}\n",
                     when, request_id, m, p, status, duration_ms, subject_role ? "\"" : "", subject_role ? r : "null",
                     subject_role ? "\"" : "");
    if (n > 0 && (size_t)n < sizeof(line)) {
        ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
        (void)ignored;
    }
}
