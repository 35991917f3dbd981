/* test_shutdown.c — a graceful stop of a real tutord: a write held by a row lock the test's own
 * database connection keeps is in flight when SIGTERM arrives; from then on a new connection is
 * answered 503 "draining" (Connection: close), the held write still completes with its normal answer
 * once the lock goes, and the process exits 0 (sanitizers: no leak report). And with a short grace, a
 * write still held past it is cut (503) and the process still exits 0.
 *
 * Each test starts its own tutord and stops it; an atexit handler kills one left running by a failed
 * assertion. Waits poll for a condition (the write waiting on the lock, the drain begun, the exit),
 * bounded only so a broken build fails instead of hanging. */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "procs.h"

#define WAIT_SECONDS 60 /* a bound against hanging, not a timing under test */

static pid_t server_pid;
static int server_port;
static char school[32], student[32], *admin;
static PGconn *holder; /* the test's connection holding the student's row lock */

/* Kills a tutord a failed test left running (atexit and teardown). */
static void kill_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

/* ---- HTTP on a fresh connection each time ------------------------------------------------------ */

struct answer {
    long status;
    char body[2048];
    int closes; /* the response said Connection: close */
    int failed; /* the transport failed (refused, reset) */
};

static size_t on_body(char *ptr, size_t size, size_t n, void *user)
{
    struct answer *a = user;
    size_t have = strlen(a->body), room = sizeof(a->body) - 1 - have, take = size * n < room ? size * n : room;
    memcpy(a->body + have, ptr, take);
    a->body[have + take] = '\0';
    return size * n;
}

static size_t on_header(char *line, size_t size, size_t n, void *user)
{
    struct answer *a = user;
    if (strncasecmp(line, "Connection: close", 17) == 0)
        a->closes = 1;
    return size * n;
}

/* One request to the test's tutord on a new connection; fills *a. */
static void request(const char *method, const char *path, const char *body, struct answer *a)
{
    char url[256], auth[1024];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", server_port, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
    memset(a, 0, sizeof(*a));
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/merge-patch+json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WAIT_SECONDS * 2);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    a->failed = curl_easy_perform(c) != CURLE_OK;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

/* ---- the process --------------------------------------------------------------------------------- */

/* Starts tutord on a free port with TUTORD_SHUTDOWN_GRACE_MS=grace and waits for /healthz. */
static void start_server(const char *grace)
{
    server_port = procs_free_port();
    fflush(NULL);
    server_pid = fork();
    ck_assert_int_ge(server_pid, 0);
    if (server_pid == 0) {
        char port[16];
        snprintf(port, sizeof(port), "%d", server_port);
        setenv("TUTORD_DATABASE_URL", harness_database_url(), 1);
        setenv("TUTORD_PORT", port, 1);
        setenv("TUTORD_LISTEN", "127.0.0.1", 1);
        setenv("TUTORD_JWT_SECRET", HARNESS_JWT_SECRET, 1);
        setenv("TUTORD_LOG_LEVEL", "warn", 1);
        setenv("TUTORD_SHUTDOWN_GRACE_MS", grace, 1);
        setenv("TUTORD_RATE_WRITES_PER_SUB", "0", 1);
        execl(getenv("TUTORD_BIN"), getenv("TUTORD_BIN"), "serve", (char *)NULL);
        _exit(127);
    }
    struct answer a = {0};
    for (int i = 0; i < WAIT_SECONDS * 10 && a.status != 200; i++) {
        ck_assert_int_eq(waitpid(server_pid, NULL, WNOHANG), 0);
        request("GET", "/healthz", NULL, &a);
        if (a.status != 200)
            usleep(100 * 1000);
    }
    ck_assert_int_eq(a.status, 200);
}

/* Waits for the tutord to exit and returns its exit status (-1 when it did not exit normally). */
static int await_exit(void)
{
    int status = 0;
    pid_t got = 0;
    for (int i = 0; i < WAIT_SECONDS * 10 && got == 0; i++) {
        got = waitpid(server_pid, &status, WNOHANG);
        if (got == 0)
            usleep(100 * 1000);
    }
    ck_assert_int_eq(got, server_pid);
    server_pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- the held write ------------------------------------------------------------------------------ */

/* Locks the student's row from the test's own connection, so tutord's update waits for it. */
static void hold_row(void)
{
    holder = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(holder), CONNECTION_OK);
    PQclear(PQexec(holder, "BEGIN"));
    const char *params[] = {student};
    PGresult *res = PQexecParams(holder, "SELECT 1 FROM students WHERE student_number = $1 FOR UPDATE", 1, NULL, params,
                                 NULL, NULL, 0);
    ck_assert_int_eq(PQntuples(res), 1);
    PQclear(res);
}

