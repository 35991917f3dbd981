/* server.h — the HTTP server: Ulfius on a libmicrohttpd thread pool. */
#ifndef TUTORD_SERVER_H
#define TUTORD_SERVER_H

#include "app.h"

/* Registers every route, starts serving on the configured address, and blocks until SIGINT or
 * SIGTERM. Returns 0 after a clean stop, non-zero when it could not start (logged). */
int server_run(struct app *app);

/* Registers every route on a fresh instance and prints "METHOD PATH" lines (for the contract test). */
int server_print_routes(struct app *app);

#endif
