/* test_notify.c — everyone who must be told is told: the outbox written in the change's transaction,
 * email over SMTP to a real server (aiosmtpd, tests/support/smtp_sink.py) on loopback, exactly once across
 * two tutord processes and a kill -9, nothing lost while the SMTP server is down, permanent failures kept
 * and listed, and signed webhooks to a real receiver (tests/support/webhook_receiver.py) that checks the
 * signature with its own code, in commit order, retried, disabled, listed and replayed.
 *
 * Every process the suite starts is stopped by it (SIGTERM, then SIGKILL), failing tests included (the
 * suite's stop and an atexit handler). Timings never decide a pass: waits poll until a condition holds,
 * bounded only so a broken build fails instead of hanging. */
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "fixtures.h"
#include "harness.h"
#include "outbox.h"
#include "procs.h"
#include "smtp.h"
#include "webhooks.h"

#define WAIT_SECONDS 60 /* a bound against hanging, not a timing under test */

static char mail_dir[64], support_dir[512], school[32], senior[24], tutor_a[24], tutor_b[24];
static int smtp_port;
static pid_t sink_pid, second_pid, receiver_pid;
static char *admin;
static char env_smtp[64],
    env_from[] = "TUTORD_SMTP_FROM=tutoring@uni.example", env_portal[] = "TUTORD_PORTAL_URL=https://portal.uni.example",
    env_tls[] = "TUTORD_SMTP_STARTTLS=off", env_interval[] = "TUTORD_DELIVERY_INTERVAL_MS=50",
    env_retry[] = "TUTORD_DELIVERY_RETRY_BASE_MS=100", env_disable[] = "TUTORD_WEBHOOK_DISABLE_AFTER=6",
    env_lease[] = "TUTORD_DELIVERY_LEASE_MS=3000", env_log[] = "TUTORD_LOG_LEVEL=error",
    env_private[] = "TUTORD_WEBHOOK_ALLOW_PRIVATE=on";

/* ---- processes ------------------------------------------------------------------------------------ */

/* Starts the SMTP sink on smtp_port, writing to mail_dir. */
static void start_sink(void)
{
    char port[16], script[600];
    snprintf(port, sizeof(port), "%d", smtp_port);
    snprintf(script, sizeof(script), "%s/smtp_sink.py", support_dir);
    char *const argv[] = {PROCS_PYTHON, script, port, mail_dir, NULL};
    sink_pid = procs_spawn(argv, NULL);
    procs_await_listening(sink_pid, smtp_port, WAIT_SECONDS);
}

/* Starts the receiver on `port` for `secret`, failing the first `fail_first` deliveries; log to `log`. */
static void start_receiver(int port, const char *secret, const char *log, int fail_first)
{
    char port_s[16], fail_s[16], script[600];
    snprintf(port_s, sizeof(port_s), "%d", port);
    snprintf(fail_s, sizeof(fail_s), "%d", fail_first);
    snprintf(script, sizeof(script), "%s/webhook_receiver.py", support_dir);
    char *const argv[] = {PROCS_PYTHON, script, port_s, (char *)secret, (char *)log, fail_s, NULL};
    procs_stop(&receiver_pid); /* an earlier test's, left running when that test failed half-way */
    receiver_pid = procs_spawn(argv, NULL);
    procs_await_listening(receiver_pid, port, WAIT_SECONDS);
}

/* A second `tutord serve` on its own port, delivering from the same outbox. */
static void start_second_tutord(void)
{
    static char db[600], port[32], secret[128];
    snprintf(db, sizeof(db), "TUTORD_DATABASE_URL=%s", harness_database_url());
    snprintf(port, sizeof(port), "TUTORD_PORT=%d", procs_free_port());
    snprintf(secret, sizeof(secret), "TUTORD_JWT_SECRET=%s", HARNESS_JWT_SECRET);
    char *const env[] = {db,           port,      secret,      env_smtp,  env_from, env_portal,  env_tls,
                         env_interval, env_retry, env_disable, env_lease, env_log,  env_private, NULL};
    char *const argv[] = {getenv("TUTORD_BIN"), "serve", NULL};
    second_pid = procs_spawn(argv, env);
}

/* Before each test: the SMTP sink runs (a test that stopped it and failed before restarting it must not
 * fail the tests after it). */
static void sink_running(void)
{
    if (sink_pid <= 0)
        start_sink();
}

static pid_t suite_pid; /* the process that started the helpers */

/* Stops every helper process still running (the suite's stop, and atexit after a failure). */
static void stop_all(void)
{
    if (getpid() != suite_pid)
        return;
    procs_stop(&second_pid);
    procs_stop(&receiver_pid);
    procs_stop(&sink_pid);
}

/* ---- the mail folder -------------------------------------------------------------------------------- */

/* The messages received so far (whole files, each malloc'd), NULL-terminated; *n their number. */
static char **read_mail(size_t *n)
{
    DIR *dir = opendir(mail_dir);
    char **all = calloc(1, sizeof(char *));
    struct dirent *de;
    *n = 0;
    while (dir && (de = readdir(dir)) != NULL) {
        if (!strstr(de->d_name, ".eml") || de->d_name[0] == '.')
            continue;
        char path[600];
        snprintf(path, sizeof(path), "%s/%s", mail_dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char *text = calloc(1, 1 << 16);
        fread(text, 1, (1 << 16) - 1, f);
        fclose(f);
        all = realloc(all, (*n + 2) * sizeof(char *));
        all[(*n)++] = text;
        all[*n] = NULL;
    }
    if (dir)
        closedir(dir);
    return all;
}

static void free_mail(char **all)
{
    for (size_t i = 0; all[i]; i++)
        free(all[i]);
    free(all);
}

/* The number of received messages containing `needle`. */
static size_t mail_count(const char *needle)
{
    size_t n, count = 0;
    char **all = read_mail(&n);
    for (size_t i = 0; i < n; i++)
        count += strstr(all[i], needle) != NULL;
    free_mail(all);
    return count;
}

/* The first received message containing `needle` (malloc'd), after waiting for it to arrive. */
static char *await_mail(const char *needle)
{
    for (int i = 0; i < WAIT_SECONDS * 20; i++) {
        size_t n;
        char **all = read_mail(&n), *found = NULL;
        for (size_t j = 0; j < n && !found; j++)
            if (strstr(all[j], needle))
                found = strdup(all[j]);
        free_mail(all);
        if (found)
            return found;
        usleep(50 * 1000);
    }
    ck_abort_msg("no message containing \"%s\" arrived", needle);
    return NULL;
}

/* Waits until `sql` (with one parameter) counts `want`; returns the last count. */
static long await_count(const char *sql, const char *param, long want)
{
    long got = -1;
    for (int i = 0; i < WAIT_SECONDS * 20 && (got = tt_count(sql, param)) != want; i++)
        usleep(50 * 1000);
    return got;
}

/* ---- the suite's world ------------------------------------------------------------------------------- */

static void start(void)
{
    /* the source tree: TUTORD_PG_CLUSTER is <source>/scripts/pg-cluster */
    procs_support_dir(support_dir, sizeof(support_dir));
    snprintf(mail_dir, sizeof(mail_dir), "/tmp/tutord-mail-XXXXXX");
    ck_assert(mkdtemp(mail_dir) != NULL);
    suite_pid = getpid();
    atexit(stop_all);
    /* Other suites' notifications wait for an SMTP server they never had: park them, so this suite's
     * sink receives only what this suite causes. */
    free(harness_sql("UPDATE notifications SET next_attempt_at = 'infinity' WHERE status = 'queued'", 0, NULL));
    smtp_port = procs_free_port();
    snprintf(env_smtp, sizeof(env_smtp), "TUTORD_SMTP_URL=smtp://127.0.0.1:%d", smtp_port);
    start_sink();
    const char *const env[] = {env_smtp,    env_from,  env_portal, env_tls,     env_interval, env_retry,
                               env_disable, env_lease, env_log,    env_private, NULL};
    harness_start_with(env);
    admin = tt_admin_token();
    tt_new_school(school, sizeof(school), "NTF", NULL);
    harness_unique("TS", senior, sizeof(senior));
    harness_unique("TA", tutor_a, sizeof(tutor_a));
    harness_unique("TB", tutor_b, sizeof(tutor_b));
    tt_staff(senior, school, "{tutor,senior_tutor}");
    tt_staff(tutor_a, school, "{tutor}");
    tt_staff(tutor_b, school, "{tutor}");
}

static void stop(void)
{
    free(admin);
    harness_stop();
    stop_all();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", mail_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_notify: could not remove %s\n", mail_dir);
}

/* A fresh student of the suite's school; number into out[24]. */
static void new_student(char *out)
{
    harness_unique("SN", out, 24);
    tt_student(out, school);
}

