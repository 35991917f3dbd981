/* ics.c — calendars with libical (see ics.h). */
#include "ics.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t ics_lock = PTHREAD_MUTEX_INITIALIZER;

/* Writes out a time-zone rule that ends (RRULE with UNTIL) as the RDATEs it stands for, so that
 * parsers which mishandle UNTIL in VTIMEZONE rules (python-icalendar 4.0) read the zone too. */
static void expand_bounded_rule(icalcomponent *rule)
{
    icalproperty *rrule = icalcomponent_get_first_property(rule, ICAL_RRULE_PROPERTY);
    if (!rrule)
        return;
    struct icalrecurrencetype recur = icalproperty_get_rrule(rrule);
    if (icaltime_is_null_time(recur.until))
        return;
    struct icaltimetype start = icalcomponent_get_dtstart(rule);
    /* UNTIL is UTC and the onsets local: stop a day after it (onsets are a year apart) */
    struct icaltimetype last = recur.until;
    last.zone = NULL;
    icaltime_adjust(&last, 1, 0, 0, 0);
    recur.until = icaltime_null_time();
    icalrecur_iterator *it = icalrecur_iterator_new(recur, start);
    for (struct icaltimetype t = it ? icalrecur_iterator_next(it) : icaltime_null_time();
         !icaltime_is_null_time(t) && icaltime_compare(t, last) <= 0; t = icalrecur_iterator_next(it)) {
        if (icaltime_compare(t, start) == 0)
            continue; /* DTSTART is the first onset already */
        struct icaldatetimeperiodtype onset = {t, icalperiodtype_null_period()};
        icalcomponent_add_property(rule, icalproperty_new_rdate(onset));
    }
    icalrecur_iterator_free(it);
    icalcomponent_remove_property(rule, rrule);
    icalproperty_free(rrule);
}

/* The calendar's VTIMEZONE: libical's definition of `zone` (from the system tzdata) cut to the
 * transitions from `from` on, with TZID the plain zone name `tz`. A new component. */
static icalcomponent *vtimezone_of(icaltimezone *zone, const char *tz, time_t from)
{
    icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(zone));
    icaltimezone_truncate_vtimezone(vtz, icaltime_from_timet_with_zone(from, 0, icaltimezone_get_utc_timezone()),
                                    icaltime_null_time(), 0);
    icalproperty_set_tzid(icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY), tz);
    for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
        expand_bounded_rule(c);
    return vtz;
}

/* A DTSTART or DTEND property (`kind`) for instant `t`: local time with TZID=tz, or UTC when `zone`
 * is UTC. */
static icalproperty *time_property(icalproperty_kind kind, time_t t, icaltimezone *zone, const char *tz)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    struct icaltimetype at = icaltime_from_timet_with_zone(t, 0, zone);
    if (zone != utc)
        at.zone = NULL; /* floating, named by the TZID parameter */
    icalproperty *p = kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(at) : icalproperty_new_dtend(at);
    if (zone != utc)
        icalproperty_add_parameter(p, icalparameter_new_tzid(tz));
    return p;
}

/* One VEVENT for `e`, its times in `zone` (named `tz`); a new component the caller adds to a calendar. */
static icalcomponent *event_component(const struct ics_event *e, icaltimezone *zone, const char *tz)
{
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_set_uid(ev, e->uid);
    icalcomponent_set_dtstamp(ev, icaltime_from_timet_with_zone(e->stamp, 0, icaltimezone_get_utc_timezone()));
    icalcomponent_add_property(ev, time_property(ICAL_DTSTART_PROPERTY, e->start, zone, tz));
    icalcomponent_add_property(ev, time_property(ICAL_DTEND_PROPERTY, e->end, zone, tz));
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
    time_t from = time(NULL) - 366L * 86400;
    for (size_t i = 0; i < n; i++)
        from = events[i].start < from ? events[i].start - 86400 : from;
    if (zone != icaltimezone_get_utc_timezone())
        icalcomponent_add_component(cal, vtimezone_of(zone, tz, from));
    for (size_t i = 0; i < n; i++)
        icalcomponent_add_component(cal, event_component(&events[i], zone, tz));
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    pthread_mutex_unlock(&ics_lock);
    return text;
}
