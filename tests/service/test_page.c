/* test_page.c — the one paginator without a database: a result of limit + 1 rows read as the page's JSON
 * array and next key (page_rows_of), the {"items", "next_cursor"} envelope whose cursor decodes back to
 * the key, the strict enumeration check of list filters, and the row-id keys. */
#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "http_list.h"
#include "page_query.h"

/* A result of `n` rows (JSON text, keyset key), as a list query returns them: {"n":i} and "k<i>". */
static PGresult *rows_result(int n)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc cols[2] = {{.name = "json", .typid = 25, .typlen = -1, .atttypmod = -1},
                            {.name = "key", .typid = 25, .typlen = -1, .atttypmod = -1}};
    ck_assert_int_eq(PQsetResultAttrs(res, 2, cols), 1);
    for (int i = 0; i < n; i++) {
        char json[32], key[16];
        snprintf(json, sizeof(json), "{\"n\":%d}", i + 1);
        snprintf(key, sizeof(key), "k%d", i + 1);
        ck_assert_int_eq(PQsetvalue(res, i, 0, json, (int)strlen(json)), 1);
        ck_assert_int_eq(PQsetvalue(res, i, 1, key, (int)strlen(key)), 1);
    }
    return res;
}

/* The page of an n-row result at `limit`: its items text (malloc'd) and next key (malloc'd or NULL). */
static char *page_of(int n, int limit, char **next_key)
{
    PGresult *res = rows_result(n);
    struct page_rows rows = {0};
    ck_assert_int_eq(page_rows_of(res, limit, &rows), APP_OK);
    PQclear(res);
    *next_key = rows.next_key;
    return strbuf_take(&rows.items);
}

START_TEST(test_rows_and_next_key)
{
    char *next = NULL, *items = page_of(3, 2, &next); /* limit + 1 rows: another page follows */
    ck_assert_str_eq(items, "[{\"n\":1},{\"n\":2}]");
    ck_assert_str_eq(next, "k2"); /* the last row shown, not the extra one */
    free(items), free(next);
    items = page_of(3, 3, &next); /* exactly a page: none follows */
    ck_assert_str_eq(items, "[{\"n\":1},{\"n\":2},{\"n\":3}]");
    ck_assert_ptr_null(next);
    free(items);
    items = page_of(0, 5, &next);
    ck_assert_str_eq(items, "[]");
    ck_assert_ptr_null(next);
    free(items);
}
END_TEST

/* Parses an envelope http_list_envelope made of an n-row result at `limit`. */
static json_t *envelope_of(int n, int limit)
{
    PGresult *res = rows_result(n);
    struct page_rows rows = {0};
    ck_assert_int_eq(page_rows_of(res, limit, &rows), APP_OK);
    PQclear(res);
    char *text = http_list_envelope(&rows);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_null(rows.next_key); /* the rows were handed over */
    ck_assert_ptr_null(rows.items.data);
    json_t *body = json_loads(text, 0, NULL);
    free(text);
    ck_assert_ptr_nonnull(body);
    return body;
}

START_TEST(test_envelope)
{
    json_t *body = envelope_of(2, 1);
    ck_assert_int_eq(json_object_size(body), 2);
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    const char *cursor = json_string_value(json_object_get(body, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    ck_assert_ptr_null(strchr(cursor, '=')); /* base64url without padding */
    char *key = http_cursor_decode(cursor);
    ck_assert_str_eq(key, "k1");
    free(key);
    json_decref(body);
    body = envelope_of(1, 1);
    ck_assert(json_is_null(json_object_get(body, "next_cursor")));
    ck_assert_int_eq(json_array_size(json_object_get(body, "items")), 1);
    json_decref(body);
}
END_TEST

START_TEST(test_check_enum)
{
    static const char *const KINDS[] = {"personal", "secondary", NULL};
    json_t *errors = json_array();
    http_list_check_enum(errors, "kind", NULL, KINDS); /* absent: no filter */
    http_list_check_enum(errors, "kind", "secondary", KINDS);
    ck_assert_int_eq(json_array_size(errors), 0);
    http_list_check_enum(errors, "kind", "Personal", KINDS); /* exact spelling only */
    ck_assert_int_eq(json_array_size(errors), 1);
    json_t *e = json_array_get(errors, 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "kind");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "must be one of: personal, secondary");
    json_decref(errors);
}
END_TEST

START_TEST(test_row_ids)
{
    ck_assert(page_is_row_id("1"));
    ck_assert(page_is_row_id("999999999999999999"));
    static const char *const REFUSED[] = {"", "-1", "1|2", "abc", " 1", "9999999999999999999", "1.0"};
    for (size_t i = 0; i < sizeof(REFUSED) / sizeof(REFUSED[0]); i++)
        ck_assert_msg(!page_is_row_id(REFUSED[i]), "%s", REFUSED[i]);
    ck_assert(!page_is_row_id(NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("page");
    tcase_add_test(tc, test_rows_and_next_key);
    tcase_add_test(tc, test_envelope);
    tcase_add_test(tc, test_check_enum);
    tcase_add_test(tc, test_row_ids);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
