/* repo_feeds.h — reading a calendar feed (GET /tutors/{staff_number}/calendar.ics and
 * /students/{student_number}/calendar.ics): the gate (the owner's feed secret, or a bearer caller's right
 * to read the owner's calendar), the institution's time zone and the events, in one unit of work. */
#ifndef TUTORD_REPO_FEEDS_H
#define TUTORD_REPO_FEEDS_H

#include <stddef.h>

#include "db.h"
#include "ics_event.h"
#include "principal.h"

/* How the feed reader failed when repo_feed_read_work returns other than APP_OK. */
enum repo_feed_refusal {
    FEED_READ_FAILED = 0, /* the time zone or the events could not be read */
    FEED_GATE_REFUSED,    /* the gate refused: APP_NOT_FOUND (no such secret / hidden) or APP_FORBIDDEN */
};

/* The unit of work's context. In: `owner` and `kind` ("staff"/"student"), and either `hash` (SHA-256 hex
 * of the feed secret sent) or `who` (the verified bearer caller). Out: the time zone, `n` events that
 * borrow from `rows`, and on failure which step refused. Free with repo_feed_clear. */
struct repo_feed {
    const char *owner, *kind, *hash;
    const struct principal *who;
    char tz[65];
    struct ics_event *events;
    size_t n;
    PGresult *rows;
    enum repo_feed_refusal refusal;
};

/* uow_work: the gate, then the time zone and the events (repo_feed_events) of ctx's feed. Returns APP_OK,
 * the gate's refusal (APP_NOT_FOUND: wrong or rotated secret, or the owner is hidden from the bearer;
 * APP_FORBIDDEN: visible but not theirs to read), or the database failure. */
enum app_status repo_feed_read_work(struct db_conn *conn, void *ctx);

/* Frees what repo_feed_read_work left in `f` (events and rows). NULL-safe. */
void repo_feed_clear(struct repo_feed *f);

#endif
