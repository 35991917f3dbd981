/* test_semantics.c — the engine's exact readings: whose contact counts, as of means as of,
 * windows counting their first day, new students, individual check-ins, semesters, pro rata,
 * 29 February birthdays, cover from day 0, escalation by staff, exemption periods, and the
 * part-month at the start of a course. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define EACH_TERM "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"source\": \"s\"}"
#define MONTHLY "{\"id\": \"m\", \"type\": \"contact_monthly\", \"source\": \"s\"}"
#define CHECKIN                                                                                    \
  "{\"id\": \"c\", \"type\": \"individual_checkin_per_term\", \"min\": 1, \"source\": \"s\"}"
#define FIRST "{\"id\": \"f\", \"type\": \"first_meeting_within\", \"days\": 14, \"source\": \"s\"}"

/* A meeting (attended, to the student) by `staff` at `at`. */
static pe_contact meeting_by(int64_t id, const char *staff, const char *at) {
  pe_contact c = C(id, PE_C_MEETING, at);
  strcpy(c.staff, staff);
  return c;
}

/* Replaces the world's calendar with the one parsed from json (failing the test if invalid). */
static void use_calendar(world *w, const char *json) {
  pe_calendar *cal = calendar_from_json(json);
  pe_calendar_free(w->cal);
  w->cal = cal;
  w->in.cal = cal;
}

/* Parses calendar JSON expected to be invalid; returns the error list as compact text. */
static char *calendar_errors(const char *json) {
  json_t *j = json_loads(json, 0, NULL);
  ck_assert_ptr_nonnull(j);
  pe_calendar *cal = NULL;
  json_t *errs = NULL;
  ck_assert_int_eq(pe_calendar_parse(j, &cal, &errs), PE_INVALID);
  char *text = json_dumps(errs, JSON_COMPACT);
  json_decref(errs);
  json_decref(j);
  return text;
}

/* ---- 1. whose contact counts ---- */

START_TEST(each_term_counts_only_the_tutor) {
  world w;
  world_init(&w, EACH_TERM);
  w.allocs[2] = (pe_allocation){"T3", PE_ALLOC_SECONDARY, D("2026-09-22"), PE_NO_DATE};
  w.in.n_allocations = 3;
  pe_contact senior = meeting_by(1, "S9", "2026-10-05T10:00:00+01:00");
  senior.senior_tutor = true;
  world_add(&w, senior);
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_BREACHED); /* senior tutor */
  strcpy(w.contacts[0].staff, "T3");
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_BREACHED); /* secondary tutor */
  strcpy(w.contacts[0].staff, "T1");
  const pe_finding *f = world_eval(&w, "2026-12-20", "t");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_uint_eq(f->ev_n, 1);
  ck_assert_str_eq(w.findings.staff[f->ev_off], "T1");
  world_free(&w);
  world_init(
      &w,
      "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"by\": \"any_staff\", \"source\": \"s\"}");
  world_add(&w, senior);
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_MET);
  world_free(&w);
}
END_TEST

typedef struct {
  const char *why, *staff, *at;
  pe_status status;
} cover_case;

/* T1 is absent 2026-11-02..2026-11-20 with T2 named as cover; T4 holds a cover allocation
 * 2027-01-11..2027-01-31. Autumn is judged as of 2026-12-20, spring as of 2027-03-30 (with an
 * autumn meeting by T1). */
static const cover_case COVER[] = {
    {"named cover on the absence's first day", "T2", "2026-11-02T10:00:00Z", PE_MET},
    {"named cover on the absence's last day", "T2", "2026-11-20T10:00:00Z", PE_MET},
    {"named cover the day before the absence", "T2", "2026-11-01T10:00:00Z", PE_BREACHED},
    {"named cover the day after the absence", "T2", "2026-11-21T10:00:00Z", PE_BREACHED},
    {"cover allocation on its last day", "T4", "2027-01-31T10:00:00Z", PE_MET},
    {"cover allocation ended the day before", "T4", "2027-02-01T10:00:00Z", PE_BREACHED},
};

START_TEST(cover_tutor_counts_only_during_cover) {
  const cover_case *c = &COVER[_i];
  world w;
  world_init(&w, EACH_TERM);
  if (c->at[3] == '7') world_add(&w, meeting_by(9, "T1", "2026-10-05T10:00:00+01:00"));
  world_add(&w, meeting_by(1, c->staff, c->at));
  const pe_finding *f = world_eval(&w, c->at[3] == '7' ? "2027-03-30" : "2026-12-20", "t");
  ck_assert_msg(f->status == c->status, "%s: %s (%s)", c->why, pe_status_name(f->status),
                f->detail);
  if (c->status == PE_MET) ck_assert_str_eq(w.findings.staff[f->ev_off + f->ev_n - 1], c->staff);
  world_free(&w);
}
END_TEST

