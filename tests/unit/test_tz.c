/* test_tz.c — the time-zone fast path (per-thread cache of a year's transitions, loop-free
 * transition dates) pinned to the reference algorithm: the year's transitions recomputed from
 * scratch on every call, the "Mm.w.d" date found by stepping back a week until it is inside
 * the month. Exhaustive over 1970–2100: every hour, every second around each transition and
 * each New Year, every local day's bounds; then random order across zones and threads. */
#include <pthread.h>
#include <stdlib.h>

#include "helpers.h"

/* The zones compared: London (northern DST), Sydney (southern: DST spans New Year), fixed
 * offsets, Israel's Thursday 26:00 rule (a wall time past midnight), Greenland's negative
 * times, a leap-day rule (last Tuesday of February: 29 Feb in 2028) and a rule whose times
 * (-20h, 167h) push both transitions into the neighbouring years. */
static const char *const ZONES[] = {
    "Europe/London",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "UTC0",
    "<+0530>-5:30",
    "IST-2IDT,M3.4.4/26,M10.5.0",
    "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
    "FEB0LEAP,M2.5.2,M10.5.0",
    "EDGE0EDGEDST,M1.1.0/-20,M12.5.6/167",
    "EST5EDT,M3.2.0,M11.1.0",
};
#define N_ZONES (sizeof ZONES / sizeof ZONES[0])

/* ---- the reference algorithm ---- */

/* Local date in `year` of a "Mm.w.d" rule: step back a week until inside the month. */
static pe_date ref_when_date(const pe_tz_when *w, int year) {
  pe_date first = pe_date_from_ymd(year, w->month, 1);
  pe_date d = first + (w->wday - pe_weekday(first) + 7) % 7 + (w->week - 1) * 7;
  int m;
  while (pe_date_to_ymd(d, NULL, &m, NULL), m != w->month) d -= 7;
  return d;
}

/* UTC instant of zone tz's transition w in `year`, wall time measured against `off`. */
static pe_instant ref_when_instant(const pe_tz_when *w, int year, int32_t off) {
  return (pe_instant)ref_when_date(w, year) * 86400 + w->secs - off;
}

/* UTC calendar year of instant t. */
static int utc_year(pe_instant t) {
  int year;
  pe_date_to_ymd((pe_date)((t - (t % 86400 + 86400) % 86400) / 86400), &year, NULL, NULL);
  return year;
}

/* Offset at t, the year's transitions recomputed from scratch. */
static int32_t ref_offset(const pe_tz *tz, pe_instant t) {
  if (!tz->has_dst) return tz->std_off;
  int year = utc_year(t);
  pe_instant on = ref_when_instant(&tz->start, year, tz->std_off);
  pe_instant off = ref_when_instant(&tz->end, year, tz->dst_off);
  bool dst = on < off ? (t >= on && t < off) : !(t >= off && t < on);
  return dst ? tz->dst_off : tz->std_off;
}

/* Local date of t under the reference offset. */
static pe_date ref_local_date(const pe_tz *tz, pe_instant t) {
  pe_instant local = t + ref_offset(tz, t);
  pe_instant q = local / 86400;
  if (local % 86400 < 0) q--;
  return (pe_date)q;
}

/* First instant of local day d under the reference offset. */
static pe_instant ref_day_start(const pe_tz *tz, pe_date d) {
  pe_instant naive = (pe_instant)d * 86400;
  pe_instant t = naive - tz->std_off;
  if (ref_offset(tz, t) == tz->std_off) return t;
  pe_instant t2 = naive - tz->dst_off;
  return ref_offset(tz, t2) == tz->dst_off ? t2 : t;
}

/* ---- comparisons ---- */

static pe_tz zone(size_t i) {
  pe_tz tz;
  ck_assert_msg(pe_tz_parse(ZONES[i], &tz) == PE_OK, "parse %s", ZONES[i]);
  return tz;
}

/* Mismatches between the fast path and the reference, and the first instant that differed. Check's
 * assertions each write a checkpoint to the parent process, so the millions of comparisons are
 * tallied here and asserted once per test. */
typedef struct {
  long bad;
  pe_instant first;
} tally;

/* Compares offset and local date at t. */
static void check_instant(const pe_tz *tz, pe_instant t, tally *k) {
  if (pe_tz_offset(tz, t) == ref_offset(tz, t) && pe_local_date(tz, t) == ref_local_date(tz, t))
    return;
  if (k->bad++ == 0) k->first = t;
}

/* Every second within `radius` of instant x. */
static void check_around(const pe_tz *tz, pe_instant x, int radius, tally *k) {
  for (pe_instant t = x - radius; t <= x + radius; t++) check_instant(tz, t, k);
}

/* Fails the test when k counted a mismatch. */
static void assert_none(const tally *k, size_t z) {
  ck_assert_msg(k->bad == 0, "%s: %ld mismatches, first at %lld", ZONES[z], k->bad,
                (long long)k->first);
}

static const int FIRST_YEAR = 1970, LAST_YEAR = 2100;

