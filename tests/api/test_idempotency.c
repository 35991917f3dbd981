/* test_idempotency.c — Idempotency-Key on creating POSTs: replay (same status and body, the
 * Idempotent-Replayed header, nothing created twice), a different request with the same key → 422, a
 * key still in flight → 409 and taken over once abandoned, expiry after 24 hours, and one key shared by
 * two tutord processes on one database. */
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "sha256.h"

static char school[32];
static char *registry;

static void start(void)
{
    harness_start();
    tt_new_school(school, sizeof(school), "ID", "Idempotency School");
    registry = tt_registry_token("SRSIDEM");
}

static void stop(void)
{
    free(registry);
    harness_stop();
}

struct answer {
    long status;
    int replayed;
    char body[4096];
};

static size_t on_body(char *ptr, size_t size, size_t n, void *user)
{
    struct answer *a = user;
    size_t used = strlen(a->body), len = size * n;
    snprintf(a->body + used, sizeof(a->body) - used, "%.*s", (int)len, ptr);
    return len;
}

static size_t on_header(char *line, size_t size, size_t n, void *user)
{
    struct answer *a = user;
    if (strncasecmp(line, "Idempotent-Replayed: true", 25) == 0)
        a->replayed = 1;
    return size * n;
}

/* POSTs a JSON body to base + path as `token` with an Idempotency-Key (curl directly: the header is
 * checked). */