START_TEST(personal_allocation_boundaries) {
  world w;
  world_init(&w, FIRST);
  w.allocs[0].ends_on = D("2026-10-01");
  w.allocs[2] = (pe_allocation){"T5", PE_ALLOC_PERSONAL, D("2026-10-02"), PE_NO_DATE};
  w.in.n_allocations = 3;
  world_add(&w, meeting_by(1, "T1", "2026-09-21T10:00:00+01:00")); /* before T1's allocation */
  ck_assert_int_eq(world_eval(&w, "2026-10-10", "f")->status, PE_BREACHED);
  w.contacts[0].at = T("2026-09-22T10:00:00+01:00"); /* allocation's first day */
  ck_assert_int_eq(world_eval(&w, "2026-10-10", "f")->status, PE_MET);
  w.contacts[0].at = T("2026-10-02T10:00:00+01:00"); /* T1 no longer the tutor */
  ck_assert_int_eq(world_eval(&w, "2026-10-10", "f")->status, PE_BREACHED);
  strcpy(w.contacts[0].staff, "T5"); /* the new tutor from that day */
  ck_assert_int_eq(world_eval(&w, "2026-10-10", "f")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(tutor_on_the_contacts_local_date_across_clock_change) {
  world w;
  world_init(&w, EACH_TERM);
  w.allocs[0].ends_on = D("2026-10-24");
  w.allocs[2] = (pe_allocation){"T5", PE_ALLOC_PERSONAL, D("2026-10-25"), PE_NO_DATE};
  w.in.n_allocations = 3;
  /* 23:30 UTC on 24 October is 00:30 BST on 25 October (clocks go back at 01:00 UTC). */
  world_add(&w, meeting_by(1, "T1", "2026-10-24T23:30:00Z"));
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_BREACHED);
  strcpy(w.contacts[0].staff, "T5");
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_MET);
  /* 23:30 UTC on 25 October, after the change, is still 25 October (GMT). */
  w.allocs[0].ends_on = D("2026-10-25");
  w.allocs[2].starts_on = D("2026-10-26");
  w.contacts[0].at = T("2026-10-25T23:30:00Z");
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_BREACHED);
  strcpy(w.contacts[0].staff, "T1");
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(student_initiated_contacts_are_not_the_tutors) {
  world w;
  world_init(&w, MONTHLY);
  w.student.registered_on = D("2026-10-20");
  pe_contact from = C(1, PE_C_EMAIL, "2026-10-25T10:00:00+01:00");
  from.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, from);
  world_add(&w, C(2, PE_C_EMAIL, "2026-11-05T10:00:00Z"));
  ck_assert_int_eq(world_eval(&w, "2026-11-30", "m")->status, PE_BREACHED);
  w.contacts[0].kind = PE_C_MEETING; /* a meeting counts whatever the recorded direction */
  const pe_finding *f = world_eval(&w, "2026-11-30", "m");
  ck_assert_int_eq(f->status, PE_MET);
  json_t *j = pe_finding_to_json(&w.findings, (size_t)(f - w.findings.items));
  char *text = json_dumps(json_object_get(j, "evidence_staff"), JSON_COMPACT);
  ck_assert_str_eq(text, "[\"T1\",\"T1\"]");
  free(text);
  json_decref(j);
  world_free(&w);
}
END_TEST

/* ---- 2. as of means as of ---- */

#define ASOF_POLICY(name, from, min)                                                               \
  "{\"name\": \"" name "\", \"effective_from\": \"" from "\", \"rules\": ["                        \
  "{\"id\": \"al\", \"type\": \"allocation_within\", \"days\": 7, \"source\": \"s\"},"             \
  "{\"id\": \"f\", \"type\": \"first_meeting_within\", \"days\": 14, \"source\": \"s\"},"          \
  "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": " min ", \"source\": \"s\"},"         \
  "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"source\": \"s\"},"                           \
  "{\"id\": \"m\", \"type\": \"contact_monthly\", \"source\": \"s\"},"                             \
  "{\"id\": \"c\", \"type\": \"individual_checkin_per_term\", \"min\": 1, \"source\": \"s\"},"     \
  "{\"id\": \"r\", \"type\": \"response_within\", \"working_days\": 3, \"source\": \"s\"},"        \
  "{\"id\": \"a\", \"type\": \"away_contact_per_term\", \"source\": \"s\"},"                       \
  "{\"id\": \"e\", \"type\": \"missed_meetings_escalation\", \"missed\": 1, \"source\": \"s\"},"   \
  "{\"id\": \"cv\", \"type\": \"cover_during_absence\", \"days\": 5, \"source\": \"s\"}]}"