START_TEST(every_hour_1970_to_2100) {
  pe_tz tz = zone((size_t)_i);
  pe_instant lo = (pe_instant)pe_date_from_ymd(FIRST_YEAR, 1, 1) * 86400;
  pe_instant hi = (pe_instant)pe_date_from_ymd(LAST_YEAR + 1, 1, 1) * 86400;
  tally k = {0, 0};
  for (pe_instant t = lo; t < hi; t += 3600) check_instant(&tz, t, &k);
  assert_none(&k, (size_t)_i);
}
END_TEST

START_TEST(seconds_around_transitions_and_new_year) {
  pe_tz tz = zone((size_t)_i);
  tally k = {0, 0};
  for (int y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    check_around(&tz, (pe_instant)pe_date_from_ymd(y, 1, 1) * 86400, 120, &k);
    if (!tz.has_dst) continue;
    check_around(&tz, ref_when_instant(&tz.start, y, tz.std_off), 120, &k);
    check_around(&tz, ref_when_instant(&tz.end, y, tz.dst_off), 120, &k);
  }
  assert_none(&k, (size_t)_i);
}
END_TEST

START_TEST(every_local_day_bounds) {
  pe_tz tz = zone((size_t)_i);
  tally k = {0, 0};
  for (pe_date d = pe_date_from_ymd(FIRST_YEAR, 1, 1); d <= pe_date_from_ymd(LAST_YEAR, 12, 31);
       d++)
    if (pe_local_day_start(&tz, d) != ref_day_start(&tz, d) ||
        pe_local_day_end(&tz, d) != ref_day_start(&tz, d + 1) - 1)
      if (k.bad++ == 0) k.first = (pe_instant)d * 86400;
  assert_none(&k, (size_t)_i);
}
END_TEST

/* Random instants 1900–2200 in random zones: lookups that jump between years and zones, so the
 * cache is filled, evicted and shared by several rules in every order. Returns mismatches. */
static void *random_lookups(void *arg) {
  uint64_t s = (uint64_t)(uintptr_t)arg;
  pe_tz tz[N_ZONES];
  for (size_t z = 0; z < N_ZONES; z++) pe_tz_parse(ZONES[z], &tz[z]);
  pe_instant lo = (pe_instant)pe_date_from_ymd(1900, 1, 1) * 86400;
  pe_instant span = (pe_instant)pe_date_from_ymd(2200, 1, 1) * 86400 - lo;
  uintptr_t bad = 0;
  for (int i = 0; i < 400000; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    size_t z = (size_t)(s % N_ZONES);
    pe_instant t = lo + (pe_instant)((s >> 8) % (uint64_t)span);
    if (pe_tz_offset(&tz[z], t) != ref_offset(&tz[z], t)) bad++;
  }
  return (void *)bad;
}

START_TEST(random_order_in_two_threads) {
  pthread_t th[2];
  for (uintptr_t i = 0; i < 2; i++)
    ck_assert_int_eq(pthread_create(&th[i], NULL, random_lookups, (void *)(0x9e3779b9u + i)), 0);
  for (int i = 0; i < 2; i++) {
    void *bad = NULL;
    ck_assert_int_eq(pthread_join(th[i], &bad), 0);
    ck_assert_msg(bad == NULL, "thread %d: %lu mismatches", i, (unsigned long)(uintptr_t)bad);
  }
}
END_TEST

START_TEST(leap_day_transitions) {
  pe_tz feb = zone(6), syd = zone(1);
  /* Last Tuesday of February: the 29th in 2028 (leap), the 23rd in 2027. */
  ck_assert_int_eq(pe_tz_offset(&feb, T("2028-02-29T01:59:59Z")), 0);
  ck_assert_int_eq(pe_tz_offset(&feb, T("2028-02-29T02:00:00Z")), 3600);
  ck_assert_int_eq(pe_tz_offset(&feb, T("2027-02-23T02:00:00Z")), 3600);
  ck_assert_int_eq(pe_tz_offset(&feb, T("2027-02-23T01:59:59Z")), 0);
  /* Sydney in summer (+11): 13:00 UTC on 28 Feb 2028 is already the 29th locally. */
  ck_assert_int_eq(pe_local_date(&syd, T("2028-02-28T13:00:00Z")), D("2028-02-29"));
  ck_assert_int_eq(pe_local_date(&syd, T("2027-02-28T13:00:00Z")), D("2027-03-01"));
}
END_TEST

Suite *tz_suite(void) {
  Suite *s = suite_create("tz");
  TCase *tc = tcase_create("fast_path");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, every_hour_1970_to_2100, 0, (int)N_ZONES);
  tcase_add_loop_test(tc, seconds_around_transitions_and_new_year, 0, (int)N_ZONES);
  tcase_add_loop_test(tc, every_local_day_bounds, 0, (int)N_ZONES);
  tcase_add_test(tc, random_order_in_two_threads);
  tcase_add_test(tc, leap_day_transitions);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(tz_suite());
}
