/* test_students.c — bad input on the student and school routes (each a problem+json naming the field,
 * the database unchanged), unknown routes and methods, pagination, ETags, and who may see or change a
 * student (SPEC §2), including the cases where existence must not leak. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"

static const char *const SERVER_ENV[] = {"TUTORD_MAX_BODY_BYTES=4096", NULL};
static char school[48], other_school[48], student[32], other_student[32], tutor[32];
static char *admin, *registry;

static void put_ok(const char *path, const char *body, long want)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("PUT", path, admin, body, &r), 0);
    ck_assert_msg(r.status == want, "PUT %s: %ld %s", path, r.status, r.body);
    harness_response_free(&r);
}

static void make_student(const char *number, const char *school_code)
{
    char path[96], body[512];
    snprintf(path, sizeof(path), "/students/%s", number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Test Student\",\"email\":\"t@uni.example\",\"school\":\"%s\",\"level\":\"4\","
             "\"cohort\":\"UG\",\"status\":\"studying\",\"registered_on\":\"2026-09-21\"}",
             school_code);
    put_ok(path, body, 201);
}

static void start(void)
{
    harness_start_with(SERVER_ENV);
    admin = tt_admin_token();
    registry = tt_registry_token("SRS");
    char n[32], path[64];
    harness_unique("", n, sizeof(n));
    snprintf(school, sizeof(school), "ST%s", n);
    snprintf(other_school, sizeof(other_school), "SO%s", n);
    snprintf(path, sizeof(path), "/schools/%s", school);
    put_ok(path, "{\"name\":\"Students Test\"}", 201);
    snprintf(path, sizeof(path), "/schools/%s", other_school);
    put_ok(path, "{\"name\":\"Other School\"}", 201);
    harness_unique("S", student, sizeof(student));
    harness_unique("S", other_student, sizeof(other_student));
    make_student(student, school);
    make_student(other_student, other_school);
    harness_unique("T", tutor, sizeof(tutor));
    tt_staff(tutor, school, "{tutor}");
    tt_allocate(student, tutor, NULL);
}

static void stop(void)
{
    free(admin);
    free(registry);
    harness_stop();
}

static long version_of(const char *number)
{
    const char *p[1] = {number};
    return harness_sql_long("SELECT version FROM students WHERE student_number = $1", 1, p);
}

/* Sends a write and asserts the status, the problem type, a named field (when given), and that the
 * student's version did not move. */
static void expect_refused(const char *method, const char *content_type, const char *body, long status,
                           const char *field)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", student);
    long before = version_of(student);
    struct tt_response r;
    ck_assert_int_eq(harness_request(method, path, admin, content_type, body, NULL, &r), 0);
    ck_assert_msg(r.status == status, "%s %s → %ld %s", method, body, r.status, r.body);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "status")), status);
    if (field) {
        json_t *errors = json_object_get(r.json, "errors");
        int named = 0;
        for (size_t i = 0; i < json_array_size(errors); i++)
            named |= strcmp(json_string_value(json_object_get(json_array_get(errors, i), "field")), field) == 0;
        ck_assert_msg(named, "no error names %s: %s", field, r.body);
    }
    harness_response_free(&r);
    ck_assert_int_eq(version_of(student), before);
}

START_TEST(test_bad_bodies)
{
    const char *json = "application/json";
    expect_refused("PUT", "text/plain", "name=x", 415, NULL);
    expect_refused("PUT", NULL, "{}", 415, NULL);
    expect_refused("PUT", json, "{\"name\":\"a\",\"name\":\"b\"}", 400, NULL);
    expect_refused("PUT", json, "[1,2]", 400, NULL);
    expect_refused("PUT", json, "{\"name\":", 400, NULL);
    expect_refused("PATCH", json, "{\"nickname\":\"x\"}", 422, "nickname");
    expect_refused("PATCH", json, "{\"name\":42}", 422, "name");
    expect_refused("PATCH", json, "{\"registered_on\":\"2026-02-30\"}", 422, "registered_on");
    expect_refused("PATCH", json, "{\"date_of_birth\":\"21/09/2007\"}", 422, "date_of_birth");
    expect_refused("PATCH", json, "{\"level\":\"9\"}", 422, "level");
    expect_refused("PATCH", json, "{\"status\":\"graduated\"}", 422, "status");
    expect_refused("PATCH", json, "{\"email\":\"not an email\"}", 422, "email");
    expect_refused("PATCH", json, "{\"school\":\"NOSUCHSCHOOL\"}", 422, "school");
    expect_refused("PATCH", json, "{\"version\":99}", 422, "version");
    expect_refused("PATCH", json, "{\"created_at\":\"2020-01-01T00:00:00Z\"}", 422, "created_at");
    expect_refused("PATCH", json, "{\"student_number\":\"S0000001\"}", 422, "student_number");
    expect_refused("PATCH", json, "{\"name\":null}", 422, "name");
}
END_TEST

