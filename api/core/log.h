/* log.h — structured logs: one JSON object per line on stderr. Never log personal data or note text. */
#ifndef TUTORD_LOG_H
#define TUTORD_LOG_H

#include "config.h"

/* Sets the minimum level written; call once at start-up before threads start. */
void log_set_level(enum log_level level);

/* Writes {"level":..,"msg":..} with printf-style msg. Thread-safe (one write(2) per line). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a library's message (libmicrohttpd's, libpq's) as one JSON line {"level","source","msg"}:
 * trailing newlines dropped, each word holding a '/' or '?' (a URL, a path or a query, which may carry
 * personal data) replaced by "[url]". Thread-safe. */
void log_text(enum log_level level, const char *source, const char *text);

/* Writes the access line for one request. Thread-safe. */
void log_request(const char *request_id, const char *method, const char *path, long status, double duration_ms,
                 const char *subject_role);

#endif
