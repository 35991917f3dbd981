/* test_log.c — libraries' messages through the JSON log: each a JSON line with its source, URLs,
 * paths and queries replaced by "[url]", trailing newlines dropped, and the log level honoured (a
 * warning is not written at level error). stderr is sent to a temporary file while each case runs. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Runs log_text(level, source, text) at minimum level `min` and returns what reached stderr (malloc'd). */
static char *captured(enum log_level min, enum log_level level, const char *source, const char *text)
{
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    log_set_level(min);
    log_text(level, source, text);
    dup2(saved, STDERR_FILENO);
    close(saved);
    long n = ftell(tmp) >= 0 ? (fseek(tmp, 0, SEEK_END), ftell(tmp)) : 0;
    char *out = calloc(1, (size_t)n + 1);
    rewind(tmp);
    ck_assert_int_eq(fread(out, 1, (size_t)n, tmp), (size_t)n);
    fclose(tmp);
    return out;
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

int main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    tcase_add_test(tc, test_library_message_is_one_json_line);
    tcase_add_test(tc, test_multi_line_and_urls);
    tcase_add_test(tc, test_level_honoured);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
