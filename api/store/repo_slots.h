/* repo_slots.h — the SQL behind a tutor's working week: who may act on a staff member's availability,
 * office hours, bookable slots (one-off or weekly within a term, never on closure days), bookings (a
 * booking is a scheduled meeting contact naming its slot), cancellations, and calendar-feed secrets.
 * JSON is rendered by the database and handed back as text. Not thread-safe on one connection (libpq). */
#ifndef TUTORD_REPO_SLOTS_H
#define TUTORD_REPO_SLOTS_H

#include "db.h"
#include "page_query.h"
#include "principal.h"
#include "strbuf.h"

/* What a caller may do with one staff member's availability. */
enum staff_access {
    STAFF_HIDDEN = 0, /* the caller may not know the staff member (answer 404) */
    STAFF_READ,       /* may read it: a student with an allocation to them in force today, registry */
    STAFF_WRITE,      /* may publish and manage it: the staff member, a senior tutor of their school, admin */
};

/* Sets *out to the caller's access to staff member `staff`. APP_NOT_FOUND when no such staff member. */
enum app_status repo_staff_access(struct db_conn *conn, const struct principal *who, const char *staff,
                                  enum staff_access *out);

/* Replaces staff member `staff`'s office hours with `hours_json` (a validated JSON array of {day, start,
 * end, location}) and returns {"staff", "office_hours"} (malloc'd). Call inside a transaction. */
enum app_status repo_office_hours_put(struct db_conn *conn, const char *staff, const char *hours_json, char **json,
                                      struct db_error *err);
/* Staff member `staff`'s office hours as {"staff", "office_hours"} (malloc'd). */
enum app_status repo_office_hours_get(struct db_conn *conn, const char *staff, char **json);

/* A new slot or weekly series, as validated text (NULL = absent). */
struct slot_new {
    const char *staff, *starts_at, *ends_at, *capacity, *location, *online_url;
    const char *book_by_minutes; /* bookings close this many minutes before the start (NULL: 0) */
    const char *weekly_until;    /* a date: repeat weekly until then (NULL: one slot) */
};

/* Where the first slot falls: the end of the term that holds its local date ("" when none), whether
 * that date is a closure day, and whether the start has passed. */
struct slot_place {
    char term_end[11];
    int closure;
    int past;
};
enum app_status repo_slot_place(struct db_conn *conn, const char *starts_at, struct slot_place *out);

/* Inserts the slot, or one slot a week (same local wall-clock time across clock changes) from its start
 * until `weekly_until`, skipping closure days. Returns {"items": [slots], "skipped": [dates]}
 * (malloc'd). Database refusals fill *err. */
enum app_status repo_slot_create(struct db_conn *conn, const struct slot_new *s, const char *actor, char **json,
                                 struct db_error *err);

struct slot_filter {
    const char *from, *to, *status; /* local dates (inclusive) and a status; NULL = any */
    const char *after;              /* keyset cursor key, NULL for the first page */
    int limit;
};
/* A page of staff member `staff`'s slots, soonest first, in *out (page_query).
 * A malformed cursor is APP_INVALID. */
enum app_status repo_slot_list(struct db_conn *conn, const char *staff, const struct slot_filter *f,
                               struct page_rows *out);

/* One slot's JSON (malloc'd) with, when `with_bookings`, the bookings on it; its staff member into
 * staff[24]. APP_NOT_FOUND when absent. */
enum app_status repo_slot_get(struct db_conn *conn, const char *id, int with_bookings, char staff[24], char **json);

/* Why a booking was refused, when the refusal is the slot's state (APP_CONFLICT). */
enum booking_refusal { BOOK_OK, BOOK_FULL, BOOK_TAKEN, BOOK_CLOSED, BOOK_CANCELLED, BOOK_LIMIT, BOOK_NOT_TUTOR };

/* Books slot `slot` for `student` (created by `actor`): the slot must be open and before its booking
 * deadline, its staff member the student's personal or cover tutor today, the student under `limit`
 * open bookings, and a seat free (the database's CHECK decides under concurrency). Makes (or revives
 * a cancelled) scheduled meeting contact; returns its JSON and id (malloc'd). APP_CONFLICT with *why
 * set when refused for the slot's state. Call inside a transaction. */
enum app_status repo_booking_create(struct db_conn *conn, const char *slot, const char *student, int limit,
                                    const char *actor, char **json, char **id, enum booking_refusal *why);

/* The policy in force today for student `student`'s school, as JSON text (malloc'd; NULL when the
 * school has none). APP_NOT_FOUND when no such student. */
enum app_status repo_booking_policy(struct db_conn *conn, const char *student, char **policy);

/* Cancels booking (contact) `id` if before its slot's booking deadline. APP_CONFLICT with *why
 * (BOOK_CLOSED, BOOK_CANCELLED) when it may not be; returns the contact's JSON (malloc'd). */
enum app_status repo_booking_cancel(struct db_conn *conn, const char *id, char **json, enum booking_refusal *why);

/* Cancels slot `id` and its bookings, writing booking.cancelled for each booking (actor `actor`) so the
 * outbox tells its student and tutor; returns the slot's JSON (malloc'd). APP_CONFLICT when it was
 * already cancelled. */
enum app_status repo_slot_cancel(struct db_conn *conn, const char *id, const char *actor, char **json);

/* Stores the SHA-256 (hex) of a new feed secret for `owner` (kind "staff" or "student"), replacing the
 * old one. */
enum app_status repo_feed_set(struct db_conn *conn, const char *owner, const char *kind, const char *hash);
/* Removes `owner`'s feed secret; APP_NOT_FOUND when there was none. */
enum app_status repo_feed_revoke(struct db_conn *conn, const char *owner);
/* APP_OK when `hash` is the current feed secret of `owner` (kind), else APP_NOT_FOUND. */
enum app_status repo_feed_check(struct db_conn *conn, const char *owner, const char *kind, const char *hash);

/* The events of a calendar feed: for kind "staff" the staff member's slots and their other scheduled
 * meetings, for "student" the student's scheduled (or booked) meetings, from 180 days ago. Rows are
 * (uid, start epoch, end epoch, summary, location, url, cancelled "t"/"f", sequence, stamp epoch,
 * description); *res is the caller's to PQclear. */
enum app_status repo_feed_events(struct db_conn *conn, const char *owner, const char *kind, PGresult **res);

/* The institution's time zone (e.g. "Europe/London") into tz[65]. */
enum app_status repo_time_zone(struct db_conn *conn, char tz[65]);

#endif
