/* test_jwks.c — tokens from a university identity provider: a real tutord verifying against a JWKS served
 * by tests/support/jwks_server.py on loopback (or read from a file), with keys made by OpenSSL at run time.
 * Rotation without downtime (old and new kid both valid, the new one picked up by the unknown-kid
 * refresh), unknown kids refused with the refreshes they cause rate-limited (counted at the server), the
 * last good keys kept while the provider is down or serves garbage, start-up with the provider down, and
 * tokens shaped like Microsoft Entra ID's (RS256) and Keycloak's (ES256) read through the claims mapping.
 * Each test starts its own tutord with its configuration; waits poll a condition with a generous bound. */
#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "keys.h"
#include "procs.h"

#define AWAIT_SECONDS 30
#define TENANT "5f1a2b3c-0000-4000-8000-00000000a11c"
#define ENTRA_ISSUER "https://login.microsoftonline.com/" TENANT "/v2.0"
#define ENTRA_AUDIENCE "api://tutord-test"

static struct test_key rsa_a, rsa_b, ec_k; /* made in start() */
static char support_dir[512], jwks_file[64], jwks_env[96], school[32], student[24], other[24];
static int jwks_port;
static pid_t jwks_pid;
static pid_t suite_pid;

/* ---- tokens ------------------------------------------------------------------------------------------ */

/* A student token for `sub` signed by k under its own kid; `salt` makes otherwise equal tokens differ. */
static char *student_token(const struct test_key *k, const char *kid, const char *sub, int salt)
{
    char claims[256];
    long now = (long)time(NULL);
    snprintf(claims, sizeof(claims), "{\"sub\":\"%s\",\"roles\":[\"student\"],\"iat\":%ld,\"exp\":%ld}", sub, now,
             now + 3600 + salt);
    return test_key_sign(k, kid, claims);
}

/* ---- the JWKS server ------------------------------------------------------------------------------- */

/* Publishes exactly the keys given (NULL-terminated) in the served file (written whole, then renamed). */
static void publish(const struct test_key *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    char *text = test_keys_jwks(keys, n), tmp[80];
    snprintf(tmp, sizeof(tmp), "%s.tmp", jwks_file);
    FILE *f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, jwks_file), 0);
    free(text);
}

