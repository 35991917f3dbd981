/* idempotency.c — reserve, replay or refuse an Idempotency-Key; store the response. See idempotency.h. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "repo_idempotency.h"
#include "sha256.h"
#include "unit_of_work.h"

#define KEY_MAX 255

static int key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return 0;
    return 1;
}

static void fingerprint(const struct _u_request *req, struct idem *idem)
{
    const char *type = http_header(req, "Content-Type");
    snprintf(idem->route, sizeof(idem->route), "%s %s", req->http_verb, req->http_url ? req->http_url : "");
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, type ? type : "", type ? strlen(type) : 0);
    sha256_update(&h, "\n", 1);
    sha256_update(&h, req->binary_body, req->binary_body ? req->binary_body_length : 0);
    sha256_hex(&h, idem->hash);
}

static int replay(struct _u_response *resp, const struct idem_stored *s)
{
    ulfius_set_binary_body_response(resp, (unsigned int)s->status, s->body, strlen(s->body));
    u_map_put(resp->map_header, "Content-Type", s->content_type);
    u_map_put(resp->map_header, "Idempotent-Replayed", "true");
    struct request_ctx *ctx = http_ctx(resp);
    if (ctx)
        ctx->status = s->status;
    return U_CALLBACK_COMPLETE;
}

/* The content type marking a stored response that is only the created record's id (a replayer's). */
#define REFERENCE_TYPE "application/vnd.tutord.created-id"

/* A replay through the route's replayer, from the stored id. */
static int replay_reference(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                            http_replayer replayer, const struct idem_stored *s)
{
    int rc = replayer(req, resp, (void *)app, s->body);
    u_map_put(resp->map_header, "Idempotent-Replayed", "true");
    return rc;
}

/* Answers from an earlier use of the key: replay, 409 while it runs, 422 for a different request. */
static int answer_earlier(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                          http_replayer replayer, const struct idem *idem, const struct idem_stored *s)
{
    if (strcmp(s->route, idem->route) != 0 || strcmp(s->hash, idem->hash) != 0)
        return http_problem_field(resp, 422, "Idempotency-Key",
                                  "this Idempotency-Key was already used with a different request");
    if (s->status == 0) {
        u_map_put(resp->map_header, "Retry-After", "1");
        return http_problem_for(resp, APP_CONFLICT,
                                "a request with this Idempotency-Key is still being processed; retry shortly");
    }
    if (replayer && strcmp(s->content_type, REFERENCE_TYPE) == 0)
        return replay_reference(req, resp, app, replayer, s);
    return replay(resp, s);
}

/* The "id" member of a JSON response body as text (malloc'd), or NULL. */
static char *created_id(const struct _u_response *resp)
{
    json_t *doc = json_loadb(resp->binary_body ? resp->binary_body : "", resp->binary_body_length, 0, NULL);
    const json_t *id = json_object_get(doc, "id");
    char text[32], *out = NULL;
    if (json_is_integer(id))
        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(id));
    if (json_is_integer(id) || (json_is_string(id) && snprintf(text, sizeof(text), "%s", json_string_value(id)) < 32))
        out = strdup(text);
    json_decref(doc);
    return out;
}

/* Stores the handler's response under the key (only the created id when the route has a replayer and
 * it succeeded), or releases the key after a 5xx or when the id cannot be read. */
static void complete(const struct app *app, const struct idem *idem, const struct _u_response *resp, int by_reference)
{
    char status[8], *body = NULL;
    snprintf(status, sizeof(status), "%ld", resp->status);
    const char *type = u_map_get_case(resp->map_header, "Content-Type");
    int release = resp->status >= 500;
    by_reference = by_reference && resp->status < 300;
    if (by_reference)
        type = REFERENCE_TYPE;
    if (!release &&
        !(body = by_reference ? created_id(resp)
                              : strndup(resp->binary_body ? resp->binary_body : "", resp->binary_body_length)))
        release = 1;
    struct idem_complete c = {idem, status, type ? type : "", body, release};
    if (uow_read(app->pool, repo_idem_complete_work, &c) != APP_OK)
        log_msg(LOG_WARN, "could not record an idempotent response; the key stays reserved for 10 minutes");
    free(body);
}

int idempotency_run(const struct _u_request *req, struct _u_response *resp, const struct app *app, http_handler handler,
                    http_replayer replayer)
{
    const char *key = http_header(req, "Idempotency-Key");
    const struct principal *who = http_principal(resp);
    if (!key || !who)
        return handler(req, resp, (void *)app);
    if (!key_is_valid(key))
        return http_problem_field(resp, 400, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    struct idem idem = {.principal = who->sub, .key = key};
    fingerprint(req, &idem);
    struct idem_reserve r = {.idem = &idem};
    int rc;
    /* its own connection: the handler takes another */
    enum app_status st = uow_read(app->pool, repo_idem_reserve_work, &r);
    if (st != APP_OK)
        rc = http_problem_for(resp, st, NULL);
    else if (!r.reserved)
        rc = answer_earlier(req, resp, app, replayer, &idem, &r.earlier);
    else {
        rc = handler(req, resp, (void *)app);
        complete(app, &idem, resp, replayer != NULL);
    }
    idem_stored_free(&r.earlier);
    return rc;
}
