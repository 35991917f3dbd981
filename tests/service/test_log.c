/* test_log.c — libraries' messages through the JSON log: each a JSON line with its source, URLs,
 * paths and queries replaced by "[url]", trailing newlines dropped, and the log level honoured (a
 * warning is not written at level error; at each of the four levels every writer — log_msg, log_text,
 * the access line — writes what is at or above it and nothing below); access lines, gathered and
 * written in batches, keep their place among the other lines, are written when the buffer fills without
 * waiting, and are not lost at exit. stderr is sent to a temporary file while each case runs. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static FILE *capture_file;
static int saved_stderr;

/* Sends stderr to a temporary file and sets the minimum level to `min`. */
static void capture_start(enum log_level min)
{
    capture_file = tmpfile();
    ck_assert_ptr_nonnull(capture_file);
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(capture_file), STDERR_FILENO);
    log_set_level(min);
}

/* What reached the capture file so far (malloc'd), read without moving its offset. */
static char *captured_so_far(void)
{
    struct stat st;
    ck_assert_int_eq(fstat(fileno(capture_file), &st), 0);
    char *out = calloc(1, (size_t)st.st_size + 1);
    ck_assert_int_eq(pread(fileno(capture_file), out, (size_t)st.st_size, 0), st.st_size);
    return out;
}

/* Restores stderr and returns what reached it since capture_start (malloc'd), access lines included. */
static char *capture_end(void)
{
    log_flush();
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    long n = ftell(capture_file) >= 0 ? (fseek(capture_file, 0, SEEK_END), ftell(capture_file)) : 0;
    char *out = calloc(1, (size_t)n + 1);
    rewind(capture_file);
    ck_assert_int_eq(fread(out, 1, (size_t)n, capture_file), (size_t)n);
    fclose(capture_file);
    return out;
}

/* Runs log_text(level, source, text) at minimum level `min` and returns what reached stderr (malloc'd). */
static char *captured(enum log_level min, enum log_level level, const char *source, const char *text)
{
    capture_start(min);
    log_text(level, source, text);
    return capture_end();
}

START_TEST(test_library_message_is_one_json_line)
{
    char *line = captured(LOG_INFO, LOG_WARN, "libmicrohttpd",
                          "Error processing request for /students/S1234567?school=LAW from client.\n");
    size_t n = strlen(line);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(line[n - 1], '\n');
    ck_assert_ptr_null(strchr(line, '\n') == line + n - 1 ? NULL : line); /* exactly one line */
    json_t *doc = json_loads(line, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "level")), "warn");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "source")), "libmicrohttpd");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "msg")), "Error processing request for [url] from client.");
    ck_assert_ptr_null(strstr(line, "S1234567"));
    json_decref(doc);
    free(line);
}
END_TEST

START_TEST(test_multi_line_and_urls)
{
    char *line = captured(LOG_DEBUG, LOG_ERROR, "libpq",
                          "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed:\n\tNo such file\n");
    json_t *doc = json_loads(line, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "msg")),
                     "connection to server on socket [url] failed:  No such file");
    json_decref(doc);
    free(line);
    line = captured(LOG_DEBUG, LOG_WARN, "libpq", "postgresql://tutord:secret@db.example/tutord refused");
    ck_assert_ptr_null(strstr(line, "secret"));
    free(line);
}
END_TEST

START_TEST(test_level_honoured)
{
    char *line = captured(LOG_ERROR, LOG_WARN, "libmicrohttpd", "a warning");
    ck_assert_str_eq(line, "");
    free(line);
    line = captured(LOG_ERROR, LOG_ERROR, "libmicrohttpd", "an error");
    ck_assert_ptr_nonnull(strstr(line, "an error"));
    free(line);
}
END_TEST

static const char *const LEVEL_NAMES[] = {"error", "warn", "info", "debug"};

/* Asserts `line` is one JSON line at `level` when `shown`, and empty otherwise; frees it. */
static void check_line(char *line, int shown, enum log_level level, const char *what, enum log_level min)
{
    ck_assert_msg(shown ? *line != '\0' : *line == '\0', "%s at %s with TUTORD_LOG_LEVEL=%s: \"%s\"", what,
                  LEVEL_NAMES[level], LEVEL_NAMES[min], line);
    if (shown) {
        json_t *doc = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(doc);
        ck_assert_str_eq(json_string_value(json_object_get(doc, "level")), LEVEL_NAMES[level]);
        json_decref(doc);
    }
    free(line);
}

/* At each of the four levels, every writer (log_msg, log_text, the access line, which is info) writes
 * the messages at that level and above and nothing below it. */
