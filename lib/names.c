/* names.c — the JSON spellings of the engine's enums. */
#include "internal.h"

#include <string.h>

const char *const PE_CONTACT_KIND_NAMES[PE_C__N] = {
    "meeting", "group_meeting", "email", "message", "phone", "teaching_event", "checkin"};
const char *const PE_STATUS_NAMES[PE_ST__N] = {"studying",  "year_abroad", "placement",
                                               "suspended", "withdrawn",   "completed"};
const char *const PE_COHORT_NAMES[PE_COHORT__N] = {"UG", "PGT", "DL", "FY"};

static const char *const LEVEL_NAMES[8] = {"F", NULL, NULL, NULL, "4", "5", "6", "7"};

int pe_name_index(const char *s, const char *const *names, int n) {
  for (int i = 0; s && i < n; i++)
    if (names[i] && strcmp(s, names[i]) == 0) return i;
  return -1;
}

int pe_level_parse(const char *s) {
  return pe_name_index(s, LEVEL_NAMES, 8);
}

const char *pe_level_name(int level) {
  return level >= 0 && level < 8 && LEVEL_NAMES[level] ? LEVEL_NAMES[level] : "?";
}
