/* deliver_invite.c — iTIP invitations from the calendar feeds' events (see deliver_invite.h). */
#include "deliver_invite.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ics.h"

/* Adds METHOD to the calendar and ORGANIZER and ATTENDEE ("mailto:" addresses) to its one VEVENT. */
static void add_itip(icalcomponent *cal, const struct invite *in)
{
    char organizer[320], attendee[320];
    snprintf(organizer, sizeof(organizer), "mailto:%s", in->organizer);
    snprintf(attendee, sizeof(attendee), "mailto:%s", in->attendee);
    icalcomponent_add_property(cal, icalproperty_new_method(in->cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent *event = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    if (!event)
        return;
    icalcomponent_add_property(event, icalproperty_new_organizer(organizer));
    icalproperty *who = icalproperty_new_attendee(attendee);
    icalproperty_add_parameter(who, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
    icalcomponent_add_property(event, who);
}

char *deliver_invite(const struct invite *in)
{
    char uid[64];
    snprintf(uid, sizeof(uid), "contact-%s@tutord", in->booking);
    struct ics_event e = {.uid = uid,
                          .start = in->start,
                          .end = in->end,
                          .stamp = in->stamp,
                          .summary = in->summary,
                          .location = in->location,
                          .url = "",
                          .description = "",
                          .cancelled = in->cancel,
                          .sequence = in->cancel ? 1 : 0};
    char *feed = ics_calendar(in->tz, "Personal tutoring", &e, 1);
    icalcomponent *cal = feed ? icalparser_parse_string(feed) : NULL;
    free(feed);
    if (!cal)
        return NULL;
    add_itip(cal, in);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return text;
}
