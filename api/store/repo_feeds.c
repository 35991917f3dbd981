/* repo_feeds.c — reading a calendar feed: gate, time zone and events in one unit of work. */
#include "repo_feeds.h"

#include <stdlib.h>
#include <string.h>

#include "repo_pastoral.h"
#include "repo_slots.h"

/* May a bearer-token caller read the feed of `owner` (kind "staff"/"student")? APP_OK, APP_NOT_FOUND
 * (hidden) or APP_FORBIDDEN: the tutor, a senior tutor of their school or admin for a tutor's feed;
 * whoever reads the student's contacts (not registry) for a student's. */
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

/* The feed rows (repo_feed_events) as events; *events is malloc'd and borrows from res. */
static enum app_status events_of(const PGresult *res, struct ics_event **events, size_t *n_out)
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
    *n_out = (size_t)n;
    return APP_OK;
}

/* The gate, then the time zone and the events (see repo_feeds.h). */
enum app_status repo_feed_read_work(struct db_conn *conn, void *ctx)
{
    struct repo_feed *f = ctx;
    repo_feed_clear(f); /* an earlier attempt's */
    f->refusal = FEED_GATE_REFUSED;
    enum app_status st =
        f->hash ? repo_feed_check(conn, f->owner, f->kind, f->hash) : bearer_may_read(conn, f->who, f->owner, f->kind);
    if (st != APP_OK)
        return st;
    f->refusal = FEED_READ_FAILED;
    st = repo_time_zone(conn, f->tz);
    if (st == APP_OK)
        st = repo_feed_events(conn, f->owner, f->kind, &f->rows);
    if (st == APP_OK)
        st = events_of(f->rows, &f->events, &f->n);
    return st;
}

/* Frees the events and the rows they borrow from. */
void repo_feed_clear(struct repo_feed *f)
{
    if (!f)
        return;
    free(f->events);
    PQclear(f->rows);
    f->events = NULL;
    f->rows = NULL;
    f->n = 0;
}
