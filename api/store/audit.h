/* audit.h — who did what to which record, and who read which confidential note. Every call runs inside
 * the caller's transaction, so the audit row lands exactly when the action does. */
#ifndef TUTORD_AUDIT_H
#define TUTORD_AUDIT_H

#include <jansson.h>

#include "db.h"
#include "principal.h"

/* Appends one audit row: `action` like "note.read_confidential" or "allocation.create", `entity` and
 * `entity_id` name the record, `student` (may be NULL) whose record it is, `detail` (may be NULL,
 * borrowed) extra facts — never note text. Returns APP_OK or the database failure. */
enum app_status audit_record(struct db_conn *conn, const struct principal *who, const char *action, const char *entity,
                             const char *entity_id, const char *student, const json_t *detail);

/* Appends one event to the change feed (same transaction): `kind` like "allocation.created",
 * `subject` the record's key, `payload` (borrowed, may be NULL) the record as JSON. */
enum app_status audit_event(struct db_conn *conn, const struct principal *who, const char *kind, const char *subject,
                            const json_t *payload);

/* One change to a record, both ways at once: the event `kind` about `student` and the audit row
 * `action` on `entity` `entity_id`, each carrying the record `json` (JSON text, borrowed). Returns
 * APP_OK, APP_NOMEM when `json` does not parse, or the database failure. */
enum app_status audit_change(struct db_conn *conn, const struct principal *who, const char *kind, const char *action,
                             const char *entity, const char *entity_id, const char *student, const char *json);

/* Appends the event `kind` ("booking.confirmed", "booking.cancelled") about booking (contact) `booking`
 * to the change feed, in the caller's transaction: its id, student, tutor, slot, times and place, built by
 * the database from the booking and its slot (the notification outbox, sql/015, tells both people from
 * it). Returns APP_OK, APP_NOT_FOUND when the booking names no slot, or the database failure. */
enum app_status audit_booking(struct db_conn *conn, const struct principal *who, const char *kind, const char *booking);

/* Names `who` as the actor of the rest of the caller's transaction for the audit rows the database writes
 * itself (the status history trigger, sql/012): the settings tutord.actor and tutord.actor_roles, local
 * to the transaction. Returns APP_OK or the database failure. */
enum app_status audit_set_actor(struct db_conn *conn, const struct principal *who);

#endif