/* "<number lowercased>@uni.example", as the fixtures make addresses. */
static void address_of(const char *number, char *out, size_t size)
{
    size_t i = 0;
    for (; number[i] && i + 1 < size; i++)
        out[i] = (char)(number[i] >= 'A' && number[i] <= 'Z' ? number[i] + 32 : number[i]);
    snprintf(out + i, size - i, "@uni.example");
}

/* POSTs a personal allocation as the admin; asserts 201. `extra` (may be NULL) adds JSON members. */
static void allocate(const char *student, const char *tutor, const char *extra)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"tutor\":\"%s\"%s%s}", student, tutor, extra ? "," : "",
             extra ? extra : "");
    free(tt_post_id("/allocations", admin, body));
}

#define NOTIFICATIONS_OF "SELECT count(*) FROM notifications WHERE person = $1"

/* ---- signing -------------------------------------------------------------------------------------- */

START_TEST(test_signature_matches_the_standard)
{
    char sig[96], secret[80];
    /* the Standard Webhooks specification's own example */
    ck_assert_int_eq(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                  "{\"test\": 2432232314}", sig, sizeof(sig)),
                     0);
    ck_assert_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    ck_assert_int_eq(webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}", sig, sizeof(sig)), -1);
    ck_assert_int_eq(webhook_sign("whsec_!!!", "m", 1, "{}", sig, sizeof(sig)), -1);
    ck_assert_int_eq(webhook_new_secret(secret, sizeof(secret)), 0);
    ck_assert_int_eq(strncmp(secret, "whsec_", 6), 0);
    ck_assert_uint_eq(strlen(secret), 6 + 32); /* 24 bytes of key */
    ck_assert_int_eq(webhook_sign(secret, "m", 1, "{}", sig, sizeof(sig)), 0);
}
END_TEST

/* ---- the outbox ------------------------------------------------------------------------------------ */

START_TEST(test_allocation_tells_student_tutor_and_previous_tutor)
{
    char s[24], addr[64], needle[128];
    new_student(s);
    allocate(s, tutor_a, "\"reason\":\"CONFIDENTIAL-REASON-7731\"");
    /* written with the change: the student and the new tutor, nobody else */
    ck_assert_int_eq(tt_count(NOTIFICATIONS_OF, s), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.subject = $1 AND e.kind = 'allocation.created'",
                              s),
                     2);
    /* a refused change tells nobody */
    char body[256];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"tutor\":\"NOSUCH%s\"}", s, tutor_a);
    ck_assert_int_ge(tt_status("POST", "/allocations", admin, body), 400);
    ck_assert_int_eq(tt_count(NOTIFICATIONS_OF, s), 1);
    /* reallocation: the old allocation ends (student and previous tutor told), the new one starts
     * (student and new tutor told) */
    allocate(s, tutor_b, "\"starts_on\":\"2099-01-02\"");
    ck_assert_int_eq(tt_count(NOTIFICATIONS_OF, s), 3);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.subject = $1 AND e.kind = 'allocation.ended'",
                              s),
                     2);
    char *previous = harness_sql("SELECT n.person FROM notifications n JOIN events e ON e.id = n.event_id"
                                 " WHERE e.subject = $1 AND e.kind = 'allocation.ended' AND n.person <> $1",
                                 1, (const char *const[]){s});
    ck_assert_str_eq(previous, tutor_a);
    free(previous);
    /* delivered under the row's Message-ID: to the student, with the subject and the portal link */
    char *mid = harness_sql("SELECT message_id::text FROM notifications WHERE person = $1 ORDER BY id LIMIT 1", 1,
                            (const char *const[]){s});
    snprintf(needle, sizeof(needle), "Message-ID: <%s@uni.example>", mid);
    char *mail = await_mail(needle);
    address_of(s, addr, sizeof(addr));
    snprintf(needle, sizeof(needle), "To: %s\r\n", addr);
    ck_assert_ptr_nonnull(strstr(mail, needle));
    ck_assert_ptr_nonnull(strstr(mail, "Subject: Your personal tutor\r\n"));
    snprintf(needle, sizeof(needle), "https://portal.uni.example/students/%s", s);
    ck_assert_ptr_nonnull(strstr(mail, needle));
    free(mid);
    free(mail);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                                 " WHERE e.subject = $1 AND n.status = 'sent'",
                                 s, 6),
                     6);
    ck_assert_uint_eq(mail_count("CONFIDENTIAL-REASON-7731"), 0);
}
END_TEST

START_TEST(test_closed_concern_tells_the_raiser_nothing_more)
{
    char s[24], path[96], body[256];
    new_student(s);
    tt_allocate(s, tutor_a, NULL);
    char *tok = tt_tutor_token(tutor_a), *sen = tt_senior_token(senior, school);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"wellbeing\",\"detail\":\"DETAIL-SECRET-5512\"}", s);
    char *id = tt_post_id("/concerns", tok, body);
    snprintf(path, sizeof(path), "/concerns/%s/closure", id);
    tt_expect_status("POST", path, sen, "{\"outcome\":\"OUTCOME-SECRET-5513\"}", 200);
    /* the raiser is told, once, in words that carry neither the detail nor the outcome */
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications WHERE event_kind = 'concern.closed'"
                              " AND person = $1",
                              tutor_a),
                     1);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM notifications WHERE body LIKE '%SECRET-55%'"
                                      " OR subject LIKE '%SECRET-55%'",
                                      0, NULL),
                     0);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications WHERE event_kind = 'concern.closed'"
                                 " AND person = $1 AND status = 'sent'",
                                 tutor_a, 1),
                     1);
    char needle[128];
    snprintf(needle, sizeof(needle), "https://portal.uni.example/concerns/%s", id);
    free(await_mail(needle));
    ck_assert_uint_eq(mail_count("SECRET-55"), 0);
    free(id), free(tok), free(sen);
}
END_TEST

START_TEST(test_decision_and_feedback_invitation_are_told)
{
    char s[24], path[96], body[256], needle[160];
    new_student(s);
    tt_allocate(s, tutor_a, NULL);
    char *student = tt_student_token(s), *sen = tt_senior_token(senior, school);
    snprintf(path, sizeof(path), "/students/%s/change-requests", s);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, student, "{\"reason\":\"REASON-SECRET-8841\"}", &r), 201);
    char *id = tt_id(&r);
    harness_response_free(&r);
    ck_assert_int_eq(tt_count(NOTIFICATIONS_OF, s), 0); /* asking tells nobody; the decision does */
    snprintf(path, sizeof(path), "/change-requests/%s/decision", id);
    tt_expect_status("POST", path, sen, "{\"decision\":\"declined\",\"comment\":\"COMMENT-SECRET-8842\"}", 200);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM notifications WHERE person = $1 AND event_kind = 'change_request.decided'", s),
        1);
    snprintf(needle, sizeof(needle), "https://portal.uni.example/students/%s/change-requests/%s", s, id);
    free(await_mail(needle));
    ck_assert_uint_eq(mail_count("SECRET-884"), 0);
    /* a feedback invitation to the school's tutors tells each of them */
    free(harness_sql("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2011/12', '2011-09-12',"
                     " '2012-06-29') ON CONFLICT DO NOTHING",
                     0, NULL));
    snprintf(path, sizeof(path), "/schools/%s/feedback-invitations", school);
    snprintf(body, sizeof(body), "{\"year\":\"2011/12\",\"audience\":[\"tutors\"]}");
    tt_expect_status("POST", path, sen, body, 201);
    long tutors = tt_count("SELECT count(*) FROM staff WHERE school = $1", school);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.kind = 'feedback.invited' AND e.subject = $1",
                              school),
                     tutors);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                                 " WHERE e.kind = 'feedback.invited' AND e.subject = $1 AND n.status = 'sent'",
                                 school, tutors),
                     tutors);
    free(id), free(student), free(sen);
}
END_TEST

/* A connection of the suite's own, for calling the store functions directly. */
static const struct db_statement NO_STATEMENTS[] = {{NULL, NULL}};

/* Inserts a parked notification (never due) to an address the sink refuses; returns its id. */
static char *parked_notification(void)
{
    return harness_sql("INSERT INTO notifications (event_id, event_kind, category, person, email, subject, body, link,"
                       "                           next_attempt_at)"
                       " SELECT max(id), 'allocation.created', 'allocation', 'PARKED', 'reject-parked@uni.example',"
                       "        'Parked', '{link}', '/', 'infinity' FROM events RETURNING id::text",
                       0, NULL);
}

/* The notification's status and its next try in whole seconds from now, "status delay". */
static char *retry_state(const char *id)
{
    return harness_sql("SELECT status || ' ' || floor(extract(epoch FROM next_attempt_at - now()))::int FROM"
                       " notifications WHERE id = $1::bigint",
                       1, (const char *const[]){id});
}

