/* test_tzdata.c — IANA zones to POSIX rules: the TZif footer reader on made-up files (version 1, no
 * footer, an empty footer, bytes that are not a rule, a rule too long), zone names that would leave
 * the tzdata folder, and the system's files for New York, Sydney and London, the rules the engine
 * then reads (a day in summer and in standard time for each). No HTTP, no database. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "tzdata.h"

/* A made-up TZif file: a 44-byte header of `version`, `body` (binary, may hold '\n') and `tail`. */
static size_t make_tzif(char *buf, char version, const char *body, size_t body_len, const char *tail)
{
    memset(buf, 0, 44);
    memcpy(buf, "TZif", 4);
    buf[4] = version;
    memcpy(buf + 44, body, body_len);
    size_t n = 44 + body_len, t = strlen(tail);
    memcpy(buf + n, tail, t);
    return n + t;
}

START_TEST(test_footer)
{
    char buf[256], out[64];
    static const char BODY[] = {1, '\n', 2, 0, '\n', 7};
    size_t n = make_tzif(buf, '2', BODY, sizeof(BODY), "\nEST5EDT,M3.2.0,M11.1.0\n");
    ck_assert_int_eq(tzdata_footer(buf, n, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "EST5EDT,M3.2.0,M11.1.0");
    ck_assert_int_eq(tzdata_footer(buf, n, out, 22), -1);     /* does not fit */
    ck_assert_int_eq(tzdata_footer(buf, n - 1, out, 64), -1); /* no final newline */
    n = make_tzif(buf, '\0', BODY, sizeof(BODY), "\nUTC0\n"); /* version 1: no footer defined */
    ck_assert_int_eq(tzdata_footer(buf, n, out, sizeof(out)), -1);
    n = make_tzif(buf, '3', BODY, sizeof(BODY), "\n\n"); /* no rule describes the zone */
    ck_assert_int_eq(tzdata_footer(buf, n, out, sizeof(out)), -1);
    n = make_tzif(buf, '3', BODY, sizeof(BODY), "\nUTC 0\n"); /* not a rule */
    ck_assert_int_eq(tzdata_footer(buf, n, out, sizeof(out)), -1);
    ck_assert_int_eq(tzdata_footer("TZif2", 5, out, sizeof(out)), -1);
    ck_assert_int_eq(tzdata_footer(NULL, 0, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_names)
{
    ck_assert(tzdata_name_ok("America/New_York"));
    ck_assert(tzdata_name_ok("America/Argentina/Buenos_Aires"));
    ck_assert(tzdata_name_ok("Etc/GMT+5"));
    ck_assert(tzdata_name_ok("UTC"));
    static const char *const BAD[] = {"",         "/etc/passwd",       "../etc/passwd",    "America/../../etc/passwd",
                                      "America/", "America//New_York", "America/New York", "a.b"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
        ck_assert_msg(!tzdata_name_ok(BAD[i]), "%s", BAD[i]);
    ck_assert(!tzdata_name_ok(NULL));
    char out[64];
    ck_assert_int_eq(tzdata_rule("../../etc/passwd", out, sizeof(out)), -1);
    ck_assert_int_eq(tzdata_rule("America", out, sizeof(out)), -1); /* a folder */
    ck_assert_int_eq(tzdata_rule("Mars/Olympus_Mons", out, sizeof(out)), -1);
}
END_TEST

/* The offset in force at `iso` (RFC 3339) under the rule of `zone` from the system's tzdata. */
static int32_t offset_at(const char *zone, const char *iso)
{
    char rule[128];
    pe_tz tz;
    pe_instant t;
    ck_assert_msg(tzdata_rule(zone, rule, sizeof(rule)) == 0, "no rule for %s", zone);
    ck_assert_int_eq(pe_tz_parse(rule, &tz), PE_OK);
    ck_assert_int_eq(pe_instant_parse(iso, &t), PE_OK);
    return pe_tz_offset(&tz, t);
}

START_TEST(test_system_zones)
{
    ck_assert_int_eq(offset_at("America/New_York", "2026-10-31T12:00:00Z"), -4 * 3600);
    ck_assert_int_eq(offset_at("America/New_York", "2026-11-01T05:59:59Z"), -4 * 3600); /* 01:59:59 EDT */
    ck_assert_int_eq(offset_at("America/New_York", "2026-11-01T06:00:00Z"), -5 * 3600); /* back to 01:00 EST */
    ck_assert_int_eq(offset_at("America/New_York", "2027-03-14T06:59:59Z"), -5 * 3600);
    ck_assert_int_eq(offset_at("America/New_York", "2027-03-14T07:00:00Z"), -4 * 3600);
    ck_assert_int_eq(offset_at("Australia/Sydney", "2026-10-03T15:59:59Z"), 10 * 3600); /* 01:59:59 AEST */
    ck_assert_int_eq(offset_at("Australia/Sydney", "2026-10-03T16:00:00Z"), 11 * 3600); /* 03:00 AEDT */
    ck_assert_int_eq(offset_at("Australia/Sydney", "2027-04-03T15:59:59Z"), 11 * 3600); /* 02:59:59 AEDT */
    ck_assert_int_eq(offset_at("Australia/Sydney", "2027-04-03T16:00:00Z"), 10 * 3600); /* back to 02:00 AEST */
    ck_assert_int_eq(offset_at("Australia/Sydney", "2028-02-29T12:00:00Z"), 11 * 3600); /* leap day, summer */
    ck_assert_int_eq(offset_at("Europe/London", "2026-10-25T00:59:59Z"), 3600);
    ck_assert_int_eq(offset_at("Europe/London", "2026-10-25T01:00:00Z"), 0);
}
END_TEST

START_TEST(test_resolve)
{
    json_t *doc = json_pack("{s:s}", "time_zone", "Australia/Sydney");
    tzdata_resolve(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "time_zone")), "AEST-10AEDT,M10.1.0,M4.1.0/3");
    json_object_set_new(doc, "time_zone", json_string("Europe/London")); /* the engine's own name: kept */
    tzdata_resolve(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "time_zone")), "Europe/London");
    json_object_set_new(doc, "time_zone", json_string("Mars/Olympus_Mons")); /* left for the engine to refuse */
    tzdata_resolve(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "time_zone")), "Mars/Olympus_Mons");
    json_decref(doc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tzdata");
    TCase *tc = tcase_create("tzdata");
    tcase_add_test(tc, test_footer);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_system_zones);
    tcase_add_test(tc, test_resolve);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
