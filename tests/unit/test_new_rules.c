/* test_new_rules.c — the second-round rule types: welcome_week_contact, meeting_summary_within,
 * feedback_invited, personal_tutor_named, the tutor rules (training kinds and roles, quiz roles,
 * feedback, permanence), senior_tutors and the senior tutor hours scale. Table-driven where a
 * rule has many boundaries. The test world (helpers.h): registered 2026-09-21, personal tutor
 * T1 from 2026-09-22, T1 absent 2026-11-02..20 with cover T2; Autumn term from 2026-09-28. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* A contact with kind, time, attendance, staff and direction. */
static pe_contact K(int64_t id, pe_contact_kind kind, const char *at, pe_attendance att,
                    const char *staff, pe_direction dir) {
  pe_contact c = C(id, kind, at);
  c.attendance = att;
  c.direction = dir;
  strcpy(c.staff, staff);
  return c;
}

/* ---- welcome_week_contact ---- */

#define WELCOME(extra)                                                                             \
  "{\"id\": \"w\", \"type\": \"welcome_week_contact\", \"source\": \"s\"" extra "}"

typedef struct {
  const char *why;
  const char *extra;        /* extra rule parameters, e.g. ", \"audience\": \"new\"" */
  const char *course_start; /* 2026-09-21: new in 2026/27; 2025-09-22: returning */
  const char *registered;
  const char *away_from; /* year abroad from this date, or NULL */
  pe_contact_kind kind;
  const char *at; /* NULL: no contact */
  pe_attendance att;
  const char *staff;
  pe_direction dir;
  const char *as_of;
  pe_status status;
} welcome_case;

#define NEW "2026-09-21", "2026-09-21"
#define RET "2025-09-22", "2026-09-21"
#define TO PE_DIR_TO_STUDENT
#define FROM PE_DIR_FROM_STUDENT
#define ATT PE_ATT_ATTENDED

