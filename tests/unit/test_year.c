/* test_year.c — yearly and one-off rules: meetings_per_year, group_sessions,
 * missed_meetings_escalation, allocation_within, first_meeting_within,
 * under18_senior_meeting, cover_during_absence, and the tutor-level rules. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define MEETINGS                                                                                   \
  "{\"id\": \"y\", \"type\": \"meetings_per_year\", \"min\": 4, \"count\": \"offered\", \"source\": \"s\"}"

static void meetings(world *w, int n, const char *const *at) {
  for (int i = 0; i < n; i++) world_add(w, C(i + 1, PE_C_MEETING, at[i]));
}

static const char *const FOUR[] = {"2026-09-22T10:00:00+01:00" /* Welcome Week */,
                                   "2026-11-02T10:00:00Z", "2027-02-01T10:00:00Z",
                                   "2027-05-10T10:00:00+01:00"};

START_TEST(meetings_per_year_counts) {
  world w;
  world_init(&w, MEETINGS);
  meetings(&w, 4, FOUR);
  const pe_finding *f = world_eval(&w, "2027-06-20", "y");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_uint_eq(f->ev_n, 4);
  ck_assert_int_eq(f->due, D("2027-06-11"));
  w.contacts[3].attendance = PE_ATT_CANCELLED;
  ck_assert_int_eq(world_eval(&w, "2027-06-11", "y")->status, PE_DUE_SOON);
  ck_assert_int_eq(world_eval(&w, "2027-06-12", "y")->status, PE_BREACHED); /* day after */
  ck_assert_int_eq(world_eval(&w, "2027-05-01", "y")->status, PE_PENDING);
  world_free(&w);
}
END_TEST

