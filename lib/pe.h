/*
 * pe.h — tutord policy engine: the public API.
 *
 * Pure C, no I/O, no globals but a small per-thread cache of time-zone transitions (tz.c); jansson
 * is used only to read policy and calendar JSON and to write findings. Every function is
 * thread-safe as long as callers do not share a mutable object (pe_findings) between threads;
 * calendars and policies are read-only after parsing and may be shared freely.
 *
 * Dates are pe_date: days since 1970-01-01 (proleptic Gregorian). Instants are
 * pe_instant: Unix seconds (UTC). PE_NO_DATE marks an absent date.
 */
#ifndef PE_H
#define PE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

typedef int32_t pe_date;
typedef int64_t pe_instant;

#define PE_NO_DATE INT32_MIN
#define PE_ID_LEN 32

typedef enum { PE_OK = 0, PE_INVALID, PE_NOMEM, PE_NOT_FOUND } pe_err;

/* ---- civil dates (civil.c) ---- */

/* Days since epoch of a valid civil date; no validation (use pe_date_parse). */
pe_date pe_date_from_ymd(int y, int m, int d);
/* Splits a date into year, month (1-12), day (1-31). Any out pointer may be NULL. */
void pe_date_to_ymd(pe_date d, int *y, int *m, int *day);
/* Parses strict "YYYY-MM-DD" (real calendar day, leap years honoured). PE_OK or PE_INVALID. */
pe_err pe_date_parse(const char *s, pe_date *out);
/* Writes "YYYY-MM-DD" (11 bytes incl. NUL) into buf. Returns buf. */
char *pe_date_format(pe_date d, char buf[11]);
/* Copies src into dst[cap] truncated and NUL-terminated, the bytes snprintf(dst, cap, "%s", src)
 * writes: ids and details are copied per contact and per finding (and per fact row by the service),
 * where going through the formatter was a tenth of the time. cap > 0. */
void pe_copy_text(char *dst, size_t cap, const char *src);
/* Day of week, 0 = Sunday .. 6 = Saturday. */
int pe_weekday(pe_date d);
/* The same month/day n years later; 29 Feb becomes 28 Feb in a common year. */
pe_date pe_date_add_years(pe_date d, int n);
/* The day a person born on `born` reaches `years` of age: in England a 29 February birthday is
 * reached on 1 March in a common year (Family Law Reform Act 1969 s.9 counts whole years). */
pe_date pe_birthday(pe_date born, int years);
/* Parses an RFC 3339 instant with offset ("2026-10-23T17:00:00+01:00" or "...Z"). */
pe_err pe_instant_parse(const char *s, pe_instant *out);

/* ---- time zones (tz.c) ---- */

typedef struct {
  int month, week, wday; /* POSIX "Mm.w.d": week 5 = last */
  int32_t secs;          /* local wall-clock time of the change, seconds */
} pe_tz_when;

typedef struct {
  int32_t std_off, dst_off; /* seconds EAST of UTC (London: 0 and 3600) */
  bool has_dst;
  pe_tz_when start, end;
} pe_tz;

/* Parses a POSIX TZ rule ("GMT0BST,M3.5.0/1,M10.5.0", "UTC0", "<+01>-1") or one of the
 * built-in IANA names Europe/London, Europe/Dublin, UTC, Etc/UTC. Only the M-form of
 * transition dates is accepted. PE_OK, or PE_INVALID with *out untouched. */
pe_err pe_tz_parse(const char *spec, pe_tz *out);
/* UTC offset (seconds east) in force at instant t. */
int32_t pe_tz_offset(const pe_tz *tz, pe_instant t);
/* The local civil date of instant t. */
pe_date pe_local_date(const pe_tz *tz, pe_instant t);
/* First instant of local date d (local midnight; after a gap, the first valid instant). */
pe_instant pe_local_day_start(const pe_tz *tz, pe_date d);
/* Last second of local date d (inclusive end of that day). */
pe_instant pe_local_day_end(const pe_tz *tz, pe_date d);

/* ---- calendar (calendar.c, calendar_json.c) ---- */

typedef struct {
  char name[PE_ID_LEN];
  pe_date start, end; /* inclusive */
  bool teaching;      /* false for a listed vacation */
  int semester;       /* 1.. when the calendar groups terms into semesters; 0 = not grouped */
} pe_term;

