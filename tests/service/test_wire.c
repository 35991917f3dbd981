/* test_wire.c — whole numbers from queries and paths at their edges (bounds, 18 and 19 digits, signs,
 * spaces, leading zeros), and If-Match lists (one tag, several, weak tags, "*", malformed). */
#include <check.h>
#include <stdlib.h>

#include "wire.h"

START_TEST(test_whole_numbers)
{
    long v = -1;
    ck_assert_int_eq(wire_whole_number("1", 1, 1000, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(wire_whole_number("1000", 1, 1000, &v), 0);
    ck_assert_int_eq(v, 1000);
    ck_assert_int_eq(wire_whole_number("0001000", 1, 1000, &v), 0);
    v = 7;
    static const char *const REFUSED[] = {"0", "1001", "", "+5", "-5", " 5", "5 ", "5x", "0x10", "1e3", "٣"};
    for (size_t i = 0; i < sizeof(REFUSED) / sizeof(REFUSED[0]); i++)
        ck_assert_msg(wire_whole_number(REFUSED[i], 1, 1000, &v) == -1, "%s", REFUSED[i]);
    ck_assert_int_eq(v, 7); /* untouched by a refusal */
    ck_assert_int_eq(wire_whole_number("999999999999999999", 0, 999999999999999999L, &v), 0);
    ck_assert_int_eq(v, 999999999999999999L);
    ck_assert_int_eq(wire_whole_number("9223372036854775808", 0, 999999999999999999L, &v), -1); /* 19 digits */
    ck_assert_int_eq(wire_whole_number("-100", -100, 100, &v), 0);
    ck_assert_int_eq(v, -100);
    ck_assert_int_eq(wire_whole_number("-101", -100, 100, &v), -1);
    ck_assert_int_eq(wire_whole_number("-", -100, 100, &v), -1);
    ck_assert_int_eq(wire_whole_number(NULL, 0, 1, &v), -1);
}
END_TEST

START_TEST(test_if_match)
{
    ck_assert_int_eq(wire_if_match(NULL, "3"), 1);
    ck_assert_int_eq(wire_if_match(NULL, NULL), 1);
    ck_assert_int_eq(wire_if_match("\"3\"", "3"), 1);
    ck_assert_int_eq(wire_if_match("\"2\"", "3"), 0);
    ck_assert_int_eq(wire_if_match("\"2\", \"3\"", "3"), 1);
    ck_assert_int_eq(wire_if_match("\"2\",\"3\"", "3"), 1);
    ck_assert_int_eq(wire_if_match("W/\"3\"", "3"), 0); /* strong comparison: a weak tag never matches */
    ck_assert_int_eq(wire_if_match("\"33\"", "3"), 0);
    ck_assert_int_eq(wire_if_match("*", "3"), 1);
    ck_assert_int_eq(wire_if_match(" * ", "3"), 1);
    ck_assert_int_eq(wire_if_match("*", NULL), 0);
    ck_assert_int_eq(wire_if_match("\"3\"", NULL), 0);
    static const char *const MALFORMED[] = {"",       "3",        "\"3", "\"3\" \"4\"", "\"3\",",
                                            ",\"3\"", "*, \"3\"", "W/3", "\"a b\""};
    for (size_t i = 0; i < sizeof(MALFORMED) / sizeof(MALFORMED[0]); i++)
        ck_assert_msg(wire_if_match(MALFORMED[i], "3") == -1, "%s", MALFORMED[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("wire");
    tcase_add_test(tc, test_whole_numbers);
    tcase_add_test(tc, test_if_match);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
