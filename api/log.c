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

void log_request(const char *request_id, const char *method, const char *path, long status, double duration_ms,
                 const char *subject_role)
{
    if (min_level < LOG_INFO)
        return;
    char when[40];
    stamp(when, sizeof(when));
    emit(json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:s?}", "time", when, "level", "info", "request_id",
                   request_id, "method", method, "path", path, "status", (json_int_t)status, "duration_ms",
                   duration_ms, "role", subject_role));
}