typedef struct {
  char label[PE_ID_LEN];
  pe_date start, end;         /* inclusive */
  size_t first_term, n_terms; /* slice of pe_calendar.terms, sorted by start */
} pe_year;

typedef struct pe_calendar {
  pe_tz tz;
  pe_year *years; /* sorted by start */
  size_t n_years;
  pe_term *terms;
  size_t n_terms;
  pe_date *closures; /* sorted, unique */
  size_t n_closures;
} pe_calendar;

typedef struct {
  pe_date start, end;
} pe_span;

/* Parses the SPEC §4a calendar JSON ({time_zone, years[{label,start,end,terms[]}],
 * closures[{date,reason}]}). On success *out is a new calendar (free with
 * pe_calendar_free) and *errors is NULL. On PE_INVALID *out is NULL and *errors is a new
 * array of {field, message} naming every problem (caller decrefs). PE_NOMEM on OOM. */
pe_err pe_calendar_parse(const json_t *j, pe_calendar **out, json_t **errors);
/* Frees a calendar; NULL-safe. */
void pe_calendar_free(pe_calendar *cal);
/* True when d is a closure day (binary search). */
bool pe_is_closure(const pe_calendar *cal, pe_date d);
/* True when d is Monday–Friday and not a closure day. */
bool pe_is_working_day(const pe_calendar *cal, pe_date d);
/* The Nth working day after the local day on which instant `received` falls: the day of
 * receipt never counts; weekend and closure days never count. Due "by the end of" it. */
pe_date pe_working_days_after(const pe_calendar *cal, pe_instant received, int n);
/* The academic year containing d, else the latest year starting before d, else the first
 * year; NULL when the calendar has no years. Borrowed pointer. */
const pe_year *pe_calendar_year_for(const pe_calendar *cal, pe_date d);
/* The teaching term containing d, or NULL. Borrowed pointer. */
const pe_term *pe_calendar_term_at(const pe_calendar *cal, pe_date d);
/* Writes the teaching-term parts of `year` as spans into out (at most max); returns the
 * number written. */
size_t pe_calendar_teaching_spans(const pe_calendar *cal, const pe_year *year, pe_span *out,
                                  size_t max);
/* Calendar months of `year` overlapping teaching terms: for each, the in-term part of
 * the month (one span per month and term piece; months[i] tells which month index,
 * y*12+m-1, the span belongs to). Returns the number of spans written (at most max). */
size_t pe_calendar_term_months(const pe_calendar *cal, const pe_year *year, pe_span *out,
                               int32_t *months, size_t max);

/* ---- facts ---- */