/* The compliance JSON of the world as of `as_of`, compact (caller frees). */
static char *compliance_text(world *w, const char *as_of) {
  world_eval(w, as_of, "al");
  pe_date day = pe_local_date(&w->cal->tz, w->in.as_of);
  const pe_policy *p = pe_policy_in_force(w->in.versions, w->in.n_versions, day);
  json_t *j = pe_compliance_to_json("S1", day, p, &w->findings);
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return text;
}

START_TEST(as_of_ignores_later_facts) {
  static const char *const DATES[] = {"2026-10-15", "2026-12-01", "2027-01-20"};
  char *before[3];
  world w;
  world_init_policy(&w, ASOF_POLICY("v1", "2026-01-01", "3"));
  w.absences[0].cover[0] = '\0';
  world_add(&w, C(1, PE_C_MEETING, "2026-09-30T10:00:00+01:00"));
  pe_contact missed = C(2, PE_C_MEETING, "2026-11-09T10:00:00Z");
  missed.attendance = PE_ATT_MISSED;
  world_add(&w, missed);
  pe_contact msg = C(3, PE_C_EMAIL, "2027-01-18T09:00:00Z");
  msg.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, msg);
  for (int i = 0; i < 3; i++) before[i] = compliance_text(&w, DATES[i]);
  /* Facts dated after all three dates. */
  pe_contact reply = C(4, PE_C_EMAIL, "2027-01-21T09:00:00Z");
  reply.wellbeing_check = true;
  world_add(&w, reply);
  world_add(&w, C(5, PE_C_MEETING, "2027-02-03T10:00:00Z"));
  w.concerns[0] = (pe_concern){D("2027-01-25"), PE_NO_DATE, PE_RAISED_BY_TUTOR};
  w.in.n_concerns = 1;
  world_status(&w, PE_ST_WITHDRAWN, "2027-03-01");
  w.allocs[2] = (pe_allocation){"T5", PE_ALLOC_PERSONAL, D("2027-02-01"), PE_NO_DATE};
  w.in.n_allocations = 3;
  w.policy[1] = test_policy(ASOF_POLICY("v2", "2027-02-01", "1"));
  w.n_policies = 2;
  for (int i = 0; i < 3; i++) {
    char *after = compliance_text(&w, DATES[i]);
    ck_assert_msg(strcmp(before[i], after) == 0, "as of %s:\n%s\n%s", DATES[i], before[i], after);
    free(after);
    free(before[i]);
  }
  char *later = compliance_text(&w, "2027-03-05"); /* the later facts do count later */
  ck_assert_ptr_nonnull(strstr(later, "\"name\":\"v2\""));
  free(later);
  world_free(&w);
}
END_TEST

#define YEARLY_VERSION(name, from, min)                                                            \
  "{\"name\": \"" name "\", \"effective_from\": \"" from "\", \"rules\": ["                        \
  "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": " min ", \"source\": \"s\"}]}"

START_TEST(only_versions_in_force_by_as_of) {
  world w;
  world_init_policy(&w, YEARLY_VERSION("v1", "2026-11-01", "4"));
  w.policy[1] = test_policy(YEARLY_VERSION("v2", "2027-02-01", "2"));
  w.n_policies = 2;
  /* Before any version is in force the first one judges. */
  ck_assert_ptr_nonnull(strstr(world_eval(&w, "2026-10-15", "y")->detail, "of 4"));
  /* The year's count is due 2027-06-11, in v2's period, but v2 is not known yet. */
  ck_assert_ptr_nonnull(strstr(world_eval(&w, "2027-01-31", "y")->detail, "of 4"));
  /* From v2's first day it owns that due date. */
  ck_assert_ptr_nonnull(strstr(world_eval(&w, "2027-02-01", "y")->detail, "of 2"));
  ck_assert_uint_eq(w.findings.n, 1);
  world_free(&w);
}
END_TEST

