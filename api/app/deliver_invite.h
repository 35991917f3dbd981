/* deliver_invite.h — a booked meeting as an iTIP (RFC 5546) invitation or cancellation to attach to a
 * notification email: the calendar feeds' VEVENT (ics.h, the same UID "contact-<id>@tutord", so a
 * client that subscribed to the feed sees one meeting) with METHOD, ORGANIZER and ATTENDEE added by
 * libical. Thread-safe. */
#ifndef TUTORD_DELIVER_INVITE_H
#define TUTORD_DELIVER_INVITE_H

#include <time.h>

struct invite {
    int cancel;               /* METHOD:CANCEL and STATUS:CANCELLED, else METHOD:REQUEST */
    const char *booking;      /* the booking's (contact's) id */
    time_t start, end, stamp; /* stamp: when the booking changed */
    const char *summary, *location;
    const char *organizer; /* the sender's address */
    const char *attendee;  /* the recipient's address */
    const char *tz;        /* the calendar's IANA time zone */
};

/* The invitation's iCalendar text (CRLF lines; malloc'd, caller frees), or NULL when out of memory. */
char *deliver_invite(const struct invite *in);

#endif
