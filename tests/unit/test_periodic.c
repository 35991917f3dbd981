/* test_periodic.c — contact_monthly, meeting_each_term, individual_checkin_per_term,
 * away_contact_per_term: term edges, half months, late registration, year abroad,
 * withdrawal, clock changes. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define MONTHLY "{\"id\": \"m\", \"type\": \"contact_monthly\", \"source\": \"s\"}"
#define EACH_TERM "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"source\": \"s\"}"
#define CHECKIN                                                                                    \
  "{\"id\": \"c\", \"type\": \"individual_checkin_per_term\", \"min\": 1, \"source\": \"s\"}"
#define AWAY "{\"id\": \"a\", \"type\": \"away_contact_per_term\", \"source\": \"s\"}"

static void add_email(world *w, int64_t id, const char *at) {
  world_add(w, C(id, PE_C_EMAIL, at));
}

/* One email in each autumn month: Sep 29, Oct 10, Nov 10, and a December one at `dec`. */
static void autumn_emails(world *w, const char *dec) {
  add_email(w, 1, "2026-09-29T10:00:00+01:00");
  add_email(w, 2, "2026-10-10T10:00:00+01:00");
  add_email(w, 3, "2026-11-10T10:00:00Z");
  if (dec) add_email(w, 4, dec);
}

typedef struct {
  const char *why, *dec, *as_of;
  pe_status status;
  const char *due;
} month_case;

static const month_case MONTH_CASES[] = {
    {"December half in term: contact inside the term part", "2026-12-10T10:00:00Z", "2026-12-20",
     PE_MET, NULL},
    {"last day of term counts (boundary)", "2026-12-11T18:00:00Z", "2026-12-20", PE_MET, NULL},
    {"day after term end does not count", "2026-12-12T10:00:00Z", "2026-12-20", PE_BREACHED,
     "2026-12-11"},
    {"no December contact, 6 days left: due soon", NULL, "2026-12-05", PE_DUE_SOON, "2026-12-11"},
    {"no December contact, 10 days left: pending", NULL, "2026-12-01", PE_PENDING, "2026-12-11"},
    {"weekend contact counts", "2026-12-05T10:00:00Z", "2026-12-20", PE_MET, NULL},
    {"no December contact at all, after term", NULL, "2026-12-20", PE_BREACHED, "2026-12-11"},
};

START_TEST(monthly_table) {
  const month_case *c = &MONTH_CASES[_i];
  world w;
  char buf[11];
  world_init(&w, MONTHLY);
  autumn_emails(&w, c->dec);
  const pe_finding *f = world_eval(&w, c->as_of, "m");
  ck_assert_msg(f->status == c->status, "%s: %s (%s)", c->why, pe_status_name(f->status),
                f->detail);
  if (c->due) ck_assert_msg(f->due == D(c->due), "%s: due %s", c->why, DS(f->due, buf));
  if (c->status == PE_BREACHED) {
    ck_assert_int_eq(f->gap_start, D("2026-12-01"));
    ck_assert_int_eq(f->gap_end, D("2026-12-11"));
  }
  world_free(&w);
}
END_TEST

