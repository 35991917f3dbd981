/* heavy_read.c — heavy read routes on the read replica when it is caught up (heavy_read.h). */
#include "heavy_read.h"

#include "config.h"

enum app_status heavy_read_acquire(const struct app *app, struct _u_response *resp, struct db_conn **conn,
                                   struct db_pool **pool)
{
    enum db_source source = DB_FROM_PRIMARY;
    enum app_status st = db_acquire_read(app->pool, app->replica, app->config->read_max_wait_ms, conn, pool, &source);
    u_map_put(resp->map_header, "Tutord-Served-By", source == DB_FROM_REPLICA ? "replica" : "primary");
    return st;
}

/* Acquire, work, release (heavy_read.h). */
enum app_status heavy_read_run_in(const struct app *app, struct _u_response *resp, uow_work work, void *ctx,
                                  struct db_pool **pool)
{
    struct db_conn *conn = NULL;
    enum app_status st = heavy_read_acquire(app, resp, &conn, pool);
    if (st == APP_OK)
        st = work(conn, ctx);
    db_release(*pool, conn);
    return st;
}

enum app_status heavy_read_run(const struct app *app, struct _u_response *resp, uow_work work, void *ctx)
{
    struct db_pool *pool = NULL;
    return heavy_read_run_in(app, resp, work, ctx, &pool);
}
