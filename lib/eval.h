/* eval.h — the evaluation context shared by evaluate.c and the rules_*.c files. */
#ifndef PE_EVAL_H
#define PE_EVAL_H

#include "internal.h"

#define PE_DATE_MAX INT32_MAX

typedef struct {
  const pe_input *in;
  const pe_calendar *cal;
  const pe_policy *policy; /* the version being evaluated */
  pe_findings *out;
  pe_date as_of;         /* local date of in->as_of */
  const pe_year *year;   /* academic year evaluated */
  pe_date reg;           /* registered_on */
  pe_date active_end;    /* last day before withdrawal/completion, or PE_DATE_MAX */
  pe_spanset studying;   /* days studying (not away), registration..active_end */
  pe_spanset teaching;   /* teaching terms of the year */
  size_t statuses_known; /* status-history entries dated on or before as_of (the rest were not
                            true on as_of): student->statuses[0..statuses_known) */
} pe_ctx;

typedef pe_err (*pe_rule_fn)(pe_ctx *ctx, const pe_rule *r, pe_finding *f);
/* A contact predicate. It receives the evaluation context so that it can ask who the tutor
 * was on the contact's day (pe_counts_by) — the one way a rule reaches the context. */
typedef bool (*pe_pred)(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r);

/* ---- context.c ---- */
/* met / due (PE_NO_DATE = none) → status against as_of and the warning window. */
pe_status pe_due_status(const pe_ctx *ctx, bool met, pe_date due);
/* Appends contact id to f's evidence (with its staff member, "" when none). */
pe_err pe_evidence(pe_ctx *ctx, pe_finding *f, int64_t id);
pe_err pe_evidence_by(pe_ctx *ctx, pe_finding *f, int64_t id, const char *staff);
/* Index of the first contact with at >= t. */
size_t pe_first_at(const pe_input *in, pe_instant t);
/* Counts contacts matching pred inside spans (local days, and at <= as_of), adding their
 * ids as evidence when f is non-NULL. */
int pe_count_in_spans(pe_ctx *ctx, const pe_spanset *spans, pe_pred pred, const pe_rule *r,
                      pe_finding *f, pe_err *err);
/* Days in status mask since registration (until active_end), as spans. */
void pe_presence(const pe_ctx *ctx, unsigned mask, pe_spanset *out);
/* True when staff is the student's personal or cover tutor on date d, or covers an
 * absence of the personal tutor on d. */
bool pe_staff_eligible(const pe_ctx *ctx, const char *staff, pe_date d);
/* True when contact c was made by the student's tutor on its local date: the personal tutor
 * (a personal allocation active that day), or a cover tutor (a cover allocation active that day,
 * or the cover named on an absence of the personal tutor that covers that day). Secondary
 * (joint-honours) tutors and other staff (a senior tutor who is not the personal tutor) are not.
 * A student-initiated email, message, phone call or check-in is never the tutor's contact;
 * meetings, group meetings and teaching events count whatever their recorded direction. The
 * rule is not consulted (see pe_counts_by). */
bool pe_contact_by_tutor(const pe_ctx *ctx, const pe_contact *c);
/* Whose contact counts for r: with `by: any_staff` (PE_P_BY == 1) every contact, otherwise only
 * the tutor's (pe_contact_by_tutor). */
bool pe_counts_by(const pe_ctx *ctx, const pe_contact *c, const pe_rule *r);
/* True when one of the student's exemptions covers day d for rule r (it names r's id, or names
 * no rule at all); *exemption_id (may be NULL) gets the first such exemption's id. */
bool pe_exempt(const pe_ctx *ctx, const pe_rule *r, pe_date d, int64_t *exemption_id);
/* Removes from spans every day on which r is suspended by an exemption. */
void pe_exempt_spans(const pe_ctx *ctx, const pe_rule *r, pe_spanset *spans);
/* The exemption record with this id, or NULL. */
const pe_exemption *pe_exemption_by_id(const pe_ctx *ctx, int64_t id);
/* True when the student is in the first year of the course in the evaluated academic year: the
 * course start (registered_on when unknown) falls after the end of the previous academic year
 * and on or before the end of this one. */