START_TEST(test_retry_backoff_and_the_last_try)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), "none", 1, 2000, NO_STATEMENTS);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    char *id = parked_notification(), *state;
    int delay = 0;
    /* the 7th try of 8 failed: retried after 1 s · 2^6 = 64 s, less up to half (jitter) */
    free(harness_sql("UPDATE notifications SET attempts = 7 WHERE id = $1::bigint", 1, (const char *const[]){id}));
    ck_assert_int_eq(outbox_retry(conn, id, "451 try later", 0, 8, 1000), APP_OK);
    state = retry_state(id);
    ck_assert_int_eq(sscanf(state, "queued %d", &delay), 1);
    ck_assert_msg(delay >= 31 && delay <= 64, "delay %d", delay);
    free(state);
    /* the 8th of 8 failed: failed for good */
    free(harness_sql("UPDATE notifications SET attempts = 8 WHERE id = $1::bigint", 1, (const char *const[]){id}));
    ck_assert_int_eq(outbox_retry(conn, id, "451 try later", 0, 8, 1000), APP_OK);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications WHERE id = $1::bigint AND status = 'failed'"
                              " AND last_error = '451 try later'",
                              id),
                     1);
    free(id);
    /* the 30th try: the delay is capped at a day */
    id = parked_notification();
    free(harness_sql("UPDATE notifications SET attempts = 30 WHERE id = $1::bigint", 1, (const char *const[]){id}));
    ck_assert_int_eq(outbox_retry(conn, id, "timeout", 0, 100, 1000), APP_OK);
    state = retry_state(id);
    ck_assert_int_eq(sscanf(state, "queued %d", &delay), 1);
    ck_assert_msg(delay >= 43199 && delay <= 86400, "delay %d", delay);
    free(state);
    /* a permanent refusal on the first try: failed at once */
    free(harness_sql("UPDATE notifications SET attempts = 1 WHERE id = $1::bigint", 1, (const char *const[]){id}));
    ck_assert_int_eq(outbox_retry(conn, id, "550 no such user", 1, 100, 1000), APP_OK);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications WHERE id = $1::bigint AND status = 'failed'", id), 1);
    free(id);
    db_release(pool, conn);
    db_pool_free(pool);
}
END_TEST

START_TEST(test_webhook_streak_disables_on_the_limit)
{
    struct db_pool *pool = db_pool_new(harness_database_url(), "none", 1, 2000, NO_STATEMENTS);
    struct db_conn *conn = NULL;
    ck_assert_int_eq(db_acquire(pool, &conn), APP_OK);
    /* a subscription to a kind that never happens, so the worker leaves it alone */
    char *sub = harness_sql("INSERT INTO webhook_subscriptions (url, events, secret, cursor_seq, cursor_id, created_by,"
                            "                                   failure_streak)"
                            " VALUES ('http://127.0.0.1:9/never', '{test.never}', 'whsec_AAAA', 0, 0, 'test', 4)"
                            " RETURNING id::text",
                            0, NULL);
    char *event = harness_sql("SELECT max(e.id)::text FROM events e", 0, NULL);
    char *seq = harness_sql("SELECT c.seq::text FROM events e JOIN event_commits c ON c.txid = e.txid"
                            " WHERE e.id = $1::bigint",
                            1, (const char *const[]){event});
    static const char STATE[] = "SELECT failure_streak * 10 + enabled::int FROM webhook_subscriptions"
                                " WHERE id = $1::bigint";
    /* the 5th failure in a row, limit 6: still enabled */
    ck_assert_int_eq(outbox_hook_done(conn, sub, event, seq, 503, "503", 1000, 6), APP_OK);
    ck_assert_int_eq(tt_count(STATE, sub), 51);
    /* the 6th: disabled */
    ck_assert_int_eq(outbox_hook_done(conn, sub, event, seq, 0, "refused", 1000, 6), APP_OK);
    ck_assert_int_eq(tt_count(STATE, sub), 60);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM webhook_subscriptions WHERE id = $1::bigint AND disabled_at"
                              " IS NOT NULL AND cursor_id = 0",
                              sub),
                     1);
    /* a success clears the streak and moves the cursor past the event */
    ck_assert_int_eq(outbox_hook_done(conn, sub, event, seq, 204, NULL, 1000, 6), APP_OK);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM webhook_subscriptions WHERE id = $1::bigint AND failure_streak = 0"
                              " AND cursor_id::text = (SELECT max(id)::text FROM events)",
                              sub),
                     1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1::bigint", sub), 3);
    free(harness_sql("UPDATE webhook_subscriptions SET enabled = false WHERE id = $1::bigint", 1,
                     (const char *const[]){sub}));
    free(sub), free(event), free(seq);
    db_release(pool, conn);
    db_pool_free(pool);
}
END_TEST

START_TEST(test_smtp_session_boundaries)
{
    char url[64], why[300];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", smtp_port);
    size_t before = mail_count("X-Boundary-Test");
    struct smtp_mail mail = {"tutoring@uni.example", "boundary@uni.example",
                             "Subject: boundary\r\nX-Boundary-Test: 1\r\n\r\nhello\r\n.a line starting with a dot\r\n"};
    /* STARTTLS required and the server offers none: nothing goes out in clear, and it is worth a retry */
    struct smtp_session *s = smtp_open(url, 1, NULL);
    ck_assert_int_eq(smtp_send(s, &mail, why, sizeof(why)), 1);
    smtp_close(s);
    ck_assert_uint_eq(mail_count("X-Boundary-Test"), before);
    /* allowed in clear (a loopback relay): two messages over one session */
    s = smtp_open(url, 0, NULL);
    ck_assert_int_eq(smtp_send(s, &mail, why, sizeof(why)), 0);
    ck_assert_int_eq(smtp_send(s, &mail, why, sizeof(why)), 0);
    /* a 5xx refusal is permanent */
    struct smtp_mail refused = {"tutoring@uni.example", "reject-boundary@uni.example", mail.message};
    ck_assert_int_eq(smtp_send(s, &refused, why, sizeof(why)), 2);
    ck_assert_ptr_nonnull(strstr(why, "550"));
    smtp_close(s);
    char *got = await_mail("X-Boundary-Test");
    ck_assert_ptr_nonnull(strstr(got, "\r\n.a line starting with a dot\r\n")); /* dot-stuffing undone */
    free(got);
    for (int i = 0; i < WAIT_SECONDS * 20 && mail_count("X-Boundary-Test") < before + 2; i++)
        usleep(50 * 1000);
    ck_assert_uint_eq(mail_count("X-Boundary-Test"), before + 2);
    /* nobody listening: the server is unreachable, which says nothing about the message */
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", procs_free_port());
    s = smtp_open(url, 0, NULL);
    ck_assert_int_eq(smtp_send(s, &mail, why, sizeof(why)), 3);
    smtp_close(s);
}
END_TEST

