/* test_hostile_privacy.c — what a caller learns that they should not: the event feed (read by every
 * registry and admin caller) carries no concern kind, no change-request reason and no decision comment,
 * for new events and for ones written before; POST /allocations answers 404, as GET /students/{n} does,
 * for a student the caller may not see; a student reading their tutor sees only how to reach them, and
 * a student's export holds no concern or confidential note they could not read elsewhere. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

/* Follows the feed from `after` (NULL: the start) to its end; appends to `seen` (when not NULL) every
 * event whose subject is one of `subjects` (NULL-terminated). Returns the cursor at the end (malloc'd). */
static char *follow_feed(const char *after, const char *const *subjects, json_t *seen)
{
    char *cursor = after ? strdup(after) : NULL;
    for (int pages = 0; pages < 1000; pages++) {
        char path[256];
        snprintf(path, sizeof(path), "/events?limit=1000%s%s", cursor ? "&after=" : "", cursor ? cursor : "");
        struct tt_response r;
        ck_assert_int_eq(harness_json("GET", path, w.tok_registry, NULL, &r), 0);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) for (const char *const *s = subjects; seen && *s;
                                             s++) if (strcmp(json_string_value(json_object_get(e, "subject")), *s) == 0)
            json_array_append(seen, e);
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        if (next) { /* an empty feed has no cursor yet: keep none */
            free(cursor);
            cursor = strdup(next);
        }
        size_t n = json_array_size(items);
        harness_response_free(&r);
        if (n == 0)
            return cursor;
    }
    ck_abort_msg("the feed did not end");
    return cursor;
}

/* Asserts no event in `events` of a kind starting with `prefix` has any of `hidden` in its payload, and
 * returns how many events of that kind there were. */
static size_t check_payloads(const json_t *events, const char *prefix, const char *const *hidden)
{
    size_t i, count = 0;
    const json_t *e;
    json_array_foreach(events, i, e)
    {
        if (strncmp(json_string_value(json_object_get(e, "kind")), prefix, strlen(prefix)) != 0)
            continue;
        const json_t *payload = json_object_get(e, "payload");
        ck_assert_ptr_nonnull(json_object_get(payload, "id"));
        for (const char *const *h = hidden; *h; h++)
            ck_assert_msg(!json_object_get(payload, *h), "%s event carries %s", prefix, *h);
        count++;
    }
    return count;
}

/* New concern and change-request events, and ones stored before the change, reach the feed without
 * the concern's kind or detail, the student's reason or the decision comment. */
START_TEST(test_feed_carries_no_private_text)
{
    static const char *const CR_HIDDEN[] = {"reason", "comment", NULL}, *const CONCERN_HIDDEN[] = {"kind", "detail",
                                                                                                   NULL};
    char *start = follow_feed(NULL, NULL, NULL), path[128], body[256], legacy[32];
    struct tt_response r;
    snprintf(path, sizeof(path), "/students/%s/change-requests", w.student_a);
    ck_assert_int_eq(tt_call("POST", path, w.tok_student_a, "{\"reason\":\"my tutor shouts at me\"}", &r), 201);
    char *cr = tt_id(&r);
    harness_response_free(&r);
    snprintf(path, sizeof(path), "/change-requests/%s/decision", cr);
    tt_expect_status("POST", path, w.tok_senior_x, "{\"decision\":\"declined\",\"comment\":\"talked to both\"}", 200);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"wellbeing\",\"detail\":\"private\"}", w.student_a);
    ck_assert_int_eq(tt_call("POST", "/concerns", w.tok_tutor_a, body, &r), 201);
    char *concern = tt_id(&r);
    harness_response_free(&r);
    harness_unique("LEGACY", legacy, sizeof(legacy));
    tt_sql("INSERT INTO events (kind, subject, actor, payload) VALUES ('change_request.created', $1, 'old',"
           " '{\"id\": 1, \"reason\": \"old reason\", \"comment\": \"old comment\"}'),"
           " ('concern.opened', $1, 'old', '{\"id\": 2, \"kind\": \"wellbeing\", \"detail\": \"old\"}')",
           legacy, NULL);
    json_t *seen = json_array();
    const char *const subjects[] = {w.student_a, concern, legacy, NULL};
    free(follow_feed(start, subjects, seen));
    ck_assert_uint_eq(check_payloads(seen, "change_request.", CR_HIDDEN), 3); /* created, decided, legacy */
    ck_assert_uint_eq(check_payloads(seen, "concern.", CONCERN_HIDDEN), 2);   /* opened, legacy */
    json_decref(seen);
    free(start), free(cr), free(concern);
}
END_TEST

/* POST /allocations for a student the caller may not see, or who does not exist, is 404 — the answer
 * GET /students/{n} gives that caller — and writes nothing; the senior tutor who sees the student is
 * not refused that way. */
