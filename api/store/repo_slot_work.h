/* repo_slot_work.h — what the slot, booking and office-hours routes do in one transaction, as uow_work
 * functions for uow_run: publish a slot (or a weekly series), cancel a slot, book one, cancel a
 * booking, read or replace a tutor's office hours. Each records the stage it stopped at and why, so the
 * route answers exactly as before. */
#ifndef TUTORD_REPO_SLOT_WORK_H
#define TUTORD_REPO_SLOT_WORK_H

#include "db.h"
#include "principal.h"
#include "repo_allocations.h"
#include "repo_slots.h"

/* Where a slot or booking write stopped: the slot or staff member and the caller's access to it (404,
 * 403), the body's faults (found by the caller), where the slot falls (422 naming the field), the
 * person the booking is for (403 for staff who do not manage the slot, 404 for a student not theirs),
 * the write itself. */
enum slot_stage { SLOT_ACCESS = 0, SLOT_BODY, SLOT_PLACE, SLOT_STUDENT, SLOT_WRITE };

/* One slot or booking write. Inputs borrowed. On APP_OK `json` is the slot or booking (malloc'd; the
 * caller frees it). Otherwise `stage` says where it stopped; `why` names the field of a refused place;
 * `refusal` and `limit` tell a booking's 409; `err` holds the database's refusal. */
struct slot_write {
    const struct principal *who;
    const char *staff;   /* publish: the staff member */
    struct slot_new *in; /* publish: the slot (weekly_until defaults to the term's end) */
    int recurring;       /* publish: a weekly series */
    const char *until;   /* publish: the series' last day as the body gives it (NULL: the term's end) */
    const char *id;      /* cancel, book: the slot; cancel a booking: the booking */
    const char *student; /* book: the student named by staff (NULL: the calling student) */
    int as_student;      /* book: the caller books for themself */
    int body_invalid;    /* the caller found the body invalid */
    enum slot_stage stage;
    struct slot_place place;
    struct alloc_refusal why;
    enum booking_refusal refusal;
    int limit;
    char *json;
    struct db_error err;
};

/* uow_work: the caller must manage the staff member's slots (APP_NOT_FOUND when hidden, APP_FORBIDDEN
 * when they only read them); APP_INVALID at SLOT_BODY when body_invalid; at SLOT_PLACE with `why` when
 * the slot is in the past, on a closure day (one slot), or a series not within one term; then the
 * slot(s) and the slot.create audit. Safe to run again. */
enum app_status repo_slot_publish_work(struct db_conn *conn, void *work);

/* uow_work: the caller must see the slot (APP_NOT_FOUND) and manage it (APP_FORBIDDEN); cancels it and
 * its bookings (APP_CONFLICT when already cancelled) with the slot.cancel audit. Safe to run again. */
enum app_status repo_slot_cancel_work(struct db_conn *conn, void *work);

/* uow_work: the caller must see the slot (APP_NOT_FOUND); APP_INVALID at SLOT_BODY when body_invalid;
 * staff booking for a student must manage the slot (APP_FORBIDDEN) and see the student (APP_NOT_FOUND)
 * at SLOT_STUDENT; then the booking under the school policy's limit of open bookings (APP_CONFLICT
 * with `refusal`), its booking.create audit and booking.confirmed event. Safe to run again. */
enum app_status repo_booking_create_work(struct db_conn *conn, void *work);

/* uow_work: locks booking `id` (APP_NOT_FOUND when it is not a booking); the student who holds it or
 * who manages the slot may cancel it (else APP_FORBIDDEN at SLOT_STUDENT when the caller sees the
 * student, APP_NOT_FOUND otherwise); then the cancellation (APP_CONFLICT with `refusal`), its
 * booking.cancel audit and booking.cancelled event. Safe to run again. */
enum app_status repo_booking_cancel_work(struct db_conn *conn, void *work);

/* A tutor's office hours to read (hours NULL) or replace (hours: the validated set as JSON text). On
 * APP_OK `json` (malloc'd; the caller frees it) is the set; `err` holds the database's refusal. */
struct office_hours_work {
    const struct principal *who;
    const char *staff;
    const char *hours;
    char *json;
    struct db_error err;
};

/* uow_work (a read through uow_read, a replacement through uow_run): the staff member must be there for
 * the caller (APP_NOT_FOUND) and, to replace, managed by them (APP_FORBIDDEN); a replacement is audited
 * (office_hours.put). Safe to run again. */
enum app_status repo_office_hours_work(struct db_conn *conn, void *work);

#endif
