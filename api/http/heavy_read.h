/* heavy_read.h — the connection a heavy read-only route (reports, school compliance) runs on: the streaming
 * replica when one is configured (TUTORD_DATABASE_READ_URL) and has replayed the primary's latest writes
 * within TUTORD_READ_MAX_WAIT_MS, else the primary (db.h: db_acquire_read). The response says which served
 * it in the Tutord-Served-By header ("replica" or "primary"). */
#ifndef TUTORD_HEAVY_READ_H
#define TUTORD_HEAVY_READ_H

#include <ulfius.h>

#include "app.h"
#include "db.h"
#include "unit_of_work.h"

/* Acquires the route's connection as above and sets Tutord-Served-By on `resp`. *pool is the pool to give
 * the connection back to (db_release(*pool, *conn)); it is set even on failure. */
enum app_status heavy_read_acquire(const struct app *app, struct _u_response *resp, struct db_conn **conn,
                                   struct db_pool **pool);

/* Runs work(conn, ctx) on the route's connection (acquired as above, Tutord-Served-By set) outside a
 * transaction, as uow_read does, and gives the connection back. Returns the work's status, or the
 * acquisition's failure (the work is then not called). */
enum app_status heavy_read_run(const struct app *app, struct _u_response *resp, uow_work work, void *ctx);

/* As heavy_read_run, with *pool set to the connection's pool before the work runs, so that the work may take
 * a second connection from the same server beside it (db_acquire_spare). */
enum app_status heavy_read_run_in(const struct app *app, struct _u_response *resp, uow_work work, void *ctx,
                                  struct db_pool **pool);

#endif