START_TEST(escalation_as_of_and_raised_by) {
  world w;
  world_init(&w, "{\"id\": \"e\", \"type\": \"missed_meetings_escalation\", \"missed\": 1,"
                 " \"days\": 30, \"source\": \"s\"}");
  pe_contact m = C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00");
  m.attendance = PE_ATT_MISSED;
  world_add(&w, m);
  w.concerns[0] = (pe_concern){D("2026-10-20"), PE_NO_DATE, PE_RAISED_BY_TUTOR};
  w.in.n_concerns = 1;
  ck_assert_int_eq(world_eval(&w, "2026-10-19", "e")->status, PE_PENDING); /* not yet opened */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "e")->status, PE_MET);     /* opened that day */
  w.concerns[0].raised_by = PE_RAISED_BY_STUDENT; /* a student's own complaint */
  ck_assert_int_eq(world_eval(&w, "2026-11-10", "e")->status, PE_BREACHED);
  w.concerns[0].raised_by = PE_RAISED_BY_SENIOR_TUTOR;
  ck_assert_int_eq(world_eval(&w, "2026-11-10", "e")->status, PE_MET);
  world_free(&w);
  world_init(&w, "{\"id\": \"e\", \"type\": \"missed_meetings_escalation\", \"missed\": 1,"
                 " \"raised_by\": [\"student\"], \"source\": \"s\"}");
  world_add(&w, m);
  w.concerns[0] = (pe_concern){D("2026-10-20"), PE_NO_DATE, PE_RAISED_BY_STUDENT};
  w.in.n_concerns = 1;
  ck_assert_int_eq(world_eval(&w, "2026-11-10", "e")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(status_change_after_as_of_is_ignored) {
  world w;
  world_init(&w, EACH_TERM);
  world_add(&w, C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00"));
  world_status(&w, PE_ST_WITHDRAWN, "2026-12-01");
  /* As of 30 November the withdrawal was not yet true: autumn is still judged. */
  const pe_finding *f = world_eval(&w, "2026-11-30", "t");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(f->window_end, D("2027-06-11"));
  /* From 1 December it is: autumn ends after the withdrawal, nothing is judged. */
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "t")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

/* ---- 3. windows exactly as written; new students ---- */

#define ALLOC_WEEK1                                                                                \
  "{\"id\": \"al\", \"type\": \"allocation_within\", \"days\": 7, \"from\": \"first_teaching_week\", \"source\": \"s\"}"

typedef struct {
  const char *why, *registered, *alloc_from, *due;
  pe_status status;
} week1_case;

/* Teaching starts Monday 2026-09-28: Week 1 ends Sunday 2026-10-04. Judged as of 2026-11-01. */
static const week1_case WEEK1[] = {
    {"registered before Week 1, allocated on its last day", "2026-09-14", "2026-10-04",
     "2026-10-04", PE_MET},
    {"registered before Week 1, allocated the day after", "2026-09-14", "2026-10-05", "2026-10-04",
     PE_BREACHED},
    {"registered on the last day of Week 1", "2026-10-04", "2026-10-04", "2026-10-04", PE_MET},
    {"registered the day after Week 1: seven days from registration", "2026-10-05", "2026-10-11",
     "2026-10-11", PE_MET},
    {"registered the day after Week 1, allocated on the 8th day", "2026-10-05", "2026-10-12",
     "2026-10-11", PE_BREACHED},
};

START_TEST(allocation_first_teaching_week) {
  const week1_case *c = &WEEK1[_i];
  world w;
  char buf[11];
  world_init(&w, ALLOC_WEEK1);
  w.student.registered_on = D(c->registered);
  w.allocs[0].starts_on = D(c->alloc_from);
  const pe_finding *f = world_eval(&w, "2026-11-01", "al");
  ck_assert_msg(f->status == c->status, "%s: %s", c->why, pe_status_name(f->status));
  ck_assert_msg(f->due == D(c->due), "%s: due %s", c->why, DS(f->due, buf));
  world_free(&w);
}
END_TEST

typedef struct {
  const char *why, *registered, *course_start;
  pe_status status;
} new_case;

/* Judged in 2027/28 (2027-09-01..2028-08-31); the previous year ended 2027-08-31. */
static const new_case NEW[] = {
    {"registered days before the year, course starts with it", "2027-08-27", "2027-09-27", PE_MET},
    {"registered days before the year, course start unknown", "2027-08-27", NULL,
     PE_NOT_APPLICABLE},
    {"course started on the previous year's last day", "2027-09-01", "2027-08-31",
     PE_NOT_APPLICABLE},
    {"course starts on this year's first day", "2027-08-20", "2027-09-01", PE_MET},
    {"returning student", "2026-09-21", "2026-09-28", PE_NOT_APPLICABLE},
};

START_TEST(new_student_is_first_year_of_course) {
  const new_case *c = &NEW[_i];
  world w;
  world_init(&w, "{\"id\": \"f\", \"type\": \"first_meeting_within\", \"days\": 14,"
                 " \"from\": \"year_start\", \"source\": \"s\"}");
  w.student.registered_on = D(c->registered);
  w.student.course_start = c->course_start ? D(c->course_start) : PE_NO_DATE;
  w.allocs[0].starts_on = D("2026-09-01");
  world_add(&w, C(1, PE_C_MEETING, "2027-10-01T10:00:00+01:00"));
  const pe_finding *f = world_eval(&w, "2027-10-20", "f");
  ck_assert_msg(f->status == c->status, "%s: %s (%s)", c->why, pe_status_name(f->status),
                f->detail);
  world_free(&w);
}
END_TEST

START_TEST(allocation_judged_for_new_students) {
  world w;
  world_init(&w,
             "{\"id\": \"al\", \"type\": \"allocation_within\", \"days\": 7, \"source\": \"s\"}");
  w.student.registered_on = D("2027-08-27");
  w.student.course_start = D("2027-09-27");
  w.allocs[0].starts_on = D("2027-09-02"); /* the 7th day is 2027-09-02 */
  const pe_finding *f = world_eval(&w, "2027-10-20", "al");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(f->due, D("2027-09-02"));
  w.allocs[0].starts_on = D("2027-09-03");
  ck_assert_int_eq(world_eval(&w, "2027-10-20", "al")->status, PE_BREACHED);
  w.student.course_start = PE_NO_DATE; /* then registered in 2026/27: returning */
  ck_assert_int_eq(world_eval(&w, "2027-10-20", "al")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

/* ---- 4. individual check-ins ---- */

START_TEST(checkin_individual_by_the_tutor) {
  world w;
  world_init(&w, CHECKIN);
  pe_contact g = C(1, PE_C_GROUP_MEETING, "2026-10-05T10:00:00+01:00");
  g.wellbeing_check = true;
  world_add(&w, g);
  pe_contact te = C(2, PE_C_TEACHING_EVENT, "2026-10-06T10:00:00+01:00");
  te.wellbeing_check = true;
  world_add(&w, te);
  pe_contact s = meeting_by(3, "S9", "2026-10-07T10:00:00+01:00");
  s.wellbeing_check = true;
  s.senior_tutor = true;
  world_add(&w, s);
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "c")->status, PE_BREACHED);
  strcpy(w.contacts[2].staff, "T1"); /* the same meeting by the personal tutor */
  const pe_finding *f = world_eval(&w, "2026-12-20", "c");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_uint_eq(f->ev_n, 1);
  ck_assert_int_eq(world_evidence(&w, f, 0), 3);
  world_free(&w);
}
END_TEST

/* ---- 5. semesters ---- */

#define SEMESTER_CALENDAR(s1, s2, s3)                                                              \
  "{\"time_zone\": \"Europe/London\", \"years\": [{\"label\": \"2026/27\", \"start\": "            \
  "\"2026-09-01\", \"end\": \"2027-08-31\", \"terms\": ["                                          \
  "{\"name\": \"Autumn\", \"start\": \"2026-09-28\", \"end\": \"2026-12-11\"" s1 "},"              \
  "{\"name\": \"Spring\", \"start\": \"2027-01-11\", \"end\": \"2027-03-26\"" s2 "},"              \
  "{\"name\": \"Summer\", \"start\": \"2027-04-26\", \"end\": \"2027-06-11\"" s3 "}]}]}"

START_TEST(calendar_semesters_parse) {
  world w;
  world_init(&w, EACH_TERM);
  use_calendar(&w,
               SEMESTER_CALENDAR(", \"semester\": 1", ", \"semester\": 2", ", \"semester\": 2"));
  ck_assert_int_eq(w.cal->terms[0].semester, 1);
  ck_assert_int_eq(w.cal->terms[2].semester, 2);
  use_calendar(&w, SEMESTER_CALENDAR("", "", ""));
  ck_assert_int_eq(w.cal->terms[1].semester, 0);
  world_free(&w);
  char *e = calendar_errors(SEMESTER_CALENDAR(", \"semester\": 1", "", ", \"semester\": 2"));
  ck_assert_ptr_nonnull(strstr(e, "$.years[0].terms[1].semester"));
  free(e);
  e = calendar_errors(
      SEMESTER_CALENDAR(", \"semester\": 1", ", \"semester\": 5", ", \"semester\": 2"));
  ck_assert_ptr_nonnull(strstr(e, "$.years[0].terms[1].semester"));
  free(e);
  e = calendar_errors(
      SEMESTER_CALENDAR(", \"semester\": 2", ", \"semester\": 1", ", \"semester\": 2"));
  ck_assert_ptr_nonnull(strstr(e, "$.years[0].terms"));
  free(e);
}
END_TEST

START_TEST(period_semester_judges_the_union_of_terms) {
  world w;
  world_init(
      &w,
      "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"period\": \"semester\", \"source\": \"s\"}");
  use_calendar(&w,
               SEMESTER_CALENDAR(", \"semester\": 1", ", \"semester\": 2", ", \"semester\": 2"));
  world_add(&w, C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00"));
  world_add(&w, C(2, PE_C_MEETING, "2027-06-11T10:00:00+01:00")); /* semester 2's last day */
  const pe_finding *f = world_eval(&w, "2027-03-30", "t");
  ck_assert_int_eq(f->status, PE_PENDING); /* spring alone is not a period */
  ck_assert_int_eq(f->due, D("2027-06-11"));
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "t")->status, PE_MET);
  w.contacts[1].at = T("2027-06-12T10:00:00+01:00"); /* the day after */
  f = world_eval(&w, "2027-06-30", "t");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2027-01-11"));
  ck_assert_int_eq(f->gap_end, D("2027-06-11"));
  /* Without semesters in the calendar each teaching term is its own semester. */
  use_calendar(&w, SEMESTER_CALENDAR("", "", ""));
  w.contacts[1].at = T("2027-06-11T10:00:00+01:00");
  f = world_eval(&w, "2027-06-30", "t");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_end, D("2027-03-26"));
  world_free(&w);
}
END_TEST

