/* test_records.c — the records the second-round rules judge by: a note about one contact (the meeting
 * summary provided to the student), a non-permanent tutor's agreed exception on the staff record (staff
 * see it, students do not; only when not permanent; the SRS import keeps it unless it makes the tutor
 * permanent), and the training kinds (Mental Health First Aid, essential training; only a quiz has a
 * score). Bad input is refused naming the field with nothing written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static long notes_of(const char *student)
{
    return tt_count("SELECT count(*) FROM notes WHERE student_number = $1", student);
}

/* The integer member `key` of r's body, or -1 when it is null or absent. */
static long long int_of(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

START_TEST(test_note_about_a_contact)
{
    char meeting[24], path[96], body[256];
    tt_contact(w.student_a, w.tutor_a, "meeting", "to_student", NULL, NULL, meeting);
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    snprintf(body, sizeof(body),
             "{\"text\":\"We agreed a plan\",\"consent_recorded\":true,\"visibility\":\"shared\",\"contact\":%s}",
             meeting);
    struct tt_response r;
    ck_assert_int_eq(tt_call("POST", path, w.tok_tutor_a, body, &r), 201);
    ck_assert_int_eq(int_of(r.json, "contact"), atoll(meeting));
    char *id = tt_id(&r);
    harness_response_free(&r);
    char *plain = tt_post_id(path, w.tok_tutor_a,
                             "{\"text\":\"No contact\",\"consent_recorded\":true,\"visibility\":\"shared\"}");
    char one[64];
    snprintf(one, sizeof(one), "/notes/%s", id);
    ck_assert_int_eq(tt_call("GET", one, w.tok_student_a, NULL, &r), 200); /* the summary the student sees */
    ck_assert_int_eq(int_of(r.json, "contact"), atoll(meeting));
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "text")), "We agreed a plan");
    harness_response_free(&r);
    snprintf(one, sizeof(one), "/notes/%s", plain);
    ck_assert_int_eq(tt_call("GET", one, w.tok_senior_x, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "contact")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    size_t i, with = 0;
    const json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it) with += int_of(it, "contact") == atoll(meeting);
    ck_assert_uint_eq(with, 1);
    harness_response_free(&r);
    char *stored =
        harness_sql("SELECT contact_id::text FROM notes WHERE id = $1::bigint", 1, (const char *const[]){id});
    ck_assert_str_eq(stored, meeting);
    free(stored), free(id), free(plain);
}
END_TEST

START_TEST(test_note_contact_must_be_the_students)
{
    char theirs[24], mine[24], path[96], body[256];
    tt_contact(w.student_b, w.tutor_b, "meeting", "to_student", NULL, NULL, theirs);
    tt_contact(w.student_a, w.tutor_a, "meeting", "to_student", NULL, NULL, mine);
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    long before = notes_of(w.student_a);
    const char *const bad[] = {theirs, "999999999", "0", "-4", "\"1\"", "1.5", "true"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body),
                 "{\"text\":\"Summary\",\"consent_recorded\":true,\"visibility\":\"shared\",\"contact\":%s}", bad[i]);
        tt_refused("POST", path, w.tok_tutor_a, body, 422, "contact");
    }
    ck_assert_int_eq(notes_of(w.student_a), before);
    /* null is no contact */
    char *none =
        tt_post_id(path, w.tok_tutor_a,
                   "{\"text\":\"Summary\",\"consent_recorded\":true,\"visibility\":\"shared\",\"contact\":null}");
    /* a revision keeps the note's contact: naming one is refused */
    snprintf(body, sizeof(body), "/notes/%s/revisions", none);
    char revision[128];
    snprintf(revision, sizeof(revision), "{\"text\":\"Summary, corrected\",\"contact\":%s}", mine);
    tt_refused("POST", body, w.tok_tutor_a, revision, 422, "contact");
    ck_assert_int_eq(tt_count("SELECT count(*) FROM note_revisions WHERE note_id = $1::bigint", none), 1);
    free(none);
}
END_TEST

/* ---- permanent-tutor exceptions ---------------------------------------------------------------------- */

static void tutor_path(char *buf, size_t size, const char *staff)
{
    snprintf(buf, size, "/tutors/%s", staff);
}

static char *exception_of(const char *staff)
{
    return harness_sql("SELECT COALESCE(permanent_exception_agreed_by, '-') || '|' ||"
                       " COALESCE(permanent_exception_note, '-') || '|' || permanent || '|' || version"
                       " FROM staff WHERE staff_number = $1",
                       1, (const char *const[]){staff});
}

