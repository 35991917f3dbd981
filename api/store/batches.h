/* batches.h — a report's batches of facts, loaded on two connections at once and judged in their order.
 *
 * A report judges its students in batches: each batch's facts are loaded in a snapshot of their own (mostly
 * the database's work), then judged by the engine (tutord's). With one connection the two alternate and one
 * CPU idles. With a second connection, a helper thread loads the odd batches while the calling thread loads
 * the even ones, so two backends read at once; each batch is still judged only after the batch before it
 * has been, one at a time, so the verdicts, and the order they are met in, are those of one connection. What
 * a batch's judgement needs of no other batch can be worked out ahead, on the thread that loaded it, beside
 * the other thread's loading or judging. At most two batches' facts are held at once. */
#ifndef TUTORD_BATCHES_H
#define TUTORD_BATCHES_H

#include <stddef.h>

#include "db.h"
#include "evaluation.h"

struct batches {
    size_t n; /* batches 0 .. n-1 */
    /* Loads batch b's facts on conn into *ev (zeroed before the call; freed by batches_run with
     * evaluation_free_batch whatever the load returns). May run on the helper thread, beside the other
     * connection's load or judgement: it must only read what the batches share. */
    enum app_status (*load)(struct db_conn *conn, size_t b, void *ctx, struct evaluation *ev);
    /* Judges batch b's loaded facts: called for b = 0, 1, 2, ... in that order and never two at once, on
     * either thread. */
    enum app_status (*judge)(size_t b, const struct evaluation *ev, void *ctx);
    void *ctx;
    /* NULL, or batch b's work that needs no other batch: called on the thread that loaded it, right after its
     * load succeeded and before its judge(), possibly beside the other batch's ahead() or judge(), so it must
     * write only what belongs to b (e.g. b % 2's part of ctx: two batches are in hand at most). */
    enum app_status (*ahead)(size_t b, const struct evaluation *ev, void *ctx);
};

/* Loads and judges every batch of `b`: on conn alone when `second` is NULL (or no thread can be started),
 * else on both connections at once. Returns APP_OK when every batch was judged; otherwise stops at the
 * first load or judgement that does not return APP_OK and returns its status (the other connection's
 * statement, if one runs, is cancelled), after the helper thread has ended. A stop of the calling thread's
 * watch (db_watch_stop) stops the helper's statements too. */
enum app_status batches_run(struct db_conn *conn, struct db_conn *second, const struct batches *b);

#endif
