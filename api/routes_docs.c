/* routes_docs.c — GET /docs: a reference page rendering /openapi.yaml with Redoc, whose standalone
 * bundle npm installs at test/build time (tests/contract) and tutord serves from TUTORD_DOCS_DIR. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"

static const char DOCS_PAGE[] =
    "<!DOCTYPE html>\n"
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

static int callback_docs_page(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    (void)user_data;
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

static int callback_docs_bundle(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct app *app = user_data;
    const char *dir = app->config->docs_dir;
    if (!dir || !*dir)
        return http_problem(resp, 404, NULL,
                            "the documentation renderer is not installed: run `npm ci` in tests/contract or set "
                            "TUTORD_DOCS_DIR to the folder holding redoc.standalone.js",
                            NULL);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, BUNDLE);
    size_t size = 0;
    char *data = read_file(path, &size);
    if (!data)
        return http_problem(resp, 404, NULL,
                            "the documentation renderer is missing: TUTORD_DOCS_DIR has no readable "
                            "redoc.standalone.js (run `npm ci` in tests/contract)",
                            NULL);
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