START_TEST(test_body_over_limit_is_413)
{
    char *big = malloc(6000);
    memset(big, ' ', 5999);
    big[0] = '{';
    memcpy(big + 5990, "\"a\":1}", 7);
    expect_refused("PUT", "application/json", big, 413, NULL);
    free(big);
}
END_TEST

START_TEST(test_if_match)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", student);
    const char *stale[] = {"If-Match: \"999\"", NULL};
    struct tt_response r;
    ck_assert_int_eq(
        harness_request("PATCH", path, admin, "application/merge-patch+json", "{\"programme\":\"BSc\"}", stale, &r), 0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
    char if_match[80];
    snprintf(if_match, sizeof(if_match), "If-Match: %s", r.etag);
    harness_response_free(&r);
    const char *fresh[] = {if_match, NULL};
    ck_assert_int_eq(
        harness_request("PATCH", path, admin, "application/merge-patch+json", "{\"programme\":\"BSc CS\"}", fresh, &r),
        0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "programme")), "BSc CS");
    ck_assert_str_ne(r.etag, if_match + 10);
    harness_response_free(&r);
}
END_TEST

START_TEST(test_put_unchanged_keeps_version)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", other_student);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
    json_t *same = json_deep_copy(r.json);
    harness_response_free(&r);
    json_object_del(same, "version");
    json_object_del(same, "created_at");
    json_object_del(same, "updated_at");
    json_object_del(same, "status_history"); /* read-only, as the three above */
    char *body = json_dumps(same, 0);
    long before = version_of(other_student);
    ck_assert_int_eq(harness_json("PUT", path, registry, body, &r), 0);
    ck_assert_int_eq(r.status, 200);
    harness_response_free(&r);
    ck_assert_int_eq(version_of(other_student), before);
    free(body);
    json_decref(same);
}
END_TEST

START_TEST(test_unknown_route_and_method)
{
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/no/such/thing", admin, NULL, &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    harness_response_free(&r);
    ck_assert_int_eq(harness_json("DELETE", "/students", admin, NULL, &r), 0);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.content_type, "application/problem+json");
    ck_assert_str_eq(r.allow, "GET");
    harness_response_free(&r);
}
END_TEST

START_TEST(test_pagination)
{
    char path[512];
    struct tt_response r;
    const char *bad[] = {"limit=0", "limit=1001", "limit=ten", "cursor=%%%", "status=graduated", "level=8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "/students?%s", bad[i]);
        ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
        ck_assert_msg(r.status == 400, "%s → %ld", bad[i], r.status);
        harness_response_free(&r);
    }
    /* walk every page of one school one row at a time: each student exactly once */
    char cursor[256] = "";
    int seen = 0;
    for (int page = 0; page < 5; page++) {
        snprintf(path, sizeof(path), "/students?school=%s&limit=1%s%s", school, *cursor ? "&cursor=" : "", cursor);
        ck_assert_int_eq(harness_json("GET", path, admin, NULL, &r), 0);
        ck_assert_int_eq(r.status, 200);
        seen += (int)json_array_size(json_object_get(r.json, "items"));
        json_t *next = json_object_get(r.json, "next_cursor");
        snprintf(cursor, sizeof(cursor), "%s", json_is_string(next) ? json_string_value(next) : "");
        harness_response_free(&r);
        if (!*cursor)
            break;
    }
    ck_assert_int_eq(seen, 1);
}
END_TEST