START_TEST(test_each_level_suppresses_lower)
{
    for (int min = LOG_ERROR; min <= LOG_DEBUG; min++) {
        for (int level = LOG_ERROR; level <= LOG_DEBUG; level++) {
            capture_start((enum log_level)min);
            log_msg((enum log_level)level, "a message at %d", level);
            check_line(capture_end(), level <= min, (enum log_level)level, "log_msg", (enum log_level)min);
            check_line(captured((enum log_level)min, (enum log_level)level, "libpq", "a notice"), level <= min,
                       (enum log_level)level, "log_text", (enum log_level)min);
        }
        capture_start((enum log_level)min);
        log_request("0123456789abcdef", "GET", "/students/@student_number", 200, 1.5, "admin");
        check_line(capture_end(), min >= LOG_INFO, LOG_INFO, "log_request", (enum log_level)min);
    }
}
END_TEST

/* The "time" of an access line: UTC to the millisecond, "YYYY-MM-DDTHH:MM:SS.mmmZ", within the seconds
 * around the call, and the same second formatted alike by a fresh line (the per-second reuse). */
START_TEST(test_access_line_time)
{
    char before[32], after[32], stamp[32];
    for (int round = 0; round < 2; round++) {
        time_t t0 = time(NULL);
        capture_start(LOG_INFO);
        log_request("00000000000000b1", "GET", "/healthz", 200, 0.1, NULL);
        char *text = capture_end();
        time_t t1 = time(NULL);
        json_t *doc = json_loads(text, 0, NULL);
        ck_assert_ptr_nonnull(doc);
        const char *when = json_string_value(json_object_get(doc, "time"));
        ck_assert_ptr_nonnull(when);
        ck_assert_uint_eq(strlen(when), 24);
        int y, mo, d, h, mi, sec, ms;
        char z = 0;
        ck_assert_int_eq(sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &sec, &ms, &z), 8);
        ck_assert_int_eq(z, 'Z');
        struct tm tm;
        strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t0, &tm));
        strftime(after, sizeof(after), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t1, &tm));
        snprintf(stamp, sizeof(stamp), "%.19s", when);
        ck_assert_msg(strcmp(before, stamp) <= 0 && strcmp(stamp, after) <= 0, "%s not within %s..%s", when, before,
                      after);
        json_decref(doc);
        free(text);
    }
}
END_TEST

/* The number of lines of `text`, after asserting it ends with a whole line (or is empty). */
static int whole_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    size_t len = strlen(text);
    ck_assert(len == 0 || text[len - 1] == '\n');
    return n;
}

/* An access line, a message, an access line: written in that order, the gathered one first. */
START_TEST(test_access_lines_keep_their_place)
{
    capture_start(LOG_INFO);
    log_request("00000000000000a1", "GET", "/healthz", 200, 0.1, NULL);
    log_msg(LOG_WARN, "between");
    log_request("00000000000000a2", "GET", "/healthz", 200, 0.1, NULL);
    char *text = capture_end();
    ck_assert_int_eq(whole_lines(text), 3);
    char *first = strstr(text, "00000000000000a1"), *between = strstr(text, "between"),
         *second = strstr(text, "00000000000000a2");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert(first < between && between < second);
    free(text);
}
END_TEST

/* More access lines than the buffer holds: the request that fills it writes it out, in whole lines,
 * before anything flushes; the flush writes the rest, every line once. */
START_TEST(test_full_buffer_is_written)
{
    enum { LINES = 1000 }; /* about 190 KB of lines: several buffers' worth */
    capture_start(LOG_INFO);
    char id[17];
    for (int i = 0; i < LINES; i++) {
        snprintf(id, sizeof(id), "%016x", i);
        log_request(id, "GET", "/students/@student_number", 200, 1.25, "tutor");
    }
    char *early = captured_so_far();
    int written = whole_lines(early);
    ck_assert_int_gt(written, 0);
    ck_assert_int_le(written, LINES);
    free(early);
    char *text = capture_end();
    ck_assert_int_eq(whole_lines(text), LINES);
    ck_assert_ptr_nonnull(strstr(text, "\"request_id\":\"00000000000003e7\"")); /* the last */
    free(text);
}
END_TEST

/* A process that exits right after a request still writes its access line. */
START_TEST(test_access_line_written_at_exit)
{
    capture_start(LOG_INFO);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        log_request("00000000000000e1", "GET", "/healthz", 200, 0.1, NULL);
        exit(0);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *text = capture_end();
    ck_assert_int_eq(whole_lines(text), 1);
    ck_assert_ptr_nonnull(strstr(text, "00000000000000e1"));
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    tcase_add_test(tc, test_library_message_is_one_json_line);
    tcase_add_test(tc, test_multi_line_and_urls);
    tcase_add_test(tc, test_level_honoured);
    tcase_add_test(tc, test_each_level_suppresses_lower);
    tcase_add_test(tc, test_access_line_time);
    tcase_add_test(tc, test_access_lines_keep_their_place);
    tcase_add_test(tc, test_full_buffer_is_written);
    tcase_add_test(tc, test_access_line_written_at_exit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