/* ---- 6. readings: pro rata, 29 February, cover from day 0 ---- */

START_TEST(pro_rata_true_and_false) {
  world w;
  world_init(&w, "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": 3, \"source\": \"s\"}");
  w.student.registered_on = D("2027-01-11"); /* studies spring and summer only */
  w.allocs[0].starts_on = D("2027-01-11");
  world_add(&w, C(1, PE_C_MEETING, "2027-02-01T10:00:00Z"));
  world_add(&w, C(2, PE_C_MEETING, "2027-05-10T10:00:00+01:00"));
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "y")->status, PE_MET); /* ceil(3 x 122/197) = 2 */
  world_free(&w);
  world_init(&w, "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": 3, \"pro_rata\": false,"
                 " \"source\": \"s\"}");
  w.student.registered_on = D("2027-01-11");
  w.allocs[0].starts_on = D("2027-01-11");
  world_add(&w, C(1, PE_C_MEETING, "2027-02-01T10:00:00Z"));
  world_add(&w, C(2, PE_C_MEETING, "2027-05-10T10:00:00+01:00"));
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "y")->status, PE_BREACHED); /* the full 3 */
  world_add(&w, C(3, PE_C_MEETING, "2027-06-11T10:00:00+01:00"));
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "y")->status, PE_MET);
  /* Away at the end of the teaching year: pro-rated even without pro_rata. */
  world_status(&w, PE_ST_PLACEMENT, "2027-03-01");
  w.n_contacts = 1;
  const pe_finding *f = world_eval(&w, "2027-06-30", "y");
  ck_assert_msg(f->status == PE_MET, "%s", f->detail); /* ceil(3 x 49/197) = 1 */
  world_free(&w);
}
END_TEST

