/* fields.c — see fields.h. Ranges mirror the CHECK constraints of sql/001 and sql/002; the enumerations
 * are lib/vocab.h's lists. */
#include "fields.h"

#include <stddef.h>

#include "vocab.h"

const char *const STUDENT_LEVELS[] = PE_VOCAB_NAMES(PE_VOCAB_LEVEL);
const char *const STUDENT_COHORTS[] = PE_VOCAB_NAMES(PE_VOCAB_COHORT);
const char *const STUDENT_STATUSES[] = PE_VOCAB_NAMES(PE_VOCAB_STUDENT_STATUS);
const char *const STAFF_ROLES[] = {"tutor", "senior_tutor", "support", "registry", "admin", NULL};
const char *const ALLOCATION_KINDS[] = PE_VOCAB_NAMES(PE_VOCAB_ALLOC_KIND);

const struct field_spec STUDENT_FIELDS[] = {
    {"student_number", FT_ID, 0, 1, 20, NULL},
    {"name", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"email", FT_EMAIL, F_REQUIRED, 3, 254, NULL},
    {"school", FT_CODE, F_REQUIRED, 1, 16, NULL},
    {"partner_school", FT_CODE, F_NULLABLE, 1, 16, NULL},
    {"programme", FT_STRING, 0, 0, 200, NULL},
    {"level", FT_ENUM, F_REQUIRED, 0, 0, STUDENT_LEVELS},
    {"cohort", FT_ENUM, F_REQUIRED, 0, 0, STUDENT_COHORTS},
    {"status", FT_ENUM, F_REQUIRED, 0, 0, STUDENT_STATUSES},
    {"registered_on", FT_DATE, F_REQUIRED, 0, 0, NULL},
    {"course_start", FT_DATE, F_NULLABLE, 0, 0, NULL},
    {"date_of_birth", FT_DATE, F_NULLABLE, 0, 0, NULL},
    {"status_from", FT_DATE, F_NULLABLE, 0, 0, NULL}, /* the day the status holds from (sql/012) */
    {"status_history", FT_STRING, F_READONLY, 0, 0, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field_spec TUTOR_FIELDS[] = {
    {"staff_number", FT_ID, 0, 1, 20, NULL},
    {"name", FT_STRING, F_REQUIRED, 1, 200, NULL},
    {"email", FT_EMAIL, F_REQUIRED, 3, 254, NULL},
    {"school", FT_CODE, F_REQUIRED, 1, 16, NULL},
    {"roles", FT_ENUM_ARRAY, 0, 0, 0, STAFF_ROLES},
    {"permanent", FT_BOOL, 0, 0, 0, NULL},
    {"capacity", FT_INT, 0, 0, 1000, NULL},
    {"active", FT_BOOL, 0, 0, 0, NULL},
    {"version", FT_INT, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"updated_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field_spec ALLOCATION_FIELDS[] = {
    {"student", FT_ID, F_REQUIRED, 1, 20, NULL},
    {"tutor", FT_ID, F_REQUIRED, 1, 20, NULL},
    {"kind", FT_ENUM, 0, 0, 0, ALLOCATION_KINDS},
    {"starts_on", FT_DATE, 0, 0, 0, NULL},
    {"ends_on", FT_DATE, F_NULLABLE, 0, 0, NULL},
    {"reason", FT_STRING, 0, 0, 500, NULL},
    {"id", FT_INT, F_READONLY, 0, 0, NULL},
    {"absence_id", FT_INT, F_READONLY, 0, 0, NULL},
    {"created_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"created_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {"ended_by", FT_STRING, F_READONLY, 0, 0, NULL},
    {"ended_at", FT_INSTANT, F_READONLY, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};