START_TEST(test_allocation_of_unseen_student_is_404)
{
    char body[256], path[96];
    snprintf(path, sizeof(path), "/students/%s", w.student_a);
    tt_expect_status("GET", path, w.tok_senior_y, NULL, 404);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"tutor\":\"%s\"}", w.student_a, w.tutor_b);
    long before = tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", w.student_a);
    tt_refused("POST", "/allocations", w.tok_senior_y, body, 404, NULL);
    tt_refused("POST", "/allocations", w.tok_senior_x, "{\"student\":\"NOSUCH9\",\"tutor\":\"T1\"}", 404, NULL);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM allocations WHERE student_number = $1", w.student_a), before);
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"tutor\":\"NOSUCH8\"}", w.student_a);
    tt_refused("POST", "/allocations", w.tok_senior_x, body, 422, "tutor"); /* seen: the body's fault */
}
END_TEST

/* A student reading their own tutor sees the tutor's number, name, email and office hours, nothing
 * else (no roles, permanence, capacity or activity); the tutor's colleagues still read the whole record. */
START_TEST(test_student_reads_tutor_contact_only)
{
    char path[96];
    struct tt_response r;
    snprintf(path, sizeof(path), "/tutors/%s", w.tutor_a);
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_a, NULL, &r), 200);
    static const char *const SHOWN[] = {"staff_number", "name", "email", "office_hours"};
    ck_assert_int_eq(json_object_size(r.json), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(json_object_get(r.json, SHOWN[i]), "%s missing: %s", SHOWN[i], r.body);
    ck_assert(json_is_array(json_object_get(r.json, "office_hours")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_senior_x, NULL, &r), 200);
    ck_assert_ptr_nonnull(json_object_get(r.json, "roles"));
    ck_assert_ptr_nonnull(json_object_get(r.json, "capacity"));
    harness_response_free(&r);
}
END_TEST

/* True when any item of `list` has `field` equal to the string `value`. */
static int lists(const json_t *list, const char *field, const char *value)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        const json_t *v = json_object_get(item, field);
        if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
            return 1;
        if (json_is_integer(v) && json_integer_value(v) == atoll(value))
            return 1;
    }
    return 0;
}

/* True when an audit row of `list` is about `entity` number `id` (ids of different tables may be equal). */
static int audits(const json_t *list, const char *entity, const char *id)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        const json_t *e = json_object_get(item, "entity"), *v = json_object_get(item, "entity_id");
        if (json_is_string(e) && strcmp(json_string_value(e), entity) == 0 && json_is_string(v) &&
            strcmp(json_string_value(v), id) == 0)
            return 1;
    }
    return 0;
}

/* A student's export holds what /concerns and /notes show them: their own concern, not the tutor's
 * wellbeing concern about them, and no confidential note — not even its id in the audit rows — while an
 * admin's export of the same student holds all three. */
START_TEST(test_student_export_hides_what_they_cannot_read)
{
    char body[256], path[96];
    snprintf(body, sizeof(body), "{\"student\":\"%s\",\"kind\":\"wellbeing\",\"detail\":\"Seemed very low\"}",
             w.student_b);
    char *theirs = tt_post_id("/concerns", w.tok_tutor_b, body);
    char *own = tt_post_id("/concerns", w.tok_student_b, "{\"kind\":\"tutoring_issue\",\"detail\":\"No replies\"}");
    snprintf(path, sizeof(path), "/students/%s/notes", w.student_b);
    char *secret =
        tt_post_id(path, w.tok_tutor_b,
                   "{\"text\":\"Disclosed an illness\",\"visibility\":\"confidential\",\"consent_recorded\":true}");
    snprintf(path, sizeof(path), "/students/%s/export", w.student_b);
    struct tt_response r;
    ck_assert_int_eq(tt_call("GET", path, w.tok_student_b, NULL, &r), 200);
    ck_assert_msg(!strstr(r.body, "Seemed very low"), "the student's export holds the tutor's concern");
    ck_assert(lists(json_object_get(r.json, "concerns"), "id", own));
    ck_assert(!lists(json_object_get(r.json, "concerns"), "id", theirs));
    ck_assert(!lists(json_object_get(r.json, "notes"), "id", secret));
    ck_assert_msg(!audits(json_object_get(r.json, "audit"), "note", secret), "audit names the note");
    ck_assert_msg(!audits(json_object_get(r.json, "audit"), "concern", theirs), "audit names the concern");
    ck_assert(audits(json_object_get(r.json, "audit"), "concern", own));
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("GET", path, w.tok_admin, NULL, &r), 200);
    ck_assert(lists(json_object_get(r.json, "concerns"), "id", theirs));
    ck_assert(lists(json_object_get(r.json, "notes"), "id", secret));
    ck_assert(audits(json_object_get(r.json, "audit"), "note", secret));
    harness_response_free(&r);
    free(theirs);
    free(own);
    free(secret);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_feed_carries_no_private_text,
        test_allocation_of_unseen_student_is_404,
        test_student_reads_tutor_contact_only,
        test_student_export_hides_what_they_cannot_read,
        NULL,
    };
    const struct harness_suite suite = {
        .name = "hostile_privacy", .tests = tests, .start = world_start, .stop = world_stop, .timeout = 120};
    return harness_run(&suite);
}
