/* server.c — Ulfius started with explicit MHD options: an internal polling thread pool (not a thread
 * per connection), our own bind address and timeout, and the two options Ulfius needs (ulfius.h). */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <string.h>
#include <ulfius.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "routes.h"

static int register_all(struct _u_instance *instance, struct app *app)
{
    return routes_register_all(instance, app) | http_install_pipeline(instance, app);
}

static int start(struct _u_instance *instance, const struct config *cfg, struct sockaddr_in *addr)
{
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 4096, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    return ulfius_start_framework_with_mhd_options(instance, flags, options);
}

static void wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    log_msg(LOG_INFO, "signal %d: stopping", sig);
}

int server_run(struct app *app)
{
    const struct config *cfg = app->config;
    struct _u_instance instance;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    inet_pton(AF_INET, cfg->listen, &addr.sin_addr);
    if (ulfius_init_instance(&instance, (unsigned)cfg->port, &addr, NULL) != U_OK)
        return 1;
    instance.max_post_body_size = cfg->max_body_bytes + 1; /* one more byte tells us it was too large */
    int rc = 1;
    if (register_all(&instance, app) != 0) {
        log_msg(LOG_ERROR, "route registration failed");
    } else if (start(&instance, cfg, &addr) != U_OK) {
        log_msg(LOG_ERROR, "could not listen on %s:%d", cfg->listen, cfg->port);
    } else {
        log_msg(LOG_INFO, "tutord listening on %s:%d (%d threads, %d database connections)", cfg->listen,
                cfg->port, cfg->threads, cfg->db_pool_size);
        wait_for_signal();
        ulfius_stop_framework(&instance);
        rc = 0;
    }
    ulfius_clean_instance(&instance);
    return rc;
}

int server_print_routes(struct app *app)
{
    struct _u_instance instance;
    if (ulfius_init_instance(&instance, (unsigned)app->config->port, NULL, NULL) != U_OK)
        return 1;
    int rc = register_all(&instance, app);
    if (rc == 0)
        http_routes_print(app->routes, stdout);
    ulfius_clean_instance(&instance);
    return rc;
}
