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
#include "db.h"
#include "http.h"
#include "ics.h"
#include "pastoral.h"
#include "repo_pastoral.h"
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

/* May a bearer-token caller read the feed of `owner` (kind "staff"/"student")? APP_OK, APP_NOT_FOUND
 * (hidden) or APP_FORBIDDEN. */
static enum app_status bearer_may_read(struct db_conn *conn, const struct principal *who, const char *owner,
                                       const char *kind)
{
    if (strcmp(kind, "staff") == 0) {
        enum staff_access level = STAFF_HIDDEN;
        enum app_status st = repo_staff_access(conn, who, owner, &level);
        if (st != APP_OK)
            return st;
        return level == STAFF_WRITE ? APP_OK : level == STAFF_READ ? APP_FORBIDDEN : APP_NOT_FOUND;
    }
    struct student_reach reach;
    enum app_status st = repo_reach_of(conn, owner, who, &reach);
    return st == APP_OK && !repo_pastoral_reader(who) ? APP_FORBIDDEN : st;
}

/* Checks the feed secret (?token=) or else the bearer token on this public route: returns 0 when the
 * caller may read the feed, else -1 after answering 401 (neither, or a wrong or rotated secret), 403 or
 * 404 (bearer_may_read). */
static int feed_allowed(const struct _u_request *req, struct _u_response *resp, const struct app *app,
                        struct db_conn *conn, const char *owner, const char *kind)
{
    const char *secret = http_query(req, "token"), *header = http_header(req, "Authorization");
    struct principal who;
    const char *why = NULL;
    enum app_status st;
    if (secret) {
        char hex[65];
        hash_secret(secret, hex);
        st = repo_feed_check(conn, owner, kind, hex);
        if (st == APP_NOT_FOUND)
            return http_problem(resp, 401, NULL, "the feed secret is not valid (it may have been rotated)", NULL), -1;
    } else if (header && auth_verify(app->auth, header, time(NULL), &who, &why) == 0) {
        st = bearer_may_read(conn, &who, owner, kind);
        if (st == APP_FORBIDDEN)
            return pastoral_forbid(resp, "this calendar is not yours to read"), -1;
    } else
        return http_problem(resp, 401, NULL, why ? why : "send the feed secret (?token=) or a bearer token", NULL), -1;
    if (st != APP_OK)
        return http_problem_for(resp, st, st == APP_NOT_FOUND ? "no such calendar" : NULL), -1;
    return 0;
}

/* The feed rows (repo_feed_events) as events; *events is malloc'd and borrows from res. */
static enum app_status events_of(const PGresult *res, struct ics_event **events)
{
    int n = PQntuples(res);
    *events = calloc((size_t)n + 1, sizeof(**events));
    if (!*events)
        return APP_NOMEM;
    for (int i = 0; i < n; i++) {
        struct ics_event *e = &(*events)[i];
        e->uid = PQgetvalue(res, i, 0);
        e->start = (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10);
        e->end = (time_t)strtoll(PQgetvalue(res, i, 2), NULL, 10);
        e->summary = PQgetvalue(res, i, 3);
        e->location = PQgetvalue(res, i, 4);
        e->url = PQgetvalue(res, i, 5);
        e->cancelled = strcmp(PQgetvalue(res, i, 6), "true") == 0;
        e->sequence = (int)strtol(PQgetvalue(res, i, 7), NULL, 10);
        e->stamp = (time_t)strtoll(PQgetvalue(res, i, 8), NULL, 10);
        e->description = PQgetvalue(res, i, 9);
    }
    return APP_OK;
}

/* Answers the calendar of `owner` (kind "staff" or "student") as text/calendar. */
static int serve_feed(const struct _u_request *req, struct _u_response *resp, const struct app *app, const char *owner,
                      const char *kind)
{
    struct db_conn *conn = NULL;
    PGresult *res = NULL;
    struct ics_event *events = NULL;
    char tz[65], name[96], *text = NULL;
    int rc = U_CALLBACK_COMPLETE;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, NULL);
        goto cleanup;
    }
    if (feed_allowed(req, resp, app, conn, owner, kind) != 0)
        goto cleanup;
    st = repo_time_zone(conn, tz);
    if (st == APP_OK)
        st = repo_feed_events(conn, owner, kind, &res);
    if (st == APP_OK)
        st = events_of(res, &events);
    snprintf(name, sizeof(name), "Personal tutoring (%s)", owner);
    if (st == APP_OK && !(text = ics_calendar(tz, name, events, (size_t)PQntuples(res))))
        st = APP_NOMEM;
    if (st != APP_OK) {
        rc = http_problem_for(resp, st, NULL);
        goto cleanup;
    }
    ulfius_set_binary_body_response(resp, 200, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", "text/calendar; charset=utf-8");
    u_map_put(resp->map_header, "Cache-Control", "private, max-age=300");
    http_ctx(resp)->status = 200;
cleanup:
    db_release(app->pool, conn);
    PQclear(res);
    free(events);
    free(text);
    return rc;
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
