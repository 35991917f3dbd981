/* test_response.c — response_within: working days, closures, clock changes, cover tutors,
 * replies with and without reply_to. Table-driven. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define RULE                                                                                       \
  "{\"id\": \"r\", \"type\": \"response_within\", \"working_days\": 3, \"source\": \"s\"}"

typedef struct {
  const char *why;
  const char *msg_at;
  const char *reply_at; /* NULL: no reply */
  const char *reply_staff;
  bool reply_to; /* reply names the message */
  const char *as_of;
  pe_status status;
  const char *due; /* NULL: no due date expected */
} resp_case;

static const resp_case CASES[] = {
    {"Friday 17:00, not yet due on Wednesday", "2026-10-23T17:00:00+01:00", NULL, NULL, false,
     "2026-10-28T10:00:00Z", PE_DUE_SOON, "2026-10-28"},
    {"Friday 17:00, breached on Thursday", "2026-10-23T17:00:00+01:00", NULL, NULL, false,
     "2026-10-29T09:00:00Z", PE_BREACHED, "2026-10-28"},
    {"reply at 23:30 on the due day (boundary)", "2026-10-23T17:00:00+01:00",
     "2026-10-28T23:30:00Z", "T1", true, "2026-11-02", PE_MET, NULL},
    {"reply at 00:30 the day after", "2026-10-23T17:00:00+01:00", "2026-10-29T00:30:00Z", "T1",
     true, "2026-11-02", PE_BREACHED, "2026-10-28"},
    {"bank-holiday Monday: due Thursday", "2027-04-30T17:00:00+01:00", NULL, NULL, false,
     "2027-05-06T10:00:00Z", PE_DUE_SOON, "2027-05-06"},
    {"bank-holiday Monday: breached Friday", "2027-04-30T17:00:00+01:00", NULL, NULL, false,
     "2027-05-07T10:00:00Z", PE_BREACHED, "2027-05-06"},
    {"bank-holiday Monday: reply Thursday", "2027-04-30T17:00:00+01:00",
     "2027-05-06T16:00:00+01:00", "T1", true, "2027-05-10", PE_MET, NULL},
    {"message on a closure day (Easter Monday)", "2027-03-29T10:00:00+01:00", NULL, NULL, false,
     "2027-04-02T10:00:00Z", PE_BREACHED, "2027-04-01"},
    {"message on a Saturday", "2026-10-24T10:00:00+01:00", NULL, NULL, false,
     "2026-10-28T10:00:00Z", PE_DUE_SOON, "2026-10-28"},
    {"October change: Sunday 23:30 GMT is still Sunday", "2026-10-25T23:30:00Z", NULL, NULL, false,
     "2026-10-29T10:00:00Z", PE_BREACHED, "2026-10-28"},
    {"March change: 00:30 BST Tuesday is Tuesday", "2027-03-29T23:30:00Z", NULL, NULL, false,
     "2027-04-02T10:00:00Z", PE_DUE_SOON, "2027-04-02"},
    {"cover tutor replies during the absence", "2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z", "T2",
     true, "2026-11-30", PE_MET, NULL},
    {"someone else replies during the absence", "2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z",
     "T3", true, "2026-11-30", PE_BREACHED, "2026-11-06"},
    {"absence cover outside the absence does not count", "2026-10-12T10:00:00+01:00",
     "2026-10-13T10:00:00+01:00", "T2", true, "2026-11-30", PE_BREACHED, "2026-10-15"},
    {"cover allocation tutor replies", "2027-01-12T10:00:00Z", "2027-01-13T10:00:00Z", "T4", true,
     "2027-02-28", PE_MET, NULL},
    {"reply without reply_to: first to_student contact after", "2026-10-12T10:00:00+01:00",
     "2026-10-14T10:00:00+01:00", "T1", false, "2026-11-30", PE_MET, NULL},
    {"leap day: Friday + 3 working days is 1 March", "2028-02-25T17:00:00Z", NULL, NULL, false,
     "2028-02-29T10:00:00Z", PE_DUE_SOON, "2028-03-01"},
    {"leap day: reply on 29 February", "2028-02-25T17:00:00Z", "2028-02-29T10:00:00Z", "T1", true,
     "2028-03-10", PE_MET, NULL},
};