#define LEAP_CALENDAR                                                                              \
  "{\"time_zone\": \"Europe/London\", \"years\": [{\"label\": \"2029/30\", \"start\": "            \
  "\"2029-09-01\", \"end\": \"2030-08-31\", \"terms\": ["                                          \
  "{\"name\": \"Autumn\", \"start\": \"2029-09-24\", \"end\": \"2029-12-07\"},"                    \
  "{\"name\": \"Spring\", \"start\": \"2030-01-07\", \"end\": \"2030-03-22\"}]}]}"

START_TEST(birthday_29_february_in_a_common_year) {
  world w;
  world_init(&w, "{\"id\": \"u\", \"type\": \"under18_senior_meeting\", \"source\": \"s\"}");
  use_calendar(&w, LEAP_CALENDAR);
  w.student.registered_on = D("2029-09-10");
  w.student.date_of_birth = D("2012-02-29"); /* 18 on 2030-03-01 */
  w.allocs[0].starts_on = D("2029-09-10");
  pe_contact m = C(1, PE_C_MEETING, "2030-02-28T10:00:00Z");
  m.senior_tutor = true;
  world_add(&w, m);
  const pe_finding *f = world_eval(&w, "2030-03-05", "u");
  ck_assert_int_eq(f->due, D("2030-02-28"));
  ck_assert_int_eq(f->status, PE_MET); /* still 17 on 28 February */
  w.contacts[0].at = T("2030-03-01T10:00:00Z");
  ck_assert_int_eq(world_eval(&w, "2030-03-05", "u")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

START_TEST(cover_days_zero_means_any_absence) {
  world w;
  world_init(
      &w, "{\"id\": \"cv\", \"type\": \"cover_during_absence\", \"days\": 0, \"source\": \"s\"}");
  w.absences[0] = (pe_absence){D("2026-11-02"), D("2026-11-02"), ""};   /* one day, no cover */
  ck_assert_int_eq(world_eval(&w, "2026-11-01", "cv")->status, PE_MET); /* not started yet */
  const pe_finding *f = world_eval(&w, "2026-11-02", "cv");
  ck_assert_int_eq(f->status, PE_DUE_SOON);
  ck_assert_int_eq(f->due, D("2026-11-02"));
  ck_assert_int_eq(world_eval(&w, "2026-11-03", "cv")->status, PE_BREACHED);
  strcpy(w.absences[0].cover, "T2");
  ck_assert_int_eq(world_eval(&w, "2026-11-03", "cv")->status, PE_MET);
  world_free(&w);
  world_init(
      &w, "{\"id\": \"cv\", \"type\": \"cover_during_absence\", \"days\": 1, \"source\": \"s\"}");
  w.absences[0] = (pe_absence){D("2026-11-02"), D("2026-11-02"), ""};
  ck_assert_int_eq(world_eval(&w, "2026-11-03", "cv")->status, PE_MET); /* not longer than 1 */
  world_free(&w);
}
END_TEST

/* ---- 7. exemption periods ---- */

/* An exemption with one named rule (NULL: every rule). */
static pe_exemption exemption(int64_t id, const char *from, const char *to, const char *rule) {
  pe_exemption e;
  memset(&e, 0, sizeof e);
  e.id = id;
  e.from = D(from);
  e.to = D(to);
  strcpy(e.reason, "medical leave");
  if (rule) {
    strcpy(e.rules[0], rule);
    e.n_rules = 1;
  }
  return e;
}

START_TEST(exemption_suspends_a_whole_term) {
  pe_exemption ex[1];
  world w;
  world_init(&w, EACH_TERM);
  world_add(&w, C(1, PE_C_MEETING, "2027-02-01T10:00:00Z"));
  w.student.exemptions = ex;
  w.student.n_exemptions = 1;
  ex[0] = exemption(7, "2026-09-28", "2026-12-11", "t"); /* all of autumn */
  ck_assert_int_eq(world_eval(&w, "2027-03-30", "t")->status, PE_MET);
  ex[0].to = D("2026-12-10"); /* autumn's last day not exempt: judged on it alone */
  const pe_finding *f = world_eval(&w, "2027-03-30", "t");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2026-12-11"));
  ex[0] = exemption(7, "2026-09-28", "2026-12-11", "other"); /* names another rule */
  ck_assert_int_eq(world_eval(&w, "2027-03-30", "t")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

START_TEST(exemption_drops_contacts_on_exempt_days) {
  pe_exemption ex[1];
  world w;
  world_init(&w, EACH_TERM);
  world_add(&w, C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00"));
  w.student.exemptions = ex;
  w.student.n_exemptions = 1;
  ex[0] = exemption(3, "2026-10-05", "2026-10-16", NULL);
  const pe_finding *f = world_eval(&w, "2026-12-20", "t");
  ck_assert_int_eq(f->status, PE_BREACHED); /* the meeting fell on an exempt day */
  ck_assert_int_eq(f->gap_start, D("2026-09-28"));
  ex[0].from = D("2026-10-06"); /* the day before the exemption counts */
  ck_assert_int_eq(world_eval(&w, "2026-12-20", "t")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(exemption_pro_rates_yearly_counts) {
  pe_exemption ex[1];
  world w;
  world_init(&w, "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": 3, \"source\": \"s\"}");
  world_add(&w, C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00"));
  world_add(&w, C(2, PE_C_MEETING, "2027-05-10T10:00:00+01:00"));
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "y")->status, PE_BREACHED); /* 2 of 3 */
  w.student.exemptions = ex;
  w.student.n_exemptions = 1;
  ex[0] = exemption(4, "2027-01-11", "2027-03-26", "y"); /* spring: 122 of 197 days left */
  const pe_finding *f = world_eval(&w, "2027-06-30", "y");
  ck_assert_msg(f->status == PE_MET, "%s", f->detail);
  ex[0] = exemption(4, "2026-09-01", "2027-08-31", "y"); /* the whole year */
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "y")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(exemption_over_a_deadline) {
  pe_exemption ex[1];
  world w;
  world_init(&w, FIRST); /* due 2026-10-04 */
  w.student.exemptions = ex;
  w.student.n_exemptions = 1;
  ex[0] = exemption(11, "2026-10-04", "2026-10-20", "f"); /* starts on the due date */
  ex[0].from = D("2026-10-01");
  ck_assert_str_eq(world_eval(&w, "2026-10-10", "f")->detail,
                   "exempt 2026-10-01..2026-10-20 (medical leave): due 2026-10-04");
  ex[0].from = D("2026-10-04");
  const pe_finding *f = world_eval(&w, "2026-10-10", "f");
  ck_assert_int_eq(f->status, PE_NOT_APPLICABLE);
  ck_assert_int_eq(f->exemption, 11);
  ck_assert_str_eq(f->detail, "exempt 2026-10-04..2026-10-20 (medical leave): due 2026-10-04");
  json_t *j = pe_finding_to_json(&w.findings, (size_t)(f - w.findings.items));
  ck_assert_int_eq(json_integer_value(json_object_get(j, "exemption")), 11);
  json_decref(j);
  ex[0].from = D("2026-10-05"); /* starts the day after the due date */
  f = world_eval(&w, "2026-10-10", "f");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->exemption, 0);
  ex[0] = exemption(11, "2026-09-01", "2026-10-03", "f"); /* ends the day before */
  ck_assert_int_eq(world_eval(&w, "2026-10-10", "f")->status, PE_BREACHED);
  ex[0] = exemption(11, "2026-10-01", "2026-10-20", "f"); /* a deadline met in time stays met */
  world_add(&w, meeting_by(7, "T1", "2026-09-30T10:00:00+01:00"));
  f = world_eval(&w, "2026-10-10", "f");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(f->exemption, 0);
  world_free(&w);
}
END_TEST

START_TEST(exemption_over_a_reply_deadline) {
  pe_exemption ex[1];
  world w;
  world_init(
      &w, "{\"id\": \"r\", \"type\": \"response_within\", \"working_days\": 3, \"source\": \"s\"}");
  pe_contact msg = C(1, PE_C_EMAIL, "2026-10-05T09:00:00+01:00"); /* Monday: due Thursday 8th */
  msg.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, msg);
  ck_assert_int_eq(world_eval(&w, "2026-10-12", "r")->status, PE_BREACHED);
  w.student.exemptions = ex;
  w.student.n_exemptions = 1;
  ex[0] = exemption(5, "2026-10-08", "2026-10-09", "r");
  ck_assert_int_eq(world_eval(&w, "2026-10-12", "r")->status, PE_MET); /* not judged */
  ex[0].from = D("2026-10-09");
  ck_assert_int_eq(world_eval(&w, "2026-10-12", "r")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

/* ---- 8. contact_monthly: the part-month at the start of a course ---- */

START_TEST(monthly_registration_on_last_day_of_month) {
  world w;
  world_init(&w, MONTHLY);
  w.student.registered_on = D("2026-10-31");
  w.allocs[0].starts_on = D("2026-10-31");
  world_add(&w, C(2, PE_C_EMAIL, "2026-11-05T10:00:00Z"));
  const pe_finding *f = world_eval(&w, "2026-11-30", "m");
  ck_assert_int_eq(f->status, PE_BREACHED); /* 31 October is October's judged part */
  ck_assert_int_eq(f->gap_start, D("2026-10-31"));
  ck_assert_int_eq(f->gap_end, D("2026-10-31"));
  world_add(&w, C(1, PE_C_EMAIL, "2026-10-31T10:00:00Z"));
  ck_assert_int_eq(world_eval(&w, "2026-11-30", "m")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(monthly_registration_on_first_day_of_month) {
  world w;
  world_init(&w, MONTHLY);
  w.student.registered_on = D("2026-11-01");
  w.allocs[0].starts_on = D("2026-11-01");
  world_add(&w, C(1, PE_C_EMAIL, "2026-11-01T10:00:00Z"));
  const pe_finding *f = world_eval(&w, "2026-11-30", "m");
  ck_assert_int_eq(f->status, PE_MET); /* October not judged; 1 November counts */
  ck_assert_int_eq(f->window_start, D("2026-11-01"));
  w.contacts[0].at = T("2026-10-31T10:00:00Z"); /* the day before registration */
  f = world_eval(&w, "2026-12-01", "m");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2026-11-01"));
  world_free(&w);
}
END_TEST

/* Builds the suite. */
static Suite *semantics_suite(void) {
  Suite *s = suite_create("semantics");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, each_term_counts_only_the_tutor);
  tcase_add_loop_test(tc, cover_tutor_counts_only_during_cover, 0, sizeof COVER / sizeof COVER[0]);
  tcase_add_test(tc, personal_allocation_boundaries);
  tcase_add_test(tc, tutor_on_the_contacts_local_date_across_clock_change);
  tcase_add_test(tc, student_initiated_contacts_are_not_the_tutors);
  tcase_add_test(tc, as_of_ignores_later_facts);
  tcase_add_test(tc, only_versions_in_force_by_as_of);
  tcase_add_test(tc, escalation_as_of_and_raised_by);
  tcase_add_test(tc, status_change_after_as_of_is_ignored);
  tcase_add_loop_test(tc, allocation_first_teaching_week, 0, sizeof WEEK1 / sizeof WEEK1[0]);
  tcase_add_loop_test(tc, new_student_is_first_year_of_course, 0, sizeof NEW / sizeof NEW[0]);
  tcase_add_test(tc, allocation_judged_for_new_students);
  tcase_add_test(tc, checkin_individual_by_the_tutor);
  tcase_add_test(tc, calendar_semesters_parse);
  tcase_add_test(tc, period_semester_judges_the_union_of_terms);
  tcase_add_test(tc, pro_rata_true_and_false);
  tcase_add_test(tc, birthday_29_february_in_a_common_year);
  tcase_add_test(tc, cover_days_zero_means_any_absence);
  tcase_add_test(tc, exemption_suspends_a_whole_term);
  tcase_add_test(tc, exemption_drops_contacts_on_exempt_days);
  tcase_add_test(tc, exemption_pro_rates_yearly_counts);
  tcase_add_test(tc, exemption_over_a_deadline);
  tcase_add_test(tc, exemption_over_a_reply_deadline);
  tcase_add_test(tc, monthly_registration_on_last_day_of_month);
  tcase_add_test(tc, monthly_registration_on_first_day_of_month);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(semantics_suite());
}
