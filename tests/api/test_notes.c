/* test_notes.c — notes and revisions: who reads which note and which text (students only their
 * shared notes, registry nothing, admin no confidential text), every confidential read audited,
 * corrections as new revisions with the history kept, and the application's database role unable to
 * rewrite notes, revisions or the audit trail. */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static char *shared_id, *secret_id; /* student A's notes, written by tutor A */

static const char SECRET[] = "Disclosed a family bereavement";

static char *write_note(const char *student, const char *token, const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/notes", student);
    return tt_post_id(path, token, body);
}

static void start(void)
{
    world_start();
    shared_id = write_note(w.student_a, w.tok_tutor_a,
                           "{\"text\":\"Agreed a study plan\",\"visibility\":\"shared\",\"consent_recorded\":true}");
    secret_id = write_note(
        w.student_a, w.tok_tutor_a,
        "{\"text\":\"Disclosed a family bereavement\",\"consent_recorded\":true,\"visibility\":\"confidential\"}");
}

static void stop(void)
{
    free(shared_id), free(secret_id);
    world_stop();
}

static long confidential_reads(const char *id)
{
    return tt_count("SELECT count(*) FROM audit WHERE action = 'note.read_confidential' AND entity_id = $1", id);
}

static long notes_of(const char *student)
{
    return tt_count("SELECT count(*) FROM notes n JOIN note_revisions r ON r.note_id = n.id"
                    " WHERE n.student_number = $1",
                    student);
}

/* The note with `id` in a list response, or NULL. */
static json_t *item(const struct tt_response *r, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r->json, "items"), i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == atol(id))
            return it;
    }
    return NULL;
}

START_TEST(test_tutor_reads_all_and_confidential_reads_are_audited)
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    long before = confidential_reads(secret_id), shared_before = confidential_reads(shared_id);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(item(&r, secret_id), "text")), SECRET);
    ck_assert_str_eq(json_string_value(json_object_get(item(&r, shared_id), "text")), "Agreed a study plan");
    harness_response_free(&r);
    ck_assert_int_eq(confidential_reads(secret_id), before + 1);
    ck_assert_int_eq(confidential_reads(shared_id), shared_before);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(item(&r, secret_id), "text")), SECRET);
    harness_response_free(&r);
    ck_assert_int_eq(confidential_reads(secret_id), before + 2);
    snprintf(path, sizeof(path), "/notes/%s", secret_id);
    ck_assert_int_eq(tt_call("GET", path, w.tok_tutor_a, NULL, &r), 200);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "text")), SECRET);
    harness_response_free(&r);
    ck_assert_int_eq(confidential_reads(secret_id), before + 3);
    const char *params[2] = {secret_id, w.tutor_a};
    ck_assert_int_ge(harness_sql_long("SELECT count(*) FROM audit WHERE action = 'note.read_confidential'"
                                      " AND entity_id = $1 AND actor = $2 AND student_number IS NOT NULL",
                                      2, params),
                     2);
}
END_TEST

START_TEST(test_student_sees_only_own_shared_notes)
{
    char path[96];
    struct tt_response r;
    long before = confidential_reads(secret_id);
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_ptr_nonnull(item(&r, shared_id));
    ck_assert_ptr_null(strstr(r.body, SECRET));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/students/%s/notes?visibility=confidential", w.student_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/notes/%s", secret_id);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 404);
    snprintf(path, sizeof(path), "/notes/%s", shared_id);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_a, NULL), 200);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    ck_assert_int_eq(tt_status("GET", path, w.tok_student_b, NULL), 404);
    ck_assert_int_eq(confidential_reads(secret_id), before);
}
END_TEST

