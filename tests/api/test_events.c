/* test_events.c — GET /events: roles, cursors, and the feed under concurrent writers that commit out of
 * order: a reader following next_cursor sees every committed event exactly once, never a rolled-back
 * one, each transaction's events together, in (transaction, id) order, and never an event of a later
 * transaction while an earlier one is still open (it could otherwise skip the earlier one's events). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"

static char *registry;

static void start(void)
{
    harness_start();
    registry = tt_registry_token("SRSFEED");
}

static void stop(void)
{
    free(registry);
    harness_stop();
}

/* ---- the reader ---------------------------------------------------------------------------------- */

struct seen {
    char tag[40];
    char cursor[256]; /* "" at the start of the feed */
    char subjects[65536];
    int n;
};

/* Reads one page after the reader's cursor; appends the subjects carrying its tag. Returns the number
 * of items on the page (any tag). */
static int read_page(struct seen *s, int limit)
{
    char path[400];
    if (*s->cursor)
        snprintf(path, sizeof(path), "/events?limit=%d&after=%s", limit, s->cursor);
    else
        snprintf(path, sizeof(path), "/events?limit=%d", limit);
    struct tt_response r;
    ck_assert_int_eq(harness_request("GET", path, registry, NULL, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items"), *item;
    size_t i;
    json_array_foreach(items, i, item)
    {
        const char *subject = json_string_value(json_object_get(item, "subject"));
        if (strncmp(subject, s->tag, strlen(s->tag)) != 0)
            continue;
        size_t used = strlen(s->subjects);
        snprintf(s->subjects + used, sizeof(s->subjects) - used, "%s%s", used ? "," : "", subject);
        s->n++;
    }
    const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
    if (next)
        snprintf(s->cursor, sizeof(s->cursor), "%s", next);
    int n = (int)json_array_size(items);
    harness_response_free(&r);
    return n;
}

static void drain(struct seen *s)
{
    while (read_page(s, 1000) > 0)
        ;
}

/* The committed events of a tag as the feed must deliver them. */
static char *expected(const char *tag)
{
    char like[48];
    snprintf(like, sizeof(like), "%s%%", tag);
    const char *p[1] = {like};
    return harness_sql("SELECT COALESCE(string_agg(e.subject, ',' ORDER BY c.seq, e.id), '')"
                       " FROM events e JOIN event_commits c ON c.txid = e.txid WHERE e.subject LIKE $1",
                       1, p);
}

/* ---- writers (direct libpq, as the database owner) ----------------------------------------------- */

static PGconn *connect_db(void)
{
    PGconn *pg = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
    return pg;
}

static void exec_ok(PGconn *pg, const char *sql, const char *subject)
{
    const char *p[1] = {subject};
    PGresult *res = PQexecParams(pg, sql, subject ? 1 : 0, NULL, subject ? p : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
}

static const char INSERT_SQL[] = "INSERT INTO events (kind, subject, actor) VALUES ('test.feed', $1, 'test')";

START_TEST(test_roles_and_cursor_checks)
{
    struct tt_response r;
    char *tutor = harness_token("T1", "tutor", NULL);
    ck_assert_int_eq(harness_request("GET", "/events", tutor, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 403);
    harness_response_free(&r);
    free(tutor);
    ck_assert_int_eq(harness_request("GET", "/events?after=!!", registry, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("GET", "/events?after=YWJj", registry, NULL, NULL, NULL, &r), 0); /* "abc" */
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    ck_assert_int_eq(harness_request("GET", "/events?limit=0", registry, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    harness_response_free(&r);
    char *admin = harness_token("A1", "admin", NULL);
    ck_assert_int_eq(harness_request("GET", "/events?limit=1", admin, NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_array(json_object_get(r.json, "items")));
    harness_response_free(&r);
    free(admin);
}
END_TEST

START_TEST(test_feed_is_in_commit_order)
{
    struct seen s;
    memset(&s, 0, sizeof(s));
    harness_unique("held", s.tag, sizeof(s.tag));
    drain(&s);
    char a1[64], b1[64], c1[64];
    snprintf(a1, sizeof(a1), "%s-a1", s.tag);
    snprintf(b1, sizeof(b1), "%s-b1", s.tag);
    snprintf(c1, sizeof(c1), "%s-c1", s.tag);
    PGconn *a = connect_db(), *b = connect_db();
    exec_ok(a, "BEGIN", NULL);
    exec_ok(a, INSERT_SQL, a1); /* A writes first (the older transaction) and stays open */
    exec_ok(b, "BEGIN", NULL);
    exec_ok(b, INSERT_SQL, b1);
    exec_ok(b, "COMMIT", NULL); /* B commits before A */
    exec_ok(b, INSERT_SQL, c1); /* and another autocommitted event */
    drain(&s);
    char want[256];
    snprintf(want, sizeof(want), "%s,%s", b1, c1);
    ck_assert_str_eq(s.subjects, want); /* committed work is not held back by an open transaction */
    exec_ok(a, "COMMIT", NULL);
    drain(&s);
    snprintf(want, sizeof(want), "%s,%s,%s", b1, c1, a1);
    ck_assert_str_eq(s.subjects, want); /* commit order, not start order */
    drain(&s);
    ck_assert_int_eq(s.n, 3); /* nothing twice */
    PQfinish(a);
    PQfinish(b);
}
END_TEST

/* ---- many writers, one reader -------------------------------------------------------------------- */

enum { WRITERS = 4, TRANSACTIONS = 15 };

struct writer {
    const char *tag;
    int index;
};

static int writers_done; /* writers finished, atomically counted */

static void *write_events(void *arg)
{
    const struct writer *w = arg;
    PGconn *pg = connect_db();
    unsigned seed = (unsigned)w->index * 7919u + 17u;
    for (int t = 0; t < TRANSACTIONS; t++) {
        exec_ok(pg, "BEGIN", NULL);
        int events = 1 + (int)(rand_r(&seed) % 3);
        for (int e = 0; e < events; e++) {
            char subject[80];
            snprintf(subject, sizeof(subject), "%s-w%d-t%d-e%d", w->tag, w->index, t, e);
            exec_ok(pg, INSERT_SQL, subject);
        }
        char sleep_sql[64];
        snprintf(sleep_sql, sizeof(sleep_sql), "SELECT pg_sleep(%.3f)", (double)(rand_r(&seed) % 40) / 1000.0);
        exec_ok(pg, sleep_sql, NULL); /* commit out of order relative to the other writers */
        exec_ok(pg, t % 5 == 4 ? "ROLLBACK" : "COMMIT", NULL);
    }
    PQfinish(pg);
    __atomic_add_fetch(&writers_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

START_TEST(test_concurrent_writers_no_gap_no_duplicate)
{
    static struct seen s;
    memset(&s, 0, sizeof(s));
    harness_unique("conc", s.tag, sizeof(s.tag));
    drain(&s);
    pthread_t threads[WRITERS];
    struct writer w[WRITERS];
    writers_done = 0;
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){s.tag, i};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, write_events, &w[i]), 0);
    }
    int polls = 0;
    while (__atomic_load_n(&writers_done, __ATOMIC_SEQ_CST) < WRITERS) { /* the reader polls while they write */
        read_page(&s, 3);
        polls++;
        usleep(2000);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    drain(&s);
    char *want = expected(s.tag);
    ck_assert_msg(polls > 5, "the reader should have polled while writing (%d polls)", polls);
    ck_assert_int_gt(strlen(want), 0);
    ck_assert_str_eq(s.subjects, want);             /* every committed event, once, in commit order */
    ck_assert_ptr_null(strstr(s.subjects, "-t4-")); /* rolled back transactions never appear */
    ck_assert_ptr_null(strstr(s.subjects, "-t9-"));
    free(want);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_roles_and_cursor_checks,
        test_feed_is_in_commit_order,
        test_concurrent_writers_no_gap_no_duplicate,
        NULL,
    };
    const struct harness_suite suite = {.name = "events", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