static void assert_exception(const char *staff, const char *want)
{
    char *got = exception_of(staff);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_permanent_exception_on_the_staff_record)
{
    char number[24], path[96], body[512];
    harness_unique("T", number, sizeof(number));
    tutor_path(path, sizeof(path), number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Fixed Term\",\"email\":\"ft@uni.example\",\"school\":\"%s\",\"permanent\":false,"
             "\"permanent_exception\":{\"agreed_by\":\"Dean of Personal Tutoring\",\"note\":\"Covers 2026/27\"}}",
             w.school_x);
    struct tt_response r;
    ck_assert_int_eq(tt_call("PUT", path, w.tok_admin, body, &r), 201);
    const json_t *e = json_object_get(r.json, "permanent_exception");
    ck_assert_str_eq(json_string_value(json_object_get(e, "agreed_by")), "Dean of Personal Tutoring");
    ck_assert_str_eq(json_string_value(json_object_get(e, "note")), "Covers 2026/27");
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("PUT", path, w.tok_admin, body, &r), 200); /* the same: unchanged */
    ck_assert_str_eq(r.etag, "\"1\"");
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert_ptr_nonnull(json_object_get(json_object_get(r.json, "permanent_exception"), "agreed_by"));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_registry, NULL, &r), 200);
    ck_assert_ptr_nonnull(json_object_get(r.json, "permanent_exception"));
    harness_response_free(&r);
    /* the staff.upserted event does not carry it */
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'staff.upserted' AND subject = $1"
                              " AND payload ? 'permanent_exception'",
                              number),
                     0);
    /* a student of theirs reads the record without it */
    tt_allocate(w.student_c, number, NULL);
    char *student = tt_student_token(w.student_c);
    ck_assert_int_eq(tt_call("GET", path, student, NULL, &r), 200);
    ck_assert_ptr_null(json_object_get(r.json, "permanent_exception"));
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "name")), "Fixed Term");
    harness_response_free(&r);
    free(student);
    /* a tutor without one shows null */
    tutor_path(path, sizeof(path), w.tutor_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "permanent_exception")));
    harness_response_free(&r);
}
END_TEST