START_TEST(response_table) {
  const resp_case *c = &CASES[_i];
  world w;
  char buf[11];
  world_init(&w, RULE);
  pe_contact m = C(100, PE_C_MESSAGE, c->msg_at);
  m.direction = PE_DIR_FROM_STUDENT;
  m.staff[0] = '\0';
  world_add(&w, m);
  if (c->reply_at) {
    pe_contact r = C(101, PE_C_EMAIL, c->reply_at);
    strcpy(r.staff, c->reply_staff);
    r.reply_to = c->reply_to ? 100 : 0;
    world_add(&w, r);
  }
  const pe_finding *f = world_eval(&w, c->as_of, "r");
  ck_assert_msg(f->status == c->status, "%s: status %s", c->why, pe_status_name(f->status));
  if (c->due) ck_assert_msg(f->due == D(c->due), "%s: due %s", c->why, DS(f->due, buf));
  if (c->status == PE_MET) ck_assert_int_eq(world_evidence(&w, f, 0), 101);
  if (c->status == PE_BREACHED) ck_assert_int_eq(world_evidence(&w, f, 0), 100);
  world_free(&w);
}
END_TEST

START_TEST(detail_names_the_message) {
  world w;
  world_init(&w, RULE);
  pe_contact m = C(42, PE_C_MESSAGE, "2026-10-23T17:00:00+01:00");
  m.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, m);
  const pe_finding *f = world_eval(&w, "2026-11-01", "r");
  ck_assert_str_eq(f->detail, "message of 2026-10-23 not answered within 3 working days");
  world_free(&w);
}
END_TEST

START_TEST(reply_before_message_and_reply_to_other) {
  world w;
  world_init(&w, RULE);
  pe_contact early = C(1, PE_C_EMAIL, "2026-10-12T09:00:00+01:00");
  world_add(&w, early);
  pe_contact m = C(2, PE_C_EMAIL, "2026-10-12T10:00:00+01:00");
  m.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, m);
  pe_contact other = C(3, PE_C_EMAIL, "2026-10-13T10:00:00+01:00");
  other.reply_to = 999; /* answers something else */
  world_add(&w, other);
  ck_assert_int_eq(world_eval(&w, "2026-10-20", "r")->status, PE_BREACHED);
  pe_contact plain = C(4, PE_C_EMAIL, "2026-10-14T10:00:00+01:00");
  world_add(&w, plain);
  const pe_finding *f = world_eval(&w, "2026-10-20", "r");
  ck_assert_int_eq(f->status, PE_MET);
  ck_assert_int_eq(world_evidence(&w, f, 0), 4);
  world_free(&w);
}
END_TEST

START_TEST(one_breach_among_answered_messages) {
  world w;
  world_init(&w, RULE);
  const char *times[] = {"2026-10-05T10:00:00+01:00", "2026-10-19T10:00:00+01:00",
                         "2026-11-23T10:00:00Z"};
  for (int i = 0; i < 3; i++) {
    pe_contact m = C(10 + i, PE_C_MESSAGE, times[i]);
    m.direction = PE_DIR_FROM_STUDENT;
    world_add(&w, m);
  }
  pe_contact r1 = C(20, PE_C_EMAIL, "2026-10-06T10:00:00+01:00");
  r1.reply_to = 10;
  world_add(&w, r1);
  pe_contact r3 = C(22, PE_C_EMAIL, "2026-11-24T10:00:00Z");
  r3.reply_to = 12;
  world_add(&w, r3);
  const pe_finding *f = world_eval(&w, "2026-12-01", "r");
  ck_assert_int_eq(f->status, PE_BREACHED);
  ck_assert_int_eq(f->due, D("2026-10-22"));
  ck_assert_int_eq(world_evidence(&w, f, 0), 11);
  world_free(&w);
}
END_TEST

START_TEST(withdrawn_and_not_registered) {
  world w;
  world_init(&w, RULE);
  pe_contact m = C(5, PE_C_MESSAGE, "2026-10-23T17:00:00+01:00");
  m.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, m);
  world_status(&w, PE_ST_WITHDRAWN, "2026-10-27"); /* due 10-28 falls after withdrawal */
  ck_assert_int_eq(world_eval(&w, "2026-11-10", "r")->status, PE_MET);
  ck_assert_int_eq(world_eval(&w, "2026-11-10", "r")->ev_n, 0);
  ck_assert_int_eq(world_eval(&w, "2026-09-01", "r")->status, PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

Suite *response_suite(void) {
  Suite *s = suite_create("response_within");
  TCase *tc = tcase_create("core");
  tcase_add_loop_test(tc, response_table, 0, sizeof CASES / sizeof CASES[0]);
  tcase_add_test(tc, detail_names_the_message);
  tcase_add_test(tc, reply_before_message_and_reply_to_other);
  tcase_add_test(tc, one_breach_among_answered_messages);
  tcase_add_test(tc, withdrawn_and_not_registered);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(response_suite());
}