/* Runs `tutord serve` with one bad setting; asserts it refuses to start (exit 2). */
static void refuses_to_serve(char *setting)
{
    static char db[600], port[32], secret[128];
    snprintf(db, sizeof(db), "TUTORD_DATABASE_URL=%s", harness_database_url());
    snprintf(port, sizeof(port), "TUTORD_PORT=%d", procs_free_port());
    snprintf(secret, sizeof(secret), "TUTORD_JWT_SECRET=%s", HARNESS_JWT_SECRET);
    char *const env[] = {db, port, secret, env_log, setting, NULL};
    char *const argv[] = {getenv("TUTORD_BIN"), "serve", NULL};
    pid_t pid = procs_spawn(argv, env);
    int status = 0;
    for (int i = 0; i < WAIT_SECONDS * 20 && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(50 * 1000);
    if (kill(pid, 0) == 0) { /* still serving: stop it before failing */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        ck_abort_msg("tutord served with %s", setting);
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s: exit %d", setting, WEXITSTATUS(status));
}

START_TEST(test_bad_smtp_settings_stop_serve)
{
    refuses_to_serve("TUTORD_SMTP_URL=http://127.0.0.1:25");
    refuses_to_serve("TUTORD_SMTP_STARTTLS=maybe");
    refuses_to_serve("TUTORD_SMTP_CREDENTIALS_FILE=/nonexistent/tutord-smtp-credentials");
}
END_TEST

/* The text/calendar part of `mail` checked by a second parser (Python's icalendar, tests/api/ics_check.py):
 * its output line for the one event (malloc'd). Asserts the part exists and parses. */
static char *parsed_invite(const char *mail)
{
    const char *start = strstr(mail, "BEGIN:VCALENDAR"), *end = start ? strstr(start, "END:VCALENDAR") : NULL;
    ck_assert_msg(start && end, "no calendar in the message");
    char path[96], cmd[800], line[256] = "";
    snprintf(path, sizeof(path), "%s/invite.ics", mail_dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(start, 1, (size_t)(end - start) + strlen("END:VCALENDAR"), f);
    fputs("\r\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), PROCS_PYTHON " '%s/../api/ics_check.py' '%s'", support_dir, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
    char rest[256];
    while (fgets(rest, sizeof(rest), p)) /* the VTIMEZONE line; read to the end so the parser exits cleanly */
        ;
    ck_assert_int_eq(pclose(p), 0);
    line[strcspn(line, "\n")] = '\0';
    return strdup(line);
}

START_TEST(test_booking_sends_invitation_and_cancellation)
{
    char s[24], path[96], booking[24], needle[128], want[160], addr[64];
    new_student(s);
    tt_allocate(s, tutor_a, NULL);
    char *tok = tt_tutor_token(tutor_a), *student = tt_student_token(s);
    snprintf(path, sizeof(path), "/tutors/%s/slots", tutor_a);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, tok,
                             "{\"starts_at\":\"2099-03-02T10:00:00Z\",\"ends_at\":\"2099-03-02T10:30:00Z\","
                             "\"capacity\":1,\"location\":\"Room 7\",\"book_by_minutes\":60}",
                             &r),
                     201);
    snprintf(path, sizeof(path), "/slots/%" JSON_INTEGER_FORMAT "/bookings",
             json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("POST", path, student, NULL, &r), 201);
    snprintf(booking, sizeof(booking), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(r.json, "id")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.kind = 'booking.confirmed' AND e.payload ->> 'id' = $1"
                              " AND n.calendar = 'request'",
                              booking),
                     2);
    /* the student's invitation: METHOD:REQUEST, the feed's UID, the slot's local time */
    address_of(s, addr, sizeof(addr));
    snprintf(needle, sizeof(needle), "ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:%s", addr);
    char *mail = await_mail(needle);
    ck_assert_ptr_nonnull(strstr(mail, "Content-Type: multipart/mixed; boundary="));
    ck_assert_ptr_nonnull(strstr(mail, "Content-Type: text/calendar; charset=utf-8; method=REQUEST"));
    ck_assert_ptr_nonnull(strstr(mail, "METHOD:REQUEST"));
    ck_assert_ptr_nonnull(strstr(mail, "ORGANIZER:mailto:tutoring@uni.example"));
    char *line = parsed_invite(mail);
    snprintf(want, sizeof(want), "contact-%s@tutord|2099-03-02T10:00|Europe/London|+0|CONFIRMED|0", booking);
    ck_assert_str_eq(line, want);
    free(line), free(mail);
    /* cancelled: METHOD:CANCEL for the same UID, one sequence later, to both */
    snprintf(path, sizeof(path), "/bookings/%s/cancellation", booking);
    tt_expect_status("POST", path, student, NULL, 200);
    mail = await_mail("METHOD:CANCEL");
    line = parsed_invite(mail);
    snprintf(want, sizeof(want), "contact-%s@tutord|2099-03-02T10:00|Europe/London|+0|CANCELLED|1", booking);
    ck_assert_str_eq(line, want);
    ck_assert_ptr_nonnull(strstr(mail, "method=CANCEL"));
    free(line), free(mail);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                                 " WHERE e.kind LIKE 'booking.%' AND e.payload ->> 'id' = $1 AND n.status = 'sent'",
                                 booking, 4),
                     4);
    free(tok), free(student);
}
END_TEST

/* A slot of `tutor` at local time `day_offset` days from today, `hhmm` ("00:00"), 29 minutes long, with
 * `capacity` seats and no booking deadline before it; returns its bookings path into path[96]. */
static void local_slot(const char *tutor, int day_offset, const char *hhmm, int capacity, char *path)
{
    char offset[8], *tok = tt_tutor_token(tutor), body[256];
    snprintf(offset, sizeof(offset), "%d", day_offset);
    char *at = harness_sql("WITH z AS (SELECT coalesce((SELECT time_zone FROM calendar_settings LIMIT 1),"
                           " 'Europe/London') AS zone)"
                           " SELECT to_char(((now() AT TIME ZONE zone)::date + $1::int + $2::time) AT TIME ZONE zone"
                           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z|\"')"
                           " || to_char(((now() AT TIME ZONE zone)::date + $1::int + $2::time + interval '29 minutes')"
                           " AT TIME ZONE zone AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM z",
                           2, (const char *const[]){offset, hhmm});
    char *bar = strchr(at, '|');
    *bar = '\0';
    snprintf(body, sizeof(body),
             "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":%d,\"location\":\"Room 9\","
             "\"book_by_minutes\":0}",
             at, bar + 1, capacity);
    snprintf(path, 96, "/tutors/%s/slots", tutor);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, tok, body, &r), 201);
    snprintf(path, 96, "/slots/%" JSON_INTEGER_FORMAT "/bookings",
             json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")));
    harness_response_free(&r);
    free(at), free(tok);
}

/* A fresh tutee of `tutor` who books the slot at `path`; number into s[24]. */
static void book_as_new_tutee(const char *tutor, const char *path, char *s)
{
    new_student(s);
    tt_allocate(s, tutor, NULL);
    char *tok = tt_student_token(s);
    tt_expect_status("POST", path, tok, NULL, 201);
    free(tok);
}

#define REMINDERS_OF "SELECT count(*) FROM notifications WHERE category = 'reminder' AND person = $1"

START_TEST(test_reminder_the_day_before)
{
    char first[96], last[96], after[96], s_first[24], s_last[24], s_after[24], s_out[24];
    local_slot(tutor_b, 1, "00:00", 2, first); /* the first minute of tomorrow, local time */
    local_slot(tutor_b, 1, "23:30", 1, last);  /* the last half hour of tomorrow */
    local_slot(tutor_b, 2, "00:00", 1, after); /* the first minute of the day after */
    book_as_new_tutee(tutor_b, first, s_first);
    book_as_new_tutee(tutor_b, last, s_last);
    book_as_new_tutee(tutor_b, after, s_after);
    new_student(s_out); /* opted out of reminders before booking */
    tt_allocate(s_out, tutor_b, NULL);
    char *tok = tt_student_token(s_out);
    tt_expect_status("PUT", "/notifications/preferences", tok, "{\"reminder\":false}", 200);
    tt_expect_status("POST", first, tok, NULL, 201);
    free(tok);
    /* the tutor hears of each of tomorrow's three meetings, the refusing student's included; the sweep
     * that wrote the last of them saw every booking */
    ck_assert_int_eq(await_count(REMINDERS_OF, tutor_b, 3), 3);
    ck_assert_int_eq(await_count(REMINDERS_OF " AND status = 'sent'", s_first, 1), 1);
    ck_assert_int_eq(await_count(REMINDERS_OF " AND status = 'sent'", s_last, 1), 1);
    ck_assert_int_eq(tt_count(REMINDERS_OF, s_after), 0);
    ck_assert_int_eq(tt_count(REMINDERS_OF, s_out), 0);
    /* once: another sweep writes nothing new */
    ck_assert_int_eq(harness_sql_long("SELECT tutord_outbox_remind()", 0, NULL), 0);
    char addr[64], needle[96];
    address_of(s_first, addr, sizeof(addr));
    snprintf(needle, sizeof(needle), "To: %s\r\nSubject: Meeting tomorrow", addr);
    char *mail = await_mail(needle);
    ck_assert_ptr_nonnull(strstr(mail, "is tomorrow at 00:00 (Room 9)."));
    free(mail);
}
END_TEST

START_TEST(test_erasure_forgets_the_outbox)
{
    char s[24], addr[64], like[96];
    new_student(s);
    allocate(s, tutor_a, NULL);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                                 " WHERE e.subject = $1 AND n.status = 'sent'",
                                 s, 2),
                     2);
    address_of(s, addr, sizeof(addr));
    free(harness_sql("SELECT tutord_erase_student($1, 'request')", 1, (const char *const[]){s}));
    /* neither the student's address nor their name is left, in their notices or their tutor's */
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications WHERE email = $1", addr), 0);
    snprintf(like, sizeof(like), "%%Student %s%%", s);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications WHERE body LIKE $1 OR subject LIKE $1", like), 0);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.subject = $1 AND n.body = 'erased' AND n.status = 'sent'",
                              s),
                     2);
}
END_TEST

