/* routes_docs.c — GET /docs: a reference page rendering /openapi.yaml with Redoc, whose standalone bundle the
 * build fetches with npm (docs/) and installs in share/tutord/docs; tutord serves it from TUTORD_DOCS_DIR (by
 * default that folder beside its own, config.c). Without the bundle both routes answer 503 saying so. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"

static const char DOCS_PAGE[] = "<!DOCTYPE html>\n"
                                "<html lang=\"en\">\n"
                                "<head>\n"
                                "<meta charset=\"utf-8\">\n"
                                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                                "<title>tutord API reference</title>\n"
                                "<style>body { margin: 0; padding: 0; }</style>\n"
                                "</head>\n"
                                "<body>\n"
                                "<redoc spec-url=\"/openapi.yaml\"></redoc>\n"
                                "<script src=\"/docs/redoc.standalone.js\"></script>\n"
                                "</body>\n"
                                "</html>\n";

static const char BUNDLE[] = "redoc.standalone.js";

/* The bundle's path under the configured folder into path (size bytes); 0, or -1 when no folder is known. */
static int bundle_path(const struct app *app, char *path, size_t size)
{
    const char *dir = app->config->docs_dir;
    if (!dir || !*dir)
        return -1;
    snprintf(path, size, "%s/%s", dir, BUNDLE);
    return 0;
}

/* The 503 for a missing renderer: names the file and how to get it (the server's paths go to the log only). */
static int renderer_missing(struct _u_response *resp, const char *path)
{
    log_msg(LOG_WARN, "GET /docs: %s is missing or unreadable", path ? path : "redoc.standalone.js");
    return http_problem(resp, 503, NULL,
                        "the API reference renderer (Redoc's redoc.standalone.js) is not installed: the build fetches "
                        "it with npm into share/tutord/docs; install npm and rebuild, or set TUTORD_DOCS_DIR to a "
                        "folder holding redoc.standalone.js",
                        NULL);
}

/* GET /docs: the reference page, or 503 when the renderer it loads is missing (rather than a blank page). */
static int callback_docs_page(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    char path[4096];
    if (bundle_path(user_data, path, sizeof(path)) != 0)
        return renderer_missing(resp, NULL);
    if (access(path, R_OK) != 0)
        return renderer_missing(resp, path);
    ulfius_set_binary_body_response(resp, 200, DOCS_PAGE, sizeof(DOCS_PAGE) - 1);
    u_map_put(resp->map_header, "Content-Type", "text/html; charset=utf-8");
    http_ctx(resp)->status = 200;
    return U_CALLBACK_COMPLETE;
}

/* Reads the whole file at `path` into a malloc'd buffer; NULL when it cannot be read. */
static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0)
        data = malloc((size_t)n);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    if (f)
        fclose(f);
    *size = data ? (size_t)n : 0;
    return data;
}

/* GET /docs/redoc.standalone.js: the renderer, or 503 when it is missing. */
static int callback_docs_bundle(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    char path[4096];
    if (bundle_path(user_data, path, sizeof(path)) != 0)
        return renderer_missing(resp, NULL);
    size_t size = 0;
    char *data = read_file(path, &size);
    if (!data)
        return renderer_missing(resp, path);
    ulfius_set_binary_body_response(resp, 200, data, size);
    free(data);
    u_map_put(resp->map_header, "Content-Type", "text/javascript; charset=utf-8");
    u_map_put(resp->map_header, "Cache-Control", "public, max-age=3600");
    http_ctx(resp)->status = 200;
    return U_CALLBACK_COMPLETE;
}

int routes_docs_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/docs", HTTP_PUBLIC, callback_docs_page) |
           http_route(instance, app, "GET", "/docs/redoc.standalone.js", HTTP_PUBLIC, callback_docs_bundle);
}