START_TEST(test_admin_never_receives_confidential_text)
{
    char path[96];
    struct tt_response r;
    long before = confidential_reads(secret_id);
    snprintf(path, sizeof(path), "/students/%s/notes?history=true", w.student_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    json_t *secret = item(&r, secret_id);
    ck_assert_ptr_nonnull(secret);
    ck_assert(json_is_null(json_object_get(secret, "text")));
    ck_assert_str_eq(json_string_value(json_object_get(secret, "visibility")), "confidential");
    ck_assert_ptr_null(strstr(r.body, SECRET));
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/notes/%s?history=true", secret_id);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(json_is_null(json_object_get(r.json, "text")));
    ck_assert_ptr_null(strstr(r.body, SECRET));
    harness_response_free(&r);
    ck_assert_int_eq(confidential_reads(secret_id), before);
}
END_TEST

START_TEST(test_forbidden_readers)
{
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, NULL, NULL), 401);
    snprintf(path, sizeof(path), "/notes/%s", secret_id);
    ck_assert_int_eq(tt_status("GET", path, w.tok_registry, NULL), 403);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 404);
    ck_assert_int_eq(tt_status("GET", path, w.tok_senior_y, NULL), 404);
    ck_assert_int_eq(tt_status("GET", "/notes/x1", w.tok_tutor_a, NULL), 404);
    snprintf(path, sizeof(path), "/students/%s/notes?history=maybe", w.student_a);
    tt_refused("GET", path, w.tok_tutor_a, NULL, 400, "history");
    snprintf(path, sizeof(path), "/students/%s/notes?visibility=public", w.student_a);
    tt_refused("GET", path, w.tok_tutor_a, NULL, 400, "visibility");
    snprintf(path, sizeof(path), "/students/%s/notes?cursor=abc", w.student_a);
    tt_refused("GET", path, w.tok_tutor_a, NULL, 400, "cursor");
}
END_TEST

START_TEST(test_forbidden_writers_change_nothing)
{
    static const char body[] = "{\"text\":\"x\",\"consent_recorded\":true,\"visibility\":\"shared\"}";
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    long before = notes_of(w.student_a);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, body), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, body), 404);
    snprintf(path, sizeof(path), "/notes/%s/revisions", shared_id);
    ck_assert_int_eq(tt_status("POST", path, w.tok_student_a, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_admin, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_registry, body), 403);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, "{\"text\":\"x\"}"), 404);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_y, "{\"text\":\"x\"}"), 404);
    ck_assert_int_eq(notes_of(w.student_a), before);
}
END_TEST

START_TEST(test_bad_input_names_the_field)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"visibility\":\"shared\"}", "text"},
        {"{\"text\":\"\",\"visibility\":\"shared\"}", "text"},
        {"{\"text\":42,\"visibility\":\"shared\"}", "text"},
        {"{\"text\":\"x\",\"visibility\":\"public\"}", "visibility"},
        {"{\"text\":\"x\"}", "visibility"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"consent_recorded\":\"yes\"}", "consent_recorded"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"mood\":\"sad\"}", "mood"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"id\":1}", "id"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"author\":\"T1\"}", "author"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"created_at\":\"2026-01-01T00:00:00Z\"}", "created_at"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"student\":\"S1\"}", "student"},
        {"{\"text\":\"x\",\"visibility\":\"shared\",\"revision\":9}", "revision"},
    };
    char path[96];
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_a);
    long before = notes_of(w.student_a);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tt_refused("POST", path, w.tok_tutor_a, cases[i].body, 422, cases[i].field);
    snprintf(path, sizeof(path), "/notes/%s/revisions", shared_id);
    tt_refused("POST", path, w.tok_tutor_a, "{\"text\":\"x\",\"visibility\":\"confidential\"}", 422, "visibility");
    tt_refused("POST", path, w.tok_tutor_a, "{\"consent_recorded\":true}", 422, "text");
    tt_refused("POST", path, w.tok_tutor_a, "{\"text\":\"x\",\"created_by\":\"T1\"}", 422, "created_by");
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_a, "not json"), 400);
    ck_assert_int_eq(notes_of(w.student_a), before);
}
END_TEST

START_TEST(test_corrections_are_new_revisions)
{
    char *id = write_note(w.student_a, w.tok_tutor_a,
                          "{\"text\":\"Met on Tuesday\",\"consent_recorded\":true,\"visibility\":\"shared\"}");
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/notes/%s/revisions", id);
    const char *stale[] = {"If-Match: \"5\"", NULL};
    ck_assert_int_eq(harness_request("POST", path, w.tok_tutor_a, "application/json", "{\"text\":\"x\"}", stale, &r),
                     0);
    ck_assert_int_eq(r.status, 412);
    harness_response_free(&r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    ck_assert_int_eq(harness_request("POST", path, w.tok_tutor_a, "application/json",
                                     "{\"text\":\"Met on Wednesday\",\"consent_recorded\":true}", fresh, &r),
                     0);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.etag, "\"2\"");
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "text")), "Met on Wednesday");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "revision")), 2);
    harness_response_free(&r);
    ck_assert_int_eq(tt_status("POST", path, w.tok_senior_x, "{\"text\":\"Met on Wednesday at 10\"}"), 201);
    snprintf(path, sizeof(path), "/notes/%s?history=true", id);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "revisions")), 3);
    json_t *history = json_object_get(r.json, "history");
    ck_assert_int_eq(json_array_size(history), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(history, 0), "text")), "Met on Tuesday");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(history, 2), "created_by")), w.senior_x);
    harness_response_free(&r);
    const char *params[1] = {id};
    char *first = harness_sql("SELECT text FROM note_revisions WHERE note_id = $1::bigint AND revision = 1", 1, params);
    ck_assert_str_eq(first, "Met on Tuesday");
    free(first);
    free(id);
}
END_TEST