/* Makes the served file hold `text` instead of a JWKS. */
static void publish_text(const char *text)
{
    FILE *f = fopen(jwks_file, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Starts the JWKS server on jwks_port. */
static void start_jwks_server(void)
{
    char port[16], script[600];
    snprintf(port, sizeof(port), "%d", jwks_port);
    snprintf(script, sizeof(script), "%s/jwks_server.py", support_dir);
    char *const argv[] = {PROCS_PYTHON, script, port, jwks_file, NULL};
    jwks_pid = procs_spawn(argv, NULL);
    procs_await_listening(jwks_pid, jwks_port, AWAIT_SECONDS);
}

/* libcurl's write callback: keeps the first bytes of the body in a NUL-terminated buffer of 32. */
static size_t keep_body(char *ptr, size_t size, size_t n, void *user)
{
    char *buf = user;
    size_t have = strlen(buf), add = size * n;
    if (have + add < 32)
        memcpy(buf + have, ptr, add), buf[have + add] = '\0';
    return size * n;
}

/* The number of JWKS fetches the running server has answered (GET /count). */
static long fetch_count(void)
{
    char url[64], body[32] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/count", jwks_port);
    CURL *curl = curl_easy_init();
    ck_assert_ptr_nonnull(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
    curl_easy_cleanup(curl);
    return strtol(body, NULL, 10);
}

/* Stops the suite's helper processes (each test's end, the suite's stop, and atexit after a failure). */
static void stop_helpers(void)
{
    if (getpid() == suite_pid)
        procs_stop(&jwks_pid);
}

/* ---- tutord ------------------------------------------------------------------------------------------ */

/* Starts tutord verifying against the JWKS server with unknown-kid refreshes at most every `min_refresh`
 * seconds, plus `extra` settings (NULL-terminated, may be NULL). */
static void start_tutord(int min_refresh, const char *const *extra)
{
    static char min_env[64];
    snprintf(min_env, sizeof(min_env), "TUTORD_JWT_JWKS_MIN_REFRESH_S=%d", min_refresh);
    const char *env[24] = {jwks_env, min_env};
    size_t n = 2;
    for (size_t i = 0; extra && extra[i] && n < 23; i++)
        env[n++] = extra[i];
    env[n] = NULL;
    harness_start_with(env);
}

/* GET /students/<number> with `token`; returns the status and copies a problem's detail into detail[size]. */
static long read_student(const char *token, const char *number, char *detail, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/students/%s", number);
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, token, NULL, NULL, NULL, &r), 0);
    long status = r.status;
    const char *d = json_string_value(json_object_get(r.json, "detail"));
    snprintf(detail, size, "%s", d ? d : "");
    harness_response_free(&r);
    return status;
}

/* Asserts GET /students/<number> with `token` answers `want`, and (when `needle` is not NULL) that the
 * problem's detail contains it. Frees the token. */
static void expect_read(char *token, const char *number, long want, const char *needle)
{
    char detail[256];
    long got = read_student(token, number, detail, sizeof(detail));
    ck_assert_msg(got == want, "GET /students/%s answered %ld (%s), expected %ld", number, got, detail, want);
    if (needle)
        ck_assert_msg(strstr(detail, needle), "detail \"%s\" does not mention \"%s\"", detail, needle);
    free(token);
}

/* Sends a token naming a made-up kid, which makes tutord refresh its keys when its rate limit lets it. */
static void poke(int salt)
{
    char detail[256], *token = student_token(&rsa_a, "made-up-kid", student, salt);
    ck_assert_int_eq(read_student(token, student, detail, sizeof(detail)), 401);
    free(token);
}

/* Polls until GET /students/<number> with `token` answers `want`, poking before each try; fails after
 * AWAIT_SECONDS. */
static void await_read(const char *token, const char *number, long want)
{
    char detail[256];
    long got = 0;
    for (int i = 0; i < AWAIT_SECONDS * 5; i++) {
        poke(i);
        if ((got = read_student(token, number, detail, sizeof(detail))) == want)
            return;
        usleep(200 * 1000);
    }
    ck_abort_msg("GET /students/%s still answers %ld (%s), expected %ld", number, got, detail, want);
}

/* Polls, poking, until the JWKS server has answered at least `n` fetches; fails after AWAIT_SECONDS. */
static void await_fetches(long n)
{
    for (int i = 0; i < AWAIT_SECONDS * 5 && fetch_count() < n; i++) {
        poke(i);
        usleep(200 * 1000);
    }
    ck_assert_int_ge(fetch_count(), n);
}

/* Rotation without downtime: while both keys are published both verify, the new kid is picked up by the
 * unknown-kid refresh (no scheduled refresh runs this soon), and once the old key is withdrawn it stops. */
START_TEST(test_rotation_without_downtime)
{
    publish((const struct test_key *const[]){&rsa_a, NULL});
    start_tutord(1, NULL);
    char *old_token = student_token(&rsa_a, "rsa-a", student, 0);
    expect_read(strdup(old_token), student, 200, NULL);
    long before = fetch_count();
    publish((const struct test_key *const[]){&rsa_a, &rsa_b, NULL});
    expect_read(student_token(&rsa_b, "rsa-b", student, 0), student, 200, NULL);
    ck_assert_int_eq(fetch_count(), before + 1);
    expect_read(student_token(&rsa_a, "rsa-a", student, 1), student, 200, NULL);
    expect_read(strdup(old_token), student, 200, NULL);
    publish((const struct test_key *const[]){&rsa_b, NULL});
    await_read(old_token, student, 401);
    expect_read(strdup(old_token), student, 401, "kid");
    expect_read(student_token(&rsa_b, "rsa-b", student, 2), student, 200, NULL);
    free(old_token);
    harness_stop();
}
END_TEST

/* Made-up kids are refused, and however many arrive, they cause one fetch per TUTORD_JWT_JWKS_MIN_REFRESH_S;
 * alg is pinned to the key's; a token without kid is tried with the keys of its alg. */
START_TEST(test_unknown_kid_refused_and_rate_limited)
{
    publish((const struct test_key *const[]){&rsa_a, &ec_k, NULL});
    start_tutord(3600, NULL);
    long before = fetch_count();
    for (int i = 0; i < 20; i++) {
        char kid[32];
        snprintf(kid, sizeof(kid), "bogus-%d", i);
        expect_read(student_token(&rsa_a, kid, student, i), student, 401, "kid");
    }
    ck_assert_int_eq(fetch_count(), before + 1);
    expect_read(student_token(&rsa_a, "rsa-a", student, 0), student, 200, NULL);
    expect_read(student_token(&rsa_a, NULL, student, 1), student, 200, NULL);
    expect_read(student_token(&rsa_a, "ec-k", student, 2), student, 401, "alg");
    expect_read(student_token(&ec_k, "rsa-a", student, 3), student, 401, "alg");
    expect_read(harness_token(student, "student", NULL), student, 401, "algorithm");
    ck_assert_int_eq(fetch_count(), before + 1);
    harness_stop();
}
END_TEST

/* The provider down, then serving garbage or an error: the last good keys keep verifying. */
START_TEST(test_idp_down_keeps_the_last_good_keys)
{
    publish((const struct test_key *const[]){&rsa_a, NULL});
    start_tutord(1, NULL);
    expect_read(student_token(&rsa_a, "rsa-a", student, 0), student, 200, NULL);
    procs_stop(&jwks_pid);
    expect_read(student_token(&rsa_a, "new-kid", student, 1), student, 401, "kid"); /* its refresh fails */
    expect_read(student_token(&rsa_a, "rsa-a", student, 2), student, 200, NULL);
    publish_text("{\"keys\": \"this is not a key set\""); /* garbage */
    start_jwks_server();                                  /* its count starts at 0 */
    await_fetches(1);
    expect_read(student_token(&rsa_a, "rsa-a", student, 3), student, 200, NULL);
    ck_assert_int_eq(unlink(jwks_file), 0); /* an error status (503) */
    await_fetches(2);
    expect_read(student_token(&rsa_a, "rsa-a", student, 4), student, 200, NULL);
    harness_stop();
}
END_TEST

/* Started while the provider is down: tutord serves, refuses tokens with a clear reason, and verifies them
 * once the keys can be fetched. */
START_TEST(test_start_while_the_idp_is_down)
{
    publish((const struct test_key *const[]){&rsa_a, NULL});
    procs_stop(&jwks_pid);
    start_tutord(1, NULL);
    char *token = student_token(&rsa_a, "rsa-a", student, 0);
    expect_read(strdup(token), student, 401, "not available yet");
    start_jwks_server();
    await_read(token, student, 200);
    free(token);
    harness_stop();
}
END_TEST

/* Signs Entra-shaped claims with rsa_a: `username` as preferred_username, `roles` a JSON array text. */
static char *entra_token(const char *username, const char *roles, const char *aud)
{
    char claims[1024];
    long now = (long)time(NULL);
    snprintf(claims, sizeof(claims),
             "{\"aud\":\"%s\",\"iss\":\"%s\",\"iat\":%ld,\"nbf\":%ld,\"exp\":%ld,\"name\":\"A Student\","
             "\"oid\":\"0b8f3c2e-1a2b-4c3d-9e8f-112233445566\",\"preferred_username\":\"%s\",\"roles\":%s,"
             "\"scp\":\"access_as_user\",\"sub\":\"AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ\",\"tid\":\"%s\","
             "\"ver\":\"2.0\"}",
             aud, ENTRA_ISSUER, now, now, now + 3600, username, roles, TENANT);
    return test_key_sign(&rsa_a, "rsa-a", claims);
}

/* Microsoft Entra ID: app roles in `roles` mapped to tutord's, the student number from preferred_username
 * with the university's domain removed and upper-cased, iss/aud as an app registration issues them. */
START_TEST(test_entra_id_shaped_tokens)
{
    publish((const struct test_key *const[]){&rsa_a, NULL});
    const char *const extra[] = {"TUTORD_JWT_ISSUER=" ENTRA_ISSUER,
                                 "TUTORD_JWT_AUDIENCE=" ENTRA_AUDIENCE,
                                 "TUTORD_JWT_SUBJECT_CLAIM=preferred_username",
                                 "TUTORD_JWT_SUBJECT_STRIP_DOMAIN=uni.example",
                                 "TUTORD_JWT_SUBJECT_CASE=upper",
                                 "TUTORD_JWT_ROLE_MAP=Tutoring.Student=student,Tutoring.Admin=admin",
                                 NULL};
    start_tutord(30, extra);
    char username[64], lower[24];
    for (size_t i = 0; i <= strlen(student); i++)
        lower[i] = (char)(student[i] >= 'A' && student[i] <= 'Z' ? student[i] + 32 : student[i]);
    snprintf(username, sizeof(username), "%s@Uni.Example", lower);
    expect_read(entra_token(username, "[\"Tutoring.Student\"]", ENTRA_AUDIENCE), student, 200, NULL);
    expect_read(entra_token(username, "[\"Tutoring.Student\"]", ENTRA_AUDIENCE), other, 404, NULL);
    expect_read(entra_token(username, "[\"Tutoring.Admin\"]", ENTRA_AUDIENCE), other, 200, NULL);
    expect_read(entra_token(username, "[\"Tutoring.Reader\",\"student\"]", ENTRA_AUDIENCE), student, 401, "role");
    expect_read(entra_token("t1005@elsewhere.example", "[\"Tutoring.Admin\"]", ENTRA_AUDIENCE), other, 401, "domain");
    expect_read(entra_token(username, "[\"Tutoring.Admin\"]", "api://another-app"), other, 401, "aud");
    harness_stop();
}
END_TEST

/* Keycloak: ES256 from a JWKS file, realm roles under realm_access.roles, preferred_username, azp; a
 * top-level `roles` claim is not the roles claim any more. */
START_TEST(test_keycloak_shaped_es256_tokens_from_a_file)
{
    publish((const struct test_key *const[]){&ec_k, NULL});
    static char file_env[96];
    snprintf(file_env, sizeof(file_env), "TUTORD_JWT_JWKS_FILE=%s", jwks_file);
    const char *const env[] = {file_env,
                               "TUTORD_JWT_ISSUER=https://kc.uni.example/realms/uni",
                               "TUTORD_JWT_AUDIENCE=tutord",
                               "TUTORD_JWT_SUBJECT_CLAIM=preferred_username",
                               "TUTORD_JWT_SUBJECT_CASE=upper",
                               "TUTORD_JWT_ROLES_CLAIM=realm_access.roles",
                               NULL};
    harness_start_with(env);
    const char *shapes[][2] = {{"[\"student\",\"offline_access\"]", "[]"}, {"[\"offline_access\"]", "[\"admin\"]"}};
    for (int i = 0; i < 2; i++) {
        char claims[1024];
        long now = (long)time(NULL);
        snprintf(claims, sizeof(claims),
                 "{\"exp\":%ld,\"iat\":%ld,\"iss\":\"https://kc.uni.example/realms/uni\",\"aud\":[\"tutord\","
                 "\"account\"],\"sub\":\"f:1b2c:%d\",\"typ\":\"Bearer\",\"azp\":\"tutord-portal\","
                 "\"realm_access\":{\"roles\":%s},\"roles\":%s,\"preferred_username\":\"%s\"}",
                 now + 600, now, i, shapes[i][0], shapes[i][1], student);
        expect_read(test_key_sign(&ec_k, "ec-k", claims), student, i == 0 ? 200 : 401, i == 0 ? NULL : "role");
    }
    harness_stop();
}
END_TEST

/* ---- the suite --------------------------------------------------------------------------------------- */

/* Once: keys, the served file's folder, the JWKS server, a school and two students. */
static void start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    suite_pid = getpid();
    atexit(stop_helpers);
    procs_support_dir(support_dir, sizeof(support_dir));
    char dir[] = "/tmp/tutord-jwks-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(jwks_file, sizeof(jwks_file), "%s/jwks.json", dir);
    test_key_make(&rsa_a, "rsa-a", JWT_ALG_RS256, 2048);
    test_key_make(&rsa_b, "rsa-b", JWT_ALG_RS256, 2048);
    test_key_make(&ec_k, "ec-k", JWT_ALG_ES256, 0);
    jwks_port = procs_free_port();
    snprintf(jwks_env, sizeof(jwks_env), "TUTORD_JWT_JWKS_URL=http://127.0.0.1:%d/jwks", jwks_port);
    tt_new_school(school, sizeof(school), "JWK", NULL);
    harness_unique("S", student, sizeof(student));
    harness_unique("S", other, sizeof(other));
    tt_student(student, school);
    tt_student(other, school);
}

