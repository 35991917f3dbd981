/* test_presets.c — each shipped preset loads, validates, lists the rules its clauses imply (in
 * order, with their parameters), quotes every clause, has a sidecar naming the clauses it leaves
 * out, and on a hand-built timeline gives the findings its policy text implies. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char *slurp_file(const char *file) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", PRESET_DIR, file);
  FILE *fp = fopen(path, "rb");
  ck_assert_msg(fp != NULL, "cannot open %s", path);
  static const size_t cap = 1 << 16;
  char *buf = calloc(1, cap);
  size_t n = fread(buf, 1, cap - 1, fp);
  fclose(fp);
  ck_assert_msg(n < cap - 1, "%s is too long for the test buffer", path);
  buf[n] = '\0';
  return buf;
}

/* Reads sql/presets/<name>.json. */
static char *slurp(const char *name) {
  char file[64];
  snprintf(file, sizeof file, "%s.json", name);
  return slurp_file(file);
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

/* A one-to-one meeting the student missed. */
static pe_contact missed_meeting(int64_t id, const char *at) {
  pe_contact c = C(id, PE_C_MEETING, at);
  c.attendance = PE_ATT_MISSED;
  return c;
}

/* A timeline of meetings (one attended, two missed), a message from the student unanswered and a
 * check-in. */
static void add_timeline(world *w) {
  world_add(w, C(1, PE_C_MEETING, "2026-09-30T10:00:00+01:00"));
  world_add(w, missed_meeting(2, "2026-11-10T10:00:00Z"));
  world_add(w, missed_meeting(3, "2026-11-24T10:00:00Z"));
  pe_contact message = C(4, PE_C_MESSAGE, "2026-12-01T09:00:00Z");
  message.direction = PE_DIR_FROM_STUDENT;
  message.staff[0] = '\0';
  world_add(w, message);
  world_add(w, C(5, PE_C_CHECKIN, "2026-10-14T11:00:00+01:00"));
}

static void expect(world *w, const char *rule, pe_status status) {
  const pe_finding *f = find_rule(&w->findings, rule);
  ck_assert_msg(f->status == status, "%s: %s (%s)", rule, pe_status_name(f->status), f->detail);
}

typedef struct {
  const char *id;
  pe_rule_type type;
} rule_row;

/* The policy's rules are exactly `rows`, in order (ids and types). */
static void expect_rules(const pe_policy *p, const rule_row *rows, size_t n) {
  ck_assert_uint_eq(p->n_rules, n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(p->rules[i].id, rows[i].id);
    ck_assert_msg(p->rules[i].type == rows[i].type, "%s is %s", rows[i].id,
                  pe_rule_type_name(p->rules[i].type));
    ck_assert(p->rules[i].enabled);
  }
}

/* The rule with this id (fails the test when absent). */
static const pe_rule *rule_of(const pe_policy *p, const char *id) {
  for (size_t i = 0; i < p->n_rules; i++)
    if (strcmp(p->rules[i].id, id) == 0) return &p->rules[i];
  ck_abort_msg("no rule %s", id);
  return NULL;
}

/* Evaluates every tutor-level rule of the world's policy for tutor 0 as of the instant, into *out.
 */
static void tutor_findings(world *w, const char *at, pe_findings *out) {
  pe_findings_init(out);
  ck_assert_int_eq(
      pe_evaluate_tutor(w->cal, (const pe_policy *const *)w->policy, 1, &w->tutors[0], T(at), out),
      PE_OK);
}

static const rule_row LEICESTER[] = {
    {"allocation", PE_R_ALLOCATION_WITHIN},
    {"first_meeting", PE_R_FIRST_MEETING_WITHIN},
    {"welcome_week", PE_R_WELCOME_WEEK_CONTACT},
    {"meetings", PE_R_MEETINGS_PER_YEAR},
    {"term_attendance", PE_R_MEETING_EACH_TERM},
    {"monthly_contact", PE_R_CONTACT_MONTHLY},
    {"wellbeing_checkin", PE_R_INDIVIDUAL_CHECKIN_PER_TERM},
    {"response", PE_R_RESPONSE_WITHIN},
    {"away_contact", PE_R_AWAY_CONTACT_PER_TERM},
    {"cover", PE_R_COVER_DURING_ABSENCE},
    {"training", PE_R_TUTOR_TRAINING_WITHIN},
    {"quiz", PE_R_TUTOR_QUIZ_WITHIN},
    {"permanent", PE_R_TUTOR_PERMANENT},
    {"feedback", PE_R_FEEDBACK_INVITED},
    {"tutor_feedback", PE_R_TUTOR_FEEDBACK_INVITED},
    {"senior_tutors", PE_R_SENIOR_TUTORS},
};

/* Leicester: every rule the brief's clauses imply, with the parameters each clause sets. */
START_TEST(leicester_rules) {
  world w;
  world_preset(&w, "leicester");
  const pe_policy *p = w.policy[0];
  expect_rules(p, LEICESTER, sizeof LEICESTER / sizeof LEICESTER[0]);
  ck_assert_int_eq(p->not_fulfilling_pct, 25);
  ck_assert(!p->senior_tutor_hours.present);
  ck_assert_int_eq(rule_of(p, "allocation")->param[PE_P_DAYS], 7);
  ck_assert_int_eq(rule_of(p, "allocation")->param[PE_P_FIRST_WEEK], 0); /* from registration */
  ck_assert_int_eq(rule_of(p, "first_meeting")->param[PE_P_DAYS], 14);
  ck_assert_int_eq(rule_of(p, "welcome_week")->param[PE_P_DAYS], 14);
  ck_assert_int_eq(rule_of(p, "welcome_week")->param[PE_P_AUDIENCE], 0); /* new and returning */
  ck_assert_int_eq(rule_of(p, "meetings")->param[PE_P_MIN], 4);
  ck_assert_int_eq(rule_of(p, "meetings")->param[PE_P_COUNT], 1);        /* offered */
  ck_assert_int_eq(rule_of(p, "term_attendance")->param[PE_P_COUNT], 0); /* attended */
  ck_assert_int_eq(rule_of(p, "monthly_contact")->param[PE_P_KINDS],
                   (1 << PE_C__N) - 1);                                     /* every kind */
  ck_assert_int_eq(rule_of(p, "wellbeing_checkin")->param[PE_P_PERIOD], 1); /* semester */
  ck_assert_int_eq(rule_of(p, "term_attendance")->param[PE_P_PERIOD], 0);   /* term */
  ck_assert_int_eq(rule_of(p, "response")->param[PE_P_WORKING_DAYS], 3);
  ck_assert_int_eq(rule_of(p, "away_contact")->param[PE_P_STATUSES], PE_AWAY_MASK);
  ck_assert_int_eq(rule_of(p, "cover")->param[PE_P_DAYS], 5);
  ck_assert_int_eq(rule_of(p, "training")->param[PE_P_YEARS], 3);
  ck_assert_int_eq(rule_of(p, "training")->param[PE_P_KIND], PE_TR_TRAINING);
  ck_assert_int_eq(rule_of(p, "quiz")->param[PE_P_YEARS], 3);
  ck_assert_int_eq(rule_of(p, "senior_tutors")->param[PE_P_MIN], 1);
  ck_assert_int_eq(rule_of(p, "senior_tutors")->param[PE_P_MAX], 0); /* the role "can be split" */
  for (size_t i = 0; i < p->n_rules; i++) /* Leicester has no non-attendance escalation clause */
    ck_assert(p->rules[i].type != PE_R_MISSED_MEETINGS_ESCALATION);
  world_free(&w);
}
END_TEST

/* Leicester on an autumn timeline: the findings of the first-round rules the clauses imply. */
START_TEST(leicester_preset) {
  world w;
  world_preset(&w, "leicester");
  world_add(&w, C(1, PE_C_MEETING, "2026-09-24T10:00:00+01:00")); /* Welcome Week */
  world_add(&w, C(7, PE_C_PHONE, "2026-09-29T10:00:00+01:00")); /* September's term part: a call */
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
  ck_assert_uint_eq(w.findings.n, 11); /* 4 tutor-level rules and 1 school-level are judged apart */
  expect(&w, "allocation", PE_MET);
  expect(&w, "first_meeting", PE_MET);
  expect(&w, "meetings", PE_PENDING);         /* 2 of 4 by 2027-06-11 */
  expect(&w, "term_attendance", PE_MET);      /* attended in the autumn term */
  expect(&w, "monthly_contact", PE_BREACHED); /* December's term part had no contact */
  ck_assert_int_eq(find_rule(&w.findings, "monthly_contact")->gap_start, D("2026-12-01"));
  expect(&w, "wellbeing_checkin", PE_MET);
  expect(&w, "response", PE_MET);
  expect(&w, "away_contact", PE_NOT_APPLICABLE);
  expect(&w, "cover", PE_MET);
  expect(&w, "welcome_week", PE_MET); /* met in Welcome Week */
  expect(&w, "feedback", PE_PENDING); /* not invited yet; the year has months to run */
  w.student.feedback_invited = (const pe_date[]){D("2026-11-16")};
  w.student.n_feedback_invited = 1;
  world_eval(&w, "2026-12-20", "feedback");
  expect(&w, "feedback", PE_MET);
  world_free(&w);
}
END_TEST

/* Leicester's contact in term counts every contact kind: September's term part is met by a phone
 * call alone, and breached without it. */
START_TEST(leicester_monthly_any_kind) {
  world w;
  world_preset(&w, "leicester");
  world_add(&w, C(1, PE_C_CHECKIN, "2026-09-30T10:00:00+01:00"));
  world_add(&w, C(2, PE_C_MESSAGE, "2026-10-14T10:00:00+01:00"));
  world_add(&w, C(3, PE_C_PHONE, "2026-11-02T10:00:00Z"));
  world_add(&w, C(4, PE_C_TEACHING_EVENT, "2026-12-01T10:00:00Z"));
  world_eval(&w, "2026-12-20", "monthly_contact");
  expect(&w, "monthly_contact", PE_MET);
  world_free(&w);
  world_preset(&w, "leicester");
  world_add(&w, C(2, PE_C_MESSAGE, "2026-10-14T10:00:00+01:00"));
  world_add(&w, C(3, PE_C_PHONE, "2026-11-02T10:00:00Z"));
  world_add(&w, C(4, PE_C_TEACHING_EVENT, "2026-12-01T10:00:00Z"));
  world_eval(&w, "2026-12-20", "monthly_contact");
  expect(&w, "monthly_contact", PE_BREACHED); /* 28-30 September: no contact */
  ck_assert_int_eq(find_rule(&w.findings, "monthly_contact")->gap_start, D("2026-09-28"));
  world_free(&w);
}
END_TEST

/* Leicester's cover: an absence of 5 days needs none; of 6 days it needs cover by its sixth day
 * (due from + 5): due_soon on that day, breached the day after. */
START_TEST(leicester_cover_boundary) {
  world w;
  world_preset(&w, "leicester");
  w.absences[0] = (pe_absence){D("2026-11-02"), D("2026-11-06"), ""};
  world_eval(&w, "2026-12-01", "cover");
  expect(&w, "cover", PE_MET);
  w.absences[0].to = D("2026-11-07");
  world_eval(&w, "2026-11-07", "cover");
  ck_assert_int_eq(find_rule(&w.findings, "cover")->due, D("2026-11-07"));
  ck_assert(find_rule(&w.findings, "cover")->status != PE_BREACHED);
  world_eval(&w, "2026-11-08", "cover");
  expect(&w, "cover", PE_BREACHED);
  w.absences[0].cover[0] = 'T', w.absences[0].cover[1] = '2';
  world_eval(&w, "2026-11-08", "cover");
  expect(&w, "cover", PE_MET);
  world_free(&w);
}
END_TEST

/* Leicester's tutor-level rules: training within three years met, the quiz never taken breached. */
START_TEST(leicester_tutor_rules) {
  world w;
  world_preset(&w, "leicester");
  w.training[0] = (pe_training){PE_TR_TRAINING, D("2024-05-01"), -1};
  w.tutors[0].n_training = 1;
  w.tutors[0].roles = PE_ROLE_TUTOR;
  pe_findings tf;
  tutor_findings(&w, "2026-12-20T12:00:00Z", &tf);
  ck_assert_uint_eq(tf.n, 4);
  expect(&(world){.findings = tf}, "training", PE_MET);
  expect(&(world){.findings = tf}, "quiz", PE_BREACHED); /* never taken */
  expect(&(world){.findings = tf}, "permanent",
         PE_BREACHED); /* not permanent, no exception recorded */
  expect(&(world){.findings = tf}, "tutor_feedback", PE_PENDING);
  pe_findings_free(&tf);
  w.tutors[0].permanent_exception = true; /* agreed with the Dean of Personal Tutoring */
  tutor_findings(&w, "2026-12-20T12:00:00Z", &tf);
  expect(&(world){.findings = tf}, "permanent", PE_MET);
  pe_findings_free(&tf);
  w.training[0].on = D("2023-12-20"); /* three years to the day: due on 2026-12-20, not yet late */
  tutor_findings(&w, "2026-12-20T12:00:00Z", &tf);
  ck_assert(find_rule(&tf, "training")->status != PE_BREACHED);
  pe_findings_free(&tf);
  tutor_findings(&w, "2026-12-21T12:00:00Z", &tf);
  expect(&(world){.findings = tf}, "training", PE_BREACHED);
  pe_findings_free(&tf);
  world_free(&w);
}
END_TEST

static const rule_row ESSEX[] = {
    {"named_tutor", PE_R_PERSONAL_TUTOR_NAMED},
    {"start_meeting", PE_R_FIRST_MEETING_WITHIN},
    {"meetings", PE_R_MEETINGS_PER_YEAR},
    {"each_term", PE_R_MEETING_EACH_TERM},
    {"mental_health_first_aid", PE_R_TUTOR_TRAINING_WITHIN},
    {"essential_training", PE_R_TUTOR_TRAINING_WITHIN},
    {"under18", PE_R_UNDER18_SENIOR_MEETING},
    {"senior_tutors", PE_R_SENIOR_TUTORS},
};

/* Essex: the rule list and its parameters; no feedback invitation rule (see essex.notes.json). */
START_TEST(essex_rules) {
  world w;
  world_preset(&w, "essex");
  const pe_policy *p = w.policy[0];
  expect_rules(p, ESSEX, sizeof ESSEX / sizeof ESSEX[0]);
  ck_assert_int_eq(rule_of(p, "named_tutor")->param[PE_P_DAYS], 7);
  ck_assert_int_eq(rule_of(p, "start_meeting")->param[PE_P_DAYS], 14);
  ck_assert_int_eq(rule_of(p, "start_meeting")->param[PE_P_APPLIES_TO], 0); /* new students */
  ck_assert_int_eq(rule_of(p, "meetings")->param[PE_P_MIN], 3);
  ck_assert_int_eq(rule_of(p, "each_term")->param[PE_P_COUNT], 1); /* offered: "arrange" */
  const pe_rule *mhfa = rule_of(p, "mental_health_first_aid");
  ck_assert_int_eq(mhfa->param[PE_P_KIND], PE_TR_MENTAL_HEALTH_FIRST_AID);
  ck_assert_int_eq(mhfa->param[PE_P_ROLES], PE_ROLE_SENIOR_TUTOR);
  ck_assert_int_eq(mhfa->param[PE_P_YEARS], 0); /* once: the clause sets no renewal */
  const pe_rule *ess = rule_of(p, "essential_training");
  ck_assert_int_eq(ess->param[PE_P_KIND], PE_TR_ESSENTIAL);
  ck_assert_int_eq(ess->param[PE_P_ROLES], PE_ROLE_TUTOR | PE_ROLE_SENIOR_TUTOR);
  ck_assert_int_eq(rule_of(p, "senior_tutors")->param[PE_P_MIN], 1);
  for (size_t i = 0; i < p->n_rules; i++) ck_assert(p->rules[i].type != PE_R_FEEDBACK_INVITED);
  world_free(&w);
}
END_TEST

/* Essex on a timeline: the start meeting, each term and under-18s, around the eighteenth birthday.
 */
START_TEST(essex_preset) {
  world w;
  world_preset(&w, "essex");
  w.student.date_of_birth = D("2008-11-01"); /* 18 on 2026-11-01 */
  world_add(&w, C(1, PE_C_GROUP_MEETING, "2026-09-30T10:00:00+01:00"));
  world_eval(&w, "2027-02-01", "meetings");
  ck_assert_uint_eq(w.findings.n, 5); /* named_tutor, start_meeting, meetings, each_term, under18 */
  expect(&w, "named_tutor", PE_MET);
  expect(&w, "start_meeting", PE_MET);
  expect(&w, "each_term", PE_PENDING); /* spring runs to 2027-03-26 */
  expect(&w, "meetings", PE_PENDING);
  expect(&w, "under18", PE_BREACHED);
  ck_assert_int_eq(find_rule(&w.findings, "under18")->due, D("2026-10-31"));
  world_eval(&w, "2027-03-26", "meetings");
  expect(&w, "each_term", PE_DUE_SOON); /* the last day of spring */
  world_eval(&w, "2027-03-27", "meetings");
  expect(&w, "each_term", PE_BREACHED);
  world_free(&w);
}
END_TEST

/* Essex's training rules: Mental Health First Aid applies to senior tutors only and is needed once;
 * essential training applies to both roles. */
START_TEST(essex_tutor_rules) {
  world w;
  world_preset(&w, "essex");
  pe_findings tf;
  w.tutors[0].roles = PE_ROLE_TUTOR;
  tutor_findings(&w, "2026-12-01T12:00:00Z", &tf);
  ck_assert_uint_eq(tf.n, 2);
  expect(&(world){.findings = tf}, "mental_health_first_aid", PE_NOT_APPLICABLE);
  ck_assert(find_rule(&tf, "essential_training")->status != PE_NOT_APPLICABLE);
  pe_findings_free(&tf);
  w.tutors[0].roles = PE_ROLE_TUTOR | PE_ROLE_SENIOR_TUTOR;
  w.training[0] = (pe_training){PE_TR_MENTAL_HEALTH_FIRST_AID, D("2019-03-12"), -1};
  w.training[1] = (pe_training){PE_TR_ESSENTIAL, D("2025-09-01"), -1};
  w.tutors[0].n_training = 2;
  tutor_findings(&w, "2026-12-01T12:00:00Z", &tf);
  expect(&(world){.findings = tf}, "mental_health_first_aid", PE_MET); /* once, years ago */
  expect(&(world){.findings = tf}, "essential_training", PE_MET);
  pe_findings_free(&tf);
  w.tutors[0].n_training = 0;
  tutor_findings(&w, "2026-12-01T12:00:00Z", &tf);
  ck_assert(find_rule(&tf, "mental_health_first_aid")->status != PE_MET);
  pe_findings_free(&tf);
  world_free(&w);
}
END_TEST

static const rule_row WESTMINSTER[] = {
    {"allocation", PE_R_ALLOCATION_WITHIN},
    {"meetings", PE_R_MEETINGS_PER_YEAR},
    {"wethrive", PE_R_GROUP_SESSIONS},
    {"non_attendance", PE_R_MISSED_MEETINGS_ESCALATION},
    {"meeting_summary", PE_R_MEETING_SUMMARY_WITHIN},
    {"senior_tutors", PE_R_SENIOR_TUTORS},
};

/* Westminster: the rule list, its parameters, and the senior tutor hours of Appendix 1. */
START_TEST(westminster_rules) {
  world w;
  world_preset(&w, "westminster");
  const pe_policy *p = w.policy[0];
  expect_rules(p, WESTMINSTER, sizeof WESTMINSTER / sizeof WESTMINSTER[0]);
  ck_assert(p->senior_tutor_hours.present);
  ck_assert_int_eq(p->senior_tutor_hours.base, 200);
  ck_assert_int_eq(p->senior_tutor_hours.up_to, 1000);
  ck_assert_int_eq(p->senior_tutor_hours.per, 10);
  ck_assert_int_eq(p->senior_tutor_hours.max, 300);
  ck_assert_int_eq(rule_of(p, "allocation")->param[PE_P_FIRST_WEEK], 1); /* first teaching week */
  ck_assert_int_eq(rule_of(p, "allocation")->param[PE_P_DAYS], 7);
  ck_assert_int_eq(rule_of(p, "wethrive")->param[PE_P_LEVEL], PE_LEVEL_4);
  ck_assert_int_eq(rule_of(p, "wethrive")->param[PE_P_MIN], 6);
  ck_assert_str_eq(rule_of(p, "wethrive")->label, "WeThrive");
  ck_assert_int_eq(rule_of(p, "non_attendance")->param[PE_P_RAISED_BY],
                   (1 << PE_RAISED_BY_TUTOR) | (1 << PE_RAISED_BY_SENIOR_TUTOR));
  ck_assert_int_eq(rule_of(p, "meeting_summary")->param[PE_P_WORKING_DAYS], 5);
  ck_assert_int_eq(rule_of(p, "senior_tutors")->param[PE_P_MIN], 1);
  ck_assert_int_eq(rule_of(p, "senior_tutors")->param[PE_P_MAX], 1);
  world_free(&w);
}
END_TEST

/* Westminster on a timeline: WeThrive at Level 4 only, two missed meetings escalate. */
START_TEST(westminster_preset) {
  world w;
  world_preset(&w, "westminster");
  for (int i = 0; i < 6; i++) {
    char at[32], buf[11];
    snprintf(at, sizeof at, "%sT10:00:00Z", DS(D("2026-10-05") + 7 * i, buf));
    world_add(&w, C(i + 1, PE_C_GROUP_MEETING, at));
  }
  world_add(&w, missed_meeting(10, "2027-02-01T10:00:00Z"));
  world_add(&w, missed_meeting(11, "2027-02-15T10:00:00Z"));
  world_eval(&w, "2027-06-20", "meetings");
  ck_assert_uint_eq(w.findings.n, 5); /* senior_tutors is judged per school */
  expect(&w, "allocation", PE_MET);
  expect(&w, "meetings", PE_MET);
  expect(&w, "wethrive", PE_MET);
  expect(&w, "meeting_summary", PE_BREACHED); /* no summary of the sessions was shared */
  expect(&w, "non_attendance", PE_BREACHED);
  ck_assert_int_eq(find_rule(&w.findings, "non_attendance")->due, D("2027-03-17"));
  world_eval(&w, "2027-03-17", "meetings");
  ck_assert(find_rule(&w.findings, "non_attendance")->status != PE_BREACHED); /* due that day */
  w.student.level = PE_LEVEL_5;
  world_eval(&w, "2027-06-20", "meetings");
  expect(&w, "wethrive", PE_NOT_APPLICABLE);
  world_free(&w);
}
END_TEST

/* Westminster's meeting summary within 5 working days: a Monday meeting's summary is due by the end
 * of the next Monday; shared then it is met, the morning after it is breached. */
START_TEST(westminster_summary_boundary) {
  world w;
  world_preset(&w, "westminster");
  pe_contact m = C(1, PE_C_MEETING, "2027-02-01T10:00:00Z");
  m.summary_at = T("2027-02-08T17:00:00Z");
  world_add(&w, m);
  world_eval(&w, "2027-03-01", "meeting_summary");
  expect(&w, "meeting_summary", PE_MET);
  w.contacts[0].summary_at = T("2027-02-09T09:00:00Z");
  world_eval(&w, "2027-03-01", "meeting_summary");
  expect(&w, "meeting_summary", PE_BREACHED);
  world_free(&w);
}
END_TEST

/* The school-level rule of `preset` for a school with `seniors` senior tutors on 2026-12-01. */
static pe_status seniors_status(const char *preset, int seniors) {
  world w;
  world_preset(&w, preset);
  pe_school school = {.senior_tutors = seniors, .tutees = 450};
  pe_findings out;
  pe_findings_init(&out);
  ck_assert_int_eq(pe_evaluate_school(w.cal, (const pe_policy *const *)w.policy, 1, &school,
                                      T("2026-12-01T12:00:00Z"), &out),
                   PE_OK);
  ck_assert_uint_eq(out.n, 1);
  pe_status st = find_rule(&out, "senior_tutors")->status;
  pe_findings_free(&out);
  world_free(&w);
  return st;
}

/* Every school needs a senior tutor; Leicester lets the role be split, Westminster expects one
 * only. */
START_TEST(senior_tutors_per_preset) {
  ck_assert_int_eq(seniors_status("leicester", 0), PE_BREACHED);
  ck_assert_int_eq(seniors_status("leicester", 1), PE_MET);
  ck_assert_int_eq(seniors_status("leicester", 2), PE_MET);
  ck_assert_int_eq(seniors_status("essex", 0), PE_BREACHED);
  ck_assert_int_eq(seniors_status("essex", 1), PE_MET);
  ck_assert_int_eq(seniors_status("westminster", 1), PE_MET);
  ck_assert_int_eq(seniors_status("westminster", 2), PE_BREACHED);
}
END_TEST

/* Each preset's sidecar names the preset and lists, with a reason, clauses no rule encodes. */
START_TEST(sidecars_list_unencoded_clauses) {
  static const char *const names[] = {"leicester", "essex", "westminster"};
  for (size_t i = 0; i < 3; i++) {
    char file[64];
    snprintf(file, sizeof file, "%s.notes.json", names[i]);
    char *text = slurp_file(file);
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    free(text);
    ck_assert_msg(j != NULL, "%s: %s", file, err.text);
    ck_assert_str_eq(json_string_value(json_object_get(j, "preset")), names[i]);
    ck_assert(json_array_size(json_object_get(j, "documents")) > 0);
    const json_t *list = json_object_get(j, "not_encoded"), *item;
    ck_assert(json_array_size(list) >= 5);
    size_t k;
    json_array_foreach(list, k, item) {
      ck_assert_uint_eq(json_object_size(item), 2);
      ck_assert(json_string_length(json_object_get(item, "clause")) > 10);
      ck_assert(json_string_length(json_object_get(item, "reason")) > 10);
    }
    json_decref(j);
  }
}
END_TEST

/* The findings as JSON text, one line each, of the rules of `types` alone (every type when 0). */
static char *findings_text(const pe_findings *f, unsigned types) {
  size_t cap = 1 << 16, used = 0;
  char *out = calloc(1, cap);
  for (size_t i = 0; i < f->n; i++) {
    if (types && !(types & (1u << f->items[i].type))) continue;
    json_t *j = pe_finding_to_json(f, i);
    char *text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    ck_assert_msg(text != NULL, "finding %zu as JSON", i);
    size_t n = strlen(text);
    ck_assert_msg(used + n + 2 < cap, "findings too long for the test buffer");
    memcpy(out + used, text, n);
    used += n;
    out[used++] = '\n';
    free(text);
    json_decref(j);
  }
  return out;
}

/* Judging some rule types alone (pe_input.rule_types, as the KPI and engagement reports do) gives
 * the findings the whole evaluation gives for those types, in the same order, and none of any other
 * type: on each preset, a timeline of meetings (one attended, two missed), a message from the
 * student unanswered, a check-in and an email, as of days across the year, for each type the preset
 * has alone, for the meeting rules together, and for a type none of its rules has. */
START_TEST(rule_types_judged_alone) {
  static const char *const presets[] = {"leicester", "essex", "westminster"};
  static const char *const days[] = {"2026-09-25", "2026-10-20", "2026-12-15", "2027-03-27",
                                     "2027-07-01"};
  const unsigned meetings = (1u << PE_R_FIRST_MEETING_WITHIN) | (1u << PE_R_MEETINGS_PER_YEAR) |
                            (1u << PE_R_MEETING_EACH_TERM) |
                            (1u << PE_R_MISSED_MEETINGS_ESCALATION);
  for (size_t p = 0; p < sizeof presets / sizeof *presets; p++) {
    world w;
    world_preset(&w, presets[p]);
    add_timeline(&w);
    world_add(&w, C(6, PE_C_EMAIL, "2027-01-20T15:00:00Z"));
    size_t judged = 0, left_out = 0, absent_empty = 0;
    unsigned present = 0;
    for (size_t r = 0; r < w.policy[0]->n_rules; r++) present |= 1u << w.policy[0]->rules[r].type;
    for (size_t d = 0; d < sizeof days / sizeof *days; d++) {
      world_judge(&w, days[d]);
      pe_findings all = w.findings;
      pe_findings_init(&w.findings);
      for (unsigned t = 0; t <= PE_R__N; t++) {
        /* each type alone; then (t == PE_R__N) the meeting rules together */
        unsigned types = t < PE_R__N ? 1u << t : meetings;
        w.in.rule_types = types;
        pe_findings_clear(&w.findings);
        ck_assert_int_eq(pe_evaluate_student(&w.in, &w.findings), PE_OK);
        char *whole = findings_text(&all, types), *alone = findings_text(&w.findings, 0);
        ck_assert_msg(strcmp(whole, alone) == 0,
                      "%s as of %s, types %#x:\nall:\n%.800s\nalone:\n%.800s", presets[p], days[d],
                      types, whole, alone);
        judged += w.findings.n;
        left_out += w.findings.n < all.n;
        absent_empty += !(present & types) && w.findings.n == 0;
        free(whole);
        free(alone);
      }
      w.in.rule_types = 0;
      pe_findings_free(&w.findings);
      w.findings = all;
    }
    /* not vacuous: findings were compared, masks left some out, and types the policy lacks gave
     * none */
    ck_assert_msg(judged > 0 && left_out > 0 && absent_empty > 0,
                  "%s: %zu judged, %zu left out, %zu empty", presets[p], judged, left_out,
                  absent_empty);
    world_free(&w);
  }
}
END_TEST

/* pe_finding_write_open, closed, writes each finding as json_dumps(pe_finding_to_json(...),
 * JSON_COMPACT) does, byte for byte: every finding of each preset (their clauses quote with
 * curly and straight quotes) over a year of days, with a timeline that gives evidence, evidence
 * staff, gaps, windows and dates of every kind. */
START_TEST(findings_as_text_as_jansson_writes_them) {
  static const char *const presets[] = {"leicester", "essex", "westminster"};
  size_t compared = 0, with_evidence = 0, with_gap = 0, without_due = 0;
  for (size_t p = 0; p < sizeof presets / sizeof *presets; p++) {
    world w;
    world_preset(&w, presets[p]);
    add_timeline(&w);
    for (pe_date day = D("2026-09-20"); day <= D("2027-09-30"); day += 9) {
      char as_of[11];
      world_judge(&w, pe_date_format(day, as_of));
      for (size_t i = 0; i < w.findings.n; i++) {
        json_t *j = pe_finding_to_json(&w.findings, i);
        char *expected = json_dumps(j, JSON_COMPACT);
        pe_text t = {0};
        pe_finding_write_open(&w.findings, i, &t);
        pe_text_puts(&t, "}");
        char *got = pe_text_take(&t);
        ck_assert_msg(expected && got && strcmp(expected, got) == 0, "%s as of %s:\n%s\n%s",
                      presets[p], as_of, expected, got);
        const pe_finding *f = &w.findings.items[i];
        compared++;
        with_evidence += f->ev_n > 0;
        with_gap += f->gap_start != PE_NO_DATE;
        without_due += f->due == PE_NO_DATE;
        free(expected);
        free(got);
        json_decref(j);
      }
    }
    world_free(&w);
  }
  ck_assert_msg(compared > 500 && with_evidence > 0 && with_gap > 0 && without_due > 0,
                "%zu compared, %zu with evidence, %zu with a gap, %zu without a due day", compared,
                with_evidence, with_gap, without_due);
}
END_TEST

Suite *presets_suite(void) {
  Suite *s = suite_create("presets");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, leicester_rules);
  tcase_add_test(tc, leicester_preset);
  tcase_add_test(tc, leicester_monthly_any_kind);
  tcase_add_test(tc, leicester_cover_boundary);
  tcase_add_test(tc, leicester_tutor_rules);
  tcase_add_test(tc, essex_rules);
  tcase_add_test(tc, essex_preset);
  tcase_add_test(tc, essex_tutor_rules);
  tcase_add_test(tc, westminster_rules);
  tcase_add_test(tc, westminster_preset);
  tcase_add_test(tc, westminster_summary_boundary);
  tcase_add_test(tc, senior_tutors_per_preset);
  tcase_add_test(tc, sidecars_list_unencoded_clauses);
  tcase_add_test(tc, rule_types_judged_alone);
  tcase_add_test(tc, findings_as_text_as_jansson_writes_them);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(presets_suite());
}
