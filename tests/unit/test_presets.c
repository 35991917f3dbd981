/* test_presets.c — each shipped preset loads, validates, and on a hand-built timeline gives
 * the findings its policy text implies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char *slurp(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.json", PRESET_DIR, name);
  FILE *fp = fopen(path, "rb");
  ck_assert_msg(fp != NULL, "cannot open %s", path);
  static const size_t cap = 1 << 16;
  char *buf = calloc(1, cap);
  size_t n = fread(buf, 1, cap - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return buf;
}

/* Loads a preset into a world, checking every rule quotes a clause. */
static void world_preset(world *w, const char *name) {
  char *text = slurp(name);
  world_init_policy(w, text);
  free(text);
  for (size_t i = 0; i < w->policy[0]->n_rules; i++)
    ck_assert_msg(strchr(w->policy[0]->rules[i].source, '"') != NULL, "%s rule %s quotes no clause",
                  name, w->policy[0]->rules[i].id);
}

static void expect(world *w, const char *rule, pe_status status) {
  const pe_finding *f = find_rule(&w->findings, rule);
  ck_assert_msg(f->status == status, "%s: %s (%s)", rule, pe_status_name(f->status), f->detail);
}

START_TEST(leicester_preset) {
  world w;
  world_preset(&w, "leicester");
  ck_assert_uint_eq(w.policy[0]->n_rules, 10);
  world_add(&w, C(1, PE_C_MEETING, "2026-09-24T10:00:00+01:00")); /* Welcome Week */
  world_add(&w, C(7, PE_C_EMAIL, "2026-09-29T10:00:00+01:00")); /* September's term part */
  world_add(&w, C(2, PE_C_EMAIL, "2026-10-05T10:00:00+01:00"));
  pe_contact well = C(3, PE_C_EMAIL, "2026-11-03T10:00:00Z");
  well.wellbeing_check = true;
  world_add(&w, well);
  world_add(&w, C(4, PE_C_MEETING, "2026-11-10T10:00:00Z"));
  pe_contact msg = C(5, PE_C_MESSAGE, "2026-10-23T17:00:00+01:00");
  msg.direction = PE_DIR_FROM_STUDENT;
  world_add(&w, msg);
  pe_contact reply = C(6, PE_C_EMAIL, "2026-10-27T09:00:00Z");
  reply.reply_to = 5;
  world_add(&w, reply);
  world_eval(&w, "2026-12-20", "allocation");
  ck_assert_uint_eq(w.findings.n, 8); /* training and quiz are tutor-level */
  expect(&w, "allocation", PE_MET);
  expect(&w, "first_meeting", PE_MET);
  expect(&w, "meetings", PE_PENDING); /* 2 of 4 by 2027-06-11 */
  expect(&w, "monthly_contact", PE_BREACHED); /* December's term part had no contact */
  ck_assert_int_eq(find_rule(&w.findings, "monthly_contact")->gap_start, D("2026-12-01"));
  expect(&w, "wellbeing_checkin", PE_MET);
  expect(&w, "response", PE_MET);
  expect(&w, "away_contact", PE_NOT_APPLICABLE);
  expect(&w, "cover", PE_MET);
  w.training[0] = (pe_training){PE_TR_TRAINING, D("2024-05-01"), -1};
  w.tutors[0].n_training = 1;
  pe_findings tf;
  pe_findings_init(&tf);
  ck_assert_int_eq(pe_evaluate_tutor(w.cal, (const pe_policy *const *)w.policy, 1, &w.tutors[0],
                                     T("2026-12-20T12:00:00Z"), &tf), PE_OK);
  ck_assert_uint_eq(tf.n, 2);
  expect(&(world){.findings = tf}, "training", PE_MET);
  expect(&(world){.findings = tf}, "quiz", PE_BREACHED); /* never taken */
  pe_findings_free(&tf);
  world_free(&w);
}
END_TEST

START_TEST(essex_preset) {
  world w;
  world_preset(&w, "essex");
  w.student.date_of_birth = D("2008-11-01"); /* 18 on 2026-11-01 */
  world_add(&w, C(1, PE_C_GROUP_MEETING, "2026-09-30T10:00:00+01:00"));
  world_eval(&w, "2027-02-01", "meetings");
  expect(&w, "start_meeting", PE_MET);
  expect(&w, "each_term", PE_PENDING); /* spring runs to 2027-03-26 */
  expect(&w, "meetings", PE_PENDING);
  expect(&w, "under18", PE_BREACHED);
  world_eval(&w, "2027-03-27", "meetings");
  expect(&w, "each_term", PE_BREACHED);
  world_free(&w);
}
END_TEST

START_TEST(westminster_preset) {
  world w;
  world_preset(&w, "westminster");
  for (int i = 0; i < 6; i++) {
    char at[32], buf[11];
    snprintf(at, sizeof at, "%sT10:00:00Z", DS(D("2026-10-05") + 7 * i, buf));
    world_add(&w, C(i + 1, PE_C_GROUP_MEETING, at));
  }
  pe_contact a = C(10, PE_C_MEETING, "2027-02-01T10:00:00Z");
  a.attendance = PE_ATT_MISSED;
  world_add(&w, a);
  a.id = 11;
  a.at = T("2027-02-15T10:00:00Z");
  world_add(&w, a);
  world_eval(&w, "2027-06-20", "meetings");
  expect(&w, "allocation", PE_MET);
  expect(&w, "meetings", PE_MET);
  expect(&w, "wethrive", PE_MET);
  expect(&w, "non_attendance", PE_BREACHED);
  ck_assert_int_eq(find_rule(&w.findings, "non_attendance")->due, D("2027-03-17"));
  w.student.level = PE_LEVEL_5;
  world_eval(&w, "2027-06-20", "meetings");
  expect(&w, "wethrive", PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

Suite *presets_suite(void) {
  Suite *s = suite_create("presets");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, leicester_preset);
  tcase_add_test(tc, essex_preset);
  tcase_add_test(tc, westminster_preset);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(presets_suite());
}
