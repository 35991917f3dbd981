/* vocab.h — every enumeration the engine, the store and the contract share, written once.
 *
 * Each list is an X-macro: LIST(X, S) calls X(c_name, "json name") for every member in the engine's
 * order and S() between two members. pe.h expands the lists into the C enums, names.c into the name
 * arrays, the store into SQL array literals (PE_SQL_ARRAY) at compile time, and the tests compare
 * them with openapi.yaml's enums and the database's CHECK constraints. Adding a member here is the
 * one edit. */
#ifndef PE_VOCAB_H
#define PE_VOCAB_H

/* One member a line; clang-format would pack them. */
/* clang-format off */

/* Contact kinds (SPEC §4a contacts[].kind). */
#define PE_VOCAB_CONTACT_KIND(X, S) \
  X(PE_C_MEETING, "meeting") S() \
  X(PE_C_GROUP_MEETING, "group_meeting") S() \
  X(PE_C_EMAIL, "email") S() \
  X(PE_C_MESSAGE, "message") S() \
  X(PE_C_PHONE, "phone") S() \
  X(PE_C_TEACHING_EVENT, "teaching_event") S() \
  X(PE_C_CHECKIN, "checkin")

/* Which way a contact went: from the tutor (or the service) to the student, or from the student. */
#define PE_VOCAB_DIRECTION(X, S) \
  X(PE_DIR_TO_STUDENT, "to_student") S() \
  X(PE_DIR_FROM_STUDENT, "from_student")

/* A contact's attendance. */
#define PE_VOCAB_ATTENDANCE(X, S) \
  X(PE_ATT_SCHEDULED, "scheduled") S() \
  X(PE_ATT_ATTENDED, "attended") S() \
  X(PE_ATT_MISSED, "missed") S() \
  X(PE_ATT_CANCELLED, "cancelled")

/* A student's status. */
#define PE_VOCAB_STUDENT_STATUS(X, S) \
  X(PE_ST_STUDYING, "studying") S() \
  X(PE_ST_YEAR_ABROAD, "year_abroad") S() \
  X(PE_ST_PLACEMENT, "placement") S() \
  X(PE_ST_SUSPENDED, "suspended") S() \
  X(PE_ST_WITHDRAWN, "withdrawn") S() \
  X(PE_ST_COMPLETED, "completed")

/* A student's cohort: undergraduate, taught postgraduate, distance learning, foundation year. */
#define PE_VOCAB_COHORT(X, S) \
  X(PE_COHORT_UG, "UG") S() \
  X(PE_COHORT_PGT, "PGT") S() \
  X(PE_COHORT_DL, "DL") S() \
  X(PE_COHORT_FY, "FY")

/* A student's level (the enum's values are the levels' numbers, F = 0). */
#define PE_VOCAB_LEVEL(X, S) \
  X(PE_LEVEL_F, "F") S() \
  X(PE_LEVEL_4, "4") S() \
  X(PE_LEVEL_5, "5") S() \
  X(PE_LEVEL_6, "6") S() \
  X(PE_LEVEL_7, "7")

/* Allocation kinds. */
#define PE_VOCAB_ALLOC_KIND(X, S) \
  X(PE_ALLOC_PERSONAL, "personal") S() \
  X(PE_ALLOC_COVER, "cover") S() \
  X(PE_ALLOC_SECONDARY, "secondary")

/* Who raised a concern. */
#define PE_VOCAB_RAISED_BY(X, S) \
  X(PE_RAISED_BY_TUTOR, "tutor") S() \
  X(PE_RAISED_BY_SENIOR_TUTOR, "senior_tutor") S() \
  X(PE_RAISED_BY_STUDENT, "student")

/* Training record kinds. */
#define PE_VOCAB_TRAINING_KIND(X, S) \
  X(PE_TR_TRAINING, "training") S() \
  X(PE_TR_QUIZ, "quiz") S() \
  X(PE_TR_MENTAL_HEALTH_FIRST_AID, "mental_health_first_aid") S() \
  X(PE_TR_ESSENTIAL, "essential")

/* A finding's status. */
#define PE_VOCAB_FINDING_STATUS(X, S) \
  X(PE_MET, "met") S() \
  X(PE_PENDING, "pending") S() \
  X(PE_DUE_SOON, "due_soon") S() \
  X(PE_BREACHED, "breached") S() \
  X(PE_NOT_APPLICABLE, "not_applicable")