START_TEST(meetings_late_registration_pro_rata) {
  world w;
  world_init(&w, MEETINGS);
  w.student.registered_on = D("2027-01-11"); /* 122 of 197 teaching days: ceil(4*122/197)=3 */
  meetings(&w, 2, FOUR + 2);
  const pe_finding *f = world_eval(&w, "2027-06-20", "y");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_ptr_nonnull(strstr(f->detail, "2 of 3"));
  world_add(&w, C(9, PE_C_MEETING, "2027-03-01T10:00:00Z"));
  ck_assert_int_eq(world_eval(&w, "2027-06-20", "y")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(meetings_year_abroad_and_withdrawn) {
  world w;
  world_init(&w, MEETINGS);
  world_status(&w, PE_ST_YEAR_ABROAD, "2027-01-01"); /* autumn only: ceil(4*75/197)=2 */
  meetings(&w, 2, FOUR);
  const pe_finding *f = world_eval(&w, "2027-01-15", "y");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(f->due, D("2026-12-11"));
  world_free(&w);
  world_init(&w, MEETINGS);
  world_status(&w, PE_ST_WITHDRAWN, "2027-02-15");
  ck_assert_int_eq(world_eval(&w, "2027-06-20", "y")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(group_sessions_level) {
  world w;
  world_init(&w, "{\"id\": \"g\", \"type\": \"group_sessions\", \"level\": \"4\", \"min\": 6,"
                 " \"label\": \"WeThrive\", \"source\": \"s\"}");
  for (int i = 0; i < 5; i++) {
    pe_date d = D("2026-10-05") + 14 * i;
    char at[32], buf[11];
    snprintf(at, sizeof at, "%sT10:00:00Z", DS(d, buf));
    world_add(&w, C(i + 1, PE_C_GROUP_MEETING, at));
  }
  world_add(&w, C(50, PE_C_MEETING, "2027-02-01T10:00:00Z")); /* individual: not a session */
  ck_assert_int_eq(world_eval(&w, "2027-06-20", "g")->status, PE_BREACHED);
  pe_contact missed = C(6, PE_C_GROUP_MEETING, "2027-02-08T10:00:00Z");
  missed.attendance = PE_ATT_MISSED; /* timetabled: counts as offered */
  world_add(&w, missed);
  ck_assert_int_eq(world_eval(&w, "2027-06-20", "g")->status, PE_MET);
  w.student.level = PE_LEVEL_5;
  ck_assert_int_eq(world_eval(&w, "2027-06-20", "g")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(missed_meetings_escalation) {
  world w;
  world_init(&w, "{\"id\": \"e\", \"type\": \"missed_meetings_escalation\", \"missed\": 2,"
                 " \"days\": 30, \"source\": \"s\"}");
  pe_contact m1 = C(1, PE_C_MEETING, "2026-10-05T10:00:00+01:00");
  m1.attendance = PE_ATT_MISSED;
  world_add(&w, m1);
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "e")->status, PE_MET);
  pe_contact m2 = C(2, PE_C_MEETING, "2026-10-19T10:00:00+01:00");
  m2.attendance = PE_ATT_MISSED;
  world_add(&w, m2);
  const pe_finding *f = world_eval(&w, "2026-11-10", "e");
  ck_assert_int_eq(f->status, PE_PENDING);
  ck_assert_int_eq(f->due, D("2026-11-18"));
  ck_assert_int_eq(world_eval(&w, "2026-11-18", "e")->status, PE_DUE_SOON);
  f = world_eval(&w, "2026-11-19", "e");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_uint_eq(f->ev_n, 2);
  w.concerns[0] = (pe_concern){D("2026-10-25"), PE_NO_DATE, PE_RAISED_BY_TUTOR};
  w.in.n_concerns = 1;
  ck_assert_int_eq(world_eval(&w, "2026-11-19", "e")->status, PE_MET);
  w.concerns[0] =
      (pe_concern){D("2026-09-01"), D("2026-10-01"), PE_RAISED_BY_TUTOR}; /* closed before */
  ck_assert_int_eq(world_eval(&w, "2026-11-19", "e")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

typedef struct {
  const char *why, *registered, *alloc_from, *as_of;
  pe_status status;
} alloc_case;

static const alloc_case ALLOC[] = {
    /* "by the end of their first week": 7 days counting the day of registration */
    {"allocated on the 7th day (boundary)", "2026-09-21", "2026-09-27", "2026-10-10", PE_MET},
    {"allocated on the 8th day", "2026-09-21", "2026-09-28", "2026-10-10", PE_BREACHED},
    {"not yet allocated, due in 3 days", "2026-09-21", NULL, "2026-09-25", PE_DUE_SOON},
    {"future allocation does not count yet", "2026-09-21", "2026-09-27", "2026-09-26", PE_DUE_SOON},
    {"late registration", "2026-11-02", "2026-11-06", "2026-12-01", PE_MET},
    {"leap day deadline met", "2028-02-23", "2028-02-29", "2028-03-10", PE_MET},
    {"leap day deadline missed", "2028-02-23", "2028-03-01", "2028-03-10", PE_BREACHED},
    {"returning student", "2025-09-22", NULL, "2026-10-10", PE_NOT_APPLICABLE},
    {"not yet registered", "2026-10-01", NULL, "2026-09-25", PE_NOT_APPLICABLE},
};

START_TEST(allocation_table) {
  const alloc_case *c = &ALLOC[_i];
  world w;
  world_init(&w,
             "{\"id\": \"al\", \"type\": \"allocation_within\", \"days\": 7, \"source\": \"s\"}");
  w.student.registered_on = D(c->registered);
  w.in.n_allocations = 0;
  if (c->alloc_from) {
    w.allocs[0].starts_on = D(c->alloc_from);
    w.in.n_allocations = 1;
  }
  const pe_finding *f = world_eval(&w, c->as_of, "al");
  ck_assert_msg(f->status == c->status, "%s: %s", c->why, pe_status_name(f->status));
  world_free(&w);
}
END_TEST

START_TEST(first_meeting_within) {
  world w;
  world_init(
      &w, "{\"id\": \"f\", \"type\": \"first_meeting_within\", \"days\": 14, \"source\": \"s\"}");
  /* "within the first two weeks": 14 days counting the day of registration */
  world_add(&w, C(1, PE_C_MEETING, "2026-10-04T16:00:00+01:00")); /* registration + 13 */
  const pe_finding *f = world_eval(&w, "2026-10-20", "f");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(f->due, D("2026-10-04"));
  w.contacts[0].at = T("2026-10-05T09:00:00+01:00");
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_BREACHED);
  w.contacts[0].at = T("2026-09-30T09:00:00+01:00");
  w.contacts[0].attendance = PE_ATT_MISSED;
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_BREACHED);
  ck_assert_int_eq(world_eval(&w, "2026-10-01", "f")->status, PE_DUE_SOON);
  w.student.registered_on = D("2025-09-22"); /* returning */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_NOT_APPLICABLE);
  world_free(&w);
  world_init(&w, "{\"id\": \"f\", \"type\": \"first_meeting_within\", \"days\": 14,"
                 " \"from\": \"year_start\", \"applies_to\": \"all\", \"source\": \"s\"}");
  w.student.registered_on = D("2025-09-22");
  world_add(&w, C(1, PE_C_MEETING, "2026-10-12T09:00:00+01:00")); /* term start + 14 */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_BREACHED);
  w.contacts[0].at = T("2026-10-11T09:00:00+01:00"); /* term start + 13: the 14th day */
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_MET);
  world_status(&w, PE_ST_YEAR_ABROAD, "2026-09-01");
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "f")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(under18_senior_meeting) {
  world w;
  world_init(&w, "{\"id\": \"u\", \"type\": \"under18_senior_meeting\", \"source\": \"s\"}");
  w.student.date_of_birth = D("2008-11-01"); /* 18 on 2026-11-01 */
  const pe_finding *f = world_eval(&w, "2026-11-05", "u");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->due, D("2026-10-31"));
  pe_contact m = C(1, PE_C_MEETING, "2026-10-15T10:00:00+01:00");
  world_add(&w, m);
  ck_assert_int_eq(world_eval(&w, "2026-11-05", "u")->status, PE_BREACHED); /* not senior */
  w.contacts[0].senior_tutor = true;
  ck_assert_int_eq(world_eval(&w, "2026-11-05", "u")->status, PE_MET);
  w.student.date_of_birth = D("2007-05-01");
  ck_assert_int_eq(world_eval(&w, "2026-11-05", "u")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(cover_during_absence) {
  world w;
  world_init(
      &w, "{\"id\": \"cv\", \"type\": \"cover_during_absence\", \"days\": 5, \"source\": \"s\"}");
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "cv")->status, PE_MET); /* T2 named cover */
  w.absences[0].cover[0] = '\0';
  const pe_finding *f = world_eval(&w, "2026-12-01", "cv");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->due, D("2026-11-07"));
  ck_assert_int_eq(world_eval(&w, "2026-11-03", "cv")->status, PE_DUE_SOON);
  w.allocs[1] = (pe_allocation){"T5", PE_ALLOC_COVER, D("2026-11-06"), D("2026-11-20")};
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "cv")->status, PE_MET);
  w.allocs[1].starts_on = D("2026-11-08"); /* day after the deadline */
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "cv")->status, PE_BREACHED);
  w.absences[0].to = D("2026-11-06"); /* 5 days: no cover needed */
  ck_assert_int_eq(world_eval(&w, "2026-12-01", "cv")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(tutor_training_quiz_caseload) {
  const char *tr =
      "{\"id\": \"tr\", \"type\": \"tutor_training_within\", \"years\": 3, \"source\": \"s\"}";
  const char *qz =
      "{\"id\": \"q\", \"type\": \"tutor_quiz_within\", \"years\": 3, \"source\": \"s\"}";
  const char *cl =
      "{\"id\": \"cl\", \"type\": \"tutor_caseload_max\", \"max\": 30, \"source\": \"s\"}";
  pe_training recs[2] = {{PE_TR_TRAINING, D("2023-10-01"), -1}, {PE_TR_QUIZ, D("2028-02-29"), 80}};
  pe_tutor t = {.staff = "T1",
                .started_on = D("2020-01-01"),
                .training = recs,
                .n_training = 2,
                .tutees = 30};
  ck_assert_int_eq(eval_tutor(tr, &t, "2026-06-01T12:00:00Z").status, PE_MET);
  ck_assert_int_eq(eval_tutor(tr, &t, "2026-09-30T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(tr, &t, "2026-10-01T12:00:00Z").status, PE_DUE_SOON);
  ck_assert_int_eq(eval_tutor(tr, &t, "2026-10-02T12:00:00Z").status, PE_BREACHED);
  pe_finding q = eval_tutor(qz, &t, "2028-03-01T12:00:00Z");
  ck_assert_int_eq(q.status, PE_MET);
  ck_assert_int_eq(q.due, D("2031-02-28"));
  ck_assert_int_eq(eval_tutor(qz, &t, "2028-01-01T12:00:00Z").status, PE_BREACHED); /* none yet */
  t.started_on = D("2027-06-01");
  ck_assert_int_eq(eval_tutor(qz, &t, "2028-01-01T12:00:00Z").status, PE_PENDING);
  ck_assert_int_eq(eval_tutor(cl, &t, "2027-01-01T12:00:00Z").status, PE_MET);
  t.tutees = 31;
  ck_assert_int_eq(eval_tutor(cl, &t, "2027-01-01T12:00:00Z").status, PE_BREACHED);
  t.tutees = 25;
  t.capacity = 20;
  ck_assert_int_eq(eval_tutor(cl, &t, "2027-01-01T12:00:00Z").status, PE_BREACHED);
}
END_TEST

Suite *year_suite(void) {
  Suite *s = suite_create("year");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, meetings_per_year_counts);
  tcase_add_test(tc, meetings_late_registration_pro_rata);
  tcase_add_test(tc, meetings_year_abroad_and_withdrawn);
  tcase_add_test(tc, group_sessions_level);
  tcase_add_test(tc, missed_meetings_escalation);
  tcase_add_loop_test(tc, allocation_table, 0, sizeof ALLOC / sizeof ALLOC[0]);
  tcase_add_test(tc, first_meeting_within);
  tcase_add_test(tc, under18_senior_meeting);
  tcase_add_test(tc, cover_during_absence);
  tcase_add_test(tc, tutor_training_quiz_caseload);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(year_suite());
}