/* GET /students/{n} as `token` → want; and the list filtered to the student's school shows `listed` rows. */
static void expect_read(const char *token, const char *number, long want)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", number);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", path, token, NULL, &r), 0);
    ck_assert_msg(r.status == want, "GET %s → %ld, wanted %ld", path, r.status, want);
    harness_response_free(&r);
}

START_TEST(test_who_may_read)
{
    char *self = harness_token(student, "student", NULL), *own_tutor = harness_token(tutor, "tutor", NULL),
         *stranger_tutor = harness_token("TX999", "tutor", NULL),
         *senior = harness_token("SEN1", "senior_tutor", school),
         *other_senior = harness_token("SEN2", "senior_tutor", other_school);
    expect_read(self, student, 200);
    expect_read(self, other_student, 404); /* student A on student B: no leak */
    expect_read(own_tutor, student, 200);
    expect_read(own_tutor, other_student, 404); /* not a tutee */
    expect_read(stranger_tutor, student, 404);
    expect_read(senior, student, 200);
    expect_read(senior, other_student, 404); /* senior tutor of X on school Y */
    expect_read(other_senior, other_student, 200);
    expect_read(registry, student, 200);
    expect_read(admin, other_student, 200);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", "/students?limit=1000", self, NULL, &r), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    harness_response_free(&r);
    free(self), free(own_tutor), free(stranger_tutor), free(senior), free(other_senior);
}
END_TEST

/* Every role that may read a student gets the same representation, byte for byte, with the same ETag:
 * sees-all callers and the others are served by different statements (repo_students.c); a senior tutor
 * without a schools claim is scoped by their staff record (tutord_staff_schools, sql/019). Repeated past
 * PostgreSQL's five custom plans per pooled connection, so the generic plans answer too. */
START_TEST(test_same_representation_for_every_role)
{
    char staff_senior[32];
    harness_unique("T", staff_senior, sizeof(staff_senior));
    tt_staff(staff_senior, school, "{senior_tutor}");
    char *self = harness_token(student, "student", NULL), *own_tutor = harness_token(tutor, "tutor", NULL),
         *senior = harness_token("SEN1", "senior_tutor", school),
         *by_record = harness_token(staff_senior, "senior_tutor", NULL); /* schools from the staff record */
    expect_read(by_record, other_student, 404);
    const char *readers[] = {admin, registry, self, own_tutor, senior, by_record};
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", student);
    struct tt_response first;
    ck_assert_int_eq(harness_json("GET", path, admin, NULL, &first), 0);
    ck_assert_int_eq(first.status, 200);
    ck_assert_ptr_nonnull(json_object_get(first.json, "status_history"));
    for (int round = 0; round < 12; round++)
        for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
            struct tt_response r;
            ck_assert_int_eq(harness_json("GET", path, readers[i], NULL, &r), 0);
            ck_assert_msg(r.status == 200 && strcmp(r.body, first.body) == 0, "reader %zu, round %d: %ld %s", i, round,
                          r.status, r.body);
            ck_assert_str_eq(r.etag, first.etag);
            harness_response_free(&r);
        }
    harness_response_free(&first);
    free(self), free(own_tutor), free(senior), free(by_record);
}
END_TEST

/* The single-student read writes its JSON in C from the row (repo_students.c); the lists use the SQL
 * function tutord_student_json. The two must be the same text, byte for byte, whatever the row holds:
 * characters PostgreSQL escapes (quotes, backslashes, the short escapes and other control characters),
 * non-ASCII text, absent (null) fields, a timestamp in summer time with a fraction, and a status history
 * of several entries — for each statement (sees-all, tutor, the general one). */
static const char SQL_REPRESENTATION[] =
    "SELECT left(tutord_student_json(s)::text, -1) || ',\"status_history\":' || COALESCE((SELECT json_agg("
    "json_build_object('status', h.status, 'from', h.from_date)) FROM (SELECT h.status, h.from_date"
    " FROM student_status_history h WHERE h.student_number = s.student_number ORDER BY h.from_date) h)::text, '[]')"
    " || '}' FROM students s WHERE s.student_number = $1";