/* Before each test: no tutord of a failed test is left, and the JWKS server runs (a test may have stopped
 * it). */
static void server_running(void)
{
    harness_stop();
    if (jwks_pid <= 0)
        start_jwks_server();
}

/* Once at the end: the helpers, the served file and its folder. */
static void stop(void)
{
    harness_stop();
    stop_helpers();
    char dir[64];
    snprintf(dir, sizeof(dir), "%s", jwks_file);
    *strrchr(dir, '/') = '\0';
    unlink(jwks_file);
    rmdir(dir);
    test_key_free(&rsa_a);
    test_key_free(&rsa_b);
    test_key_free(&ec_k);
}

int main(void)
{
    const TTest *const tests[] = {
        test_rotation_without_downtime,
        test_unknown_kid_refused_and_rate_limited,
        test_idp_down_keeps_the_last_good_keys,
        test_start_while_the_idp_is_down,
        test_entra_id_shaped_tokens,
        test_keycloak_shaped_es256_tokens_from_a_file,
        NULL,
    };
    const struct harness_suite suite = {.name = "jwks",
                                        .tests = tests,
                                        .start = start,
                                        .stop = stop,
                                        .setup = server_running,
                                        .timeout = 180,
                                        .in_process = 1};
    return harness_run(&suite);
}