static void post_as(const char *token, const char *base, const char *path, const char *key, const char *body,
                    struct answer *a)
{
    char url[256], auth[2048], idem[300];
    memset(a, 0, sizeof(*a));
    snprintf(url, sizeof(url), "%s%s", base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    snprintf(idem, sizeof(idem), "Idempotency-Key: %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, idem);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
}

/* post_as the registry. */
static void post(const char *base, const char *path, const char *key, const char *body, struct answer *a)
{
    post_as(registry, base, path, key, body, a);
}

static void student_body(char *buf, size_t size, const char *number, const char *name)
{
    snprintf(buf, size,
             "[{\"student_number\":\"%s\",\"name\":\"%s\",\"email\":\"i@uni.example\",\"school\":\"%s\","
             "\"level\":\"4\",\"cohort\":\"UG\",\"status\":\"studying\",\"registered_on\":\"2026-09-21\"}]",
             number, name, school);
}

static long events_of(const char *number)
{
    const char *p[1] = {number};
    return harness_sql_long("SELECT count(*) FROM events WHERE subject = $1", 1, p);
}

START_TEST(test_replay_and_mismatch)
{
    char number[32], key[48], body[1024];
    harness_unique("I", number, sizeof(number));
    snprintf(key, sizeof(key), "key-%s", number);
    student_body(body, sizeof(body), number, "First Name");
    struct answer first, again;
    post(harness_base_url(), "/students:import", key, body, &first);
    ck_assert_int_eq(first.status, 200);
    ck_assert_int_eq(first.replayed, 0);
    ck_assert_ptr_nonnull(strstr(first.body, "\"created\":1"));
    /* without the key the same body would now report "unchanged"; with it, the first answer comes back */
    post(harness_base_url(), "/students:import", key, body, &again);
    ck_assert_int_eq(again.status, 200);
    ck_assert_int_eq(again.replayed, 1);
    ck_assert_str_eq(again.body, first.body);
    ck_assert_int_eq(events_of(number), 1);
    /* the same key with another body */
    student_body(body, sizeof(body), number, "Changed Name");
    post(harness_base_url(), "/students:import", key, body, &again);
    ck_assert_int_eq(again.status, 422);
    ck_assert_ptr_nonnull(strstr(again.body, "Idempotency-Key"));
    const char *p[1] = {number};
    char *name = harness_sql("SELECT name FROM students WHERE student_number = $1", 1, p);
    ck_assert_str_eq(name, "First Name");
    free(name);
    /* the same key on another route is a different request too */
    post(harness_base_url(), "/students:import?partial=true", key, body, &again);
    ck_assert_int_eq(again.status, 422);
    /* a malformed key */
    post(harness_base_url(), "/students:import", "has space", body, &again);
    ck_assert_int_eq(again.status, 400);
}
END_TEST

/* The fingerprint tutord stores: SHA-256 of the content type, a newline and the body. */
static void fingerprint(const char *body, char hex[65])
{
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, "application/json\n", 17);
    sha256_update(&h, body, strlen(body));
    sha256_hex(&h, hex);
}

START_TEST(test_in_flight_then_abandoned_then_expired)
{
    char number[32], key[48], body[1024], hash[65];
    harness_unique("F", number, sizeof(number));
    snprintf(key, sizeof(key), "flight-%s", number);
    student_body(body, sizeof(body), number, "In Flight");
    fingerprint(body, hash);
    const char *p[3] = {key, hash, "POST /students:import"};
    free(harness_sql("INSERT INTO idempotency_keys (principal, key, method_route, body_hash)"
                     " VALUES ('SRSIDEM', $1, $3, $2)",
                     3, p));
    struct answer a;
    post(harness_base_url(), "/students:import", key, body, &a);
    ck_assert_int_eq(a.status, 409);
    ck_assert_ptr_nonnull(strstr(a.body, "still being processed"));
    ck_assert_int_eq(events_of(number), 0);
    /* a reservation abandoned for more than 10 minutes (its process died) is taken over */
    free(harness_sql("UPDATE idempotency_keys SET created_at = now() - interval '11 minutes' WHERE key = $1", 1, p));
    post(harness_base_url(), "/students:import", key, body, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_int_eq(a.replayed, 0);
    ck_assert_int_eq(events_of(number), 1);
    char *stored = harness_sql("SELECT status FROM idempotency_keys WHERE key = $1", 1, p);
    ck_assert_str_eq(stored, "200");
    free(stored);
    /* a key older than 24 hours is forgotten: another body may use it */
    free(harness_sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", 1, p));
    student_body(body, sizeof(body), number, "Renamed Later");
    post(harness_base_url(), "/students:import", key, body, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_int_eq(a.replayed, 0);
    ck_assert_ptr_nonnull(strstr(a.body, "\"updated\":1"));
}
END_TEST

/* ---- a second tutord process on the same database ---------------------------------------------- */

static pid_t second_pid;
static char second_url[64];

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void start_second(void)
{
    int port = free_port();
    snprintf(second_url, sizeof(second_url), "http://127.0.0.1:%d", port);
    second_pid = fork();
    ck_assert_int_ge(second_pid, 0);
    if (second_pid == 0) {
        char port_s[16];
        snprintf(port_s, sizeof(port_s), "%d", port);
        setenv("TUTORD_DATABASE_URL", harness_database_url(), 1);
        setenv("TUTORD_PORT", port_s, 1);
        setenv("TUTORD_LISTEN", "127.0.0.1", 1);
        setenv("TUTORD_JWT_SECRET", HARNESS_JWT_SECRET, 1);
        setenv("TUTORD_LOG_LEVEL", "warn", 1);
        execl(getenv("TUTORD_BIN"), getenv("TUTORD_BIN"), "serve", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        CURL *c = curl_easy_init();
        char url[128];
        snprintf(url, sizeof(url), "%s/healthz", second_url);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        CURLcode rc = curl_easy_perform(c);
        curl_easy_cleanup(c);
        if (rc == CURLE_OK)
            return;
        usleep(50 * 1000);
    }
    ck_abort_msg("the second tutord did not start");
}

static void stop_second(void)
{
    kill(second_pid, SIGTERM);
    int status = 0;
    waitpid(second_pid, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the second tutord exited badly");
}

START_TEST(test_two_processes_share_keys)
{
    start_second();
    char number[32], key[48], body[1024];
    harness_unique("P", number, sizeof(number));
    snprintf(key, sizeof(key), "two-%s", number);
    student_body(body, sizeof(body), number, "Two Processes");
    struct answer first, second;
    post(harness_base_url(), "/students:import", key, body, &first);
    ck_assert_int_eq(first.status, 200);
    post(second_url, "/students:import", key, body, &second);
    ck_assert_int_eq(second.status, 200);
    ck_assert_int_eq(second.replayed, 1);
    ck_assert_str_eq(second.body, first.body);
    student_body(body, sizeof(body), number, "Other Body");
    post(second_url, "/students:import", key, body, &second);
    ck_assert_int_eq(second.status, 422);
    ck_assert_int_eq(events_of(number), 1);
    stop_second();
}
END_TEST

/* A note posted twice with one key is created once; the replay is the note as the writer may read it
 * (201, same id, its text), the key store never holds the text, and the replay's read of confidential
 * text is audited like any read. The same key with another note is 422. */
START_TEST(test_note_replayed_without_its_text)
{
    static const char SECRET[] = "Spoke about a private family matter";
    char tutor[32], student[32], key[48], body[256], path[96];
    harness_unique("TN", tutor, sizeof(tutor));
    harness_unique("SN", student, sizeof(student));
    tt_staff(tutor, school, "{tutor}");
    tt_student(student, school);
    tt_allocate(student, tutor, NULL);
    char *token = tt_tutor_token(tutor);
    snprintf(key, sizeof(key), "note-%s", student);
    snprintf(path, sizeof(path), "/students/%s/notes", student);
    snprintf(body, sizeof(body), "{\"text\":\"%s\",\"visibility\":\"confidential\",\"consent_recorded\":true}", SECRET);
    struct answer first, again;
    post_as(token, harness_base_url(), path, key, body, &first);
    ck_assert_msg(first.status == 201, "%ld %s", first.status, first.body);
    json_t *note = json_loads(first.body, 0, NULL);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(note, "id")));
    json_decref(note);
    const char *p[2] = {student, id};
    long reads = harness_sql_long("SELECT count(*) FROM audit WHERE action = 'note.read_confidential'"
                                  " AND entity_id = $2 AND student_number = $1",
                                  2, p);
    post_as(token, harness_base_url(), path, key, body, &again);
    ck_assert_msg(again.status == 201, "%ld %s", again.status, again.body);
    ck_assert_int_eq(again.replayed, 1);
    note = json_loads(again.body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(note, "id")), atoll(id));
    ck_assert_str_eq(json_string_value(json_object_get(note, "text")), SECRET);
    json_decref(note);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM notes WHERE student_number = $1", 1, p), 1);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM audit WHERE action = 'note.read_confidential'"
                                      " AND entity_id = $2 AND student_number = $1",
                                      2, p),
                     reads + 1);
    const char *secret[1] = {SECRET};
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM idempotency_keys WHERE strpos(body, $1) > 0", 1, secret),
                     0);
    snprintf(body, sizeof(body), "{\"text\":\"Another matter\",\"visibility\":\"shared\",\"consent_recorded\":true}");
    post_as(token, harness_base_url(), path, key, body, &again);
    ck_assert_int_eq(again.status, 422);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM notes WHERE student_number = $1", 1, p), 1);
    free(token);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_replay_and_mismatch,
        test_in_flight_then_abandoned_then_expired,
        test_two_processes_share_keys,
        test_note_replayed_without_its_text,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "idempotency", .tests = tests, .start = start, .stop = stop, .timeout = 60, .in_process = 1};
    return harness_run(&suite);
}
