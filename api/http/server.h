/* server.h — the HTTP server: Ulfius on a libmicrohttpd thread pool. */
#ifndef TUTORD_SERVER_H
#define TUTORD_SERVER_H

#include "app.h"

struct _u_instance;

/* Registers every route of the service on an instance (routes_register_all, routes.h); non-zero on failure. */
typedef int (*server_routes_fn)(struct _u_instance *instance, const struct app *app);

/* Sets the routes server_run and server_print_routes register: called once, before either. */
void server_use_routes(server_routes_fn fn);

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
