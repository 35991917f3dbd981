/* repo_calendar.h — the institution's calendar in SQL: read it as one document, replace it whole. */
#ifndef TUTORD_REPO_CALENDAR_H
#define TUTORD_REPO_CALENDAR_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* The calendar document (SPEC §4a) as malloc'd JSON text in *json and its version in *version
 * (malloc'd). Read-only; inside or outside a transaction. */
enum app_status repo_calendar_get(struct db_conn *conn, char **json, char **version);

/* Within a transaction: locks the calendar and returns its version (malloc'd) for If-Match. */
enum app_status repo_calendar_lock(struct db_conn *conn, char **version);

/* True (1) when the database knows `zone` as a time-zone name (pg_timezone_names), 0 when not, -1 on a
 * database failure. */
int repo_calendar_known_zone(struct db_conn *conn, const char *zone);

/* Within a transaction: replaces every year, term (with its optional semester) and closure by those of
 * `doc` (validated: the shape of SPEC §4a, accepted by pe_calendar_parse) and sets the time zone; bumps
 * the version. Returns APP_OK or the database refusal in
 * *err (e.g. APP_CONFLICT when another table still refers to a year). */
enum app_status repo_calendar_replace(struct db_conn *conn, const json_t *doc, struct db_error *err);

/* Where a calendar replacement stopped: the lock, If-Match, the time zone (unknown: APP_INVALID), the
 * replacement (the database's refusal in `err`). */
enum calendar_stage { CALENDAR_LOCK = 0, CALENDAR_IF_MATCH, CALENDAR_ZONE, CALENDAR_WRITE };

/* A replacement of the calendar by `who` with the validated `doc`. On APP_OK `json` and `version`
 * (malloc'd) are the new calendar; otherwise `stage` says where it stopped and `locked_version` is what
 * If-Match was compared with. The caller frees the three strings. */
struct calendar_write {
    const struct principal *who;
    const json_t *doc;
    const char *if_match;
    enum calendar_stage stage;
    char *locked_version, *json, *version;
    struct db_error err;
};

/* uow_work: lock, If-Match (APP_PRECONDITION_FAILED), the time zone (APP_INVALID when unknown), the
 * replacement, its calendar.replace audit and calendar.replaced event, the calendar read back. Safe to
 * run again. */
enum app_status repo_calendar_replace_work(struct db_conn *conn, void *work);

#endif
