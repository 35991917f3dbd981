/* test_governance_text.c — the pure parts of governance: a policy's rules as statements a tutee understands
 * (every phrase, days said as people say them at the week boundaries, conditional phrasings, tutor-level
 * rules left out, the office hours or their absence), the HTML page's escaping and negotiation, and the
 * Dean's decision body at its limits. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "expectations.h"
#include "governance.h"
#include "html_out.h"

/* The statement for a policy holding the one rule `rule_json`, or "" when it has none (malloc'd). */
static char *statement_of(const char *rule_json)
{
    char doc[512];
    snprintf(doc, sizeof(doc), "{\"rules\": [%s]}", rule_json);
    json_t *policy = json_loads(doc, 0, NULL);
    ck_assert_ptr_nonnull(policy);
    json_t *items = expectations_statements(policy, NULL);
    ck_assert_ptr_nonnull(items);
    const json_t *first = json_array_get(items, 0);
    const char *topic = json_string_value(json_object_get(first, "topic"));
    char *out = strdup(
        topic && strcmp(topic, "change_of_tutor") != 0 ? json_string_value(json_object_get(first, "statement")) : "");
    json_decref(items);
    json_decref(policy);
    return out;
}

static void expect_statement(const char *rule_json, const char *want)
{
    char *got = statement_of(rule_json);
    ck_assert_msg(strcmp(got, want) == 0, "%s\n  got:  %s\n  want: %s", rule_json, got, want);
    free(got);
}

/* Days are said in weeks on whole weeks up to four, else in days (one day is singular). */
START_TEST(test_days_as_people_say_them)
{
    static const struct {
        int days;
        const char *said;
    } cases[] = {{1, "1 day"},      {6, "6 days"},   {7, "one week"},    {8, "8 days"},  {13, "13 days"},
                 {14, "two weeks"}, {15, "15 days"}, {28, "four weeks"}, {35, "35 days"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rule[160], want[160];
        snprintf(rule, sizeof(rule), "{\"id\":\"a\",\"type\":\"allocation_within\",\"days\":%d}", cases[i].days);
        snprintf(want, sizeof(want), "You will be given a personal tutor within %s of registering.", cases[i].said);
        expect_statement(rule, want);
    }
}
END_TEST

/* A rule's parameters choose its phrasing: offered or attended meetings, term or semester, from registration
 * or the year's start, allocation by the first teaching week; tutor-level rules promise a student nothing. */
START_TEST(test_phrasings)
{
    expect_statement("{\"id\":\"m\",\"type\":\"meetings_per_year\",\"min\":4,\"count\":\"offered\"}",
                     "Your personal tutor will invite you to at least 4 meetings this year.");
    expect_statement("{\"id\":\"m\",\"type\":\"meetings_per_year\",\"min\":3,\"count\":\"attended\"}",
                     "You will meet your personal tutor at least 3 times this year.");
    expect_statement("{\"id\":\"t\",\"type\":\"meeting_each_term\",\"min\":1,\"period\":\"semester\"}",
                     "Your personal tutor will offer you at least 1 meeting every semester.");
    expect_statement("{\"id\":\"t\",\"type\":\"meeting_each_term\",\"min\":1}",
                     "Your personal tutor will offer you at least 1 meeting every term.");
    expect_statement("{\"id\":\"f\",\"type\":\"first_meeting_within\",\"days\":14,\"from\":\"year_start\"}",
                     "Your personal tutor will meet you within the first two weeks of the academic year.");
    expect_statement("{\"id\":\"f\",\"type\":\"first_meeting_within\",\"days\":14,\"from\":\"registration\"}",
                     "Your personal tutor will meet you in your first two weeks.");
    expect_statement("{\"id\":\"a\",\"type\":\"allocation_within\",\"days\":7,\"from\":\"first_teaching_week\"}",
                     "You will have a personal tutor by the end of your first week of teaching.");
    expect_statement("{\"id\":\"r\",\"type\":\"response_within\",\"working_days\":3}",
                     "Your personal tutor will normally answer within 3 working days when you contact them.");
    expect_statement("{\"id\":\"w\",\"type\":\"group_sessions\",\"level\":\"4\",\"min\":6,\"label\":\"WeThrive\"}",
                     "At Level 4 you will take part in at least 6 group sessions this year.");
    expect_statement("{\"id\":\"q\",\"type\":\"tutor_quiz_within\",\"years\":3}", "");
    expect_statement("{\"id\":\"c\",\"type\":\"tutor_caseload_max\",\"max\":30}", "");
}
END_TEST

/* Every school's page ends with the change of tutor, concerns, office hours and notes; without an
 * office-hours arrangement the page says so rather than promising one. */
START_TEST(test_always_items_and_office_hours)
{
    json_t *policy = json_pack("{s:[]}", "rules");
    json_t *with = expectations_statements(policy, "Mondays 10-12"), *without = expectations_statements(policy, NULL);
    ck_assert_int_eq(json_array_size(with), 4);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(with, 2), "topic")), "office_hours");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(with, 2), "statement")), "Mondays 10-12");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(json_array_get(without, 2), "statement")), "not yet published"));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(with, 3), "source")),
                                 "not without student permission"));
    json_decref(with);
    json_decref(without);
    json_decref(policy);
}
END_TEST

