/* repo_slot_work.c — publish and cancel slots, make and cancel bookings, each in one transaction. */
#include "repo_slot_work.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "page_query.h"
#include "pe.h"
#include "repo_contacts.h"
#include "repo_pastoral.h"

/* Forgets an earlier attempt's outputs (rolled back) before a fresh one. */
static void reset_write(struct slot_write *w)
{
    free(w->json);
    w->json = NULL;
    w->stage = SLOT_ACCESS;
    memset(&w->why, 0, sizeof(w->why));
    memset(&w->err, 0, sizeof(w->err));
    w->refusal = BOOK_OK;
    w->limit = 0;
}

/* Where the slot falls: in the future; not on a closure day (one slot); a series within one term, its
 * `until` defaulting to the term's end. APP_INVALID with w->why naming the field. */
static enum app_status place_rules(struct db_conn *conn, struct slot_write *w)
{
    struct slot_new *s = w->in;
    w->stage = SLOT_PLACE;
    enum app_status st = repo_slot_place(conn, s->starts_at, &w->place);
    if (st != APP_OK)
        return st;
    if (w->place.past)
        return alloc_refuse(&w->why, APP_INVALID, "starts_at", "must not be in the past");
    if (!w->recurring && w->place.closure)
        return alloc_refuse(&w->why, APP_INVALID, "starts_at", "is a closure day: the university is closed");
    if (!w->recurring)
        return APP_OK;
    if (!w->place.term_end[0])
        return alloc_refuse(&w->why, APP_INVALID, "recurrence", "a weekly series starts within a term");
    if (!s->weekly_until)
        s->weekly_until = w->place.term_end;
    if (strcmp(s->weekly_until, w->place.term_end) > 0)
        return alloc_refuse(&w->why, APP_INVALID, "recurrence.until", "must not be after the end of the term");
    if (strncmp(s->weekly_until, s->starts_at, 10) < 0)
        return alloc_refuse(&w->why, APP_INVALID, "recurrence.until", "must not be before the first slot");
    return APP_OK;
}

/* APP_NOT_FOUND when the caller may not know of the staff member, APP_FORBIDDEN when they only read. */
static enum app_status manages(enum staff_access level)
{
    return level == STAFF_WRITE ? APP_OK : level == STAFF_HIDDEN ? APP_NOT_FOUND : APP_FORBIDDEN;
}

enum app_status repo_slot_publish_work(struct db_conn *conn, void *work)
{
    struct slot_write *w = work;
    enum staff_access level = STAFF_HIDDEN;
    reset_write(w);
    w->in->weekly_until = w->until; /* not an earlier attempt's default */
    enum app_status st = repo_staff_access(conn, w->who, w->staff, &level);
    if (st == APP_OK || st == APP_NOT_FOUND)
        st = manages(level);
    if (st == APP_OK && w->body_invalid)
        w->stage = SLOT_BODY, st = APP_INVALID;
    if (st == APP_OK)
        st = place_rules(conn, w);
    if (st == APP_OK) {
        w->stage = SLOT_WRITE;
        st = repo_slot_create(conn, w->in, w->who->sub, &w->json, &w->err);
    }
    return st == APP_OK ? audit_record(conn, w->who, "slot.create", "staff", w->staff, NULL, NULL) : st;
}

/* Reads slot `id` and the caller's access to its staff member (APP_NOT_FOUND when either is hidden). */
static enum app_status load_slot(struct db_conn *conn, const struct principal *who, const char *id,
                                 enum staff_access *level)
{
    char staff[24], *probe = NULL;
    *level = STAFF_HIDDEN;
    if (!page_is_row_id(id))
        return APP_NOT_FOUND;
    enum app_status st = repo_slot_get(conn, id, 0, staff, &probe);
    free(probe);
    if (st == APP_OK)
        st = repo_staff_access(conn, who, staff, level);
    return st == APP_OK && *level == STAFF_HIDDEN ? APP_NOT_FOUND : st;
}

enum app_status repo_slot_cancel_work(struct db_conn *conn, void *work)
{
    struct slot_write *w = work;
    enum staff_access level = STAFF_HIDDEN;
    reset_write(w);
    enum app_status st = load_slot(conn, w->who, w->id, &level);
    if (st == APP_OK && level < STAFF_WRITE)
        st = APP_FORBIDDEN;
    if (st == APP_OK) {
        w->stage = SLOT_WRITE;
        st = repo_slot_cancel(conn, w->id, w->who->sub, &w->json);
    }
    return st == APP_OK ? audit_record(conn, w->who, "slot.cancel", "slot", w->id, NULL, NULL) : st;
}

/* The school policy's limit of open bookings for `student` (the engine's default when there is no
 * policy or it does not parse). */
