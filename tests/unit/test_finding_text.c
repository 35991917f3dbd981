/* test_finding_text.c — findings written as JSON text (finding_text.c) are byte for byte what
 * jansson writes for pe_finding_to_json: each optional member present and absent, strings with
 * every character jansson escapes, UTF-8 and the longest detail; and the text's own behaviour
 * (growth, take, failure). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "helpers.h"

static const pe_rule RULE = {.id = "meetings",
                             .type = PE_R_MEETINGS_PER_YEAR,
                             .source =
                                 "3.1: \u201cThe Personal Tutor will meet\u201d \"each\" term"};

/* pe_finding_write_open's text, closed, against json_dumps(pe_finding_to_json(f, i), JSON_COMPACT).
 */
static void same_as_jansson(const pe_findings *f, size_t i) {
  json_t *j = pe_finding_to_json(f, i);
  char *expected = j ? json_dumps(j, JSON_COMPACT) : NULL;
  pe_text t = {0};
  pe_finding_write_open(f, i, &t);
  pe_text_puts(&t, "}");
  char *got = pe_text_take(&t);
  ck_assert_ptr_nonnull(expected);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, expected);
  free(expected);
  free(got);
  json_decref(j);
}

/* A finding of RULE with only the members every finding has. */
static pe_finding *bare(pe_findings *f) {
  pe_finding *x = pe_findings_push(f, &RULE);
  ck_assert_ptr_nonnull(x);
  return x;
}

START_TEST(members_present_and_absent) {
  pe_findings f;
  pe_findings_init(&f);
  bare(&f); /* no dates, no evidence: due and window null, evidence [] */
  pe_finding *x = bare(&f);
  x->status = PE_BREACHED;
  x->due = D("2026-10-01");
  x->window_start = D("2026-09-22");
  x->window_end = D("2027-09-12");
  pe_copy_text(x->detail, sizeof x->detail, "no summary of the meeting of 2026-09-24");
  pe_ctx ctx = {.out = &f};
  ck_assert_int_eq(pe_evidence_by(&ctx, x, 8041, "T01073"), PE_OK);
  ck_assert_int_eq(pe_evidence(&ctx, x, -7), PE_OK); /* no staff: null in evidence_staff */
  ck_assert_int_eq(pe_evidence_by(&ctx, x, INT64_MAX, "T2"), PE_OK);
  x = bare(&f); /* a gap alone, a tutor, an exemption, no source */
  x->gap_start = D("2026-11-02");
  x->gap_end = PE_NO_DATE;
  pe_copy_text(x->tutor, sizeof x->tutor, "T9");
  x->exemption = 4200000000LL;
  x->source = NULL;
  x = bare(&f); /* evidence and a gap */
  x->gap_start = D("2027-02-28");
  x->gap_end = D("2027-03-01");
  ck_assert_int_eq(pe_evidence_by(&ctx, x, 1, "S"), PE_OK);
  x->window_start = D("2028-02-29");
  x->window_end = PE_NO_DATE;
  for (size_t i = 0; i < f.n; i++) same_as_jansson(&f, i);
  pe_findings_free(&f);
}
END_TEST

START_TEST(strings_escaped_as_jansson_escapes_them) {
  static const char *const details[] = {
      "",
      "quote \" backslash \\ slash / end",
      "controls \b\f\n\r\t and \x01\x1f\x7f",
      "UTF-8 as it is: caf\u00e9, \u2019, \u20ac, \U0001F600",
      "\"",
      "\\",
      "\x1b[0m",
  };
  pe_findings f;
  pe_findings_init(&f);
  for (size_t i = 0; i < sizeof details / sizeof *details; i++) {
    pe_finding *x = bare(&f);
    pe_copy_text(x->detail, sizeof x->detail, details[i]);
    pe_copy_text(x->tutor, sizeof x->tutor, details[i]);
  }
  pe_finding *x = bare(&f); /* the longest detail a finding holds */
  memset(x->detail, 'x', sizeof x->detail - 1);
  x->detail[sizeof x->detail - 1] = '\0';
  for (size_t i = 0; i < f.n; i++) same_as_jansson(&f, i);
  pe_findings_free(&f);
}
END_TEST

START_TEST(text_grows_and_is_taken) {
  pe_text t = {0};
  ck_assert_ptr_null(pe_text_take(&t)); /* nothing written */
  for (int i = 0; i < 5000; i++) pe_text_int(&t, i % 7 - 3);
  ck_assert(!t.failed);
  ck_assert_uint_eq(t.len, strlen(t.data));
  pe_text_string(&t, "x\ny");
  ck_assert_str_eq(t.data + t.len - 6, "\"x\\ny\"");
  char *taken = pe_text_take(&t);
  ck_assert_ptr_nonnull(taken);
  ck_assert_ptr_null(t.data);
  ck_assert_uint_eq(t.len, 0);
  free(taken);
  pe_text_puts(&t, "again");
  ck_assert_str_eq(t.data, "again");
  pe_text_free(&t);
  ck_assert_ptr_null(t.data);
  t.failed = true; /* after a failed allocation: nothing more, and nothing to take */
  pe_text_puts(&t, "lost");
  ck_assert_ptr_null(t.data);
  ck_assert_ptr_null(pe_text_take(&t));
  ck_assert(!t.failed);
}
END_TEST

int main(void) {
  Suite *s = suite_create("finding_text");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, members_present_and_absent);
  tcase_add_test(tc, strings_escaped_as_jansson_escapes_them);
  tcase_add_test(tc, text_grows_and_is_taken);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