/* Lets the row go (ROLLBACK) and closes the connection; NULL-safe. */
static void release_row(void)
{
    if (!holder)
        return;
    PQclear(PQexec(holder, "ROLLBACK"));
    PQfinish(holder);
    holder = NULL;
}

static struct answer held;

/* The write that waits on the lock, on its own thread: sets the student's programme to `arg`. */
static void *held_write(void *arg)
{
    char path[64], body[128];
    snprintf(path, sizeof(path), "/students/%s", student);
    snprintf(body, sizeof(body), "{\"programme\":\"%s\"}", (const char *)arg);
    request("PATCH", path, body, &held);
    return NULL;
}

/* Waits until a tutord session waits on a lock (the held write has reached the database). */
static void await_write_waiting(void)
{
    long waiting = 0;
    for (int i = 0; i < WAIT_SECONDS * 10 && waiting == 0; i++) {
        waiting = harness_sql_long("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tutord'"
                                   " AND wait_event_type = 'Lock'",
                                   0, NULL);
        if (waiting == 0)
            usleep(100 * 1000);
    }
    ck_assert_int_gt(waiting, 0);
}

/* Starts the held write of `programme` and returns once it waits on the lock. */
static pthread_t start_held_write(const char *programme)
{
    pthread_t t;
    hold_row();
    ck_assert_int_eq(pthread_create(&t, NULL, held_write, (void *)programme), 0);
    await_write_waiting();
    return t;
}

/* ---- the suite ----------------------------------------------------------------------------------- */

static void suite_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atexit(kill_server);
    admin = tt_admin_token();
    char n[32];
    tt_new_school(school, sizeof(school), "SHD", NULL);
    snprintf(student, sizeof(student), "SSHD%s", harness_unique("", n, sizeof(n)));
    tt_student(student, school);
}

static void suite_stop(void)
{
    free(admin);
    curl_global_cleanup();
}

static void teardown(void)
{
    release_row();
    kill_server();
}

START_TEST(test_in_flight_finishes_new_requests_draining)
{
    start_server("60000");
    pthread_t t = start_held_write("BSc Drained");
    kill(server_pid, SIGTERM);
    struct answer a = {0};
    for (int i = 0; i < WAIT_SECONDS * 10 && a.status != 503; i++) { /* until the drain has begun */
        request("GET", "/healthz", NULL, &a);
        ck_assert_int_eq(a.failed, 0);
        if (a.status != 503)
            usleep(100 * 1000);
    }
    ck_assert_int_eq(a.status, 503);
    ck_assert_ptr_nonnull(strstr(a.body, "draining"));
    ck_assert_int_eq(a.closes, 1);
    char path[64];
    snprintf(path, sizeof(path), "/students/%s", student);
    request("GET", path, NULL, &a); /* any new request, not only the health check */
    ck_assert_int_eq(a.status, 503);
    ck_assert_int_eq(waitpid(server_pid, NULL, WNOHANG), 0); /* still draining: the write is held */
    release_row();
    pthread_join(t, NULL);
    ck_assert_int_eq(held.failed, 0);
    ck_assert_msg(held.status == 200, "the held write answered %ld: %s", held.status, held.body);
    ck_assert_ptr_nonnull(strstr(held.body, "BSc Drained"));
    ck_assert_int_eq(await_exit(), 0);
    request("GET", "/healthz", NULL, &a);
    ck_assert_int_eq(a.failed, 1); /* stopped: connections are refused */
}
END_TEST

START_TEST(test_request_past_the_grace_is_cut)
{
    start_server("500");
    pthread_t t = start_held_write("BSc Cut");
    kill(server_pid, SIGTERM);
    ck_assert_int_eq(await_exit(), 0); /* the row is still locked: the write was cut */
    pthread_join(t, NULL);
    ck_assert_msg(held.status == 503, "the cut write answered %ld: %s", held.status, held.body);
    long unchanged = tt_count("SELECT count(*) FROM students WHERE student_number = $1 AND "
                              "programme IS DISTINCT FROM 'BSc Cut'",
                              student);
    ck_assert_int_eq(unchanged, 1);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_in_flight_finishes_new_requests_draining,
        test_request_past_the_grace_is_cut,
        NULL,
    };
    const struct harness_suite suite = {.name = "shutdown",
                                        .tests = tests,
                                        .start = suite_start,
                                        .stop = suite_stop,
                                        .teardown = teardown,
                                        .timeout = 240,
                                        .in_process = 1};
    return harness_run(&suite);
}