static enum app_status booking_limit(struct db_conn *conn, const char *student, int *limit)
{
    char *text = NULL;
    pe_policy *policy = NULL;
    json_t *errors = NULL;
    *limit = PE_DEFAULT_MAX_OPEN_BOOKINGS;
    enum app_status st = repo_booking_policy(conn, student, &text);
    if (st == APP_OK && text && pe_policy_parse_string(text, strlen(text), &policy, &errors) == PE_OK)
        *limit = policy->max_open_bookings;
    pe_policy_free(policy);
    json_decref(errors);
    free(text);
    return st;
}

/* Staff book only for a student of a slot they manage, and one they may see. */
static enum app_status staff_may_book(struct db_conn *conn, struct slot_write *w, enum staff_access level)
{
    struct student_reach reach;
    w->stage = SLOT_STUDENT;
    if (level < STAFF_WRITE)
        return APP_FORBIDDEN;
    return repo_reach_of(conn, w->student, w->who, &reach);
}

enum app_status repo_booking_create_work(struct db_conn *conn, void *work)
{
    struct slot_write *w = work;
    enum staff_access level = STAFF_HIDDEN;
    char *id = NULL;
    reset_write(w);
    const char *student = w->as_student ? w->who->sub : w->student;
    enum app_status st = load_slot(conn, w->who, w->id, &level);
    if (st == APP_OK && w->body_invalid)
        w->stage = SLOT_BODY, st = APP_INVALID;
    if (st == APP_OK && !w->as_student)
        st = staff_may_book(conn, w, level);
    if (st == APP_OK) {
        w->stage = SLOT_WRITE;
        st = booking_limit(conn, student, &w->limit);
    }
    if (st == APP_OK)
        st = repo_booking_create(conn, w->id, student, w->limit, w->who->sub, &w->json, &id, &w->refusal);
    if (st == APP_OK)
        st = audit_record(conn, w->who, "booking.create", "contact", id, student, NULL);
    if (st == APP_OK)
        st = audit_booking(conn, w->who, "booking.confirmed", id);
    free(id);
    return st;
}

/* The student who holds the booking, or who manages its slot, may cancel it; anyone else who sees the
 * student is refused (APP_FORBIDDEN), anyone who does not gets APP_NOT_FOUND. */
static enum app_status may_cancel(struct db_conn *conn, const struct principal *who, const struct contact_head *head)
{
    enum staff_access level = STAFF_HIDDEN;
    struct student_reach reach;
    if (access_has_role(who, ROLE_STUDENT) && strcmp(head->student, who->sub) == 0)
        return APP_OK;
    enum app_status st = repo_staff_access(conn, who, head->staff, &level);
    if (st == APP_OK && level == STAFF_WRITE)
        return APP_OK;
    if (st == APP_OK || st == APP_NOT_FOUND)
        st = repo_reach_of(conn, head->student, who, &reach);
    return st == APP_OK ? APP_FORBIDDEN : st;
}

enum app_status repo_booking_cancel_work(struct db_conn *conn, void *work)
{
    struct slot_write *w = work;
    struct contact_head head;
    memset(&head, 0, sizeof(head));
    reset_write(w);
    enum app_status st = page_is_row_id(w->id) ? repo_contact_head(conn, w->id, 1, 1, &head) : APP_NOT_FOUND;
    if (st == APP_OK && !head.slot[0])
        st = APP_NOT_FOUND;
    if (st == APP_OK) {
        w->stage = SLOT_STUDENT;
        st = may_cancel(conn, w->who, &head);
    }
    if (st == APP_OK) {
        w->stage = SLOT_WRITE;
        st = repo_booking_cancel(conn, w->id, &w->json, &w->refusal);
    }
    if (st == APP_OK)
        st = audit_record(conn, w->who, "booking.cancel", "contact", w->id, head.student, NULL);
    if (st == APP_OK)
        st = audit_booking(conn, w->who, "booking.cancelled", w->id);
    repo_contact_head_free(&head);
    return st;
}

enum app_status repo_office_hours_work(struct db_conn *conn, void *work)
{
    struct office_hours_work *w = work;
    enum staff_access level = STAFF_HIDDEN;
    free(w->json); /* an earlier attempt's, rolled back */
    w->json = NULL;
    memset(&w->err, 0, sizeof(w->err));
    enum app_status st = repo_staff_access(conn, w->who, w->staff, &level);
    if (st == APP_OK && level == STAFF_HIDDEN)
        st = APP_NOT_FOUND;
    if (st == APP_OK && w->hours && level < STAFF_WRITE)
        st = APP_FORBIDDEN;
    if (st != APP_OK)
        return st;
    if (!w->hours)
        return repo_office_hours_get(conn, w->staff, &w->json);
    st = repo_office_hours_put(conn, w->staff, w->hours, &w->json, &w->err);
    return st == APP_OK ? audit_record(conn, w->who, "office_hours.put", "staff", w->staff, NULL, NULL) : st;
}
