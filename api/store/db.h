/* db.h — a bounded pool of PostgreSQL connections, transactions, and SQLSTATE → app_status mapping.
 *
 * Thread-safety: the pool is shared by all HTTP threads; a struct db_conn belongs to one thread between
 * db_acquire() and db_release() (libpq: never two threads on one PGconn). */
#ifndef TUTORD_DB_H
#define TUTORD_DB_H

#include <libpq-fe.h>
#include <pthread.h>

#include "app.h"

struct db_pool;

struct db_statement;

/* Why the database refused a statement, safe to show a caller: the constraint and column it names. */
struct db_error {
    char sqlstate[6];
    char constraint[64];
    char column[64];
};

/* Statements db_pipeline prepared by name on one connection (at most this many; more run unnamed). */
#define DB_MAX_NAMED 48

struct db_conn {
    PGconn *pg;
    int broken;                            /* set when the connection failed; the pool resets it on release */
    int in_tx;                             /* inside BEGIN ... COMMIT/ROLLBACK */
    int prepared;                          /* hot statements prepared on this connection */
    const struct db_statement *statements; /* the pool's statements, re-prepared after a reconnect */
    /* The last statement's refusal (sqlstate "" after a success); in an aborted transaction the cause's,
     * which 25P02 never replaces. The unit of work reads it to retry 40001/40P01 before they are mapped. */
    struct db_error last_error;
    const char *named[DB_MAX_NAMED]; /* db_pipeline's statements prepared on this session (static names) */
    int n_named;
};

/* A named statement prepared on every connection of the pool (CONVENTIONS: hot queries). */
struct db_statement {
    const char *name;
    const char *sql;
};

/* Creates a pool of `size` connections to `url`; connections open lazily, so a database that is down
 * at start-up is not fatal. Each session acts as `role` ("-c role=..."; NULL or "none": as connected). `statements`
 * (terminated by {NULL, NULL}) are prepared on each connection; the array must outlive the pool. Returns NULL on
 * allocation failure. */
struct db_pool *db_pool_new(const char *url, const char *role, int size, int acquire_timeout_ms,
                            const struct db_statement *statements);

/* Closes every connection and frees the pool; NULL-safe. No connection may be checked out. */
void db_pool_free(struct db_pool *pool);

/* Waits up to the pool's timeout for a free connection and makes sure it is connected.
 * Returns APP_OK with *out set, or APP_UNAVAILABLE (pool exhausted or database unreachable). */
enum app_status db_acquire(struct db_pool *pool, struct db_conn **out);

/* A second connection for a thread that holds one already, without waiting: taken only while another would
 * still be free after it, so that work on two connections never takes the pool's last free one. APP_OK with
 * *out set, or APP_UNAVAILABLE (none to spare now, or the database unreachable). */
enum app_status db_acquire_spare(struct db_pool *pool, struct db_conn **out);
/* Opens the read-only snapshot a set of facts is read in (evaluation.c, repo_facts.c): every statement
 * after it, up to its ROLLBACK, sees the same committed state. */
#define DB_SNAPSHOT_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"

/* What the pool holds now, for the metrics: its size, connections checked out, threads waiting for
 * one, and how many waits have ended without one since the pool was made. */
struct db_pool_stats {
    int size, in_use, waiting;
    unsigned long long acquire_timeouts;
};

/* Fills *out under the pool's lock (a scrape, not the request path). */
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);

/* State a module above the pool keeps with it (db_join.c's joined reads): the one kept under `key` (any
 * address unique to the module), made by make(pool) on first use and freed by release(state) in
 * db_pool_free. NULL when make() or an allocation failed (tried again on the next call). Thread-safe,
 * and takes no lock once the state is made; make() runs under the pool's lock and must not call the pool. */
void *db_pool_attachment(struct db_pool *pool, const void *key, void *(*make)(struct db_pool *pool),
                         void (*release)(void *state));

/* Statements of one kind of joined read (db_join.h) the pool runs at once; 0 (db_pool_new's): reads are
 * not joined. Set before the pool is shared. */
void db_pool_set_joined_reads(struct db_pool *pool, int n);
int db_pool_joined_reads(const struct db_pool *pool);

/* Returns the connection to the pool: rolls back an open transaction, resets it if broken. NULL-safe. */
void db_release(struct db_pool *pool, struct db_conn *conn);

/* BEGIN (READ COMMITTED) on a connection; retries once on a fresh connection if the old one was dead. */
enum app_status db_begin(struct db_conn *conn);
/* COMMIT; maps a serialization failure or a deferred constraint to the matching status. */
enum app_status db_commit(struct db_conn *conn);
/* ROLLBACK if a transaction is open; never fails visibly. */
void db_rollback(struct db_conn *conn);

/* Runs SQL text with text parameters ($1..$n; NULL entries are SQL NULL) and text results.
 * On success returns APP_OK and *out (caller PQclear()s, may pass out=NULL to discard); on failure
 * maps the SQLSTATE, logs unexpected errors, fills *err when non-NULL, and leaves *out NULL.
 * Outside a transaction a statement runs in autocommit: use that only for reads, which are retried
 * once on a fresh connection when the pooled one turns out to be dead (e.g. the server restarted). */
enum app_status db_query(struct db_conn *conn, const char *sql, int nparams, const char *const *params, PGresult **out,
                         struct db_error *err);

/* As db_query, for a statement the pool prepared on every connection (see db_pool_new). */
enum app_status db_query_prepared(struct db_conn *conn, const char *name, int nparams, const char *const *params,
                                  PGresult **out, struct db_error *err);