typedef enum { PE_LEVEL_F = 0, PE_LEVEL_4 = 4, PE_LEVEL_5, PE_LEVEL_6, PE_LEVEL_7 } pe_level;
typedef enum { PE_VOCAB_COHORT(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_COHORT__N } pe_cohort_kind;
typedef enum {
  PE_VOCAB_STUDENT_STATUS(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_ST__N
} pe_student_status;
#define PE_AWAY_MASK ((1u << PE_ST_YEAR_ABROAD) | (1u << PE_ST_PLACEMENT) | (1u << PE_ST_SUSPENDED))

typedef enum { PE_VOCAB_ALLOC_KIND(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_ALLOC__N } pe_alloc_kind;
typedef enum { PE_VOCAB_CONTACT_KIND(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_C__N } pe_contact_kind;
typedef enum { PE_VOCAB_DIRECTION(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_DIR__N } pe_direction;
typedef enum { PE_VOCAB_ATTENDANCE(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_ATT__N } pe_attendance;
/* Training record kinds: the school's personal-tutor training, the Personal Tutoring Quiz, Mental
 * Health First Aid (Essex SPT 7), and other essential training for the role (Essex PT 6, SPT 9). */
typedef enum {
  PE_VOCAB_TRAINING_KIND(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_TR__N
} pe_training_kind;
/* Who raised a concern: only a tutor's or senior tutor's referral escalates non-attendance. */
typedef enum {
  PE_VOCAB_RAISED_BY(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_RAISED_BY__N
} pe_raised_by;

/* ---- names (names.c): each enumerator's JSON spelling, from vocab.h; NULL after the last ---- */
extern const char *const PE_CONTACT_KIND_NAMES[PE_C__N + 1];
extern const char *const PE_DIRECTION_NAMES[PE_DIR__N + 1];
extern const char *const PE_ATTENDANCE_NAMES[PE_ATT__N + 1];
extern const char *const PE_STATUS_NAMES[PE_ST__N + 1];
extern const char *const PE_COHORT_NAMES[PE_COHORT__N + 1];
extern const char *const PE_ALLOC_KIND_NAMES[PE_ALLOC__N + 1];
extern const char *const PE_RAISED_BY_NAMES[PE_RAISED_BY__N + 1];
extern const char *const PE_TRAINING_KIND_NAMES[PE_TR__N + 1];
/* Index of s in names[0..n) (one of the lists above, n its count), or -1 (s unknown or NULL). */
int pe_name_index(const char *s, const char *const *names, int n);

typedef struct {
  pe_student_status status;
  pe_date from; /* in force from this date until the next entry's date */
} pe_status_entry;

/* An exemption period (authorised absence): rules named in `rules` (rule ids; n_rules 0 = every
 * student-level rule) are suspended for the student from `from` to `to` inclusive. */
#define PE_EXEMPT_MAX_RULES 16
typedef struct {
  int64_t id;
  pe_date from, to;
  char reason[64];
  char rules[PE_EXEMPT_MAX_RULES][PE_ID_LEN];
  int n_rules;
} pe_exemption;

typedef struct {
  pe_date registered_on;
  pe_date course_start;  /* first day of the course; PE_NO_DATE if unknown (then registered_on) */
  pe_date date_of_birth; /* PE_NO_DATE if unknown */
  pe_level level;
  pe_cohort_kind cohort;
  const pe_status_entry *statuses; /* sorted by from; empty = studying since registration */
  size_t n_statuses;
  const pe_exemption *exemptions; /* sorted by from */
  size_t n_exemptions;
  const pe_date *feedback_invited; /* days the student was invited to give feedback, sorted */
  size_t n_feedback_invited;
} pe_student;

typedef struct {
  char tutor[PE_ID_LEN];
  pe_alloc_kind kind;
  pe_date starts_on, ends_on; /* ends_on PE_NO_DATE = open */
} pe_allocation;

typedef struct {
  int64_t id;
  pe_contact_kind kind;
  pe_direction direction;
  char staff[PE_ID_LEN]; /* "" for from_student contacts */
  pe_instant at;         /* occurred_at, or scheduled_at when not yet occurred */
  pe_attendance attendance;
  int64_t reply_to; /* 0 = none */
  bool wellbeing_check;
  bool senior_tutor;     /* staff is a senior tutor */
  pe_instant summary_at; /* when a summary shared with the student was first recorded (a shared
                            note on the contact, or the contact's own summary); 0 = none */
} pe_contact;

typedef struct {
  pe_date from, to;      /* inclusive */
  char cover[PE_ID_LEN]; /* cover tutor, "" if none arranged */
} pe_absence;

typedef struct {
  pe_training_kind kind;
  pe_date on;
  int score; /* quiz score, -1 if none */
} pe_training;

/* Role mask bits (rule parameter `roles`, pe_tutor.roles). */
#define PE_ROLE_TUTOR 1u
#define PE_ROLE_SENIOR_TUTOR 2u

typedef struct {
  char staff[PE_ID_LEN];
  pe_date started_on; /* started the role; PE_NO_DATE if unknown */
  const pe_absence *absences;
  size_t n_absences;
  const pe_training *training;
  size_t n_training;
  int tutees;               /* current tutee count */
  int capacity;             /* 0 = not set */
  unsigned roles;           /* PE_ROLE_* bits */
  bool permanent;           /* permanent member of staff */
  bool permanent_exception; /* a non-permanent tutor whose exception is recorded with who agreed it
                             */
  const pe_date *feedback_invited; /* days the tutor was invited to give feedback, sorted */
  size_t n_feedback_invited;
} pe_tutor;

typedef struct {
  pe_date opened_on, closed_on; /* closed_on PE_NO_DATE while open */
  pe_raised_by raised_by;
} pe_concern;

/* School-level facts (rules about the school as a whole). */
typedef struct {
  int senior_tutors; /* active staff with the senior_tutor role in the school on as_of */
  int tutees;        /* students of the school with a personal tutor on as_of */
} pe_school;

/* ---- policy (policy.c, policy_rules.c) ---- */

/* Rule types: vocab.h PE_VOCAB_RULE_TYPE (lib/RULES.md says what each checks). */
typedef enum { PE_VOCAB_RULE_TYPE(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_R__N } pe_rule_type;

/* Rule parameters, stored by index in pe_rule.param. */
typedef enum {
  PE_P_DAYS,
  PE_P_WORKING_DAYS,
  PE_P_MIN,
  PE_P_MAX,
  PE_P_YEARS,
  PE_P_MISSED,
  PE_P_FROM,       /* 0 registration, 1 year_start */
  PE_P_APPLIES_TO, /* 0 new, 1 all */
  PE_P_COUNT,      /* 0 attended, 1 offered */
  PE_P_KINDS,      /* bit mask of pe_contact_kind */
  PE_P_STATUSES,   /* bit mask of pe_student_status */
  PE_P_LEVEL,      /* pe_level */
  PE_P_DURING,     /* 0 term */
  PE_P_BY, /* whose contact counts: 0 personal_tutor (or cover during an absence), 1 any_staff */
  PE_P_PERIOD,     /* 0 term, 1 semester */
  PE_P_PRO_RATA,   /* 1: annual minimum pro-rated for part-year students, 0: not */
  PE_P_KIND,       /* pe_training_kind */
  PE_P_ROLES,      /* PE_ROLE_* mask the rule applies to */
  PE_P_RAISED_BY,  /* bit mask of pe_raised_by that counts as escalation */
  PE_P_AUDIENCE,   /* welcome_week_contact: 0 new and returning, 1 new only, 2 returning only */
  PE_P_FIRST_WEEK, /* allocation_within `from`: 0 registration, 1 first teaching week of the year */
  PE_P__N
} pe_param;

typedef struct {
  char id[PE_ID_LEN];
  pe_rule_type type;
  bool enabled;
  bool disable_only; /* cohort entry {"id","enabled":false} with no type */
  int32_t param[PE_P__N];
  char label[PE_ID_LEN];
  char *source; /* owned by the policy */
} pe_rule;

typedef struct {
  unsigned levels;   /* bit (1<<level); 0 = any */
  unsigned cohorts;  /* bit (1<<pe_cohort_kind); 0 = any */
  unsigned statuses; /* bit (1<<pe_student_status); 0 = any */
  pe_rule *rules;
  size_t n_rules;
} pe_cohort;

/* Senior tutor workload hours (Westminster Appendix 1): `base` hours up to `up_to` tutees, plus one
 * hour for each `per` additional tutees, at most `max`. Present only when the policy says so. */
typedef struct {
  bool present;
  int base, up_to, per, max;
} pe_senior_hours;

typedef struct pe_policy {
  char *name;
  pe_date effective_from;
  int warning_days; /* due_soon window in calendar days (default 7) */
  pe_senior_hours senior_tutor_hours;
  int not_fulfilling_pct; /* % of a tutor's tutees with a breached meeting rule that marks the tutor
                             as not fully fulfilling the role (KPI); default 25 */
  int max_open_bookings;  /* bookable slots a student may hold booked at once, not yet
                             happened (SPEC "Slots and bookings"); 1..50, default
                             PE_DEFAULT_MAX_OPEN_BOOKINGS */
  pe_rule *rules;
  size_t n_rules;
  pe_cohort *cohorts;
  size_t n_cohorts;
} pe_policy;

#define PE_DEFAULT_MAX_OPEN_BOOKINGS 3

#define PE_MAX_RULES 64

/* Parses and validates a policy (SPEC §4a). On PE_OK *out is a new policy (free with
 * pe_policy_free) and *errors NULL. On PE_INVALID *out is NULL and *errors is a new
 * jansson array of every problem as {field: "$.rules[2].days", message} (caller decrefs).
 * PE_NOMEM on allocation failure. */
pe_err pe_policy_parse(const json_t *j, pe_policy **out, json_t **errors);
/* Same, from JSON text (e.g. an embedded preset); duplicate keys and syntax errors are
 * reported as errors with field "$". */
pe_err pe_policy_parse_string(const char *text, size_t len, pe_policy **out, json_t **errors);
/* Frees a policy; NULL-safe. */
void pe_policy_free(pe_policy *p);
/* The version in force on date d: the last of versions[0..n) (sorted by effective_from)
 * with effective_from <= d, else versions[0]; NULL when n == 0. Borrowed. */
const pe_policy *pe_policy_in_force(const pe_policy *const *versions, size_t n, pe_date d);
/* Fills out[] (capacity PE_MAX_RULES) with the rules that apply to a student of this
 * level/cohort/status: base rules, replaced or added by every matching cohort in order,
 * minus disabled ones. Returns the count. Pointers borrow from p. */
size_t pe_policy_effective_rules(const pe_policy *p, pe_level level, pe_cohort_kind cohort,
                                 pe_student_status status, const pe_rule **out);
/* Names: "allocation_within" etc.; NULL for an out-of-range value. */
const char *pe_rule_type_name(pe_rule_type t);
/* True for tutor-level rule types (training, quiz, caseload, tutor feedback, permanence). */
bool pe_rule_is_tutor_level(pe_rule_type t);
/* True for school-level rule types (senior tutors). */
bool pe_rule_is_school_level(pe_rule_type t);
/* Senior tutor hours for `tutees` under h; -1 when h is not present. */
int pe_senior_hours_for(const pe_senior_hours *h, int tutees);

/* ---- findings (finding.c) ---- */

typedef enum { PE_VOCAB_FINDING_STATUS(PE_VOCAB_ENUMERATOR, PE_VOCAB_NONE) PE_STATUS__N } pe_status;

typedef struct {
  const char *rule_id; /* borrowed from the policy */
  const char *source;  /* borrowed from the policy */
  pe_rule_type type;
  pe_status status;
  pe_date due;                      /* PE_NO_DATE if none */
  pe_date window_start, window_end; /* PE_NO_DATE if none */
  pe_date gap_start, gap_end;       /* the gap that breaks it, PE_NO_DATE if none */
  size_t ev_off, ev_n;              /* evidence contact ids: pe_findings.ids[ev_off..] and the
                                       staff member of each: pe_findings.staff[ev_off..] ("" none) */
  char tutor[PE_ID_LEN];            /* tutor-level findings: the staff id */
  int64_t exemption;                /* not_applicable because of this exemption id; 0 none */
  char detail[200];
} pe_finding;

typedef struct {
  pe_finding *items;
  size_t n, cap;
  int64_t *ids;
  char (*staff)[PE_ID_LEN]; /* parallel to ids */
  size_t n_ids, cap_ids;
} pe_findings;

/* Initialises an empty set (no allocation). */
void pe_findings_init(pe_findings *f);
/* Empties the set keeping its memory, for reuse across evaluations. */
void pe_findings_clear(pe_findings *f);
/* Frees the set's memory; NULL-safe; the struct may be re-initialised. */
void pe_findings_free(pe_findings *f);
/* Status name ("met", "pending", "due_soon", "breached", "not_applicable"). */
const char *pe_status_name(pe_status s);
/* One finding as SPEC §4a JSON {rule,type,status,due,window,evidence,detail,source[,tutor]}.
 * New reference (caller decrefs); NULL on OOM. Evidence is contact ids, or one object
 * {"gap": {"start","end"}} when the finding names a gap. */
json_t *pe_finding_to_json(const pe_findings *f, size_t i);
/* All findings as a JSON array; new reference, NULL on OOM. */
json_t *pe_findings_to_json(const pe_findings *f);

/* ---- findings as JSON text (finding_text.c) ---- */

/* A growing NUL-terminated text; zero-initialised it is empty. After an allocation fails it takes
 * nothing more and `failed` is set. */
typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} pe_text;
/* Frees the text; it is empty again. */
void pe_text_free(pe_text *t);
/* The text, malloc'd, for the caller to free (NULL when an allocation failed, or nothing was
 * written); t is empty again. */
char *pe_text_take(pe_text *t);
/* Appends n bytes of s. */
void pe_text_put(pe_text *t, const char *s, size_t n);
/* Appends a C string. */
void pe_text_puts(pe_text *t, const char *s);
/* Where JSON text goes: n bytes of s to ctx. */
typedef void (*pe_put_fn)(void *ctx, const char *s, size_t n);
/* Writes s (valid UTF-8) through put as a JSON string: \" and \\, the short forms of \b \f \n \r
 * \t, \u00XX for the other control characters, everything else as it is; the hex digits in upper
 * case as jansson's json_dumps writes them, or in lower case (lower_hex) as PostgreSQL's
 * escape_json does. */
void pe_json_string_write(const char *s, bool lower_hex, pe_put_fn put, void *ctx);
/* Appends s (valid UTF-8) as a JSON string, escaped as jansson's json_dumps escapes it without
 * flags (pe_json_string_write). */
void pe_text_string(pe_text *t, const char *s);
/* Appends an integer as jansson writes one. */
void pe_text_int(pe_text *t, int64_t v);
/* Appends a date as a JSON string "YYYY-MM-DD", or null for PE_NO_DATE. */
void pe_text_date(pe_text *t, pe_date d);
/* Appends finding i as json_dumps(pe_finding_to_json(f, i), JSON_COMPACT) writes it, but for the
 * closing brace: the caller may append members (",\"key\":value") before closing it. */
void pe_finding_write_open(const pe_findings *f, size_t i, pe_text *out);
/* SPEC §4a compliance object {student, as_of, policy{name,effective_from}, findings}.
 * `policy` may be NULL (then "policy": null). New reference, NULL on OOM. */
json_t *pe_compliance_to_json(const char *student, pe_date as_of, const pe_policy *policy,
                              const pe_findings *f);
/* Index of the "next thing due" for an agenda: the soonest due among pending, due_soon
 * and breached findings (ties: breached first); -1 when there is none. */
long pe_findings_next_due(const pe_findings *f);

/* ---- evaluation (evaluate.c) ---- */

typedef struct {
  const pe_calendar *cal;
  const pe_policy *const *versions; /* sorted by effective_from ascending */
  size_t n_versions;
  const pe_student *student;
  const pe_allocation *allocations;
  size_t n_allocations;
  const pe_contact *contacts;
  size_t n_contacts; /* sorted by `at` (pe_contacts_sort) */
  const pe_tutor *tutors;
  size_t n_tutors; /* the student's tutors and covers */
  const pe_concern *concerns;
  size_t n_concerns;
  pe_instant as_of;
  /* Only the rules of these types are judged: a mask of (1u << pe_rule_type); 0 judges every
   * rule. A report that reads some types alone (the KPIs' meeting rules, the engagement's
   * escalations) skips the others; the findings of the types judged are the same either way,
   * since every rule is judged on its own. */
  unsigned rule_types;
} pe_input;

/* Sorts contacts by `at` (then id) in place, as pe_evaluate_student requires. */
void pe_contacts_sort(pe_contact *c, size_t n);
/* Evaluates every student-level rule that applies to in->student (of in->rule_types, when
 * not 0) and appends one finding per rule to *out (which the caller owns and must have
 * initialised). Each finding is judged by the policy version in force on its due date (or on as_of
 * when it has none). PE_INVALID if the input is inconsistent (no calendar, no versions, unsorted
 * contacts), PE_NOMEM on allocation failure (out may then hold a partial result). */
pe_err pe_evaluate_student(const pe_input *in, pe_findings *out);
/* Evaluates the tutor-level rules (training, quiz, caseload, ...) of the version in force on
 * as_of for one tutor, appending one finding per rule to *out. Rules whose `roles` the tutor
 * does not hold are not_applicable. */
pe_err pe_evaluate_tutor(const pe_calendar *cal, const pe_policy *const *versions,
                         size_t n_versions, const pe_tutor *tutor, pe_instant as_of,
                         pe_findings *out);
/* Evaluates the school-level rules of the version in force on as_of, one finding per rule. */
pe_err pe_evaluate_school(const pe_calendar *cal, const pe_policy *const *versions,
                          size_t n_versions, const pe_school *school, pe_instant as_of,
                          pe_findings *out);

#endif
