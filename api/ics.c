/* ics.c — calendars with libical (see ics.h). */
#include "ics.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t ics_lock = PTHREAD_MUTEX_INITIALIZER;

/* One VEVENT for `e`, its times in `zone`; a new component the caller adds to a calendar. */
static icalcomponent *event_component(const struct ics_event *e, icaltimezone *zone)
{
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_set_uid(ev, e->uid);
    icalcomponent_set_dtstamp(ev, icaltime_from_timet_with_zone(e->stamp, 0, icaltimezone_get_utc_timezone()));
    icalcomponent_set_dtstart(ev, icaltime_from_timet_with_zone(e->start, 0, zone));
    icalcomponent_set_dtend(ev, icaltime_from_timet_with_zone(e->end, 0, zone));
    icalcomponent_set_summary(ev, e->summary);
    if (e->location && *e->location)
        icalcomponent_set_location(ev, e->location);
    if (e->description && *e->description)
        icalcomponent_set_description(ev, e->description);
    if (e->url && *e->url)
        icalcomponent_add_property(ev, icalproperty_new_url(e->url));
    icalcomponent_set_status(ev, e->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED);
    icalcomponent_set_sequence(ev, e->sequence);
    return ev;
}

char *ics_calendar(const char *tz, const char *name, const struct ics_event *events, size_t n)
{
    pthread_mutex_lock(&ics_lock);
    icaltimezone *zone = icaltimezone_get_builtin_timezone(tz);
    if (!zone)
        zone = icaltimezone_get_utc_timezone();
    icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//tutord//personal tutoring//EN"));
    icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
    icalproperty *calname = icalproperty_new_x(name);
    icalproperty_set_x_name(calname, "X-WR-CALNAME");
    icalcomponent_add_property(cal, calname);
    icalcomponent *vtz = icaltimezone_get_component(zone);
    if (vtz && zone != icaltimezone_get_utc_timezone())
        icalcomponent_add_component(cal, icalcomponent_new_clone(vtz));
    for (size_t i = 0; i < n; i++)
        icalcomponent_add_component(cal, event_component(&events[i], zone));
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    pthread_mutex_unlock(&ics_lock);
    return text;
}
