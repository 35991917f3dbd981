/* names.c — the JSON spellings of the engine's enums, generated from the lists of vocab.h. */
#include "internal.h"

#include <string.h>

const char *const PE_CONTACT_KIND_NAMES[PE_C__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_CONTACT_KIND);
const char *const PE_DIRECTION_NAMES[PE_DIR__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_DIRECTION);
const char *const PE_ATTENDANCE_NAMES[PE_ATT__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_ATTENDANCE);
const char *const PE_STATUS_NAMES[PE_ST__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_STUDENT_STATUS);
const char *const PE_COHORT_NAMES[PE_COHORT__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_COHORT);
const char *const PE_ALLOC_KIND_NAMES[PE_ALLOC__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_ALLOC_KIND);
const char *const PE_RAISED_BY_NAMES[PE_RAISED_BY__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_RAISED_BY);
const char *const PE_TRAINING_KIND_NAMES[PE_TR__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_TRAINING_KIND);
const char *const PE_RULE_TYPE_NAMES[PE_R__N + 1] = PE_VOCAB_NAMES(PE_VOCAB_RULE_TYPE);
const char *const PE_FINDING_STATUS_NAMES[PE_STATUS__N + 1] =
    PE_VOCAB_NAMES(PE_VOCAB_FINDING_STATUS);

/* Levels by number: "F" is 0, "4".."7" are 4..7, the numbers between name no level. */
#define LEVEL_COUNT (PE_LEVEL_7 + 1)
static const char *const LEVEL_NAMES[LEVEL_COUNT] = {PE_VOCAB_LEVEL(PE_VOCAB_AT, PE_VOCAB_NONE)};

/* Index of s in names[0..n), or -1. */
int pe_name_index(const char *s, const char *const *names, int n) {
  /* the first letters compared before calling strcmp: the facts map each contact's kind and
   * attendance here, and a call per name per contact was 4.5 % of tutord's CPU in a tutor's agenda
   */
  for (int i = 0; s && i < n; i++)
    if (names[i] && names[i][0] == s[0] && strcmp(s, names[i]) == 0) return i;
  return -1;
}

/* Level from "F", "4".."7"; -1 if invalid. */
int pe_level_parse(const char *s) {
  return pe_name_index(s, LEVEL_NAMES, LEVEL_COUNT);
}

/* "F" or "4".."7"; "?" for a number that is no level. */
const char *pe_level_name(int level) {
  return level >= 0 && level < LEVEL_COUNT && LEVEL_NAMES[level] ? LEVEL_NAMES[level] : "?";
}