START_TEST(test_permanent_failure_is_kept_and_listed)
{
    char s[24], path[96];
    harness_unique("SR", s, sizeof(s));
    tt_student(s, school);
    free(harness_sql("UPDATE students SET email = 'reject-' || lower($1) || '@uni.example' WHERE student_number = $1",
                     1, (const char *const[]){s}));
    allocate(s, tutor_a, NULL);
    ck_assert_int_eq(await_count("SELECT count(*) FROM notifications WHERE person = $1 AND status = 'failed'", s, 1),
                     1);
    ck_assert_int_eq(tt_count("SELECT attempts FROM notifications WHERE person = $1", s), 1); /* 5xx: no retry */
    snprintf(path, sizeof(path), "status=failed&person=%s", s);
    ck_assert_int_eq(tt_list_count("/notifications", path, admin), 1);
    char *tok = tt_tutor_token(tutor_a);
    ck_assert_int_eq(tt_list_count("/notifications", path, tok), -403);
    free(tok);
    tt_refused("GET", "/notifications?status=lost", admin, NULL, 400, "status");
    snprintf(path, sizeof(path), "/notifications?status=failed&person=%s", s);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, admin, NULL, &r), 200);
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(item, "last_error")), "550"));
    harness_response_free(&r);
}
END_TEST

START_TEST(test_smtp_outage_loses_nothing)
{
    enum { N = 4, OUTAGE_S = 60 };
    char students[N][24];
    struct timespec down, now;
    procs_stop(&sink_pid);
    clock_gettime(CLOCK_MONOTONIC, &down);
    for (int i = 0; i < N; i++) {
        new_student(students[i]);
        allocate(students[i], tutor_b, NULL);
    }
    /* while the server is down it is tried again and again (a try seconds after the message was written),
     * but an unreachable server is an outage, not the message's failure: no try is counted, none given up */
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(await_count("SELECT count(*) FROM notifications WHERE person = $1 AND attempts = 0"
                                     " AND status = 'queued' AND last_error LIKE '%connect%'"
                                     " AND next_attempt_at > created_at + interval '2 seconds'",
                                     students[i], 1),
                         1);
    /* the server stays away a full minute (far past the last try of the 100 ms backoff); nothing is given up */
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - down.tv_sec < OUTAGE_S)
        sleep((unsigned)(OUTAGE_S - (now.tv_sec - down.tv_sec)));
    /* (awaited, not read once: a pass in flight holds the row claimed with attempts = 1 until it puts it back) */
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(await_count("SELECT count(*) FROM notifications WHERE person = $1 AND status = 'queued'"
                                     " AND attempts = 0",
                                     students[i], 1),
                         1);
    start_sink();
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(
            await_count("SELECT count(*) FROM notifications WHERE person = $1 AND status = 'sent' AND attempts = 1",
                        students[i], 1),
            1);
        char addr[64], needle[96];
        address_of(students[i], addr, sizeof(addr));
        snprintf(needle, sizeof(needle), "To: %s", addr);
        free(await_mail(needle));
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    ck_assert_int_lt(now.tv_sec - down.tv_sec, 90);
}
END_TEST

/* Every notification of `prefix`'s students arrived, each under its own Message-ID; a repeat (after a
 * crash between sending and recording) only ever with the same Message-ID. Returns the repeats. */
static size_t check_exactly_once(const char *like)
{
    char *ids = harness_sql("SELECT string_agg(message_id::text, ' ') FROM notifications WHERE person LIKE $1", 1,
                            (const char *const[]){like});
    size_t n, repeats = 0, rows = 0;
    char **all = read_mail(&n);
    for (char *save = NULL, *id = strtok_r(ids, " ", &save); id; id = strtok_r(NULL, " ", &save), rows++) {
        char needle[96];
        size_t copies = 0;
        snprintf(needle, sizeof(needle), "Message-ID: <%s@uni.example>", id);
        for (size_t i = 0; i < n; i++)
            copies += strstr(all[i], needle) != NULL;
        ck_assert_msg(copies >= 1, "notification %s never arrived", id);
        repeats += copies - 1;
    }
    ck_assert_uint_gt(rows, 0);
    free_mail(all);
    free(ids);
    return repeats;
}

START_TEST(test_two_processes_and_a_kill_deliver_each_once)
{
    enum { N = 150 };
    char tag[24], like[32];
    harness_unique("K", tag, sizeof(tag));
    snprintf(like, sizeof(like), "%s%%", tag);
    start_second_tutord();
    /* N students allocated in one transaction, as an automatic allocation does: 2N notifications */
    free(harness_sql(
        "WITH s AS (INSERT INTO students (student_number, name, email, school, level, cohort, status,"
        "                                 registered_on)"
        "  SELECT $1::text || g, 'Student ' || g, lower($1::text) || g || '@uni.example', $2, '4', 'UG', 'studying',"
        "         current_date - 30 FROM generate_series(1, 150) g RETURNING student_number)"
        " SELECT count(*) FROM s",
        2, (const char *const[]){tag, school}));
    char sql[600];
    snprintf(sql, sizeof(sql),
             "WITH a AS (INSERT INTO allocations AS a (student_number, staff_number, kind, starts_on, created_by)"
             "  SELECT student_number, '%s', 'personal', current_date, 'test' FROM students"
             "   WHERE student_number LIKE $1 RETURNING a.*)"
             " INSERT INTO events (kind, subject, actor, payload)"
             " SELECT 'allocation.created', a.student_number, 'test', tutord_allocation_json(a)::jsonb FROM a",
             tutor_b);
    free(harness_sql(sql, 1, (const char *const[]){like}));
    ck_assert_int_eq(tt_count("SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id"
                              " WHERE e.subject LIKE $1",
                              like),
                     2 * N);
    /* kill -9 one deliverer mid-way */
    await_count("SELECT least(count(*), 20) FROM notifications WHERE person LIKE $1 AND status = 'sent'", like, 20);
    kill(second_pid, SIGKILL);
    waitpid(second_pid, NULL, 0);
    second_pid = 0;
    ck_assert_int_eq(
        await_count("SELECT count(*) FROM notifications WHERE person LIKE $1 AND status = 'sent'", like, N), N);
    size_t repeats = check_exactly_once(like);
    fprintf(stderr, "test_two_processes_and_a_kill: %d messages, %zu repeated with the same Message-ID\n", N, repeats);
}
END_TEST

/* ---- webhooks -------------------------------------------------------------------------------------- */

/* POSTs a subscription to http://127.0.0.1:port/hook for `events`; returns its id and writes the secret. */
static char *subscribe(int port, const char *events, char *secret, size_t size)
{
    char body[256];
    struct tt_response r;
    snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%d/hook\",\"events\":%s}", port, events);
    ck_assert_int_eq(tt_call("POST", "/webhooks", admin, body, &r), 201);
    snprintf(secret, size, "%s", json_string_value(json_object_get(r.json, "secret")));
    ck_assert_int_eq(strncmp(secret, "whsec_", 6), 0);
    char *id = tt_id(&r);
    harness_response_free(&r);
    return id;
}

/* The receiver's log lines with status `status`, parsed (new reference: a JSON array). */
static json_t *received(const char *log, long status)
{
    json_t *out = json_array();
    FILE *f = fopen(log, "r");
    char line[8192];
    while (f && fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (j && json_integer_value(json_object_get(j, "status")) == status)
            json_array_append(out, j);
        json_decref(j);
    }
    if (f)
        fclose(f);
    return out;
}

/* Waits until the receiver logged `want` requests answered `status`; returns them. */
static json_t *await_received(const char *log, long status, size_t want)
{
    json_t *got = received(log, status);
    for (int i = 0; i < WAIT_SECONDS * 20 && json_array_size(got) < want; i++) {
        usleep(50 * 1000);
        json_decref(got);
        got = received(log, status);
    }
    ck_assert_uint_eq(json_array_size(got), want);
    return got;
}

/* Asserts the deliveries are events `ids` in that order, each validly signed, with no reason text. */
static void check_in_order(json_t *got, char ids[][24], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(got, i);
        char want[32];
        snprintf(want, sizeof(want), "evt_%s", ids[i]);
        ck_assert_str_eq(json_string_value(json_object_get(d, "id")), want);
        ck_assert(json_is_true(json_object_get(d, "valid")));
        const char *body = json_string_value(json_object_get(d, "body"));
        ck_assert_ptr_null(strstr(body, "HOOK-REASON"));
        json_t *payload = json_loads(body, 0, NULL), *data = json_object_get(payload, "data");
        ck_assert_str_eq(json_string_value(json_object_get(payload, "type")), "allocation.created");
        ck_assert_int_eq(json_integer_value(json_object_get(data, "event_id")), strtoll(ids[i], NULL, 10));
        ck_assert_ptr_null(json_object_get(data, "reason"));
        ck_assert_ptr_nonnull(json_object_get(data, "student"));
        json_decref(payload);
    }
}

