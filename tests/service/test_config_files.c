/* test_config_files.c — the settings a deployment with more than one machine uses: secrets read from
 * *_FILE variables (Docker secrets), exclusive with the plain variable, refused when unreadable or empty;
 * the read replica's URL and its wait bound. No HTTP, no database. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static const char *const VARS[] = {
    "TUTORD_JWT_SECRET",        "TUTORD_JWT_SECRET_FILE",        "TUTORD_DATABASE_URL",     "TUTORD_DATABASE_URL_FILE",
    "TUTORD_DATABASE_READ_URL", "TUTORD_DATABASE_READ_URL_FILE", "TUTORD_READ_MAX_WAIT_MS", NULL};

/* Clears every variable these tests set, so each starts from the defaults. */
static void clear_env(void)
{
    for (const char *const *v = VARS; *v; v++)
        unsetenv(*v);
}

/* Writes `text` to a new temporary file whose path it puts in `path`. */
static void temp_file(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/tutord-config-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Loads the configuration from the environment alone; returns config_load's answer. */
static int load(struct config *cfg)
{
    char arg0[] = "tutord";
    char *argv[] = {arg0, NULL};
    int argc = 1;
    return config_load(cfg, &argc, argv);
}

/* Each *_FILE fills its setting with the file's first line, without the line ending. */
START_TEST(test_secrets_from_files)
{
    clear_env();
    char jwt[64], url[64], read_url[64];
    temp_file(jwt, "0123456789abcdef0123456789abcdef-from-a-file\nsecond line ignored\n");
    temp_file(url, "postgresql://tutord_web:pw@db/tutord\r\n");
    temp_file(read_url, "postgresql://tutord_web:pw@replica/tutord");
    setenv("TUTORD_JWT_SECRET_FILE", jwt, 1);
    setenv("TUTORD_DATABASE_URL_FILE", url, 1);
    setenv("TUTORD_DATABASE_READ_URL_FILE", read_url, 1);
    struct config cfg;
    ck_assert_int_eq(load(&cfg), 0);
    ck_assert_str_eq(cfg.jwt_secret, "0123456789abcdef0123456789abcdef-from-a-file");
    ck_assert_str_eq(cfg.database_url, "postgresql://tutord_web:pw@db/tutord");
    ck_assert_str_eq(cfg.database_read_url, "postgresql://tutord_web:pw@replica/tutord");
    ck_assert_int_eq(config_check_for_serving(&cfg), 0);
    config_free(&cfg);
    unlink(jwt);
    unlink(url);
    unlink(read_url);
}
END_TEST

/* A secret set both ways, a missing file and an empty one are each refused. */
START_TEST(test_file_settings_refused)
{
    char empty[64], jwt[64];
    temp_file(empty, "\n");
    temp_file(jwt, "0123456789abcdef0123456789abcdef\n");
    struct config cfg;
    clear_env();
    setenv("TUTORD_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    setenv("TUTORD_JWT_SECRET_FILE", jwt, 1);
    ck_assert_int_eq(load(&cfg), -1);
    config_free(&cfg);
    clear_env();
    setenv("TUTORD_DATABASE_URL_FILE", "/nonexistent/tutord-url", 1);
    ck_assert_int_eq(load(&cfg), -1);
    config_free(&cfg);
    clear_env();
    setenv("TUTORD_JWT_SECRET_FILE", empty, 1);
    ck_assert_int_eq(load(&cfg), -1);
    config_free(&cfg);
    unlink(empty);
    unlink(jwt);
}
END_TEST

/* No replica by default and a 500 ms wait; the wait is bounded to 0..10000 ms. */
START_TEST(test_read_replica_settings)
{
    clear_env();
    struct config cfg;
    ck_assert_int_eq(load(&cfg), 0);
    ck_assert_ptr_null(cfg.database_read_url);
    ck_assert_int_eq(cfg.read_max_wait_ms, 500);
    config_free(&cfg);
    setenv("TUTORD_DATABASE_READ_URL", "postgresql://replica/tutord", 1);
    setenv("TUTORD_READ_MAX_WAIT_MS", "0", 1);
    ck_assert_int_eq(load(&cfg), 0);
    ck_assert_str_eq(cfg.database_read_url, "postgresql://replica/tutord");
    ck_assert_int_eq(cfg.read_max_wait_ms, 0);
    config_free(&cfg);
    setenv("TUTORD_READ_MAX_WAIT_MS", "10001", 1);
    ck_assert_int_eq(load(&cfg), -1);
    config_free(&cfg);
    clear_env();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_files");
    TCase *tc = tcase_create("config_files");
    tcase_add_test(tc, test_secrets_from_files);
    tcase_add_test(tc, test_file_settings_refused);
    tcase_add_test(tc, test_read_replica_settings);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
