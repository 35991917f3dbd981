/* helpers.h — shared fixtures for the engine's unit tests. */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <check.h>

#include "pe.h"

/* UK calendar 2026/27 and 2027/28 (Europe/London, England bank holidays). */
extern const char *const TEST_CALENDAR_JSON;

/* Date from "YYYY-MM-DD"; aborts the test on a bad literal. */
pe_date D(const char *s);
/* Instant from RFC 3339; aborts the test on a bad literal. */
pe_instant T(const char *s);
/* The test calendar, parsed; caller frees with pe_calendar_free. */
pe_calendar *test_calendar(void);
/* Parses a policy JSON literal, failing the test if it is invalid. */
pe_policy *test_policy(const char *json);
/* A contact with the usual defaults (to_student by T1, attended). */
pe_contact C(int64_t id, pe_contact_kind kind, const char *at);
/* The finding for rule id in f, failing the test if absent. */
const pe_finding *find_rule(const pe_findings *f, const char *rule_id);
/* A test world: the UK calendar, one policy, a Level 4 UG student registered 2026-09-21
 * with personal tutor T1 from 2026-09-22 (open). Tutor T1 is absent 2026-11-02..2026-11-20
 * with cover T2; T4 holds a cover allocation 2027-01-11..2027-01-31. */
typedef struct {
  pe_calendar *cal;
  pe_policy *policy[2];
  size_t n_policies;
  pe_student student;
  pe_status_entry statuses[4];
  pe_allocation allocs[4];
  pe_contact contacts[128];
  pe_tutor tutors[2];
  pe_absence absences[2];
  pe_training training[4];
  pe_concern concerns[2];
  size_t n_contacts;
  pe_input in;
  pe_findings findings;
} world;

/* Sets up the world with a policy whose only rule is rule_json. Free with world_free. */
void world_init(world *w, const char *rule_json);
/* Sets up the world with a full policy JSON text. */
void world_init_policy(world *w, const char *policy_json);
/* Adds a contact. */
void world_add(world *w, pe_contact c);
/* Adds a status change from date. */
void world_status(world *w, pe_student_status s, const char *from);
/* Evaluates as of the instant (RFC 3339 or a date, meaning 12:00 UTC that day) into w->findings. */
void world_judge(world *w, const char *as_of);
/* world_judge, then the finding for rule_id (failing the test if absent). */
const pe_finding *world_eval(world *w, const char *as_of, const char *rule_id);
/* Evidence id i of finding f. */
int64_t world_evidence(const world *w, const pe_finding *f, size_t i);
void world_free(world *w);

/* Runs a suite (forking per test); returns the process exit status. */
int run_suite(Suite *s);

/* Formats a date for assertions (static-free: uses the caller's buffer). */
#define DS(d, buf) pe_date_format((d), (buf))

/* ---- helpers for the second-round rules (test_new_rules.c) ---- */

/* Parses a calendar JSON literal, failing the test if it is invalid; caller frees. */
pe_calendar *calendar_from_json(const char *json);
/* Evaluates the single tutor-level rule rule_json (a policy with only that rule) for t on the
 * test calendar as of as_of (RFC 3339); returns the finding (rule_id and source cleared). */
pe_finding eval_tutor(const char *rule_json, const pe_tutor *t, const char *as_of);
/* Evaluates the single school-level rule rule_json for s; as eval_tutor. */
pe_finding eval_school(const char *rule_json, const pe_school *s, const char *as_of);

#endif
