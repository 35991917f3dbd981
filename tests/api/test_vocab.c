/* test_vocab.c — the database accepts exactly the engine's vocabulary: for every column that stores a member
 * of a lib/vocab.h list, the values its CHECK constraint names (read back from pg_constraint) are the list's
 * names, no more and no fewer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "pe.h"
#include "strbuf.h"

/* The quoted literals of the single-column CHECK constraints on table.column, sorted and joined by ','. */
static const char CHECK_VALUES_SQL[] =
    "SELECT COALESCE(string_agg(v, ',' ORDER BY v COLLATE \"C\"), '') FROM (SELECT DISTINCT m[1] AS v"
    "  FROM pg_constraint c, LATERAL regexp_matches(pg_get_constraintdef(c.oid), '''([^'']*)''', 'g') m"
    " WHERE c.conrelid = $1::regclass AND c.contype = 'c'"
    "   AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2)]) x";

/* strcmp for qsort over an array of strings. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The list's names (NULL-terminated), sorted in the "C" order and joined by ','. Malloc'd. */
static char *joined(const char *const *names)
{
    const char *sorted[64];
    size_t n = 0;
    while (names[n] && n < 64)
        sorted[n] = names[n], n++;
    qsort(sorted, n, sizeof(sorted[0]), by_name);
    struct strbuf b = {0};
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&b, i ? "," : "");
        strbuf_puts(&b, sorted[i]);
    }
    return strbuf_take(&b);
}

/* table.column's CHECK constraint allows exactly `names`. */
static void column_allows(const char *table, const char *column, const char *const *names)
{
    char *want = joined(names), *got = harness_sql(CHECK_VALUES_SQL, 2, (const char *const[]){table, column});
    ck_assert_msg(strcmp(want, got) == 0, "%s.%s allows {%s}, lib/vocab.h lists {%s}", table, column, got, want);
    free(want);
    free(got);
}

START_TEST(test_check_constraints_match_vocab)
{
    static const char *const LEVELS[] = PE_VOCAB_NAMES(PE_VOCAB_LEVEL);
    column_allows("contacts", "kind", PE_CONTACT_KIND_NAMES);
    column_allows("contacts", "direction", PE_DIRECTION_NAMES);
    column_allows("contacts", "attendance", PE_ATTENDANCE_NAMES);
    column_allows("students", "status", PE_STATUS_NAMES);
    column_allows("student_status_history", "status", PE_STATUS_NAMES);
    column_allows("students", "cohort", PE_COHORT_NAMES);
    column_allows("students", "level", LEVELS);
    column_allows("allocations", "kind", PE_ALLOC_KIND_NAMES);
    column_allows("notification_rules", "alloc_kind", PE_ALLOC_KIND_NAMES);
    column_allows("concerns", "raised_by_role", PE_RAISED_BY_NAMES);
    column_allows("training_records", "kind", PE_TRAINING_KIND_NAMES);
}
END_TEST

/* The comparison bites: a column whose constraint differs from the list is told apart. */
START_TEST(test_comparison_bites)
{
    static const char *const SHORT[] = {"meeting", "email", NULL};
    char *want = joined(SHORT), *got = harness_sql(CHECK_VALUES_SQL, 2, (const char *const[]){"contacts", "kind"});
    ck_assert_str_ne(want, got);
    ck_assert_ptr_nonnull(strstr(got, "group_meeting"));
    free(want);
    free(got);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_check_constraints_match_vocab, test_comparison_bites, NULL};
    const struct harness_suite suite = {.name = "vocab", .tests = tests, .timeout = 60, .in_process = 1};
    return harness_run(&suite);
}
