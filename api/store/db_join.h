/* db_join.h — point reads joined: reads of one kind (a student by number, say) that arrive while others of
 * their kind are running wait and go to the database together, as one execution of a statement over
 * arrays of their keys, on one pooled connection.
 *
 * Why: a read of one row costs the database less than the round trip around it (the backend woken, the
 * protocol messages, the executor started and stopped); under load, k reads joined cost about what two
 * single reads do. A read that finds no other of its kind running goes at once, alone: joining never
 * delays a read on a quiet service, only reads that would otherwise wait for the database anyway. It
 * pays when the request threads outnumber the statements in flight several times over (README,
 * Configuration: TUTORD_JOINED_READS with TUTORD_THREADS); a pool whose joined reads are 0 (the default)
 * runs each read alone, at once, on its own statement.
 *
 * How: at most db_pool_joined_reads(pool) statements of a kind run at once. A read that arrives when
 * one may start leads: it takes every read waiting (itself among them, DB_JOIN_MAX_BATCH at most), runs
 * the statement, hands each read its row and wakes it. A read that arrives when none may start waits;
 * the leader that finishes hands the reads waiting then to the first of them, which leads them. A batch
 * of one runs the kind's single statement. Each read is answered from its statement's own snapshot, as
 * its own statement would have been (autocommit). */
#ifndef TUTORD_DB_JOIN_H
#define TUTORD_DB_JOIN_H

#include <libpq-fe.h>

#include "app.h"
#include "db.h"

/* Keys a read of one kind has (the parameters of its statement). */
#define DB_JOIN_MAX_KEYS 2

/* Reads one statement answers at most. */
#define DB_JOIN_MAX_BATCH 32

/* A kind of joined read; a static constant of the module that reads (its address is the pool's key). */
struct db_join_kind {
    /* The statements, prepared on the pool. `single` reads one: $1..$n_keys are its keys, its row (at
     * most one) its answer. `joined` reads a batch: $1..$n_keys are text[] holding key i of each read,
     * read j's at position j (1-based); each row answers one read, its last column that read's position.
     * Both return the same columns first; a read no row answers has none (not found, or not visible). */
    const char *single, *joined;
    int n_keys;
    /* Takes read `ctx`'s answer: row `row` of res, or row -1 when none answered it. Returns the read's
     * status. Runs on the leading thread, while the read's own thread waits. */
    enum app_status (*take)(void *ctx, const PGresult *res, int row);
};

/* Reads keys[0..kind->n_keys) (non-NULL texts) joined with the reads of the same kind waiting now, and
 * hands the answer to kind->take(ctx, ...). Returns take's status; APP_UNAVAILABLE when no connection
 * could be had; the statement's failure mapped as db_query maps it (take not called); APP_NOMEM.
 * Thread-safe; blocks while the read's statement runs. */
enum app_status db_join_read(struct db_pool *pool, const struct db_join_kind *kind, const char *const *keys, void *ctx);

#endif