START_TEST(test_another_tutor_cannot_revise_the_authors_note)
{
    /* tutor B, given a cover allocation for A, may read A's notes but not revise tutor A's */
    tt_sql("INSERT INTO allocations (student_number, staff_number, kind, starts_on, created_by)"
           " VALUES ($1, $2, 'cover', current_date, 'test')",
           w.student_a, w.tutor_b);
    char path[96];
    snprintf(path, sizeof(path), "/notes/%s/revisions", shared_id);
    long before = notes_of(w.student_a);
    ck_assert_int_eq(tt_status("POST", path, w.tok_tutor_b, "{\"text\":\"changed\"}"), 403);
    ck_assert_int_eq(notes_of(w.student_a), before);
    snprintf(path, sizeof(path), "/notes/%s", secret_id);
    ck_assert_int_eq(tt_status("GET", path, w.tok_tutor_b, NULL), 200);
    tt_sql("DELETE FROM allocations WHERE student_number = $1 AND staff_number = $2", w.student_a, w.tutor_b);
}
END_TEST

/* Runs `sql` as the application's database role; returns the SQLSTATE ("" on success). */
static char *as_app_role(const char *sql, const char *param)
{
    PGconn *pg = PQconnectdb(harness_database_url());
    ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
    PQclear(PQexec(pg, "SET ROLE tutord_app"));
    const char *params[1] = {param};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    char *out = strdup(state ? state : "");
    PQclear(res);
    PQfinish(pg);
    return out;
}

START_TEST(test_app_role_cannot_rewrite_notes_or_audit)
{
    static const char *const sql[] = {
        "UPDATE note_revisions SET text = 'rewritten' WHERE note_id = $1::bigint",
        "DELETE FROM note_revisions WHERE note_id = $1::bigint",
        "UPDATE notes SET visibility = 'shared' WHERE id = $1::bigint",
        "DELETE FROM notes WHERE id = $1::bigint",
        "UPDATE audit SET actor = 'nobody' WHERE entity_id = $1",
        "DELETE FROM audit WHERE entity_id = $1",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        char *state = as_app_role(sql[i], secret_id);
        if (strcmp(state, "42501") != 0)
            ck_abort_msg("%s as tutord_app: SQLSTATE '%s', want 42501", sql[i], state);
        free(state);
    }
    const char *params[1] = {secret_id};
    char *text = harness_sql("SELECT text FROM note_revisions WHERE note_id = $1::bigint", 1, params);
    ck_assert_str_eq(text, SECRET);
    free(text);
    ck_assert_int_ge(tt_count("SELECT count(*) FROM audit WHERE entity_id = $1", secret_id), 1);
    /* the role may still insert a revision: append-only, not read-only */
    char *state = as_app_role("INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
                              " VALUES ($1::bigint, 99, 'appended', true, 'test')",
                              secret_id);
    ck_assert_str_eq(state, "");
    free(state);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_tutor_reads_all_and_confidential_reads_are_audited,
        test_student_sees_only_own_shared_notes,
        test_admin_never_receives_confidential_text,
        test_forbidden_readers,
        test_forbidden_writers_change_nothing,
        test_bad_input_names_the_field,
        test_corrections_are_new_revisions,
        test_another_tutor_cannot_revise_the_authors_note,
        test_app_role_cannot_rewrite_notes_or_audit,
        NULL,
    };
    const struct harness_suite suite = {.name = "notes", .tests = tests, .start = start, .stop = stop, .timeout = 120};
    return harness_run(&suite);
}
