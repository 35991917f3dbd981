/* test_text.c — the engine's hand-written text paths pinned to the printf family they replace:
 * pe_date_format against snprintf("%04u-%02u-%02u") on every day of years 1–12000 and around
 * the epoch, pe_copy_text against snprintf("%s") for every length and capacity up to 40, the
 * bytes after the terminator included. */
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "helpers.h"

/* The reference formatting of a date. */
static void ref_date_format(pe_date d, char buf[11]) {
  int y, m, day;
  pe_date_to_ymd(d, &y, &m, &day);
  snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
           (unsigned)day % 100u);
}

START_TEST(date_format_every_day) {
  long bad = 0;
  pe_date first_bad = 0;
  for (pe_date d = pe_date_from_ymd(1, 1, 1); d <= pe_date_from_ymd(12000, 12, 31); d++) {
    char got[11], want[11];
    if (strcmp(pe_date_format(d, got), (ref_date_format(d, want), want)) != 0 && bad++ == 0)
      first_bad = d;
  }
  ck_assert_msg(bad == 0, "%ld dates differ, first day %d", bad, first_bad);
  char buf[11];
  ck_assert_str_eq(pe_date_format(D("2028-02-29"), buf), "2028-02-29");
  ck_assert_str_eq(pe_date_format(-1, buf), "1969-12-31");
  ck_assert_str_eq(pe_date_format(pe_date_from_ymd(10001, 3, 4), buf), "0001-03-04");
}
END_TEST

/* Truncation is the case under test here, which GCC would otherwise warn about. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
START_TEST(copy_text_matches_snprintf) {
  char src[41];
  for (size_t len = 0; len <= 40; len++) {
    for (size_t i = 0; i < len; i++) src[i] = (char)('a' + i % 26);
    src[len] = '\0';
    for (size_t cap = 1; cap <= 40; cap++) {
      char got[48], want[48];
      memset(got, '#', sizeof got);
      memset(want, '#', sizeof want);
      pe_copy_text(got, cap, src);
      snprintf(want, cap, "%s", src);
      ck_assert_msg(memcmp(got, want, sizeof got) == 0, "len %zu cap %zu", len, cap);
    }
  }
}
END_TEST
#pragma GCC diagnostic pop

Suite *text_suite(void) {
  Suite *s = suite_create("text");
  TCase *tc = tcase_create("fast_path");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, date_format_every_day);
  tcase_add_test(tc, copy_text_matches_snprintf);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return run_suite(text_suite());
}