START_TEST(test_representation_is_the_sql_functions)
{
    char odd[32], path[96];
    harness_unique("S", odd, sizeof(odd));
    make_student(odd, school);
    tt_allocate(odd, tutor, NULL);
    const char *p[1] = {odd};
    free(harness_sql("UPDATE students SET name = E'Zo\u00eb \"Q\" back\\\\slash\\n\\t\\r\\b\\f\\x01\\x1f / \u540d',"
                     " email = 'o''brien@uni.example', programme = '', date_of_birth = NULL, partner_school = NULL,"
                     " course_start = '2026-09-28', created_at = '2026-07-01 12:00:00.5+00'"
                     " WHERE student_number = $1",
                     1, p));
    free(harness_sql("UPDATE students SET status = 'placement', status_from = '2026-11-02' WHERE student_number = $1",
                     1, p));
    free(harness_sql("UPDATE students SET status = 'studying', status_from = '2027-01-04' WHERE student_number = $1", 1,
                     p));
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM student_status_history WHERE student_number = $1", 1, p),
                     3);
    char *want = harness_sql(SQL_REPRESENTATION, 1, p);
    ck_assert_ptr_nonnull(strstr(want, "\\u0001"));
    char *own_tutor = harness_token(tutor, "tutor", NULL), *senior = harness_token("SEN1", "senior_tutor", school);
    const char *readers[] = {admin, own_tutor, senior};
    snprintf(path, sizeof(path), "/students/%s", odd);
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        struct tt_response r;
        ck_assert_int_eq(harness_json("GET", path, readers[i], NULL, &r), 0);
        ck_assert_msg(r.status == 200 && strcmp(r.body, want) == 0, "reader %zu: %ld\n%s\nwanted\n%s", i, r.status,
                      r.body, want);
        harness_response_free(&r);
    }
    p[0] = student; /* a plain row, with no history row of its own beyond the first */
    free(want);
    want = harness_sql(SQL_REPRESENTATION, 1, p);
    snprintf(path, sizeof(path), "/students/%s", student);
    struct tt_response r;
    ck_assert_int_eq(harness_json("GET", path, own_tutor, NULL, &r), 0);
    ck_assert_msg(r.status == 200 && strcmp(r.body, want) == 0, "%s\nwanted\n%s", r.body, want);
    harness_response_free(&r);
    free(want), free(own_tutor), free(senior);
}
END_TEST

START_TEST(test_who_may_write)
{
    char *self = harness_token(student, "student", NULL), *own_tutor = harness_token(tutor, "tutor", NULL),
         *senior = harness_token("SEN1", "senior_tutor", school);
    const char *writers_not[] = {self, own_tutor, senior};
    char path[96];
    snprintf(path, sizeof(path), "/students/%s", student);
    for (size_t i = 0; i < 3; i++) {
        long before = version_of(student);
        struct tt_response r;
        ck_assert_int_eq(
            harness_request("PATCH", path, writers_not[i], "application/json", "{\"name\":\"Hacked\"}", NULL, &r), 0);
        ck_assert_int_eq(r.status, 403);
        harness_response_free(&r);
        ck_assert_int_eq(version_of(student), before);
    }
    struct tt_response r;
    ck_assert_int_eq(harness_json("PUT", "/schools/ZZNEW", senior, "{\"name\":\"Nope\"}", &r), 0);
    ck_assert_int_eq(r.status, 403);
    harness_response_free(&r);
    ck_assert_int_eq(harness_sql_long("SELECT count(*) FROM schools WHERE code = 'ZZNEW'", 0, NULL), 0);
    free(self), free(own_tutor), free(senior);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_bad_bodies,
        test_body_over_limit_is_413,
        test_if_match,
        test_put_unchanged_keeps_version,
        test_unknown_route_and_method,
        test_pagination,
        test_who_may_read,
        test_same_representation_for_every_role,
        test_representation_is_the_sql_functions,
        test_who_may_write,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "students", .tests = tests, .start = start, .stop = stop, .timeout = 60};
    return harness_run(&suite);
}
