/* server.h — the HTTP server: Ulfius on a libmicrohttpd thread pool. */
#ifndef TUTORD_SERVER_H
#define TUTORD_SERVER_H

#include "app.h"

/* Registers every route, starts serving on the configured address, and blocks until SIGINT or
 * SIGTERM; then drains (server_draining), cuts what still runs after TUTORD_SHUTDOWN_GRACE_MS, stops
 * listening and stops the heavy pool and the daemon. Returns 0 after a stop, non-zero when it could not
 * start (logged). */
int server_run(struct app *app);

/* True from the moment SIGINT or SIGTERM arrived: the server is draining — every new request, /healthz
 * included, is answered 503 (problem+json, Retry-After, Connection: close) while those already begun
 * finish within TUTORD_SHUTDOWN_GRACE_MS. Lock-free. */
int server_draining(void);

/* Registers every route on a fresh instance and prints "METHOD PATH" lines (for the contract test). */
int server_print_routes(struct app *app);

#endif