bool pe_is_new_student(const pe_ctx *ctx);
/* The student's status on day d as it was known on as_of: status-history entries dated after
 * d, or after as_of, are ignored; studying before the first entry. */
pe_student_status pe_status_on(const pe_ctx *ctx, pe_date d);
/* Tutor facts for staff id, or NULL. */
const pe_tutor *pe_tutor_facts(const pe_ctx *ctx, const char *staff);
/* Sets f to not_applicable with the given detail. */
void pe_not_applicable(pe_finding *f, const char *detail);

/* The latest of the days `dates[0..n)` that falls in year y and on or before as_of
 * (an invitation to give feedback in that year, known on as_of); PE_NO_DATE when none. */
pe_date pe_latest_in_year(const pe_date *dates, size_t n, const pe_year *y, pe_date as_of);

/* Items each with its own deadline (messages awaiting a reply, meetings awaiting a summary):
 * the first whose deadline passed unmet, and the first still open. */
typedef struct {
  int breaches;
  size_t first_breach, first_open; /* contact indices */
  pe_date breach_due, open_due;    /* PE_NO_DATE when none */
} pe_deadlines;
/* An empty tally. */
void pe_deadlines_init(pe_deadlines *t);
/* Records contact m, unmet, due on `due`: a breach when due is before as_of, else open. */
void pe_deadlines_unmet(const pe_ctx *ctx, pe_deadlines *t, size_t m, pe_date due);
/* When an item is breached (the first) or open (the first still within its deadline): sets f's
 * due and status, drops the evidence gathered so far (the item itself is the evidence) and
 * returns the item's contact index; -1 when every item was met. */
long pe_deadlines_conclude(pe_ctx *ctx, const pe_deadlines *t, pe_finding *f);

/* ---- rules_periodic.c ---- */
typedef struct {
  pe_span natural;  /* the term / month as the calendar has it */
  pe_spanset spans; /* the part in which the student is judged */
} pe_period;
/* Judges "at least min matching contacts in each period" (see rules_periodic.c). */
pe_err pe_judge_periods(pe_ctx *ctx, const pe_rule *r, pe_finding *f, pe_period *periods, size_t n,
                        int min, pe_pred pred, const char *what);
/* Fills periods[] with the year's teaching terms — or semesters when r has `period: semester`
 * (r may be NULL: terms) — each clipped to `presence`. */
size_t pe_term_periods(const pe_ctx *ctx, const pe_rule *r, const pe_spanset *presence,
                       pe_period *out, size_t max);

/* ---- rule implementations ---- */
pe_err pe_rule_allocation_within(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_first_meeting_within(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_under18_senior_meeting(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_meetings_per_year(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_group_sessions(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_meeting_each_term(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_missed_meetings_escalation(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_contact_monthly(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_individual_checkin_per_term(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_away_contact_per_term(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_response_within(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_cover_during_absence(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_welcome_week_contact(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_meeting_summary_within(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_feedback_invited(pe_ctx *, const pe_rule *, pe_finding *);
pe_err pe_rule_personal_tutor_named(pe_ctx *, const pe_rule *, pe_finding *);
/* Tutor-level rules take the tutor instead of a student context. */
void pe_rule_tutor(const pe_rule *r, const pe_tutor *t, const pe_calendar *cal, pe_date as_of,
                   int warning_days, pe_finding *f);
/* School-level rules take the school's facts. */
void pe_rule_school(const pe_rule *r, const pe_school *s, pe_date as_of, pe_finding *f);

/* ---- finding.c ---- */
/* Appends a blank finding for rule r (status not_applicable); NULL on OOM. */
pe_finding *pe_findings_push(pe_findings *out, const pe_rule *r);
/* Removes the last finding and its evidence. */
void pe_findings_pop(pe_findings *out);

#endif
