/* ics_event.h — one event of an iCalendar feed, as the store reads it and resources/ics.c writes it. */
#ifndef TUTORD_ICS_EVENT_H
#define TUTORD_ICS_EVENT_H

#include <time.h>

struct ics_event {
    const char *uid;                                    /* stable across feeds and changes */
    time_t start, end, stamp;                           /* stamp: when the event last changed (DTSTAMP, UTC) */
    const char *summary, *location, *url, *description; /* url and description may be "" (left out) */
    int cancelled;                                      /* STATUS:CANCELLED, else CONFIRMED */
    int sequence;                                       /* SEQUENCE, bumped on every change */
};

#endif