/* The page escapes every character HTML gives meaning to; text/html is recognised among other types. */
START_TEST(test_html_escaping_and_negotiation)
{
    struct strbuf sb = {0};
    html_out_text(&sb, "a<b>&\"c'd");
    char *text = strbuf_take(&sb);
    ck_assert_str_eq(text, "a&lt;b&gt;&amp;&quot;c&#39;d");
    free(text);
    ck_assert(html_out_wanted("text/html"));
    ck_assert(html_out_wanted("application/json, TEXT/HTML;q=0.9"));
    ck_assert(!html_out_wanted("application/json"));
    ck_assert(!html_out_wanted("text/htmlx"));
    ck_assert(!html_out_wanted(NULL));
}
END_TEST

/* Reads a decision body; returns 0/-1 and leaves the first error's field in field[32] ("" when none). */
static int decide(json_t *body, const char **to, char field[32])
{
    const char *comment = NULL;
    json_t *errors = json_array();
    int rc = governance_read_decision(body, to, &comment, errors);
    const char *f = json_string_value(json_object_get(json_array_get(errors, 0), "field"));
    snprintf(field, 32, "%s", f ? f : "");
    json_decref(errors);
    json_decref(body);
    return rc;
}

/* Approve without a comment; return only with one of 1 to 2000 characters; nothing else is accepted. */
START_TEST(test_decision_limits)
{
    const char *to = NULL;
    char field[32], *c2000 = malloc(2002);
    memset(c2000, 'x', 2001);
    c2000[2001] = '\0';
    ck_assert_int_eq(decide(json_pack("{s:s}", "decision", "approved"), &to, field), 0);
    ck_assert_str_eq(to, "approved");
    ck_assert_int_eq(decide(json_pack("{s:s}", "decision", "returned"), &to, field), -1);
    ck_assert_str_eq(field, "comment");
    ck_assert_int_eq(decide(json_pack("{s:s, s:s}", "decision", "returned", "comment", ""), &to, field), -1);
    ck_assert_int_eq(decide(json_pack("{s:s, s:s}", "decision", "returned", "comment", c2000), &to, field), -1);
    c2000[2000] = '\0';
    ck_assert_int_eq(decide(json_pack("{s:s, s:s}", "decision", "returned", "comment", c2000), &to, field), 0);
    ck_assert_str_eq(to, "returned");
    ck_assert_int_eq(decide(json_pack("{s:s}", "decision", "submitted"), &to, field), -1);
    ck_assert_str_eq(field, "decision");
    ck_assert_int_eq(decide(json_pack("{s:s, s:b}", "decision", "approved", "final", 1), &to, field), -1);
    ck_assert_str_eq(field, "final");
    free(c2000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("governance_text");
    TCase *tc = tcase_create("governance_text");
    tcase_add_test(tc, test_days_as_people_say_them);
    tcase_add_test(tc, test_phrasings);
    tcase_add_test(tc, test_always_items_and_office_hours);
    tcase_add_test(tc, test_html_escaping_and_negotiation);
    tcase_add_test(tc, test_decision_limits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