/* The 2026/27 window is 2026-09-28 (Autumn's first day) .. 2026-10-11 (14 days), in BST. */
static const welcome_case WELCOME_CASES[] = {
    {"new: email on the last day, 23:30 BST", "", NEW, NULL, PE_C_EMAIL,
     "2026-10-11T23:30:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"new: email at 00:30 BST the day after the window", "", NEW, NULL, PE_C_EMAIL,
     "2026-10-11T23:30:00Z", ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"new: email at 00:30 BST on the first day", "", NEW, NULL, PE_C_EMAIL, "2026-09-27T23:30:00Z",
     ATT, "T1", TO, "2026-10-20", PE_MET},
    {"new: email at 23:59 BST the day before the window", "", NEW, NULL, PE_C_EMAIL,
     "2026-09-27T22:59:00Z", ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"new: a meeting scheduled in the window is an invitation", "", NEW, NULL, PE_C_MEETING,
     "2026-10-05T10:00:00+01:00", PE_ATT_SCHEDULED, "T1", TO, "2026-10-06", PE_MET},
    {"new: a missed meeting was still an invitation", "", NEW, NULL, PE_C_MEETING,
     "2026-10-05T10:00:00+01:00", PE_ATT_MISSED, "T1", TO, "2026-10-20", PE_MET},
    {"new: a cancelled meeting is no invitation", "", NEW, NULL, PE_C_GROUP_MEETING,
     "2026-10-05T10:00:00+01:00", PE_ATT_CANCELLED, "T1", TO, "2026-10-20", PE_BREACHED},
    {"new: a message from the student is no invitation", "", NEW, NULL, PE_C_MESSAGE,
     "2026-10-05T10:00:00+01:00", ATT, "", FROM, "2026-10-20", PE_BREACHED},
    {"new: an email by another member of staff", "", NEW, NULL, PE_C_EMAIL,
     "2026-10-05T10:00:00+01:00", ATT, "T3", TO, "2026-10-20", PE_BREACHED},
    {"new: by any_staff, another member of staff counts", ", \"by\": \"any_staff\"", NEW, NULL,
     PE_C_EMAIL, "2026-10-05T10:00:00+01:00", ATT, "T3", TO, "2026-10-20", PE_MET},
    {"new: nothing yet, 12 days before the due date", "", NEW, NULL, PE_C_EMAIL, NULL, ATT, "T1",
     TO, "2026-09-29", PE_PENDING},
    {"new: nothing yet, 8 days before the due date", "", NEW, NULL, PE_C_EMAIL, NULL, ATT, "T1", TO,
     "2026-10-03", PE_PENDING},
    {"new: nothing yet, 7 days before the due date", "", NEW, NULL, PE_C_EMAIL, NULL, ATT, "T1", TO,
     "2026-10-04", PE_DUE_SOON},
    {"new: nothing on the due date", "", NEW, NULL, PE_C_EMAIL, NULL, ATT, "T1", TO, "2026-10-11",
     PE_DUE_SOON},
    {"new: nothing the day after", "", NEW, NULL, PE_C_EMAIL, NULL, ATT, "T1", TO, "2026-10-12",
     PE_BREACHED},
    {"new: an email on a Saturday in the window (calendar days)", "", NEW, NULL, PE_C_EMAIL,
     "2026-10-03T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"away from the window's first day, as of the day before: not yet known", "", RET, "2026-09-28",
     PE_C_EMAIL, NULL, ATT, "T1", TO, "2026-09-27", PE_PENDING},
    {"away from the window's first day, as of later", "", RET, "2026-09-28", PE_C_EMAIL, NULL, ATT,
     "T1", TO, "2026-10-20", PE_NOT_APPLICABLE},
    {"returning: an email took place", "", RET, NULL, PE_C_EMAIL, "2026-10-01T10:00:00+01:00", ATT,
     "T1", TO, "2026-10-20", PE_MET},
    {"returning: a missed meeting is no contact", "", RET, NULL, PE_C_MEETING,
     "2026-10-01T10:00:00+01:00", PE_ATT_MISSED, "T1", TO, "2026-10-20", PE_BREACHED},
    {"returning: a missed phone call is no contact", "", RET, NULL, PE_C_PHONE,
     "2026-10-01T10:00:00+01:00", PE_ATT_MISSED, "T1", TO, "2026-10-20", PE_BREACHED},
    {"returning: a teaching event is no contact", "", RET, NULL, PE_C_TEACHING_EVENT,
     "2026-10-01T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"returning: an attended meeting recorded from the student", "", RET, NULL, PE_C_MEETING,
     "2026-10-01T10:00:00+01:00", ATT, "T1", FROM, "2026-10-20", PE_MET},
    {"audience new: a returning student", ", \"audience\": \"new\"", RET, NULL, PE_C_EMAIL, NULL,
     ATT, "T1", TO, "2026-10-20", PE_NOT_APPLICABLE},
    {"audience returning: a new student", ", \"audience\": \"returning\"", NEW, NULL, PE_C_EMAIL,
     NULL, ATT, "T1", TO, "2026-10-20", PE_NOT_APPLICABLE},
    {"audience returning: a returning student", ", \"audience\": \"returning\"", RET, NULL,
     PE_C_EMAIL, "2026-10-01T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"registered the day after the window", "", "2026-10-12", "2026-10-12", NULL, PE_C_EMAIL, NULL,
     ATT, "T1", TO, "2026-10-20", PE_NOT_APPLICABLE},
    {"registered on the window's last day and invited then", "", "2026-10-11", "2026-10-11", NULL,
     PE_C_EMAIL, "2026-10-11T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"registered on the window's last day, not invited", "", "2026-10-11", "2026-10-11", NULL,
     PE_C_EMAIL, NULL, ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"away (year abroad) at the window's start", "", RET, "2026-09-01", PE_C_EMAIL, NULL, ATT, "T1",
     TO, "2026-10-20", PE_NOT_APPLICABLE},
    {"away from the window's second day: judged", "", RET, "2026-09-29", PE_C_EMAIL,
     "2026-09-28T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"away from the day after the window start, no contact", "", RET, "2026-09-29", PE_C_EMAIL,
     NULL, ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"days 7: an email on day 8 is too late", ", \"days\": 7", NEW, NULL, PE_C_EMAIL,
     "2026-10-05T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_BREACHED},
    {"days 7: an email on day 7", ", \"days\": 7", NEW, NULL, PE_C_EMAIL,
     "2026-10-04T10:00:00+01:00", ATT, "T1", TO, "2026-10-20", PE_MET},
    {"second year: returning, window 2027-09-27..2027-10-10", "", NEW, NULL, PE_C_EMAIL,
     "2027-10-10T20:00:00+01:00", ATT, "T1", TO, "2027-10-20", PE_MET},
    {"second year: returning, a meeting missed in the window", "", NEW, NULL, PE_C_MEETING,
     "2027-10-01T10:00:00+01:00", PE_ATT_MISSED, "T1", TO, "2027-10-20", PE_BREACHED},
};

/* One Welcome Week case: the rule judged for a student with at most one contact. */
START_TEST(welcome_table) {
  const welcome_case *c = &WELCOME_CASES[_i];
  world w;
  char rule[256];
  snprintf(rule, sizeof rule, WELCOME("%s"), c->extra);
  world_init(&w, rule);
  w.student.course_start = D(c->course_start);
  w.student.registered_on = D(c->registered);
  if (c->away_from) world_status(&w, PE_ST_YEAR_ABROAD, c->away_from);
  if (c->at) world_add(&w, K(1, c->kind, c->at, c->att, c->staff, c->dir));
  const pe_finding *f = world_eval(&w, c->as_of, "w");
  ck_assert_msg(f->status == c->status, "%s: got %s (%s)", c->why, pe_status_name(f->status),
                f->detail);
  if (c->status == PE_MET) {
    ck_assert_uint_eq(f->ev_n, 1);
    ck_assert_int_eq(world_evidence(&w, f, 0), 1);
  }
  world_free(&w);
}
END_TEST

/* A calendar whose year begins with a listed, non-teaching Welcome Week (Mon 2026-09-21 ..
 * Sun 2026-09-27): the window is the first 14 days of that term, 2026-09-21 .. 2026-10-04. */
static const char *const WELCOME_WEEK_CALENDAR =
    "{\"time_zone\": \"Europe/London\", \"years\": ["
    " {\"label\": \"2026/27\", \"start\": \"2026-09-01\", \"end\": \"2027-08-31\", \"terms\": ["
    "  {\"name\": \"Welcome Week\", \"start\": \"2026-09-21\", \"end\": \"2026-09-27\","
    "   \"teaching\": false},"
    "  {\"name\": \"Autumn\", \"start\": \"2026-09-28\", \"end\": \"2026-12-11\"}]}],"
    " \"closures\": []}";

/* A listed non-teaching Welcome Week is the first term: the window starts with it. */
START_TEST(welcome_listed_welcome_week) {
  world w;
  world_init(&w, WELCOME(""));
  pe_calendar_free(w.cal);
  w.cal = calendar_from_json(WELCOME_WEEK_CALENDAR);
  w.in.cal = w.cal;
  w.student.course_start = D("2025-09-22"); /* returning */
  w.student.registered_on = D("2026-09-21");
  const pe_finding *f = world_eval(&w, "2026-10-04", "w");
  ck_assert_int_eq(f->window_start, D("2026-09-21"));
  ck_assert_int_eq(f->due, D("2026-10-04"));
  ck_assert_int_eq(f->status, PE_DUE_SOON);
  ck_assert_int_eq(world_eval(&w, "2026-10-05", "w")->status, PE_BREACHED);
  world_add(&w, K(1, PE_C_EMAIL, "2026-09-22T09:00:00+01:00", ATT, "T1", TO)); /* Welcome Week */
  ck_assert_int_eq(world_eval(&w, "2026-10-05", "w")->status, PE_MET);
  w.contacts[0].at = T("2026-10-05T09:00:00+01:00"); /* day 15 */
  ck_assert_int_eq(world_eval(&w, "2026-10-06", "w")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

/* An exemption over the due date suspends the window (applied centrally by the engine). */
START_TEST(welcome_exempt_due_date) {
  world w;
  world_init(&w, WELCOME(""));
  pe_exemption ex = {.id = 42, .from = D("2026-10-05"), .to = D("2026-10-11"), .reason = "illness"};
  w.student.course_start = D("2026-09-21");
  w.student.exemptions = &ex;
  w.student.n_exemptions = 1;
  const pe_finding *f = world_eval(&w, "2026-10-20", "w");
  ck_assert_int_eq(f->status, PE_NOT_APPLICABLE);
  ck_assert_int_eq(f->exemption, 42);
  ex.to = D("2026-10-10"); /* ends the day before the due date */
  f = world_eval(&w, "2026-10-20", "w");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->exemption, 0);
  world_free(&w);
}
END_TEST

/* ---- meeting_summary_within ---- */

typedef struct {
  const char *why;
  int working_days;
  pe_contact_kind kind;
  const char *at;
  pe_attendance att;
  const char *staff;
  const char *summary_at; /* NULL: none */
  const char *as_of;
  pe_status status;
  const char *due; /* NULL: none expected */
} summary_case;

static const summary_case SUMMARY_CASES[] = {
    {"Friday meeting, 2 working days: summary Tuesday 23:59", 2, PE_C_MEETING,
     "2026-10-09T14:00:00+01:00", ATT, "T1", "2026-10-13T23:59:00+01:00", "2026-10-20", PE_MET,
     NULL},
    {"Friday meeting: summary Wednesday 00:00 is late", 2, PE_C_MEETING,
     "2026-10-09T14:00:00+01:00", ATT, "T1", "2026-10-14T00:00:00+01:00", "2026-10-20", PE_BREACHED,
     "2026-10-13"},
    {"no summary on the due day", 2, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT, "T1", NULL,
     "2026-10-13", PE_DUE_SOON, "2026-10-13"},
    {"no summary the day after", 2, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT, "T1", NULL,
     "2026-10-14", PE_BREACHED, "2026-10-13"},
    {"0 working days: summary the same evening", 0, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT,
     "T1", "2026-10-09T22:00:00+01:00", "2026-10-20", PE_MET, NULL},
    {"0 working days: summary after midnight is late", 0, PE_C_MEETING, "2026-10-09T14:00:00+01:00",
     ATT, "T1", "2026-10-10T00:30:00+01:00", "2026-10-20", PE_BREACHED, "2026-10-09"},
    {"closure Friday: Thursday meeting due Monday", 1, PE_C_MEETING, "2026-11-19T10:00:00Z", ATT,
     "T1", NULL, "2026-11-23", PE_DUE_SOON, "2026-11-23"},
    {"closure Friday: summary on Monday", 1, PE_C_MEETING, "2026-11-19T10:00:00Z", ATT, "T1",
     "2026-11-23T18:00:00Z", "2026-11-30", PE_MET, NULL},
    {"cover tutor's meeting during the absence", 1, PE_C_MEETING, "2026-11-05T10:00:00Z", ATT, "T2",
     NULL, "2026-11-30", PE_BREACHED, "2026-11-06"},
    {"Christmas: Wednesday meeting, 2 working days is Tuesday 29th", 2, PE_C_MEETING,
     "2026-12-23T10:00:00Z", ATT, "T1", NULL, "2026-12-29", PE_DUE_SOON, "2026-12-29"},
    {"Christmas: breached on the 30th", 2, PE_C_MEETING, "2026-12-23T10:00:00Z", ATT, "T1", NULL,
     "2026-12-30", PE_BREACHED, "2026-12-29"},
    {"October change: 23:30 UTC Thursday is Friday in BST, due Monday", 1, PE_C_MEETING,
     "2026-10-22T23:30:00Z", ATT, "T1", "2026-10-26T23:59:00Z", "2026-11-02", PE_MET, NULL},
    {"October change: Tuesday 00:00:30 GMT is late", 1, PE_C_MEETING, "2026-10-22T23:30:00Z", ATT,
     "T1", "2026-10-27T00:00:30Z", "2026-11-02", PE_BREACHED, "2026-10-26"},
    {"leap year: Monday 28 February 2028, due 29 February", 1, PE_C_MEETING, "2028-02-28T10:00:00Z",
     ATT, "T1", "2028-02-29T16:00:00Z", "2028-03-06", PE_MET, NULL},
    {"leap year: summary on 1 March is late", 1, PE_C_MEETING, "2028-02-28T10:00:00Z", ATT, "T1",
     "2028-03-01T09:00:00Z", "2028-03-06", PE_BREACHED, "2028-02-29"},
    {"year edge: Monday 30 August, due Wednesday 1 September", 2, PE_C_MEETING,
     "2027-08-30T10:00:00+01:00", ATT, "T1", NULL, "2027-08-31", PE_DUE_SOON, "2027-09-01"},
    {"year edge: judged with the new year, breached on 2 September", 2, PE_C_MEETING,
     "2027-08-30T10:00:00+01:00", ATT, "T1", NULL, "2027-09-02", PE_BREACHED, "2027-09-01"},
    {"year edge: summarised on 1 September", 2, PE_C_MEETING, "2027-08-30T10:00:00+01:00", ATT,
     "T1", "2027-09-01T17:00:00+01:00", "2027-09-02", PE_MET, NULL},
    {"a meeting due in the previous year is not judged again", 1, PE_C_MEETING,
     "2027-08-26T10:00:00+01:00", ATT, "T1", NULL, "2027-09-02", PE_MET, NULL},
    {"group meeting without a summary", 1, PE_C_GROUP_MEETING, "2026-10-09T14:00:00+01:00", ATT,
     "T1", NULL, "2026-10-20", PE_BREACHED, "2026-10-12"},
    {"missed meeting: nothing to summarise", 1, PE_C_MEETING, "2026-10-09T14:00:00+01:00",
     PE_ATT_MISSED, "T1", NULL, "2026-10-20", PE_MET, NULL},
    {"scheduled, not held: nothing to summarise", 1, PE_C_MEETING, "2026-10-09T14:00:00+01:00",
     PE_ATT_SCHEDULED, "T1", NULL, "2026-10-20", PE_MET, NULL},
    {"another member of staff's meeting", 1, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT, "T3",
     NULL, "2026-10-20", PE_MET, NULL},
    {"an email is not a meeting", 1, PE_C_EMAIL, "2026-10-09T14:00:00+01:00", ATT, "T1", NULL,
     "2026-10-20", PE_MET, NULL},
    {"summary written after as_of is not seen", 2, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT,
     "T1", "2026-10-13T15:00:00+01:00", "2026-10-13T12:00:00+01:00", PE_DUE_SOON, "2026-10-13"},
    {"summary written before as_of is seen", 2, PE_C_MEETING, "2026-10-09T14:00:00+01:00", ATT,
     "T1", "2026-10-13T15:00:00+01:00", "2026-10-13T16:00:00+01:00", PE_MET, NULL},
};

/* One summary case: a single meeting, its summary (or none) and the finding as of a date. */
START_TEST(summary_table) {
  const summary_case *c = &SUMMARY_CASES[_i];
  char rule[256];
  world w;
  snprintf(rule, sizeof rule,
           "{\"id\": \"m\", \"type\": \"meeting_summary_within\", \"working_days\": %d,"
           " \"source\": \"s\"}",
           c->working_days);
  world_init(&w, rule);
  pe_contact m = K(7, c->kind, c->at, c->att, c->staff, TO);
  if (c->summary_at) m.summary_at = T(c->summary_at);
  world_add(&w, m);
  const pe_finding *f = world_eval(&w, c->as_of, "m");
  ck_assert_msg(f->status == c->status, "%s: got %s (%s)", c->why, pe_status_name(f->status),
                f->detail);
  ck_assert_int_eq(f->due, c->due ? D(c->due) : PE_NO_DATE);
  bool judged = c->summary_at || c->status != PE_MET;
  ck_assert_uint_eq(f->ev_n, judged ? 1 : 0);
  if (judged) ck_assert_int_eq(world_evidence(&w, f, 0), 7);
  world_free(&w);
}
END_TEST

#define SUMMARY2                                                                                   \
  "{\"id\": \"m\", \"type\": \"meeting_summary_within\", \"working_days\": 2, \"source\": \"s\"}"

/* Several meetings: met names every summarised meeting; the first late one breaks it; an open
 * one keeps it pending; a meeting whose deadline is exempt is not judged. */
START_TEST(summary_several_meetings) {
  world w;
  world_init(&w, SUMMARY2);
  pe_contact a = C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00"); /* Mon: due Wed 10-07 */
  pe_contact b = C(2, PE_C_MEETING, "2026-10-12T10:00:00+01:00"); /* Mon: due Wed 10-14 */
  a.summary_at = T("2026-10-06T10:00:00+01:00");
  b.summary_at = T("2026-10-14T10:00:00+01:00");
  world_add(&w, a);
  world_add(&w, b);
  const pe_finding *f = world_eval(&w, "2026-10-20", "m");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_uint_eq(f->ev_n, 2);
  ck_assert_int_eq(world_evidence(&w, f, 1), 2);
  ck_assert_str_eq(w.findings.staff[f->ev_off + 1], "T1");
  w.contacts[1].summary_at = 0;
  f = world_eval(&w, "2026-10-13", "m"); /* the second is within its deadline */
  ck_assert_int_eq(f->status, PE_DUE_SOON);
  ck_assert_int_eq(f->due, D("2026-10-14"));
  ck_assert_int_eq(world_evidence(&w, f, 0), 2);
  f = world_eval(&w, "2026-10-15", "m");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_uint_eq(f->ev_n, 1);
  ck_assert_int_eq(world_evidence(&w, f, 0), 2);
  pe_exemption ex = {.id = 5, .from = D("2026-10-14"), .to = D("2026-10-14"), .reason = "leave"};
  w.student.exemptions = &ex;
  w.student.n_exemptions = 1;
  ck_assert_int_eq(world_eval(&w, "2026-10-15", "m")->status, PE_MET);
  ex.from = ex.to = D("2026-10-15"); /* the day after the deadline: still judged */
  ck_assert_int_eq(world_eval(&w, "2026-10-15", "m")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

/* A meeting whose deadline falls after withdrawal is not judged; one before it is. */
START_TEST(summary_withdrawal) {
  world w;
  world_init(&w, SUMMARY2);
  world_add(&w, C(1, PE_C_MEETING, "2026-10-09T10:00:00+01:00")); /* due Tue 10-13 */
  world_status(&w, PE_ST_WITHDRAWN, "2026-10-13");                /* active to 10-12 */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "m")->status, PE_MET);
  w.statuses[0].from = D("2026-10-14"); /* active through the deadline */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "m")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

/* ---- feedback_invited ---- */

#define FEEDBACK "{\"id\": \"fb\", \"type\": \"feedback_invited\", \"source\": \"s\"}"

/* The student invitation: due at the year's end, counted only within the year and up to as_of. */
START_TEST(feedback_invited_year) {
  world w;
  pe_date invited[2] = {D("2026-10-01"), D("2027-03-01")};
  world_init(&w, FEEDBACK);
  w.student.feedback_invited = &invited[1];
  w.student.n_feedback_invited = 1;
  const pe_finding *f = world_eval(&w, "2027-02-28", "fb"); /* invitation not yet sent */
  ck_assert_int_eq(f->status, PE_PENDING);
  ck_assert_int_eq(f->due, D("2027-08-31"));
  ck_assert_int_eq(world_eval(&w, "2027-03-01", "fb")->status, PE_MET);
  w.student.n_feedback_invited = 0;
  ck_assert_int_eq(world_eval(&w, "2027-08-23", "fb")->status, PE_PENDING);
  ck_assert_int_eq(world_eval(&w, "2027-08-24", "fb")->status, PE_DUE_SOON);
  ck_assert_int_eq(world_eval(&w, "2027-08-31", "fb")->status, PE_DUE_SOON);
  /* 2027/28: last year's invitation does not count; its due date is the year's end. */
  w.student.feedback_invited = invited;
  w.student.n_feedback_invited = 2;
  f = world_eval(&w, "2027-10-01", "fb");
  ck_assert_int_eq(f->status, PE_PENDING);
  ck_assert_int_eq(f->due, D("2028-08-31"));
  /* after the calendar's last year the year 2027/28 is still judged: breached */
  ck_assert_int_eq(world_eval(&w, "2028-09-01", "fb")->status, PE_BREACHED);
  pe_date leap = D("2028-02-29");
  w.student.feedback_invited = &leap;
  w.student.n_feedback_invited = 1;
  ck_assert_int_eq(world_eval(&w, "2028-09-01", "fb")->status, PE_MET);
  world_free(&w);
}
END_TEST

/* A leaver never invited is not_applicable; an away student is still judged. */
START_TEST(feedback_invited_leavers_and_away) {
  world w;
  pe_date invited = D("2027-03-01");
  world_init(&w, FEEDBACK);
  world_status(&w, PE_ST_WITHDRAWN, "2027-05-01");
  ck_assert_int_eq(world_eval(&w, "2027-06-01", "fb")->status, PE_NOT_APPLICABLE);
  w.student.feedback_invited = &invited;
  w.student.n_feedback_invited = 1;
  ck_assert_int_eq(world_eval(&w, "2027-06-01", "fb")->status, PE_MET);
  w.statuses[0].status = PE_ST_YEAR_ABROAD; /* away students are still tutees */
  w.student.n_feedback_invited = 0;
  ck_assert_int_eq(world_eval(&w, "2027-08-25", "fb")->status, PE_DUE_SOON);
  world_free(&w);
}
END_TEST

/* ---- personal_tutor_named ---- */

#define NAMED(extra)                                                                               \
  "{\"id\": \"n\", \"type\": \"personal_tutor_named\", \"source\": \"s\"" extra "}"

/* Asserts f is breached with the gap [start, end]. */
static void expect_gap(const pe_finding *f, const char *start, const char *end) {
  ck_assert_msg(f->status == PE_BREACHED, "got %s (%s)", pe_status_name(f->status), f->detail);
  ck_assert_int_eq(f->gap_start, D(start));
  ck_assert_int_eq(f->gap_end, D(end));
}

/* The first judged day is registration + days; each academic year is judged from its start. */
START_TEST(named_from_registration) {
  world w;
  world_init(&w, NAMED(""));
  /* registered 2026-09-21, tutor from 2026-09-22: the registration day is uncovered */
  expect_gap(world_eval(&w, "2026-09-21", "n"), "2026-09-21", "2026-09-21");
  expect_gap(world_eval(&w, "2026-10-01", "n"), "2026-09-21", "2026-09-21");
  world_free(&w);
  world_init(&w, NAMED(", \"days\": 1"));
  ck_assert_int_eq(world_eval(&w, "2026-10-01", "n")->status, PE_MET);
  /* the next academic year starts afresh on 1 September */
  w.allocs[0].starts_on = D("2026-09-25");
  expect_gap(world_eval(&w, "2027-08-31", "n"), "2026-09-22", "2026-09-24");
  ck_assert_int_eq(world_eval(&w, "2027-09-01", "n")->status, PE_MET);
  world_free(&w);
}
END_TEST

/* Within the grace the finding is pending/due_soon (met once a tutor is named). */
START_TEST(named_grace) {
  world w;
  world_init(&w, NAMED(", \"days\": 14")); /* a tutor must be named by 2026-10-05 */
  w.in.n_allocations = 0;
  w.n_contacts = 0;
  const pe_finding *f = world_eval(&w, "2026-09-27", "n");
  ck_assert_int_eq(f->status, PE_PENDING);
  ck_assert_int_eq(f->due, D("2026-10-05"));
  ck_assert_int_eq(world_eval(&w, "2026-09-28", "n")->status, PE_DUE_SOON);
  ck_assert_int_eq(world_eval(&w, "2026-10-04", "n")->status, PE_DUE_SOON);
  expect_gap(world_eval(&w, "2026-10-05", "n"), "2026-10-05", "2026-10-05");
  expect_gap(world_eval(&w, "2026-10-09", "n"), "2026-10-05", "2026-10-09");
  w.in.n_allocations = 1; /* T1 from 2026-09-22 */
  f = world_eval(&w, "2026-09-27", "n");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_str_eq(f->detail, "a personal tutor is named; one must be by 2026-10-05");
  ck_assert_int_eq(world_eval(&w, "2026-10-09", "n")->status, PE_MET);
  w.in.n_allocations = 0;
  world_status(&w, PE_ST_WITHDRAWN, "2026-09-25"); /* left within the grace */
  ck_assert_int_eq(world_eval(&w, "2026-10-09", "n")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

/* A gap between personal tutors breaks it; exemptions drop days; cover allocations do not count. */
START_TEST(named_gap_between_tutors) {
  world w;
  world_init(&w, NAMED(", \"days\": 1"));
  w.allocs[0].ends_on = D("2027-01-31");
  w.allocs[2] = (pe_allocation){"T5", PE_ALLOC_PERSONAL, D("2027-02-03"), PE_NO_DATE};
  w.in.n_allocations = 3; /* the cover allocation T4 (January) does not name a tutor */
  ck_assert_int_eq(world_eval(&w, "2027-01-31", "n")->status, PE_MET);
  expect_gap(world_eval(&w, "2027-02-01", "n"), "2027-02-01", "2027-02-01");
  expect_gap(world_eval(&w, "2027-03-01", "n"), "2027-02-01", "2027-02-02");
  pe_exemption ex = {.id = 3, .from = D("2027-02-01"), .to = D("2027-02-02"), .reason = "x"};
  w.student.exemptions = &ex;
  w.student.n_exemptions = 1;
  ck_assert_int_eq(world_eval(&w, "2027-03-01", "n")->status, PE_MET);
  ex.to = D("2027-02-01");
  expect_gap(world_eval(&w, "2027-03-01", "n"), "2027-02-02", "2027-02-02");
  w.student.n_exemptions = 0;
  w.allocs[2] = (pe_allocation){"T5", PE_ALLOC_PERSONAL, D("2027-02-01"), D("2028-02-28")};
  w.allocs[3] = (pe_allocation){"T6", PE_ALLOC_PERSONAL, D("2028-03-01"), PE_NO_DATE};
  w.in.n_allocations = 4; /* leap day uncovered */
  ck_assert_int_eq(world_eval(&w, "2028-02-28", "n")->status, PE_MET);
  expect_gap(world_eval(&w, "2028-03-01", "n"), "2028-02-29", "2028-02-29");
  /* 2027/28 begins on the last day of a tutor's allocation: that day is covered */
  w.allocs[2].ends_on = D("2027-09-01");
  w.allocs[3].starts_on = D("2027-09-03");
  expect_gap(world_eval(&w, "2027-10-01", "n"), "2027-09-02", "2027-09-02");
  w.in.n_allocations = 3;
  w.allocs[2].ends_on = PE_NO_DATE;
  w.allocs[2].starts_on = D("2027-01-15"); /* overlapping: continuous */
  ck_assert_int_eq(world_eval(&w, "2027-03-01", "n")->status, PE_MET);
  world_free(&w);
}
END_TEST

/* Away students still need a named tutor; a withdrawal ends the judged days. */
START_TEST(named_status_changes) {
  world w;
  world_init(&w, NAMED(", \"days\": 1"));
  w.allocs[0].ends_on = D("2027-01-31");
  world_status(&w, PE_ST_YEAR_ABROAD, "2027-01-01"); /* away: still on the course */
  expect_gap(world_eval(&w, "2027-03-01", "n"), "2027-02-01", "2027-03-01");
  world_status(&w, PE_ST_WITHDRAWN, "2027-02-01"); /* gone the day the tutor ended */
  ck_assert_int_eq(world_eval(&w, "2027-03-01", "n")->status, PE_MET);
  w.statuses[1].from = D("2027-02-02");
  expect_gap(world_eval(&w, "2027-03-01", "n"), "2027-02-01", "2027-02-01");
  world_free(&w);
}
END_TEST

/* ---- the four together, as JSON ---- */

/* A policy with every new student rule: one finding each, and their JSON names the gap of a
 * missing tutor and the staff member behind each piece of evidence. */
START_TEST(new_student_rules_json) {
  world w;
  world_init(
      &w, WELCOME("") ","
                      " {\"id\": \"m\", \"type\": \"meeting_summary_within\", \"working_days\": 2,"
                      "  \"source\": \"Westminster 3.1\"},"
                      " {\"id\": \"fb\", \"type\": \"feedback_invited\", \"source\": \"s\"}," NAMED(
                          ""));
  pe_contact m = C(9, PE_C_MEETING, "2026-10-01T10:00:00+01:00");
  m.summary_at = T("2026-10-02T10:00:00+01:00");
  world_add(&w, m);
  world_eval(&w, "2027-03-01", "n");
  ck_assert_uint_eq(w.findings.n, 4);
  json_t *j = pe_findings_to_json(&w.findings);
  char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
  ck_assert_ptr_nonnull(strstr(text, "\"evidence\":[{\"gap\":{\"end\":\"2026-09-21\","
                                     "\"start\":\"2026-09-21\"}}]"));
  ck_assert_ptr_nonnull(strstr(text, "\"evidence\":[9],\"evidence_staff\":[\"T1\"]"));
  ck_assert_ptr_nonnull(strstr(text, "\"source\":\"Westminster 3.1\",\"status\":\"met\""));
  ck_assert_ptr_nonnull(strstr(text, "\"type\":\"feedback_invited\""));
  free(text);
  json_decref(j);
  world_free(&w);
}
END_TEST

/* ---- tutor rules ---- */

#define MHFA                                                                                       \
  "{\"id\": \"mh\", \"type\": \"tutor_training_within\", \"kind\": \"mental_health_first_aid\","   \
  " \"roles\": [\"senior_tutor\"], \"source\": \"s\"}"
#define TRAINING3                                                                                  \
  "{\"id\": \"tr\", \"type\": \"tutor_training_within\", \"years\": 3, \"source\": \"s\"}"

/* Essex: senior tutors complete MHFA once (no years); no record is due a year after starting. */
START_TEST(tutor_mhfa_once) {
  pe_training recs[2] = {{PE_TR_TRAINING, D("2024-06-01"), -1},
                         {PE_TR_MENTAL_HEALTH_FIRST_AID, D("2025-06-01"), -1}};
  pe_tutor t = {.staff = "S1",
                .started_on = D("2024-02-29"),
                .training = recs,
                .n_training = 1,
                .roles = PE_ROLE_SENIOR_TUTOR};
  pe_finding f = eval_tutor(MHFA, &t, "2025-02-27T12:00:00Z");
  ck_assert_int_eq(f.status, PE_DUE_SOON);  /* training of another kind does not count */
  ck_assert_int_eq(f.due, D("2025-02-28")); /* 29 Feb + 1 year */
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-02-28T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-03-01T12:00:00Z").status, PE_BREACHED);
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-01-01T12:00:00Z").status, PE_PENDING);
  t.n_training = 2;
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-05-31T12:00:00Z").status, PE_BREACHED);
  f = eval_tutor(MHFA, &t, "2025-06-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_MET);
  ck_assert_int_eq(f.due, PE_NO_DATE);
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2035-06-01T12:00:00Z").status, PE_MET); /* once, ever */
  t.roles = PE_ROLE_TUTOR;
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-06-01T12:00:00Z").status, PE_NOT_APPLICABLE);
  t.roles = 0; /* roles not recorded: taken as a tutor */
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-06-01T12:00:00Z").status, PE_NOT_APPLICABLE);
  t.roles = PE_ROLE_TUTOR | PE_ROLE_SENIOR_TUTOR;
  ck_assert_int_eq(eval_tutor(MHFA, &t, "2025-06-01T12:00:00Z").status, PE_MET);
}
END_TEST

/* Leicester: within one year of starting the role, then every three years. */
START_TEST(tutor_training_years) {
  pe_training recs[2] = {{PE_TR_ESSENTIAL, D("2026-03-01"), -1},
                         {PE_TR_TRAINING, D("2028-02-29"), -1}};
  pe_tutor t = {.staff = "T1",
                .started_on = D("2026-01-15"),
                .training = recs,
                .n_training = 1,
                .roles = PE_ROLE_TUTOR};
  pe_finding f = eval_tutor(TRAINING3, &t, "2026-12-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_PENDING);
  ck_assert_int_eq(f.due, D("2027-01-15"));
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2027-01-14T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2027-01-15T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2027-01-16T12:00:00Z").status, PE_BREACHED);
  t.n_training = 2; /* trained on 29 February 2028: next due 28 February 2031 */
  f = eval_tutor(TRAINING3, &t, "2028-03-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_MET);
  ck_assert_int_eq(f.due, D("2031-02-28"));
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2031-02-28T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2031-03-01T12:00:00Z").status, PE_BREACHED);
  ck_assert_int_eq(eval_tutor(TRAINING3, &t, "2028-02-28T12:00:00Z").status, PE_BREACHED);
  const char *ess = "{\"id\": \"e\", \"type\": \"tutor_training_within\", \"kind\": \"essential\","
                    " \"years\": 1, \"source\": \"s\"}";
  ck_assert_int_eq(eval_tutor(ess, &t, "2027-03-01T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(ess, &t, "2027-03-02T12:00:00Z").status, PE_BREACHED);
}
END_TEST

/* tutor_quiz_within honours `roles`. */
START_TEST(tutor_quiz_roles) {
  const char *qz = "{\"id\": \"q\", \"type\": \"tutor_quiz_within\", \"years\": 3,"
                   " \"roles\": [\"senior_tutor\"], \"source\": \"s\"}";
  pe_training rec = {PE_TR_QUIZ, D("2026-05-01"), 90};
  pe_tutor t = {.staff = "T1",
                .started_on = D("2020-01-01"),
                .training = &rec,
                .n_training = 1,
                .roles = PE_ROLE_TUTOR};
  ck_assert_int_eq(eval_tutor(qz, &t, "2027-01-01T12:00:00Z").status, PE_NOT_APPLICABLE);
  t.roles |= PE_ROLE_SENIOR_TUTOR;
  pe_finding f = eval_tutor(qz, &t, "2027-01-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_MET);
  ck_assert_int_eq(f.due, D("2029-05-01"));
  ck_assert_ptr_nonnull(strstr(f.detail, "score 90"));
}
END_TEST

#define TUTOR_FEEDBACK "{\"id\": \"tf\", \"type\": \"tutor_feedback_invited\", \"source\": \"s\"}"

/* The tutor invitation: within the academic year containing as_of, due at its end. */
START_TEST(tutor_feedback_year) {
  pe_date invited[2] = {D("2027-03-01"), D("2028-02-29")};
  pe_tutor t = {.staff = "T1",
                .started_on = D("2020-01-01"),
                .roles = PE_ROLE_TUTOR,
                .feedback_invited = invited,
                .n_feedback_invited = 1};
  pe_finding f = eval_tutor(TUTOR_FEEDBACK, &t, "2027-02-28T12:00:00Z");
  ck_assert_int_eq(f.status, PE_PENDING);
  ck_assert_int_eq(f.due, D("2027-08-31"));
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2027-03-01T12:00:00Z").status, PE_MET);
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2027-10-01T12:00:00Z").status, PE_PENDING);
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2028-08-23T12:00:00Z").status, PE_PENDING);
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2028-08-24T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2028-09-01T12:00:00Z").status, PE_BREACHED);
  t.n_feedback_invited = 2; /* invited on 29 February 2028 */
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2028-02-28T12:00:00Z").status, PE_PENDING);
  ck_assert_int_eq(eval_tutor(TUTOR_FEEDBACK, &t, "2028-02-29T12:00:00Z").status, PE_MET);
  const char *senior = "{\"id\": \"tf\", \"type\": \"tutor_feedback_invited\","
                       " \"roles\": [\"senior_tutor\"], \"source\": \"s\"}";
  ck_assert_int_eq(eval_tutor(senior, &t, "2028-02-29T12:00:00Z").status, PE_NOT_APPLICABLE);
}
END_TEST

/* Leicester CoP 14: permanent, or a recorded exception; only for the rule's roles. */
START_TEST(tutor_permanent) {
  const char *perm = "{\"id\": \"p\", \"type\": \"tutor_permanent\", \"source\": \"s\"}";
  const char *both = "{\"id\": \"p\", \"type\": \"tutor_permanent\","
                     " \"roles\": [\"tutor\", \"senior_tutor\"], \"source\": \"s\"}";
  pe_tutor t = {
      .staff = "T1", .started_on = D("2020-01-01"), .roles = PE_ROLE_TUTOR, .permanent = true};
  ck_assert_int_eq(eval_tutor(perm, &t, "2027-01-01T12:00:00Z").status, PE_MET);
  t.permanent = false;
  pe_finding f = eval_tutor(perm, &t, "2027-01-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_BREACHED);
  ck_assert_int_eq(f.due, PE_NO_DATE);
  t.permanent_exception = true;
  f = eval_tutor(perm, &t, "2027-01-01T12:00:00Z");
  ck_assert_int_eq(f.status, PE_MET);
  ck_assert_ptr_nonnull(strstr(f.detail, "exception agreed"));
  t.permanent_exception = false;
  t.roles = PE_ROLE_SENIOR_TUTOR; /* default roles: tutors only */
  ck_assert_int_eq(eval_tutor(perm, &t, "2027-01-01T12:00:00Z").status, PE_NOT_APPLICABLE);
  ck_assert_int_eq(eval_tutor(both, &t, "2027-01-01T12:00:00Z").status, PE_BREACHED);
}
END_TEST

/* ---- school level ---- */

typedef struct {
  const char *params;
  int seniors;
  pe_status status;
  const char *detail;
} seniors_case;

static const seniors_case SENIORS_CASES[] = {
    {"", 0, PE_BREACHED, "0 senior tutors (required: at least 1)"},
    {"", 1, PE_MET, "1 senior tutor (required: at least 1)"},
    {"", 5, PE_MET, "5 senior tutors (required: at least 1)"},
    {", \"min\": 1, \"max\": 1", 0, PE_BREACHED, "0 senior tutors (required: exactly 1)"},
    {", \"min\": 1, \"max\": 1", 1, PE_MET, "1 senior tutor (required: exactly 1)"},
    {", \"min\": 1, \"max\": 1", 2, PE_BREACHED, "2 senior tutors (required: exactly 1)"},
    {", \"min\": 2, \"max\": 3", 1, PE_BREACHED, "1 senior tutor (required: between 2 and 3)"},
    {", \"min\": 2, \"max\": 3", 2, PE_MET, "2 senior tutors (required: between 2 and 3)"},
    {", \"min\": 2, \"max\": 3", 3, PE_MET, "3 senior tutors (required: between 2 and 3)"},
    {", \"min\": 2, \"max\": 3", 4, PE_BREACHED, "4 senior tutors (required: between 2 and 3)"},
    {", \"min\": 0", 0, PE_MET, "0 senior tutors (required: at least 0)"},
};

/* One senior_tutors case: bounds, count, status and detail. */
START_TEST(senior_tutors_table) {
  const seniors_case *c = &SENIORS_CASES[_i];
  char rule[256];
  snprintf(rule, sizeof rule, "{\"id\": \"st\", \"type\": \"senior_tutors\"%s, \"source\": \"s\"}",
           c->params);
  pe_school s = {.senior_tutors = c->seniors, .tutees = 400};
  pe_finding f = eval_school(rule, &s, "2027-01-01T12:00:00Z");
  ck_assert_int_eq(f.status, c->status);
  ck_assert_str_eq(f.detail, c->detail);
  ck_assert_int_eq(f.due, PE_NO_DATE);
  ck_assert_int_eq(f.window_end, D("2027-01-01"));
}
END_TEST

/* pe_evaluate_school judges only school-level rules of the version in force on as_of, and a
 * student evaluation never reports them. */
START_TEST(evaluate_school_versions) {
  pe_policy *v[2] = {
      test_policy(
          "{\"name\": \"a\", \"effective_from\": \"2026-01-01\", \"rules\": ["
          " {\"id\": \"st\", \"type\": \"senior_tutors\", \"source\": \"s\"},"
          " {\"id\": \"m\", \"type\": \"meetings_per_year\", \"min\": 3, \"source\": \"s\"}]}"),
      test_policy("{\"name\": \"b\", \"effective_from\": \"2027-01-01\", \"rules\": ["
                  " {\"id\": \"st\", \"type\": \"senior_tutors\", \"max\": 1, \"source\": \"s\"},"
                  " {\"id\": \"off\", \"type\": \"senior_tutors\", \"enabled\": false,"
                  "  \"source\": \"s\"}]}")};
  pe_calendar *cal = test_calendar();
  pe_school s = {.senior_tutors = 2, .tutees = 900};
  pe_findings fs;
  pe_findings_init(&fs);
  const pe_policy *const *vs = (const pe_policy *const *)v;
  ck_assert_int_eq(pe_evaluate_school(cal, vs, 2, &s, T("2026-12-31T23:59:59Z"), &fs), PE_OK);
  ck_assert_uint_eq(fs.n, 1);
  ck_assert_int_eq(fs.items[0].status, PE_MET); /* at least 1 */
  pe_findings_clear(&fs);
  ck_assert_int_eq(pe_evaluate_school(cal, vs, 2, &s, T("2027-01-01T00:00:00Z"), &fs), PE_OK);
  ck_assert_uint_eq(fs.n, 1);
  ck_assert_int_eq(fs.items[0].status, PE_BREACHED); /* at most 1 */
  ck_assert_int_eq(pe_evaluate_school(NULL, vs, 2, &s, T("2027-01-01T00:00:00Z"), &fs), PE_INVALID);
  ck_assert_int_eq(pe_evaluate_school(cal, vs, 0, &s, T("2027-01-01T00:00:00Z"), &fs), PE_INVALID);
  pe_findings_free(&fs);
  pe_calendar_free(cal);
  pe_policy_free(v[0]);
  pe_policy_free(v[1]);
  world w;
  world_init(&w, "{\"id\": \"st\", \"type\": \"senior_tutors\", \"source\": \"s\"},"
                 " {\"id\": \"fb\", \"type\": \"feedback_invited\", \"source\": \"s\"}");
  world_eval(&w, "2026-10-01", "fb");
  ck_assert_uint_eq(w.findings.n, 1);
  world_free(&w);
}
END_TEST

/* Westminster Appendix 1: "200 hours as a basis for up to 1000 tutees, with an increment of one
 * hour for each 10 additional" tutees, capped (here at 300). */
START_TEST(senior_hours_scale) {
  pe_policy *p = test_policy("{\"name\": \"w\", \"effective_from\": \"2026-01-01\","
                             " \"senior_tutor_hours\": {\"base\": 200, \"up_to\": 1000,"
                             " \"per\": 10, \"max\": 300}, \"rules\": []}");
  const pe_senior_hours *h = &p->senior_tutor_hours;
  static const int TUTEES[] = {0, 999, 1000, 1009, 1010, 1019, 1020, 1999, 2000, 2001, 5000};
  static const int HOURS[] = {200, 200, 200, 200, 201, 201, 202, 299, 300, 300, 300};
  for (size_t i = 0; i < sizeof TUTEES / sizeof TUTEES[0]; i++)
    ck_assert_msg(pe_senior_hours_for(h, TUTEES[i]) == HOURS[i], "%d tutees: %d hours, want %d",
                  TUTEES[i], pe_senior_hours_for(h, TUTEES[i]), HOURS[i]);
  pe_policy_free(p);
  p = test_policy("{\"name\": \"w\", \"effective_from\": \"2026-01-01\", \"rules\": []}");
  ck_assert_int_eq(pe_senior_hours_for(&p->senior_tutor_hours, 1000), -1); /* not set */
  ck_assert_int_eq(pe_senior_hours_for(NULL, 1000), -1);
  pe_policy_free(p);
}
END_TEST

Suite *new_rules_suite(void) {
  Suite *s = suite_create("new_rules");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, welcome_table, 0, sizeof WELCOME_CASES / sizeof WELCOME_CASES[0]);
  tcase_add_test(tc, welcome_listed_welcome_week);
  tcase_add_test(tc, welcome_exempt_due_date);
  tcase_add_loop_test(tc, summary_table, 0, sizeof SUMMARY_CASES / sizeof SUMMARY_CASES[0]);
  tcase_add_test(tc, summary_several_meetings);
  tcase_add_test(tc, summary_withdrawal);
  tcase_add_test(tc, feedback_invited_year);
  tcase_add_test(tc, feedback_invited_leavers_and_away);
  tcase_add_test(tc, named_from_registration);
  tcase_add_test(tc, named_grace);
  tcase_add_test(tc, named_gap_between_tutors);
  tcase_add_test(tc, named_status_changes);
  tcase_add_test(tc, new_student_rules_json);
  tcase_add_test(tc, tutor_mhfa_once);
  tcase_add_test(tc, tutor_training_years);
  tcase_add_test(tc, tutor_quiz_roles);
  tcase_add_test(tc, tutor_feedback_year);
  tcase_add_test(tc, tutor_permanent);
  tcase_add_loop_test(tc, senior_tutors_table, 0, sizeof SENIORS_CASES / sizeof SENIORS_CASES[0]);
  tcase_add_test(tc, evaluate_school_versions);
  tcase_add_test(tc, senior_hours_scale);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(new_rules_suite());
}
