/* fields.h — the field specs of the records the SRS writes, shared by the single-record routes and the
 * bulk routes so that a row of an import or a bulk allocation is judged exactly like one PUT or POST. */
#ifndef TUTORD_FIELDS_H
#define TUTORD_FIELDS_H

#include "validate.h"

/* Allowed values (NULL-terminated). */
extern const char *const STUDENT_LEVELS[];
extern const char *const STUDENT_COHORTS[];
extern const char *const STUDENT_STATUSES[];
extern const char *const STAFF_ROLES[];
extern const char *const ALLOCATION_KINDS[];

/* PUT /students/{student_number} (SPEC §4a); student_number optional (the path names it). */
extern const struct field_spec STUDENT_FIELDS[];
/* PUT /tutors/{staff_number} (SPEC §4a); staff_number optional (the path names it). */
extern const struct field_spec TUTOR_FIELDS[];
/* POST /allocations (SPEC §4a). */
extern const struct field_spec ALLOCATION_FIELDS[];

#endif
