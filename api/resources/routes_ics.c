/* routes_ics.c — calendars (RFC 5545): GET /tutors/{staff_number}/calendar.ics and
 * GET /students/{student_number}/calendar.ics, and the per-user feed secret that calendar clients (which
 * cannot send bearer tokens) put in the URL: POST /me/calendar-feed issues or rotates it (the old one
 * stops working), DELETE /me/calendar-feed revokes it. Only the secret's SHA-256 is stored.
 *
 * A feed answers to its owner's feed secret (?token=) or to a bearer token: the tutor, a senior tutor of
 * their school or admin for a tutor's feed; whoever reads the student's contacts (not registry) for a
 * student's. 401 without either, 404 for someone the caller may not see. */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "access.h"
#include "http.h"
#include "ics.h"
#include "pastoral.h"
#include "repo_feeds.h"
#include "repo_slots.h"
#include "sha256.h"
#include "unit_of_work.h"

/* SHA-256 of `secret` in hex. */
static void hash_secret(const char *secret, char hex[65])
{
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, secret, strlen(secret));
    sha256_hex(&h, hex);
}

/* Answers the refusal of a feed read: 401 for a wrong or rotated secret, 403 when a bearer caller sees
 * the owner but may not read the calendar, else the status's problem. */
static int refuse_feed(struct _u_response *resp, const struct repo_feed *f, enum app_status st)
{
    if (f->refusal == FEED_GATE_REFUSED && f->hash && st == APP_NOT_FOUND)
        return http_problem(resp, 401, NULL, "the feed secret is not valid (it may have been rotated)", NULL);
    if (f->refusal == FEED_GATE_REFUSED && st == APP_FORBIDDEN)
        return pastoral_forbid(resp, "this calendar is not yours to read");
    return http_problem_for(resp, st,
                            f->refusal == FEED_GATE_REFUSED && st == APP_NOT_FOUND ? "no such calendar" : NULL);
}

/* Answers the calendar of `owner` (kind "staff" or "student") as text/calendar, to the owner's feed
 * secret (?token=) or a bearer token; 401 without either. */
static int serve_feed(const struct _u_request *req, struct _u_response *resp, const struct app *app, const char *owner,
                      const char *kind)
{
    const char *secret = http_query(req, "token"), *header = http_header(req, "Authorization");
    struct principal who;
    const char *why = NULL;
    char hex[65], name[96];
    struct repo_feed f = {.owner = owner, .kind = kind};
    if (secret) {
        hash_secret(secret, hex);
        f.hash = hex;
    } else if (header && auth_verify(app->auth, header, time(NULL), &who, &why) == 0)
        f.who = &who;
    else
        return http_problem(resp, 401, NULL, why ? why : "send the feed secret (?token=) or a bearer token", NULL);
    enum app_status st = uow_read(app->pool, repo_feed_read_work, &f);
    snprintf(name, sizeof(name), "Personal tutoring (%s)", owner);
    char *text = st == APP_OK ? ics_calendar(f.tz, name, f.events, f.n) : NULL;
    repo_feed_clear(&f);
    if (st == APP_OK && !text)
        st = APP_NOMEM;
    if (st != APP_OK)
        return refuse_feed(resp, &f, st);
    ulfius_set_binary_body_response(resp, 200, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", "text/calendar; charset=utf-8");
    u_map_put(resp->map_header, "Cache-Control", "private, max-age=300");
    http_ctx(resp)->status = 200;
    free(text);
    return U_CALLBACK_COMPLETE;
}

static int callback_tutor_calendar(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return serve_feed(req, resp, user_data, http_path_param(req, "staff_number"), "staff");
}

static int callback_student_calendar(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    return serve_feed(req, resp, user_data, http_path_param(req, "student_number"), "student");
}

/* The caller's feed kind: "student" for a student, "staff" for a tutor or senior tutor, else NULL. */
static const char *feed_kind(const struct principal *who)
{
    if (access_has_role(who, ROLE_STUDENT))
        return "student";
    return access_has_role(who, ROLE_TUTOR | ROLE_SENIOR_TUTOR) ? "staff" : NULL;
}

/* {"url": absolute feed URL (from the request's Host), "path": the same without scheme and host}. */
static json_t *feed_body(const struct _u_request *req, const char *kind, const char *owner, const char *secret)
{
    const char *host = http_header(req, "Host"), *proto = http_header(req, "X-Forwarded-Proto");
    char path[256], url[512];
    snprintf(path, sizeof(path), "/%s/%s/calendar.ics?token=%s", strcmp(kind, "staff") == 0 ? "tutors" : "students",
             owner, secret);
    snprintf(url, sizeof(url), "%s://%s%s", proto && strcmp(proto, "https") == 0 ? "https" : "http",
             host ? host : "localhost", path);
    return json_pack("{s:s, s:s, s:s}", "url", url, "path", path, "owner", owner);
}

/* A feed secret to store (hash set) or revoke (hash NULL) for the caller. */
struct feed_write {
    const char *owner, *kind, *hash;
};

/* uow_work: repo_feed_set, or repo_feed_revoke when there is no hash. */
static enum app_status write_feed(struct db_conn *conn, void *ctx)
{
    const struct feed_write *w = ctx;
    return w->hash ? repo_feed_set(conn, w->owner, w->kind, w->hash) : repo_feed_revoke(conn, w->owner);
}

static int callback_feed_issue(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    const char *kind = feed_kind(who);
    if (!kind)
        return pastoral_forbid(resp, "only students and tutors have a calendar feed");
    unsigned char raw[32];
    char secret[65], hex[65];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return http_problem_for(resp, APP_DB, NULL);
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(secret + 2 * i, 3, "%02x", raw[i]);
    hash_secret(secret, hex);
    struct feed_write w = {who->sub, kind, hex};
    enum app_status st = uow_run(app->pool, write_feed, &w, NULL);
    if (st != APP_OK)
        return http_problem_for(resp, st, NULL);
    return http_json(resp, 201, feed_body(req, kind, who->sub, secret));
}

static int callback_feed_revoke(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)req;
    const struct app *app = user_data;
    const struct principal *who = http_principal(resp);
    if (!feed_kind(who))
        return pastoral_forbid(resp, "only students and tutors have a calendar feed");
    struct feed_write w = {who->sub, NULL, NULL};
    enum app_status st = uow_run(app->pool, write_feed, &w, NULL);
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "you have no calendar feed" : NULL);
    ulfius_set_empty_body_response(resp, 204);
    http_ctx(resp)->status = 204;
    return U_CALLBACK_COMPLETE;
}

int routes_ics_register(struct _u_instance *instance, const struct app *app)
{
    return http_route(instance, app, "GET", "/tutors/@staff_number/calendar.ics", HTTP_PUBLIC,
                      callback_tutor_calendar) |
           http_route(instance, app, "GET", "/students/@student_number/calendar.ics", HTTP_PUBLIC,
                      callback_student_calendar) |
           http_route(instance, app, "POST", "/me/calendar-feed", 0, callback_feed_issue) |
           http_route(instance, app, "DELETE", "/me/calendar-feed", 0, callback_feed_revoke);
}
