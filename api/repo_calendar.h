/* repo_calendar.h — the institution's calendar in SQL: read it as one document, replace it whole. */
#ifndef TUTORD_REPO_CALENDAR_H
#define TUTORD_REPO_CALENDAR_H

#include <jansson.h>

#include "db.h"

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

#endif