START_TEST(test_webhooks_signed_in_order_retried_and_replayed)
{
    enum { N = 4 };
    char log[96], secret[80], students[N][24], ids[N][24], path[96];
    int port = procs_free_port();
    snprintf(log, sizeof(log), "%s/hook-%d.jsonl", mail_dir, port);
    char *sub = subscribe(port, "[\"allocation.created\"]", secret, sizeof(secret));
    start_receiver(port, secret, log, 3); /* fails the first three deliveries on purpose */
    for (int i = 0; i < N; i++) {
        new_student(students[i]);
        allocate(students[i], tutor_a, "\"reason\":\"HOOK-REASON\"");
        char *id = harness_sql("SELECT max(id)::text FROM events WHERE subject = $1 AND kind = 'allocation.created'", 1,
                               (const char *const[]){students[i]});
        snprintf(ids[i], sizeof(ids[i]), "%s", id);
        free(id);
    }
    json_t *failed = await_received(log, 503, 3), *ok = await_received(log, 204, N);
    char first[32];
    snprintf(first, sizeof(first), "evt_%s", ids[0]);
    for (size_t i = 0; i < 3; i++) /* the head of the line is retried; nothing overtakes it */
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(failed, i), "id")), first);
    json_decref(failed);
    check_in_order(ok, ids, N);
    json_decref(ok);
    /* the deliveries listing shows the failures, then the successes (awaited: the worker records a delivery
     * once the receiver has answered, so the last row may not be committed when its request is logged) */
    ck_assert_int_eq(
        await_count("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1::bigint", sub, 3 + N), 3 + N);
    snprintf(path, sizeof(path), "/webhooks/%s/deliveries", sub);
    ck_assert_int_eq(tt_list_count(path, "limit=100", admin), 3 + N);
    /* the secret is shown once: not in the listing */
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", "/webhooks?limit=1000", admin, NULL, &r), 200);
    ck_assert_ptr_null(strstr(r.body, secret));
    harness_response_free(&r);
    /* replay from the second event: it and every later one again, in order */
    char body[64];
    snprintf(path, sizeof(path), "/webhooks/%s/replay", sub);
    snprintf(body, sizeof(body), "{\"from_event\":%s}", ids[1]);
    tt_expect_status("POST", path, admin, body, 202);
    ok = await_received(log, 204, N + N - 1);
    json_t *again = json_array();
    for (size_t i = N; i < json_array_size(ok); i++)
        json_array_append(again, json_array_get(ok, i));
    check_in_order(again, ids + 1, N - 1);
    json_decref(again), json_decref(ok);
    procs_stop(&receiver_pid);
    free(sub);
}
END_TEST

START_TEST(test_webhook_payload_keeps_confidences)
{
    char log[96], secret[80], s[24], path[96], body[256];
    int port = procs_free_port();
    snprintf(log, sizeof(log), "%s/hook-%d.jsonl", mail_dir, port);
    char *sub = subscribe(port, "[\"concern.opened\",\"concern.closed\"]", secret, sizeof(secret));
    start_receiver(port, secret, log, 0);
    new_student(s);
    tt_allocate(s, tutor_a, NULL);
    char *tok = tt_tutor_token(tutor_a), *sen = tt_senior_token(senior, school);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"wellbeing\",\"detail\":\"HOOK-DETAIL-SECRET\"}", s);
    char *id = tt_post_id("/concerns", tok, body);
    snprintf(path, sizeof(path), "/concerns/%s/closure", id);
    tt_expect_status("POST", path, sen, "{\"outcome\":\"HOOK-OUTCOME-SECRET\"}", 200);
    json_t *got = await_received(log, 204, 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *d = json_array_get(got, i);
        const char *text = json_string_value(json_object_get(d, "body"));
        ck_assert(json_is_true(json_object_get(d, "valid")));
        ck_assert_ptr_null(strstr(text, "SECRET"));
        json_t *payload = json_loads(text, 0, NULL), *data = json_object_get(payload, "data");
        ck_assert_str_eq(json_string_value(json_object_get(payload, "type")), i ? "concern.closed" : "concern.opened");
        ck_assert_str_eq(json_string_value(json_object_get(data, "subject")), id);
        ck_assert_str_eq(json_string_value(json_object_get(data, "student")), s);
        ck_assert_ptr_null(json_object_get(data, "detail"));
        ck_assert_ptr_null(json_object_get(data, "outcome"));
        json_decref(payload);
    }
    json_decref(got);
    procs_stop(&receiver_pid);
    free(harness_sql("UPDATE webhook_subscriptions SET enabled = false WHERE id = $1::bigint", 1,
                     (const char *const[]){sub}));
    free(id), free(tok), free(sen), free(sub);
}
END_TEST

START_TEST(test_webhook_disabled_after_a_failure_streak)
{
    char secret[80], s[24], path[96];
    int port = procs_free_port(); /* nobody listens there */
    char *sub = subscribe(port, "[\"allocation.created\"]", secret, sizeof(secret));
    new_student(s);
    allocate(s, tutor_a, NULL);
    ck_assert_int_eq(
        await_count("SELECT count(*) FROM webhook_subscriptions WHERE id = $1::bigint AND NOT enabled", sub, 1), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1::bigint"
                              " AND NOT succeeded",
                              sub),
                     6);
    snprintf(path, sizeof(path), "/webhooks/%s/replay", sub);
    char *event = harness_sql("SELECT max(id)::text FROM events WHERE subject = $1", 1, (const char *const[]){s});
    char body[64];
    snprintf(body, sizeof(body), "{\"from_event\":%s}", event);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, admin, body, &r), 202);
    ck_assert(json_is_true(json_object_get(r.json, "enabled")));
    harness_response_free(&r);
    free(harness_sql("UPDATE webhook_subscriptions SET enabled = false WHERE id = $1::bigint", 1,
                     (const char *const[]){sub}));
    free(event), free(sub);
}
END_TEST

START_TEST(test_webhook_requests_are_checked)
{
    char *tok = tt_tutor_token(tutor_a);
    static const char good[] = "{\"url\":\"https://srs.uni.example/hook\",\"events\":[\"allocation.created\"]}";
    tt_refused("POST", "/webhooks", tok, good, 403, NULL);
    tt_refused("POST", "/webhooks", admin, "{\"url\":\"ftp://x\",\"events\":[\"allocation.created\"]}", 422, "url");
    tt_refused("POST", "/webhooks", admin, "{\"url\":\"https://x.example\",\"events\":[]}", 422, "events");
    tt_refused("POST", "/webhooks", admin, "{\"url\":\"https://x.example\",\"events\":[\"Bad Kind\"]}", 422, "events");
    tt_refused("POST", "/webhooks", admin,
               "{\"url\":\"https://x.example\",\"events\":[\"allocation.created\"],\"secret\":\"mine\"}", 422,
               "secret");
    tt_refused("POST", "/webhooks/999999999/replay", admin, "{\"from_event\":1}", 404, NULL);
    tt_refused("POST", "/webhooks/1/replay", admin, "{\"from_event\":\"x\"}", 422, "from_event");
    tt_refused("GET", "/webhooks/999999999/deliveries", admin, NULL, 404, NULL);
    tt_refused("GET", "/webhooks", tok, NULL, 403, NULL);
    free(tok);
}
END_TEST

/* ---- bulk booking changes, withdrawn reminders, internal webhook addresses ------------------------- */

/* The booking (contact id) of `student` on the slot whose bookings path is `path`, into out[24]. */
static void booking_of(const char *path, const char *student, char *out)
{
    long slot = strtol(path + strlen("/slots/"), NULL, 10);
    char slot_s[24], sql[160];
    snprintf(slot_s, sizeof(slot_s), "%ld", slot);
    snprintf(sql, sizeof(sql), "SELECT id::text FROM contacts WHERE slot_id = %s AND student_number = $1", slot_s);
    char *id = harness_sql(sql, 1, (const char *const[]){student});
    snprintf(out, 24, "%s", id);
    free(id);
}

/* Waits for the mail to `person` with `subject` and asserts it carries `method` ("METHOD:CANCEL"). */
static void await_invite(const char *person, const char *subject, const char *method)
{
    char addr[64], needle[192];
    address_of(person, addr, sizeof(addr));
    snprintf(needle, sizeof(needle), "To: %s\r\nSubject: %s", addr, subject);
    char *mail = await_mail(needle);
    int found = strstr(mail, method) != NULL;
    free(mail);
    ck_assert_msg(found, "the mail to %s (%s) has no %s", person, subject, method);
}

#define BOOKING_NOTICES                                                                                                \
    "SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id WHERE e.payload ->> 'id' = $1"

