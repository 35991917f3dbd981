/* log.h — structured logs: one JSON object per line on stderr. Never log personal data or note text. */
#ifndef TUTORD_LOG_H
#define TUTORD_LOG_H

#include "config.h"

/* Sets the minimum level written; call once at start-up before threads start. */
void log_set_level(enum log_level level);

/* Writes {"level":..,"msg":..} with printf-style msg, at once (after the access lines gathered before it).
 * Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a library's message (libmicrohttpd's, libpq's) as one JSON line {"level","source","msg"}:
 * trailing newlines dropped, each word holding a '/' or '?' (a URL, a path or a query, which may carry
 * personal data) replaced by "[url]". Thread-safe. */
void log_text(enum log_level level, const char *source, const char *text);

/* Writes the access line for one request: within 10 ms, together with the other requests' lines of that
 * time (one write(2) for them all), and always before any later line of log_msg or log_text. Thread-safe. */
void log_request(const char *request_id, const char *method, const char *path, long status, double duration_ms,
                 const char *subject_role);

/* Writes the access lines not yet written now (also done at exit). Thread-safe. */
void log_flush(void);

#endif