/* The policy rule types (lib/RULES.md). */
#define PE_VOCAB_RULE_TYPE(X, S) \
  X(PE_R_ALLOCATION_WITHIN, "allocation_within") S() \
  X(PE_R_FIRST_MEETING_WITHIN, "first_meeting_within") S() \
  X(PE_R_MEETINGS_PER_YEAR, "meetings_per_year") S() \
  X(PE_R_MEETING_EACH_TERM, "meeting_each_term") S() \
  X(PE_R_CONTACT_MONTHLY, "contact_monthly") S() \
  X(PE_R_INDIVIDUAL_CHECKIN_PER_TERM, "individual_checkin_per_term") S() \
  X(PE_R_RESPONSE_WITHIN, "response_within") S() \
  X(PE_R_AWAY_CONTACT_PER_TERM, "away_contact_per_term") S() \
  X(PE_R_GROUP_SESSIONS, "group_sessions") S() \
  X(PE_R_UNDER18_SENIOR_MEETING, "under18_senior_meeting") S() \
  X(PE_R_MISSED_MEETINGS_ESCALATION, "missed_meetings_escalation") S() \
  X(PE_R_COVER_DURING_ABSENCE, "cover_during_absence") S() \
  X(PE_R_TUTOR_TRAINING_WITHIN, "tutor_training_within") S() \
  X(PE_R_TUTOR_QUIZ_WITHIN, "tutor_quiz_within") S() \
  X(PE_R_TUTOR_CASELOAD_MAX, "tutor_caseload_max") S() \
  X(PE_R_WELCOME_WEEK_CONTACT, "welcome_week_contact") S() \
  X(PE_R_MEETING_SUMMARY_WITHIN, "meeting_summary_within") S() \
  X(PE_R_FEEDBACK_INVITED, "feedback_invited") S() \
  X(PE_R_PERSONAL_TUTOR_NAMED, "personal_tutor_named") S() \
  X(PE_R_TUTOR_FEEDBACK_INVITED, "tutor_feedback_invited") S() \
  X(PE_R_TUTOR_PERMANENT, "tutor_permanent") S() \
  X(PE_R_SENIOR_TUTORS, "senior_tutors")

/* Every list with its name, for code that walks all of them (the tests): X(NAME, LIST). */
#define PE_VOCAB_ALL(X) \
  X(contact_kind, PE_VOCAB_CONTACT_KIND) \
  X(direction, PE_VOCAB_DIRECTION) \
  X(attendance, PE_VOCAB_ATTENDANCE) \
  X(student_status, PE_VOCAB_STUDENT_STATUS) \
  X(cohort, PE_VOCAB_COHORT) \
  X(level, PE_VOCAB_LEVEL) \
  X(alloc_kind, PE_VOCAB_ALLOC_KIND) \
  X(raised_by, PE_VOCAB_RAISED_BY) \
  X(training_kind, PE_VOCAB_TRAINING_KIND) \
  X(finding_status, PE_VOCAB_FINDING_STATUS) \
  X(rule_type, PE_VOCAB_RULE_TYPE)
/* clang-format on */

/* ---- generators ---- */

/* Nothing between two members. */
#define PE_VOCAB_NONE()
/* A member as an enumerator, and as its JSON name, each followed by a comma. */
#define PE_VOCAB_ENUMERATOR(c, s) c,
#define PE_VOCAB_STRING(c, s) s,
/* A list as the initialiser of a NULL-terminated array of its names. */
#define PE_VOCAB_NAMES(LIST)                                                                       \
  { LIST(PE_VOCAB_STRING, PE_VOCAB_NONE) NULL }
/* A member's name at its enumerator's index (for enums with gaps, such as levels). */
#define PE_VOCAB_AT(c, s) [c] = (s),
/* A member as an SQL text literal, and the comma between two. */
#define PE_VOCAB_SQL_ITEM(c, s) "'" s "'"
#define PE_VOCAB_SQL_COMMA() ","
/* A list as the text of an SQL array literal: PE_SQL_ARRAY(PE_VOCAB_COHORT) is
 * "ARRAY['UG','PGT','DL','FY']", so array_position(..., x) - 1 is the engine's enumerator. */
#define PE_SQL_ARRAY(LIST) "ARRAY[" LIST(PE_VOCAB_SQL_ITEM, PE_VOCAB_SQL_COMMA) "]"

#endif