START_TEST(monthly_closure_day_and_clock_change) {
  world w;
  world_init(&w, MONTHLY);
  add_email(&w, 2, "2026-10-10T10:00:00+01:00");
  add_email(&w, 3, "2026-11-20T10:00:00Z"); /* university closure day */
  /* 00:30 BST on 1 October: October, not September */
  add_email(&w, 9, "2026-09-30T23:30:00Z");
  const pe_finding *f = world_eval(&w, "2026-11-30", "m");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2026-09-28"));
  ck_assert_int_eq(f->gap_end, D("2026-09-30"));
  add_email(&w, 10, "2026-09-30T22:30:00Z"); /* 23:30 BST on 30 September */
  ck_assert_int_eq(world_eval(&w, "2026-11-30", "m")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(monthly_late_registration) {
  world w;
  world_init(&w, MONTHLY);
  w.student.registered_on = D("2026-10-20");
  add_email(&w, 1, "2026-10-25T10:00:00Z");
  add_email(&w, 2, "2026-11-05T10:00:00Z");
  const pe_finding *f = world_eval(&w, "2026-11-30", "m");
  ck_assert_int_eq(f->status, PE_MET); /* September not judged */
  ck_assert_int_eq(f->window_start, D("2026-10-20"));
  ck_assert_uint_eq(f->ev_n, 2);
  world_free(&w);
  world_init(&w, MONTHLY);
  w.student.registered_on = D("2026-10-20");
  add_email(&w, 1, "2026-10-19T10:00:00+01:00"); /* before registration */
  add_email(&w, 2, "2026-11-05T10:00:00Z");
  ck_assert_int_eq(world_eval(&w, "2026-11-30", "m")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

START_TEST(monthly_year_abroad_and_withdrawal) {
  world w;
  world_init(&w, MONTHLY);
  autumn_emails(&w, "2026-12-01T10:00:00Z");
  world_status(&w, PE_ST_YEAR_ABROAD, "2027-01-01");
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "m")->status, PE_MET);
  world_free(&w);
  world_init(&w, MONTHLY);
  autumn_emails(&w, "2026-12-01T10:00:00Z");
  add_email(&w, 5, "2027-01-12T10:00:00Z");
  world_status(&w, PE_ST_WITHDRAWN, "2027-02-15");
  const pe_finding *f = world_eval(&w, "2027-03-31", "m");
  ck_assert_int_eq(f->status, PE_MET); /* February ends after withdrawal: not judged */
  ck_assert_int_eq(f->window_end, D("2027-01-31"));
  world_free(&w);
  world_init(&w, MONTHLY);
  world_status(&w, PE_ST_WITHDRAWN, "2026-08-01");
  ck_assert_int_eq(world_eval(&w, "2026-11-30", "m")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

START_TEST(each_term_edges_and_attendance) {
  world w;
  world_init(&w, EACH_TERM);
  world_add(&w, C(1, PE_C_MEETING, "2026-09-28T09:00:00+01:00")); /* first day of term */
  const pe_finding *f = world_eval(&w, "2027-01-05", "t");
  ck_assert_int_eq(f->status, PE_MET);
  f = world_eval(&w, "2027-03-27", "t"); /* spring ended with no meeting */
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2027-01-11"));
  ck_assert_int_eq(f->due, D("2027-03-26"));
  pe_contact missed = C(2, PE_C_MEETING, "2027-03-26T10:00:00Z"); /* last day, missed */
  missed.attendance = PE_ATT_MISSED;
  world_add(&w, missed);
  ck_assert_int_eq(world_eval(&w, "2027-03-27", "t")->status, PE_BREACHED); /* attended only */
  world_free(&w);
  world_init(
      &w,
      "{\"id\": \"t\", \"type\": \"meeting_each_term\", \"count\": \"offered\", \"source\": \"s\"}");
  world_add(&w, C(1, PE_C_MEETING, "2026-09-28T09:00:00+01:00"));
  pe_contact m2 = C(2, PE_C_MEETING, "2027-03-26T10:00:00Z");
  m2.attendance = PE_ATT_MISSED;
  world_add(&w, m2);
  ck_assert_int_eq(world_eval(&w, "2027-03-27", "t")->status, PE_MET); /* offered */
  world_add(&w, C(3, PE_C_MEETING, "2026-12-12T10:00:00Z"));           /* vacation */
  ck_assert_int_eq(world_eval(&w, "2027-04-26", "t")->status, PE_PENDING);
  ck_assert_int_eq(world_eval(&w, "2027-06-12", "t")->status, PE_BREACHED);
  world_free(&w);
}
END_TEST

START_TEST(each_term_year_abroad_mid_year) {
  world w;
  world_init(&w, EACH_TERM);
  world_add(&w, C(1, PE_C_MEETING, "2026-10-05T09:00:00+01:00"));
  world_status(&w, PE_ST_YEAR_ABROAD, "2027-01-04");
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "t")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(checkin_kinds) {
  world w;
  world_init(&w, CHECKIN);
  pe_contact g = C(1, PE_C_GROUP_MEETING, "2026-10-05T09:00:00+01:00");
  g.wellbeing_check = true;
  world_add(&w, g);
  pe_contact plain = C(2, PE_C_EMAIL, "2026-10-06T09:00:00+01:00");
  world_add(&w, plain);
  pe_contact missed = C(3, PE_C_MEETING, "2026-10-07T09:00:00+01:00");
  missed.wellbeing_check = true;
  missed.attendance = PE_ATT_MISSED;
  world_add(&w, missed);
  ck_assert_int_eq(world_eval(&w, "2026-12-12", "c")->status, PE_BREACHED);
  ck_assert_int_eq(world_eval(&w, "2026-12-11", "c")->status, PE_DUE_SOON);
  pe_contact ok = C(4, PE_C_EMAIL, "2026-12-11T16:00:00Z");
  ok.wellbeing_check = true;
  world_add(&w, ok);
  const pe_finding *f = world_eval(&w, "2026-12-12", "c");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(world_evidence(&w, f, 0), 4);
  world_free(&w);
}
END_TEST

START_TEST(away_contact_rules) {
  world w;
  world_init(&w, AWAY);
  ck_assert_int_eq(world_eval(&w, "2027-06-30", "a")->status, PE_NOT_APPLICABLE);
  world_status(&w, PE_ST_PLACEMENT, "2027-02-01");
  world_status(&w, PE_ST_STUDYING, "2027-04-01");
  add_email(&w, 1, "2027-01-20T10:00:00Z"); /* before going away: does not count */
  const pe_finding *f = world_eval(&w, "2027-04-10", "a");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2027-02-01"));
  ck_assert_int_eq(f->gap_end, D("2027-03-26"));
  add_email(&w, 2, "2027-03-26T10:00:00Z"); /* last day of term while away */
  ck_assert_int_eq(world_eval(&w, "2027-04-10", "a")->status, PE_MET);
  world_free(&w);
}
END_TEST

START_TEST(away_year_abroad_each_term) {
  world w;
  world_init(&w, AWAY);
  world_status(&w, PE_ST_YEAR_ABROAD, "2027-01-01");
  add_email(&w, 1, "2027-02-01T10:00:00Z");
  ck_assert_int_eq(world_eval(&w, "2027-05-01", "a")->status, PE_PENDING);
  const pe_finding *f = world_eval(&w, "2027-06-12", "a");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->gap_start, D("2027-04-26"));
  world_free(&w);
}
END_TEST

Suite *periodic_suite(void) {
  Suite *s = suite_create("periodic");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, monthly_table, 0, sizeof MONTH_CASES / sizeof MONTH_CASES[0]);
  tcase_add_test(tc, monthly_closure_day_and_clock_change);
  tcase_add_test(tc, monthly_late_registration);
  tcase_add_test(tc, monthly_year_abroad_and_withdrawal);
  tcase_add_test(tc, each_term_edges_and_attendance);
  tcase_add_test(tc, each_term_year_abroad_mid_year);
  tcase_add_test(tc, checkin_kinds);
  tcase_add_test(tc, away_contact_rules);
  tcase_add_test(tc, away_year_abroad_each_term);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(periodic_suite());
}
