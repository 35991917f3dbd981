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
/* Formats a date for assertions (static-free: uses the caller's buffer). */
#define DS(d, buf) pe_date_format((d), (buf))

#endif
