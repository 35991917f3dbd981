/* expectations.c — a policy's rules as statements a student understands. Each phrase reads one rule type's
 * parameters; a rule whose type promises a student nothing (tutor training, caseloads) has no phrase. */
#include "expectations.h"

#include <stdio.h>
#include <string.h>

#include "html_out.h"

/* One phrase: for rules of `type` (and, when `when_key` is set, whose `when_key` is `when_value`), `fmt`
 * with up to two %s filled from the rule's parameters `p1`, `p2`. A parameter name starting with '~' is a
 * number of days said as people say it ("two weeks"). */
struct phrase {
    const char *type, *when_key, *when_value, *fmt, *p1, *p2;
};

static const struct phrase PHRASES[] = {
    {"allocation_within", "from", "first_teaching_week",
     "You will have a personal tutor by the end of your first week of teaching.", NULL, NULL},
    {"allocation_within", NULL, NULL, "You will be given a personal tutor within %s of registering.", "~days", NULL},
    {"personal_tutor_named", NULL, NULL, "You will have a named personal tutor within %s of registering.", "~days",
     NULL},
    {"first_meeting_within", "from", "year_start",
     "Your personal tutor will meet you within the first %s of the academic year.", "~days", NULL},
    {"first_meeting_within", NULL, NULL, "Your personal tutor will meet you in your first %s.", "~days", NULL},
    {"welcome_week_contact", NULL, NULL,
     "In Welcome Week (your first %s) your personal tutor will introduce themselves, or get back in touch if you are "
     "returning.",
     "~days", NULL},
    {"meetings_per_year", "count", "attended", "You will meet your personal tutor at least %s times this year.", "min",
     NULL},
    {"meetings_per_year", NULL, NULL, "Your personal tutor will invite you to at least %s meetings this year.", "min",
     NULL},
    {"meeting_each_term", "period", "semester",
     "Your personal tutor will offer you at least %s meeting every semester.", "min", NULL},
    {"meeting_each_term", NULL, NULL, "Your personal tutor will offer you at least %s meeting every term.", "min",
     NULL},
    {"contact_monthly", NULL, NULL, "Your personal tutor will be in touch with you at least once a month in term time.",
     NULL, NULL},
    {"individual_checkin_per_term", NULL, NULL,
     "At least once each semester your personal tutor will check in with you on your own about your progress and "
     "wellbeing.",
     NULL, NULL},
    {"response_within", NULL, NULL,
     "Your personal tutor will normally answer within %s working days when you contact them.", "working_days", NULL},
    {"away_contact_per_term", NULL, NULL,
     "If you are away (a year abroad, a placement or a suspension), your personal tutor will still contact you at "
     "least %s time each term.",
     "min", NULL},
    {"cover_during_absence", NULL, NULL,
     "If your personal tutor is away for more than %s, another tutor will look after you and you will be told who.",
     "~days", NULL},
    {"group_sessions", NULL, NULL, "At Level %s you will take part in at least %s group sessions this year.", "level",
     "min"},
    {"under18_senior_meeting", NULL, NULL, "If you are under 18, your school's senior tutor will meet you in person.",
     NULL, NULL},
    {"missed_meetings_escalation", NULL, NULL,
     "If you miss %s meetings, your personal tutor will follow it up and may ask the senior tutor to help.", "missed",
     NULL},
    {"meeting_summary_within", NULL, NULL, "After each meeting you will be given a summary within %s working days.",
     "working_days", NULL},
    {"feedback_invited", NULL, NULL, "Every year you will be invited to say what you think of personal tutoring.", NULL,
     NULL},
    {"senior_tutors", NULL, NULL, "Your school has a senior tutor who oversees personal tutoring.", NULL, NULL},
};
#define N_PHRASES (sizeof(PHRASES) / sizeof(PHRASES[0]))

/* What every school owes its tutees whatever its rules say, with the clause each comes from. */
static const struct {
    const char *topic, *statement, *source;
} ALWAYS[] = {
    {"change_of_tutor",
     "You can ask to change your personal tutor at any time, without giving a reason, and your request will be "
     "considered positively. Ask in the tutoring portal (a change request), and the senior tutor will decide and tell "
     "you.",
     "Leicester Code of Practice, Section 2, Allocation: \"Tutees may request a change of Personal Tutor and expect "
     "their request "
     "to be positively considered.\""},
    {"concerns",
     "If you have a concern about your personal tutoring, raise it with your school's senior tutor (a concern in the "
     "tutoring portal): they will deal with it and tell you the outcome.",
     "Senior Personal Tutor role, main responsibilities: \"to deal promptly and effectively with concerns raised by "
     "Personal Tutors and Tutees "
     "and updating Tutees as appropriate in cases\""},
    {"office_hours", NULL,
     "Leicester Code of Practice, Section 2, Personal Tutor availability: \"The School's approach to office hours or "
     "open-door "
     "policy must apply to Personal Tutoring and be publicised to Personal Tutors and Tutees.\""},
    {"notes",
     "Your personal tutor records that each meeting took place. What was said is written down only with your "
     "permission; without it, only the fact of the meeting is kept.",
     "Essex, Personal Tutor 5: \"A record of all meetings is included on the LEAP system. This includes details of any "
     "referrals. Content of the meetings is not necessarily included and not without student permission.\""},
};
#define N_ALWAYS (sizeof(ALWAYS) / sizeof(ALWAYS[0]))