START_TEST(test_slot_cancellation_tells_every_booking)
{
    char path[96], s1[24], s2[24], b1[24], b2[24];
    local_slot(tutor_b, 5, "11:00", 2, path);
    book_as_new_tutee(tutor_b, path, s1);
    book_as_new_tutee(tutor_b, path, s2);
    booking_of(path, s1, b1);
    booking_of(path, s2, b2);
    char cancel[96], *tok = tt_tutor_token(tutor_b);
    snprintf(cancel, sizeof(cancel), "%.*s/cancellation", (int)(strlen(path) - strlen("/bookings")), path);
    tt_expect_status("POST", cancel, tok, NULL, 200);
    free(tok);
    /* one booking.cancelled per booking, told to its student and the tutor with METHOD:CANCEL */
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind = 'booking.cancelled' AND n.calendar = 'cancel'", b1), 2);
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind = 'booking.cancelled' AND n.calendar = 'cancel'", b2), 2);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'booking.cancelled' AND payload ->> 'id' = $1"
                              " AND actor = (SELECT staff_number FROM contacts WHERE id = $1::bigint)",
                              b1),
                     1);
    await_invite(s2, "Meeting cancelled", "METHOD:CANCEL");
    ck_assert_int_eq(await_count(BOOKING_NOTICES " AND e.kind = 'booking.cancelled' AND n.status = 'sent'", b1, 2), 2);
}
END_TEST

/* The slot of a bookings path ("/slots/<id>/bookings"). */
static long slot_of(const char *path)
{
    return strtol(path + strlen("/slots/"), NULL, 10);
}

/* Moves the slot at `path` `days` days earlier, writes the reminders then due and parks this slot's (next
 * try at infinity), in one transaction: no deliverer sends them before the test looks. */
static void remind_parked(const char *path, int days)
{
    char sql[700];
    long slot = slot_of(path);
    snprintf(sql, sizeof(sql),
             "DO $$ BEGIN UPDATE slots SET starts_at = starts_at - interval '%d day', ends_at = ends_at - interval"
             " '%d day', booking_deadline = booking_deadline - interval '%d day' WHERE id = %ld;"
             " PERFORM tutord_outbox_remind();"
             " UPDATE notifications SET next_attempt_at = 'infinity' WHERE status = 'queued' AND reminder_for IN"
             " (SELECT id FROM contacts WHERE slot_id = %ld); END $$",
             days, days, days, slot, slot);
    free(harness_sql(sql, 0, NULL));
}

/* An absence of `tutor` on the local day `day_offset` days from today, covered by `cover` (NULL: none). */
static void absence_on(const char *tutor, int day_offset, const char *cover)
{
    char sql[600];
    snprintf(sql, sizeof(sql),
             "INSERT INTO tutor_absences (staff_number, starts_on, ends_on, cover_staff_number, created_by)"
             " SELECT $1, d, d, nullif($2, ''), 'test' FROM (SELECT (now() AT TIME ZONE coalesce((SELECT time_zone"
             " FROM calendar_settings LIMIT 1), 'Europe/London'))::date + %d AS d) x",
             day_offset);
    free(harness_sql(sql, 2, (const char *const[]){tutor, cover ? cover : ""}));
}

#define REMINDERS_FOR "SELECT count(*) FROM notifications WHERE reminder_for = $1::bigint"

/* An absence with a cover tutor moves a booking: ONE booking.moved, an updated invitation to the student
 * and the cover tutor, a cancellation to the tutor away, whose queued reminder is withdrawn (the cover
 * tutor's is written by the next sweep); without a cover tutor the booking is cancelled and told. */
START_TEST(test_absence_moves_or_cancels_bookings_and_tells)
{
    char away[24], cover[24], moved[96], gone[96], s_moved[24], s_gone[24], b_moved[24], b_gone[24];
    harness_unique("TW", away, sizeof(away));
    harness_unique("TC", cover, sizeof(cover));
    tt_staff(away, school, "{tutor}");
    tt_staff(cover, school, "{tutor}");
    local_slot(away, 2, "10:00", 1, moved);
    local_slot(away, 3, "10:00", 1, gone);
    book_as_new_tutee(away, moved, s_moved);
    book_as_new_tutee(away, gone, s_gone);
    booking_of(moved, s_moved, b_moved);
    booking_of(gone, s_gone, b_gone);
    remind_parked(moved, 1); /* the moved meeting is tomorrow now, its two reminders queued */
    ck_assert_int_eq(tt_count(REMINDERS_FOR " AND status = 'queued'", b_moved), 2);
    absence_on(away, 1, cover);
    absence_on(away, 3, NULL);
    char *who = harness_sql("SELECT string_agg((payload ->> 'previous_tutor') || '>' || (payload ->> 'tutor'), ',')"
                            " FROM events WHERE kind = 'booking.moved' AND payload ->> 'id' = $1",
                            1, (const char *const[]){b_moved});
    char want[64];
    snprintf(want, sizeof(want), "%s>%s", away, cover);
    ck_assert_str_eq(who, want); /* one event, from the tutor away to the cover tutor */
    free(who);
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind = 'booking.moved' AND n.calendar = 'request'", b_moved), 2);
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind = 'booking.moved' AND n.calendar = 'cancel'"
                                              " AND n.person = e.payload ->> 'previous_tutor'",
                              b_moved),
                     1);
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind LIKE 'booking.%' AND e.kind <> 'booking.confirmed'", b_gone),
                     2);
    ck_assert_int_eq(tt_count(BOOKING_NOTICES " AND e.kind = 'booking.cancelled' AND n.calendar = 'cancel'", b_gone),
                     2);
    /* the reminders: both queued ones withdrawn unsent, then written again for the student (naming the
     * cover tutor) and the cover tutor, none for the tutor away */
    ck_assert_int_eq(tt_count(REMINDERS_FOR " AND next_attempt_at = 'infinity'", b_moved), 0); /* parked: gone */
    char away_reminders[160];
    snprintf(away_reminders, sizeof(away_reminders), REMINDERS_FOR " AND person = '%s'", away);
    ck_assert_int_eq(tt_count(away_reminders, b_moved), 0); /* (the server's own sweep may already have
                                                             written the student's and the cover tutor's) */
    remind_parked(moved, 0);
    ck_assert_int_eq(
        tt_count(REMINDERS_FOR " AND person = (SELECT staff_number FROM contacts WHERE id = $1::bigint)", b_moved), 1);
    ck_assert_int_eq(tt_count(REMINDERS_FOR
                              " AND person = (SELECT student_number FROM contacts WHERE id = $1::bigint)"
                              " AND body LIKE '%Staff ' || (SELECT staff_number FROM contacts WHERE id = $1::bigint)"
                              " || '%'",
                              b_moved),
                     1);
    ck_assert_int_eq(tt_count(REMINDERS_FOR, b_moved), 2);
    /* the tutor away receives the iTIP cancellation, the student and the cover tutor the invitation */
    await_invite(away, "A tutee's meeting moved to your cover tutor", "METHOD:CANCEL");
    await_invite(cover, "You cover a tutee's meeting", "METHOD:REQUEST");
    await_invite(s_moved, "Meeting moved to another tutor", "METHOD:REQUEST");
}
END_TEST

/* A queued reminder of a meeting cancelled afterwards is withdrawn, never sent, and not written again; an
 * erased student's meeting tomorrow is reminded to nobody. */
START_TEST(test_cancelled_or_erased_meeting_is_not_reminded)
{
    char path[96], erased_path[96], s[24], b[24], e[24], eb[24], cancel[64];
    local_slot(tutor_b, 2, "09:00", 1, path);
    local_slot(tutor_b, 2, "09:30", 1, erased_path);
    book_as_new_tutee(tutor_b, path, s);
    book_as_new_tutee(tutor_b, erased_path, e);
    booking_of(path, s, b);
    booking_of(erased_path, e, eb);
    remind_parked(path, 1);
    ck_assert_int_eq(tt_count(REMINDERS_FOR " AND status = 'queued'", b), 2);
    char *tok = tt_student_token(s);
    snprintf(cancel, sizeof(cancel), "/bookings/%s/cancellation", b);
    tt_expect_status("POST", cancel, tok, NULL, 200);
    free(tok);
    ck_assert_int_eq(tt_count(REMINDERS_FOR " AND status = 'failed' AND last_error = 'the meeting was cancelled'", b),
                     2);
    free(harness_sql("UPDATE notifications SET next_attempt_at = now() WHERE reminder_for = $1::bigint", 1,
                     (const char *const[]){b}));
    free(harness_sql("SELECT tutord_outbox_remind()", 0, NULL));
    ck_assert_int_eq(tt_count(REMINDERS_FOR, b), 2);
    ck_assert_int_eq(tt_count(REMINDERS_FOR " AND status = 'sent'", b), 0);
    /* erased before the sweep: no reminder to the student nor to the tutor */
    free(harness_sql("SELECT tutord_erase_student($1, 'request')", 1, (const char *const[]){e}));
    remind_parked(erased_path, 1);
    ck_assert_int_eq(tt_count(REMINDERS_FOR, eb), 0);
}
END_TEST