/* A statement left running while the thread works elsewhere (on another connection): db_send starts `sql` (as
 * db_query would run it) and returns at once; nothing else may run on `conn` until db_collect has waited for
 * its result and returned it as db_query returns one. If the thread's watch is stopped before db_collect, the
 * statement is cancelled there and APP_UNAVAILABLE returned, nothing logged. A failed db_send leaves nothing
 * to collect. */
enum app_status db_send(struct db_conn *conn, const char *sql, int nparams, const char *const *params);
enum app_status db_collect(struct db_conn *conn, PGresult **out, struct db_error *err);
/* One statement of a pipeline. With `name` (a static string naming `sql` for the life of the process)
 * the statement is prepared on the connection the first time it is sent and executed by name after
 * that (no parsing or planning per request); without, `sql` runs unnamed (planned with its values). */
struct db_step {
    const char *name;
    const char *sql;
    int nparams;
    const char *const *params; /* text; NULL entries are SQL NULL */
};

/* Sends the n steps together in libpq pipeline mode (one round trip whatever n) and collects their
 * results into results[0..n) (the caller PQclear()s each; NULL for a step that failed or did not run
 * after an earlier failure). Returns APP_OK, or the first failure mapped and logged as db_query does
 * (*err filled when non-NULL). A pipeline may open or end a transaction (BEGIN, ROLLBACK as steps):
 * conn->in_tx follows the server's transaction status afterwards. A connection found dead before a
 * transaction was open is revived and the pipeline sent once more, as db_query does. */
enum app_status db_pipeline(struct db_conn *conn, const struct db_step *steps, size_t n, PGresult **results,
                            struct db_error *err);

/* Maps a SQLSTATE to an app_status (23505 → CONFLICT, 23503 → INVALID, 23514/23502/22xxx → INVALID,
 * 40001/40P01/57P01/08xxx → UNAVAILABLE, anything else → DB). Pure. */
enum app_status db_status_of_sqlstate(const char *sqlstate);

/* Runs "SELECT 1" on a pooled connection: APP_OK or APP_UNAVAILABLE. */
enum app_status db_ping(struct db_pool *pool);

/* ---- reads from a streaming replica ------------------------------------------------------------------
 * Heavy read-only routes may run on a second pool connected to a PostgreSQL streaming replica. A read
 * there stays consistent with every write acknowledged before it (by this process or any other): the
 * primary's flushed WAL position is read first, and the replica is used only once its replayed position
 * has reached it, waiting at most max_wait_ms; otherwise the primary serves. A replica that cannot be
 * reached is left alone for a few seconds (DB_REPLICA_RETRY_MS) and the primary serves meanwhile. */

#define DB_REPLICA_RETRY_MS 5000

/* Which server a read ran on. */
enum db_source { DB_FROM_PRIMARY = 0, DB_FROM_REPLICA };

/* The flushed WAL position of the primary behind `primary` ("16/B374D848" text, at most 31 characters).
 * APP_OK, or the failure of acquiring or of the query. */
enum app_status db_primary_lsn(struct db_pool *primary, char lsn[32]);

/* Waits up to max_wait_ms (polling every few milliseconds) for the replica `conn` to have replayed WAL
 * up to `lsn`. Returns 1 when it has, 0 when it has not in time (or is no replica: not in recovery),
 * -1 when the query failed. */
int db_replica_reached(struct db_conn *conn, const char *lsn, int max_wait_ms);

/* A connection for a read-only statement: from `replica` (may be NULL) when it is reachable and has
 * caught up with the primary as above, else from `primary`. Sets *from to the pool to release it to and
 * *source to which server it is. Returns what db_acquire on the primary returns when the replica is not
 * used, so a replica that is down never turns into an error. */
enum app_status db_acquire_read(struct db_pool *primary, struct db_pool *replica, int max_wait_ms, struct db_conn **out,
                                struct db_pool **from, enum db_source *source);

/* A way for another thread to stop the statements one thread runs (the heavy pool, when a request's
 * client has gone). Initialise with db_watch_init; the owner thread installs it with db_watch_set. */
struct db_watch {
    pthread_mutex_t lock;
    PGcancel *cancel;          /* the statement running now, or NULL */
    int stopped;               /* set by db_watch_stop, cleared by db_watch_reset */
    struct db_watch *follower; /* stopped with this one (db_watch_chain), or NULL */
};

/* Initialises a watch (not stopped, nothing running). */
void db_watch_init(struct db_watch *watch);

/* Releases what db_watch_init made, once no thread uses the watch any more. */
void db_watch_destroy(struct db_watch *watch);

/* Installs `watch` for the calling thread's statements from now on (NULL: none). */
void db_watch_set(struct db_watch *watch);

/* The watch installed for the calling thread's statements, or NULL. */
struct db_watch *db_watch_current(void);

/* Work a thread hands to a helper thread with a watch of its own: from now on stopping `watch` stops
 * `follower` too (at once when `watch` is stopped already); NULL unchains it. One follower per watch;
 * unchain before the follower's lifetime ends. Thread-safe. */
void db_watch_chain(struct db_watch *watch, struct db_watch *follower);

/* Clears a stop, before the owner thread starts the next piece of work. Thread-safe. */
void db_watch_reset(struct db_watch *watch);

/* From any thread: the statement the owner runs now is cancelled (PQcancel) and every later one fails
 * at once, each with APP_UNAVAILABLE and nothing logged as an error. Thread-safe. */
void db_watch_stop(struct db_watch *watch);

#endif