/* A number of days as people say it: "one week", "two weeks", else "N days" (or "1 day"). */
static void say_days(long days, char *out, size_t size)
{
    static const char *const WEEKS[] = {"one week", "two weeks", "three weeks", "four weeks"};
    long weeks = days / 7;
    if (days % 7 == 0 && weeks >= 1 && weeks <= 4)
        snprintf(out, size, "%s", WEEKS[weeks - 1]);
    else
        snprintf(out, size, "%ld day%s", days, days == 1 ? "" : "s");
}

/* Parameter `name` of `rule` as text into out ("" when absent). */
static void say_param(const json_t *rule, const char *name, char *out, size_t size)
{
    int human = name[0] == '~';
    const json_t *v = json_object_get(rule, name + human);
    out[0] = '\0';
    if (json_is_integer(v) && human)
        say_days((long)json_integer_value(v), out, size);
    else if (json_is_integer(v))
        snprintf(out, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        snprintf(out, size, "%s", json_string_value(v));
}

/* The phrase for `rule`, or NULL when its type promises a student nothing. */
static const struct phrase *phrase_of(const json_t *rule)
{
    const char *type = json_string_value(json_object_get(rule, "type"));
    for (size_t i = 0; type && i < N_PHRASES; i++) {
        if (strcmp(PHRASES[i].type, type) != 0)
            continue;
        const char *v = PHRASES[i].when_key ? json_string_value(json_object_get(rule, PHRASES[i].when_key)) : NULL;
        if (!PHRASES[i].when_key || (v && strcmp(v, PHRASES[i].when_value) == 0))
            return &PHRASES[i];
    }
    return NULL;
}

/* Appends {"topic", "statement", "source"} to items. */
static void add_item(json_t *items, const char *topic, const char *statement, const char *source)
{
    json_array_append_new(items,
                          json_pack("{s:s?, s:s, s:s?}", "topic", topic, "statement", statement, "source", source));
}

json_t *expectations_statements(const json_t *policy, const char *office_hours)
{
    json_t *items = json_array(), *rule;
    size_t i;
    json_array_foreach(json_object_get(policy, "rules"), i, rule)
    {
        const struct phrase *ph = phrase_of(rule);
        char a[64] = "", b[64] = "", text[512];
        if (!ph)
            continue;
        if (ph->p1)
            say_param(rule, ph->p1, a, sizeof(a));
        if (ph->p2)
            say_param(rule, ph->p2, b, sizeof(b));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(text, sizeof(text), ph->fmt, a, b);
#pragma GCC diagnostic pop
        add_item(items, json_string_value(json_object_get(rule, "id")), text,
                 json_string_value(json_object_get(rule, "source")));
    }
    for (i = 0; i < N_ALWAYS; i++) {
        const char *statement = ALWAYS[i].statement;
        if (!statement)
            statement = office_hours ? office_hours
                                     : "Your school has not yet published its office-hours arrangement: ask your "
                                       "personal tutor or the senior tutor when they are available.";
        add_item(items, ALWAYS[i].topic, statement, ALWAYS[i].source);
    }
    return items;
}

void expectations_html(const json_t *doc, struct strbuf *sb)
{
    const json_t *policy = json_object_get(doc, "policy"), *item;
    char title[256], intro[512];
    snprintf(title, sizeof(title), "What you can expect from personal tutoring: %s",
             json_string_value(json_object_get(doc, "school_name")));
    snprintf(intro, sizeof(intro), "These promises come from the school's approved policy \"%s\", in force from %s.",
             json_string_value(json_object_get(policy, "name")),
             json_string_value(json_object_get(policy, "effective_from")));
    html_out_begin(sb, title);
    html_out_element(sb, "p", intro);
    strbuf_puts(sb, "<ul>\n");
    size_t i;
    json_array_foreach(json_object_get(doc, "items"), i, item)
    {
        strbuf_puts(sb, "<li>");
        html_out_element(sb, "p", json_string_value(json_object_get(item, "statement")));
        strbuf_puts(sb, "<p class=\"source\">Where this comes from: ");
        html_out_text(sb, json_string_value(json_object_get(item, "source")));
        strbuf_puts(sb, "</p></li>\n");
    }
    strbuf_puts(sb, "</ul>\n");
    html_out_end(sb);
}