START_TEST(test_permanent_exception_refusals_and_patch)
{
    char number[24], path[96], body[4400];
    harness_unique("T", number, sizeof(number));
    tutor_path(path, sizeof(path), number);
    snprintf(body, sizeof(body),
             "{\"name\":\"Fixed Term\",\"email\":\"ft@uni.example\",\"school\":\"%s\",\"permanent\":false,"
             "\"permanent_exception\":{\"agreed_by\":\"Dean\"}}",
             w.school_x);
    tt_expect_status("PUT", path, w.tok_admin, body, 201);
    assert_exception(number, "Dean|-|false|1");
    static const struct {
        const char *fields, *field;
    } cases[] = {
        {"\"permanent\":true,\"permanent_exception\":{\"agreed_by\":\"Dean\"}", "permanent_exception"},
        {"\"permanent_exception\":{\"agreed_by\":\"Dean\"}", "permanent_exception"}, /* permanent by default */
        {"\"permanent\":false,\"permanent_exception\":{}", "permanent_exception.agreed_by"},
        {"\"permanent\":false,\"permanent_exception\":{\"agreed_by\":\"  \"}", "permanent_exception.agreed_by"},
        {"\"permanent\":false,\"permanent_exception\":{\"agreed_by\":7}", "permanent_exception.agreed_by"},
        {"\"permanent\":false,\"permanent_exception\":{\"agreed_by\":\"D\",\"when\":\"now\"}",
         "permanent_exception.when"},
        {"\"permanent\":false,\"permanent_exception\":\"Dean\"", "permanent_exception"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(body, sizeof(body), "{\"name\":\"Fixed Term\",\"email\":\"ft@uni.example\",\"school\":\"%s\",%s}",
                 w.school_x, cases[i].fields);
        tt_refused("PUT", path, w.tok_admin, body, 422, cases[i].field);
    }
    char note[2100];
    memset(note, 'n', 2001);
    note[2001] = '\0';
    snprintf(body, sizeof(body),
             "{\"name\":\"Fixed Term\",\"email\":\"ft@uni.example\",\"school\":\"%s\",\"permanent\":false,"
             "\"permanent_exception\":{\"agreed_by\":\"Dean\",\"note\":\"%s\"}}",
             w.school_x, note);
    tt_refused("PUT", path, w.tok_admin, body, 422, "permanent_exception.note");
    snprintf(body, sizeof(body),
             "{\"email\":\"ft@uni.example\",\"school\":\"%s\",\"permanent\":false,\"permanent_exception\":{}}",
             w.school_x);
    struct tt_response r; /* every error at once */
    ck_assert_int_eq(tt_call("PUT", path, w.tok_admin, body, &r), 422);
    ck_assert(tt_names_field(&r, "name") && tt_names_field(&r, "permanent_exception.agreed_by"));
    harness_response_free(&r);
    tt_refused("PATCH", path, w.tok_admin, "{\"permanent\":true}", 422, "permanent_exception");
    ck_assert_int_eq(tt_status("PATCH", path, w.tok_senior_x, "{\"permanent_exception\":null}"), 403);
    assert_exception(number, "Dean|-|false|1"); /* nothing changed */
    tt_expect_status("PATCH", path, w.tok_registry, "{\"permanent_exception\":{\"agreed_by\":\"Dean\",\"note\":\"x\"}}",
                     200);
    assert_exception(number, "Dean|x|false|2");
    tt_expect_status("PATCH", path, w.tok_admin, "{\"capacity\":12}", 200); /* kept by an unrelated change */
    assert_exception(number, "Dean|x|false|3");
    tt_expect_status("PATCH", path, w.tok_admin, "{\"permanent\":true,\"permanent_exception\":null}", 200);
    assert_exception(number, "-|-|true|4");
}
END_TEST

START_TEST(test_import_keeps_or_clears_the_exception)
{
    char a[24], b[24], path[96], body[512];
    harness_unique("T", a, sizeof(a));
    harness_unique("T", b, sizeof(b));
    const char *numbers[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        tutor_path(path, sizeof(path), numbers[i]);
        snprintf(body, sizeof(body),
                 "{\"name\":\"Fixed Term\",\"email\":\"ft@uni.example\",\"school\":\"%s\",\"permanent\":false,"
                 "\"permanent_exception\":{\"agreed_by\":\"Dean\",\"note\":\"n\"}}",
                 w.school_x);
        tt_expect_status("PUT", path, w.tok_admin, body, 201);
    }
    snprintf(body, sizeof(body),
             "staff_number,name,email,school,roles,permanent,capacity,active\n"
             "%s,Fixed Term,ft@uni.example,%s,tutor,false,20,true\n"
             "%s,Fixed Term,ft@uni.example,%s,tutor,true,30,true\n",
             a, w.school_x, b, w.school_x);
    struct tt_response r;
    ck_assert_int_eq(harness_request("POST", "/tutors:import", w.tok_registry, "text/csv", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    harness_response_free(&r);
    assert_exception(a, "Dean|n|false|2"); /* still not permanent: kept */
    assert_exception(b, "-|-|true|2");     /* made permanent: cleared */
    snprintf(body, sizeof(body),
             "[{\"staff_number\":\"%s\",\"name\":\"F\",\"email\":\"f@uni.example\",\"school\":\"%s\","
             "\"permanent\":false,\"permanent_exception\":{\"agreed_by\":\"Dean\"}}]",
             b, w.school_x);
    ck_assert_int_eq(harness_json("POST", "/tutors:import", w.tok_registry, body, &r), 0);
    ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body); /* not part of an import */
    harness_response_free(&r);
    assert_exception(b, "-|-|true|2");
}
END_TEST

/* ---- training kinds -------------------------------------------------------------------------------- */

START_TEST(test_training_kinds)
{
    char path[96];
    snprintf(path, sizeof(path), "/tutors/%s/training", w.senior_x);
    const char *S = w.tok_senior_x;
    struct tt_response r;
    ck_assert_int_eq(
        tt_call("POST", path, S, "{\"kind\":\"mental_health_first_aid\",\"completed_on\":\"2025-03-03\"}", &r), 201);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "mental_health_first_aid");
    ck_assert(json_is_null(json_object_get(r.json, "score")));
    harness_response_free(&r);
    tt_expect_status("POST", path, S, "{\"kind\":\"essential\",\"completed_on\":\"2025-03-04\"}", 201);
    tt_refused("POST", path, S, "{\"kind\":\"mental_health_first_aid\",\"completed_on\":\"2025-03-03\",\"score\":80}",
               422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"essential\",\"completed_on\":\"2025-03-03\",\"score\":0}", 422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"quiz\",\"completed_on\":\"2025-03-03\"}", 422, "score");
    tt_refused("POST", path, S, "{\"kind\":\"first_aid\",\"completed_on\":\"2025-03-03\"}", 422, "kind");
    tt_expect_status("POST", path, S, "{\"kind\":\"quiz\",\"completed_on\":\"2025-03-05\",\"score\":0}", 201);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM training_records WHERE staff_number = $1", w.senior_x), 3);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "{\"kind\":\"essential\",\"completed_on\":\"2025-03-04\"}"),
                     403); /* tutors do not record training */
    ck_assert_int_eq(tt_list_count(path, "", w.tok_admin), 3);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_note_about_a_contact,
        test_note_contact_must_be_the_students,
        test_permanent_exception_on_the_staff_record,
        test_permanent_exception_refusals_and_patch,
        test_import_keeps_or_clears_the_exception,
        test_training_kinds,
        NULL,
    };
    return harness_run_suite("records", tests, world_setup, world_teardown);
}
