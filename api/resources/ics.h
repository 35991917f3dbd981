/* ics.h — RFC 5545 calendars built with libical: one VCALENDAR with the calendar's VTIMEZONE and one
 * VEVENT per event, times given in that zone (DTSTART;TZID=...). No hand-written iCalendar. */
#ifndef TUTORD_ICS_H
#define TUTORD_ICS_H

#include <stddef.h>
#include <time.h>

#include "ics_event.h"

/* Builds the calendar `name` (X-WR-CALNAME) of `n` events in time zone `tz` (an IANA name; UTC when
 * libical does not know it). Returns the iCalendar text (malloc'd, caller frees) or NULL when out of
 * memory. Thread-safe (libical's time-zone cache is used under a lock). */
char *ics_calendar(const char *tz, const char *name, const struct ics_event *events, size_t n);

#endif
