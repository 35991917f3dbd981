/* test_calendar.c — civil dates, time zones, working days, terms and term months. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

START_TEST(civil_round_trip_and_leap_day) {
  char buf[11];
  ck_assert_int_eq(pe_date_from_ymd(1970, 1, 1), 0);
  ck_assert_int_eq(D("2028-02-29") + 1, D("2028-03-01"));
  ck_assert_int_eq(D("2027-02-28") + 1, D("2027-03-01"));
  ck_assert_str_eq(DS(D("2028-02-29"), buf), "2028-02-29");
  ck_assert_int_eq(pe_weekday(D("2028-02-29")), 2); /* Tuesday */
  ck_assert_int_eq(pe_weekday(D("2026-10-23")), 5); /* Friday */
  ck_assert_int_eq(pe_weekday(D("1969-12-31")), 3); /* Wednesday, negative days */
  ck_assert_int_eq(pe_date_add_years(D("2028-02-29"), 3), D("2031-02-28"));
  ck_assert_int_eq(pe_date_add_years(D("2028-02-29"), 4), D("2032-02-29"));
}
END_TEST

START_TEST(date_parse_rejects_bad_dates) {
  pe_date d;
  const char *bad[] = {"2027-02-29", "2026-13-01",  "2026-00-10", "2026-04-31", "26-01-01",
                       "2026-1-01",  "2026-01-01x", "",           "2026/01/01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(pe_date_parse(bad[i], &d) == PE_INVALID, "accepted %s", bad[i]);
  ck_assert_int_eq(pe_date_parse("2028-02-29", &d), PE_OK);
  pe_instant t;
  ck_assert_int_eq(pe_instant_parse("2026-10-23T17:00:00+01:00", &t), PE_OK);
  ck_assert_int_eq(t, (pe_instant)D("2026-10-23") * 86400 + 16 * 3600);
  ck_assert_int_eq(pe_instant_parse("2026-10-23T17:00:00", &t), PE_INVALID);
}
END_TEST

typedef struct {
  const char *instant, *local_date;
} tz_case;

/* London: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
 * of October (2026-03-29, 2026-10-25, 2027-03-28, 2027-10-31). */
static const tz_case LONDON[] = {
    {"2026-10-24T23:30:00Z", "2026-10-25"}, /* 00:30 BST */
    {"2026-10-25T00:30:00Z", "2026-10-25"}, /* 01:30 BST, before the change */
    {"2026-10-25T23:30:00Z", "2026-10-25"}, /* 23:30 GMT after the change */
    {"2026-10-26T00:30:00Z", "2026-10-26"},
    {"2027-03-28T00:30:00Z", "2027-03-28"}, /* 00:30 GMT, before the change */
    {"2027-03-28T23:30:00Z", "2027-03-29"}, /* 00:30 BST, just after */
    {"2027-03-27T23:30:00Z", "2027-03-27"}, /* still GMT */
    {"2027-10-30T23:30:00Z", "2027-10-31"}, /* BST on the Saturday night */
    {"2027-10-31T23:30:00Z", "2027-10-31"}, /* GMT on the Sunday night */
    {"2028-02-29T23:59:59Z", "2028-02-29"},
};

START_TEST(london_local_dates_across_clock_changes) {
  pe_tz tz;
  ck_assert_int_eq(pe_tz_parse("Europe/London", &tz), PE_OK);
  const tz_case *c = &LONDON[_i];
  ck_assert_msg(pe_local_date(&tz, T(c->instant)) == D(c->local_date), "%s -> %s", c->instant,
                c->local_date);
}
END_TEST

START_TEST(local_day_bounds) {
  pe_tz tz;
  ck_assert_int_eq(pe_tz_parse("GMT0BST,M3.5.0/1,M10.5.0", &tz), PE_OK);
  ck_assert_int_eq(pe_local_day_start(&tz, D("2026-10-25")), T("2026-10-24T23:00:00Z"));
  ck_assert_int_eq(pe_local_day_end(&tz, D("2026-10-25")), T("2026-10-25T23:59:59Z"));
  ck_assert_int_eq(pe_local_day_start(&tz, D("2027-03-28")), T("2027-03-28T00:00:00Z"));
  ck_assert_int_eq(pe_local_day_end(&tz, D("2027-03-28")), T("2027-03-28T22:59:59Z"));
  ck_assert_int_eq(pe_tz_offset(&tz, T("2027-07-01T12:00:00Z")), 3600);
  ck_assert_int_eq(pe_tz_offset(&tz, T("2027-01-01T12:00:00Z")), 0);
}
END_TEST

START_TEST(tz_rules_and_errors) {
  pe_tz tz;
  ck_assert_int_eq(pe_tz_parse("UTC", &tz), PE_OK);
  ck_assert(!tz.has_dst);
  ck_assert_int_eq(pe_tz_parse("EST5EDT,M3.2.0,M11.1.0", &tz), PE_OK);
  ck_assert_int_eq(tz.std_off, -5 * 3600);
  ck_assert_int_eq(pe_tz_offset(&tz, T("2026-07-01T12:00:00Z")), -4 * 3600);
  ck_assert_int_eq(pe_tz_parse("<+01>-1", &tz), PE_OK);
  ck_assert_int_eq(tz.std_off, 3600);
  /* southern hemisphere: DST spans the new year */
  ck_assert_int_eq(pe_tz_parse("AEST-10AEDT,M10.1.0,M4.1.0/3", &tz), PE_OK);
  ck_assert_int_eq(pe_tz_offset(&tz, T("2027-01-15T00:00:00Z")), 11 * 3600);
  ck_assert_int_eq(pe_tz_offset(&tz, T("2027-07-15T00:00:00Z")), 10 * 3600);
  const char *bad[] = {
      "", "Mars/Olympus", "GMT", "GMT0BST,J60,J300", "GMT0BST,M13.1.0,M10.5.0", "GMT0BST,M3.5.0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(pe_tz_parse(bad[i], &tz) == PE_INVALID, "accepted %s", bad[i]);
}
END_TEST

typedef struct {
  const char *received;
  int n;
  const char *due;
  const char *why;
} wd_case;

static const wd_case WORKING_DAYS[] = {
    {"2026-10-23T17:00:00+01:00", 3, "2026-10-28", "Friday 17:00 -> end of Wednesday"},
    {"2026-10-22T09:00:00+01:00", 3, "2026-10-27", "Thursday: day of receipt never counts"},
    {"2026-10-24T10:00:00+01:00", 3, "2026-10-28", "Saturday counts from Monday"},
    {"2027-03-25T17:00:00Z", 3, "2027-04-01", "Good Friday and Easter Monday skipped"},
    {"2027-04-30T12:00:00+01:00", 3, "2027-05-06", "bank-holiday Monday -> Thursday"},
    {"2027-03-29T10:00:00+01:00", 3, "2027-04-01", "received on a closure day"},
    {"2026-11-19T10:00:00Z", 1, "2026-11-23", "university closure Friday skipped"},
    {"2026-12-24T16:00:00Z", 3, "2026-12-31", "Christmas closures"},
    {"2026-10-25T23:30:00Z", 3, "2026-10-28", "Sunday 23:30 GMT after the change"},
    {"2027-03-29T23:30:00Z", 3, "2027-04-02", "Tuesday 00:30 BST after the change"},
    {"2028-02-28T17:00:00Z", 1, "2028-02-29", "leap day is a working day"},
    {"2028-02-25T17:00:00Z", 2, "2028-02-29", "Friday + 2 -> leap day"},
};

START_TEST(working_days_table) {
  pe_calendar *cal = test_calendar();
  const wd_case *c = &WORKING_DAYS[_i];
  char buf[11];
  pe_date due = pe_working_days_after(cal, T(c->received), c->n);
  ck_assert_msg(due == D(c->due), "%s: got %s want %s", c->why, DS(due, buf), c->due);
  pe_calendar_free(cal);
}
END_TEST

START_TEST(working_day_predicates) {
  pe_calendar *cal = test_calendar();
  ck_assert(pe_is_working_day(cal, D("2026-10-23")));
  ck_assert(!pe_is_working_day(cal, D("2026-10-24")));
  ck_assert(!pe_is_working_day(cal, D("2026-12-28")));
  ck_assert(pe_is_closure(cal, D("2027-05-31")));
  ck_assert(!pe_is_closure(cal, D("2027-06-01")));
  ck_assert(pe_is_working_day(cal, D("2028-02-29")));
  pe_calendar_free(cal);
}
END_TEST

START_TEST(terms_and_years) {
  pe_calendar *cal = test_calendar();
  ck_assert_str_eq(pe_calendar_term_at(cal, D("2026-09-28"))->name, "Autumn");
  ck_assert_str_eq(pe_calendar_term_at(cal, D("2026-12-11"))->name, "Autumn");
  ck_assert_ptr_null(pe_calendar_term_at(cal, D("2026-12-12")));
  ck_assert_ptr_null(pe_calendar_term_at(cal, D("2026-09-27")));
  ck_assert_ptr_null(pe_calendar_term_at(cal, D("2027-12-20"))); /* listed vacation */
  ck_assert_str_eq(pe_calendar_term_at(cal, D("2028-02-29"))->name, "Spring");
  ck_assert_str_eq(pe_calendar_year_for(cal, D("2027-08-31"))->label, "2026/27");
  ck_assert_str_eq(pe_calendar_year_for(cal, D("2027-09-01"))->label, "2027/28");
  ck_assert_str_eq(pe_calendar_year_for(cal, D("2030-01-01"))->label, "2027/28");
  ck_assert_str_eq(pe_calendar_year_for(cal, D("2020-01-01"))->label, "2026/27");
  pe_calendar_free(cal);
}
END_TEST

START_TEST(months_overlapping_term) {
  pe_calendar *cal = test_calendar();
  pe_span spans[32];
  int32_t months[32];
  const pe_year *y = pe_calendar_year_for(cal, D("2026-10-01"));
  size_t n = pe_calendar_term_months(cal, y, spans, months, 32);
  /* Sep(part) Oct Nov Dec(part) | Jan(part) Feb Mar(part) | Apr(part) May Jun(part) */
  ck_assert_uint_eq(n, 10);
  ck_assert_int_eq(spans[0].start, D("2026-09-28"));
  ck_assert_int_eq(spans[0].end, D("2026-09-30"));
  ck_assert_int_eq(spans[3].start, D("2026-12-01"));
  ck_assert_int_eq(spans[3].end, D("2026-12-11")); /* a month half in term */
  ck_assert_int_eq(spans[6].end, D("2027-03-26"));
  ck_assert_int_eq(spans[7].start, D("2027-04-26"));
  ck_assert_int_eq(months[9], 2027 * 12 + 5);
  const pe_year *y2 = pe_calendar_year_for(cal, D("2028-02-29"));
  n = pe_calendar_term_months(cal, y2, spans, months, 32);
  ck_assert_uint_eq(n, 10); /* the listed vacation is not term time */
  ck_assert_int_eq(spans[5].end, D("2028-02-29"));
  pe_calendar_free(cal);
}
END_TEST

static json_t *parse_errors(const char *text) {
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  pe_calendar *cal = NULL;
  json_t *errs = NULL;
  ck_assert_int_eq(pe_calendar_parse(j, &cal, &errs), PE_INVALID);
  ck_assert_ptr_null(cal);
  json_decref(j);
  return errs;
}

static bool has_error(const json_t *errs, const char *field) {
  size_t i;
  const json_t *e;
  json_array_foreach(errs, i, e) if (strcmp(json_string_value(json_object_get(e, "field")),
                                            field) == 0) return true;
  return false;
}

START_TEST(calendar_parse_collects_errors) {
  json_t *errs = parse_errors(
      "{\"time_zone\": \"Mars/Base\", \"extra\": 1, \"years\": [{\"label\": \"x\","
      " \"start\": \"2026-09-01\", \"end\": \"2026-08-01\", \"terms\": [{\"name\": \"A\","
      " \"start\": \"2026-02-30\", \"end\": \"2026-10-01\", \"teaching\": 3}]}],"
      " \"closures\": [{\"date\": \"tomorrow\"}, 7]}");
  ck_assert(has_error(errs, "$.time_zone"));
  ck_assert(has_error(errs, "$.extra"));
  ck_assert(has_error(errs, "$.years[0].end"));
  ck_assert(has_error(errs, "$.years[0].terms[0].start"));
  ck_assert(has_error(errs, "$.years[0].terms[0].teaching"));
  ck_assert(has_error(errs, "$.closures[0].date"));
  ck_assert(has_error(errs, "$.closures[1]"));
  ck_assert_uint_eq(json_array_size(errs), 7);
  json_decref(errs);
  errs = parse_errors("{\"closures\": []}");
  ck_assert(has_error(errs, "$.years"));
  json_decref(errs);
  errs = parse_errors("[1]");
  ck_assert(has_error(errs, "$"));
  json_decref(errs);
}
END_TEST

Suite *calendar_suite(void) {
  Suite *s = suite_create("calendar");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, civil_round_trip_and_leap_day);
  tcase_add_test(tc, date_parse_rejects_bad_dates);
  tcase_add_loop_test(tc, london_local_dates_across_clock_changes, 0,
                      sizeof LONDON / sizeof LONDON[0]);
  tcase_add_test(tc, local_day_bounds);
  tcase_add_test(tc, tz_rules_and_errors);
  tcase_add_loop_test(tc, working_days_table, 0, sizeof WORKING_DAYS / sizeof WORKING_DAYS[0]);
  tcase_add_test(tc, working_day_predicates);
  tcase_add_test(tc, terms_and_years);
  tcase_add_test(tc, months_overlapping_term);
  tcase_add_test(tc, calendar_parse_collects_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(calendar_suite());
}