/* Posts `body` to POST /webhooks of the tutord on `port` as `token`; returns the status, the body in *out. */
static long post_webhook_at(int port, const char *token, const char *body, char *out, size_t size)
{
    char url[64], auth[2100];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/webhooks", port);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    FILE *f = fmemopen(out, size, "w");
    CURL *curl = curl_easy_init();
    struct curl_slist *h = curl_slist_append(curl_slist_append(NULL, auth), "Content-Type: application/json");
    long status = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    fclose(f);
    return status;
}

static const char *const INTERNAL_URLS[] = {"http://127.0.0.1/h",
                                            "http://127.255.0.9:8080/h",
                                            "http://localhost/h",
                                            "https://10.0.0.1/h",
                                            "http://172.16.0.1/h",
                                            "http://172.31.255.255/h",
                                            "http://192.168.1.1/h",
                                            "http://169.254.169.254/latest/meta-data",
                                            "http://0.0.0.0/",
                                            "http://224.0.0.1/",
                                            "http://255.255.255.255/",
                                            "http://[::1]/h",
                                            "http://[fe80::1]/h",
                                            "http://[fc00::1]/h",
                                            "http://[fdff:ffff::1]/h",
                                            "http://[::]/h",
                                            "http://[ff02::1]/h",
                                            "http://[::ffff:127.0.0.1]/h",
                                            "http://[::ffff:10.0.0.1]/h",
                                            NULL};

/* Webhooks reach no internal address: every loopback, link-local, private, unspecified or multicast host
 * (IPv4, IPv6, IPv4-mapped) is refused when subscribing (422 naming url, without
 * TUTORD_WEBHOOK_ALLOW_PRIVATE), their neighbours just outside the ranges pass, and a delivery to an
 * internal address is refused at connect time even when the URL was accepted (DNS rebinding). */
START_TEST(test_webhook_urls_reach_no_internal_address)
{
    char why[300];
    for (int i = 0; INTERNAL_URLS[i]; i++) {
        ck_assert_msg(webhook_url_public(INTERNAL_URLS[i], why, sizeof(why)) == -1, "%s passed", INTERNAL_URLS[i]);
        ck_assert_msg(strstr(why, "internal") != NULL, "%s: %s", INTERNAL_URLS[i], why);
    }
    static const char *const public_urls[] = {"https://93.184.216.34/h",  "http://172.15.255.255/h",
                                              "http://172.32.0.1/h",      "http://11.0.0.1/h",
                                              "http://192.169.0.1/h",     "http://169.253.255.255/h",
                                              "http://223.255.255.255/h", "http://[2a00:1450::1]/h",
                                              "http://[fe00::1]/h",       NULL};
    for (int i = 0; public_urls[i]; i++)
        ck_assert_msg(webhook_url_public(public_urls[i], why, sizeof(why)) == 0, "%s refused: %s", public_urls[i], why);
    ck_assert_int_eq(webhook_url_public("https://nothing.invalid/h", why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "does not resolve"));
    /* delivery: the connected address is checked again */
    char log[96], secret[80];
    int port = procs_free_port();
    snprintf(log, sizeof(log), "%s/ssrf-receiver.log", mail_dir);
    ck_assert_int_eq(webhook_new_secret(secret, sizeof(secret)), 0);
    start_receiver(port, secret, log, 0);
    char url[64];
    snprintf(url, sizeof(url), "http://localhost:%d/hook", port);
    struct webhook_result r;
    ck_assert_int_eq(webhook_post(url, secret, "msg_ssrf", (long long)time(NULL), "{}", 0, &r), -1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.error, "internal"));
    ck_assert_int_eq(webhook_post(url, secret, "msg_ssrf", (long long)time(NULL), "{}", 1, &r), 0);
    json_t *got = received(log, 204); /* only the allowed delivery arrived */
    ck_assert_int_eq(json_array_size(got), 1);
    json_decref(got);
    procs_stop(&receiver_pid);
    /* the API of a tutord without TUTORD_WEBHOOK_ALLOW_PRIVATE */
    static char db[600], port_s[32], jwt[128];
    int api_port = procs_free_port();
    snprintf(db, sizeof(db), "TUTORD_DATABASE_URL=%s", harness_database_url());
    snprintf(port_s, sizeof(port_s), "TUTORD_PORT=%d", api_port);
    snprintf(jwt, sizeof(jwt), "TUTORD_JWT_SECRET=%s", HARNESS_JWT_SECRET);
    char *const env[] = {db, port_s, jwt, env_log, NULL};
    char *const argv[] = {getenv("TUTORD_BIN"), "serve", NULL};
    second_pid = procs_spawn(argv, env);
    procs_await_listening(second_pid, api_port, WAIT_SECONDS);
    for (int i = 0; INTERNAL_URLS[i]; i++) {
        char body[256], answer[4096] = "";
        snprintf(body, sizeof(body), "{\"url\":\"%s\",\"events\":[\"allocation.created\"]}", INTERNAL_URLS[i]);
        ck_assert_int_eq(post_webhook_at(api_port, admin, body, answer, sizeof(answer)), 422);
        ck_assert_msg(strstr(answer, "\"url\"") != NULL, "%s", answer);
    }
    procs_stop(&second_pid);
}
END_TEST

/* ---- figures and preferences ----------------------------------------------------------------------- */

START_TEST(test_stats_and_preferences)
{
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", "/notifications/stats", admin, NULL, &r), 200);
    ck_assert(json_is_integer(json_object_get(r.json, "queued")));
    ck_assert_int_ge(json_integer_value(json_object_get(r.json, "sent")), 1);
    ck_assert(json_is_integer(json_object_get(r.json, "failed")));
    ck_assert(json_is_integer(json_object_get(r.json, "oldest_queued_age_seconds")));
    ck_assert(json_is_integer(json_object_get(json_object_get(r.json, "webhooks"), "subscriptions")));
    harness_response_free(&r);
    char s[24];
    new_student(s);
    char *student = tt_student_token(s), *tok = tt_tutor_token(tutor_a);
    tt_refused("GET", "/notifications/stats", tok, NULL, 403, NULL);
    ck_assert_int_eq(tt_call("GET", "/notifications/preferences", student, NULL, &r), 200);
    ck_assert(json_is_true(json_object_get(r.json, "reminder")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("PUT", "/notifications/preferences", student, "{\"reminder\":false}", &r), 200);
    ck_assert(json_is_false(json_object_get(r.json, "reminder")));
    harness_response_free(&r);
    /* never allocation notices */
    tt_refused("PUT", "/notifications/preferences", student, "{\"allocation\":false}", 422, "reminder");
    tt_refused("PUT", "/notifications/preferences", tok, "{\"reminder\":1}", 422, "reminder");
    tt_refused("PUT", "/notifications/preferences", admin, "{\"reminder\":false}", 403, NULL);
    /* opted out of reminders, the student is still told of an allocation */
    allocate(s, tutor_a, NULL);
    ck_assert_int_eq(tt_count(NOTIFICATIONS_OF, s), 1);
    free(student), free(tok);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_signature_matches_the_standard,
        test_allocation_tells_student_tutor_and_previous_tutor,
        test_closed_concern_tells_the_raiser_nothing_more,
        test_decision_and_feedback_invitation_are_told,
        test_retry_backoff_and_the_last_try,
        test_smtp_session_boundaries,
        test_booking_sends_invitation_and_cancellation,
        test_reminder_the_day_before,
        test_erasure_forgets_the_outbox,
        test_bad_smtp_settings_stop_serve,
        test_webhook_streak_disables_on_the_limit,
        test_permanent_failure_is_kept_and_listed,
        test_smtp_outage_loses_nothing,
        test_two_processes_and_a_kill_deliver_each_once,
        test_webhooks_signed_in_order_retried_and_replayed,
        test_webhook_payload_keeps_confidences,
        test_webhook_disabled_after_a_failure_streak,
        test_webhook_requests_are_checked,
        test_stats_and_preferences,
        test_slot_cancellation_tells_every_booking,
        test_absence_moves_or_cancels_bookings_and_tells,
        test_cancelled_or_erased_meeting_is_not_reminded,
        test_webhook_urls_reach_no_internal_address,
        NULL,
    };
    const struct harness_suite suite = {.name = "notify",
                                        .tests = tests,
                                        .start = start,
                                        .stop = stop,
                                        .setup = sink_running,
                                        .timeout = 180,
                                        .in_process = 1};
    return harness_run(&suite);
}
