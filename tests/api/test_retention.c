/* test_retention.c — `tutord retention --dry-run|--apply` on a fixture with known ages (courses that ended
 * long ago, a year and a day ago, exactly a year ago, recently, and still going; audit rows three years and
 * one year old), and the subject-erasure request: what is past its period is anonymised (students) or deleted
 * (audit rows), nothing else is touched, a second run does nothing, and the KPI report computed before and
 * after gives the same figures. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "worlds.h"

static char school[24], tutor[24];
static char old_s[24], withdrawn_s[24], day_after_s[24], boundary_s[24], recent_s[24], current_s[24];

/* A student of the school registered on `registered` (SQL date expression), allocated to the tutor the next
 * day; when `ended` is not NULL, their course ended that day with `status` (completed or withdrawn). */
static void student(char *number, const char *registered, const char *status, const char *ended)
{
    harness_unique("S", number, 24);
    char sql[800];
    snprintf(sql, sizeof(sql),
             "WITH s AS (INSERT INTO students (student_number, name, email, school, programme, level, cohort, status,"
             " registered_on, date_of_birth) VALUES ($1, 'Known Person', lower($1) || '@uni.example', $2, 'BSc Law',"
             " '4', 'UG', 'studying', %s, DATE '2000-01-01') RETURNING student_number, registered_on)"
             " INSERT INTO allocations (student_number, staff_number, kind, starts_on, reason, created_by)"
             " SELECT student_number, $3, 'personal', registered_on + 1, 'test', 'test' FROM s",
             registered);
    const char *p[3] = {number, school, tutor};
    free(harness_sql(sql, 3, p));
    if (!ended)
        return;
    snprintf(sql, sizeof(sql),
             "WITH e AS (UPDATE allocations SET ends_on = %s WHERE student_number = $1 RETURNING 1)"
             " UPDATE students SET status = $2, status_from = %s WHERE student_number = $1",
             ended, ended);
    const char *q[2] = {number, status};
    free(harness_sql(sql, 2, q));
}

/* A consented note about the student (its text is personal data). */
static void note(const char *number)
{
    const char *p[2] = {number, tutor};
    free(harness_sql("WITH n AS (INSERT INTO notes (student_number, author, visibility) VALUES ($1, $2, 'confidential')"
                     " RETURNING id) INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by)"
                     " SELECT id, 1, 'Talked about a family illness', true, $2 FROM n",
                     2, p));
}

static void setup(void)
{
    tt_new_school(school, sizeof(school), "R", NULL);
    harness_unique("T", tutor, sizeof(tutor));
    tt_staff(tutor, school, "{tutor}");
    free(harness_sql("INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2017/18', '2017-09-11',"
                     " '2018-06-29') ON CONFLICT DO NOTHING",
                     0, NULL));
    student(old_s, "DATE '2017-09-18'", "completed", "DATE '2020-06-30'");
    student(withdrawn_s, "DATE '2017-09-18'", "withdrawn", "DATE '2018-02-01'");
    student(day_after_s, "current_date - 900", "completed", "((current_date - interval '1 year')::date - 1)");
    student(boundary_s, "current_date - 900", "completed", "(current_date - interval '1 year')::date");
    student(recent_s, "current_date - 400", "completed", "current_date - 100");
    student(current_s, "DATE '2017-09-18'", NULL, NULL);
    note(old_s);
    note(current_s);
    const char *p[1] = {school};
    free(harness_sql("INSERT INTO audit (at, actor, action, entity, entity_id) VALUES"
                     " (now() - interval '3 years', 'test', 'fixture.old', 'retention_fixture', $1),"
                     " (now() - interval '1 year', 'test', 'fixture.young', 'retention_fixture', $1)",
                     1, p));
}

/* Runs `tutord retention <mode>` with one-year retention, two-year audit retention, batches of one and the
 * settings `env` ("" for none); returns its summary line parsed (new reference) and asserts it exited 0. */
static json_t *retention_with(const char *env, const char *mode)
{
    char cmd[1024], line[1024] = "";
    snprintf(cmd, sizeof(cmd),
             "TUTORD_DATABASE_URL='%s' TUTORD_RETENTION_YEARS=1 TUTORD_AUDIT_RETENTION_YEARS=2 TUTORD_RETENTION_BATCH=1"
             " %s '%s' retention %s",
             harness_database_url(), env, getenv("TUTORD_BIN"), mode);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
    ck_assert_int_eq(pclose(f), 0);
    json_t *out = json_loads(line, 0, NULL);
    ck_assert_msg(out != NULL, "not JSON: %s", line);
    return out;
}

/* retention_with no further settings. */
static json_t *retention(const char *mode)
{
    return retention_with("", mode);
}

static long field(const json_t *summary, const char *name)
{
    return (long)json_integer_value(json_object_get(summary, name));
}

/* The student's name as stored. */
static char *name_of(const char *number)
{
    const char *p[1] = {number};
    return harness_sql("SELECT name FROM students WHERE student_number = $1", 1, p);
}

static int erased(const char *number)
{
    char *name = name_of(number);
    int yes = strcmp(name, "Erased student") == 0;
    free(name);
    return yes;
}

static long fixture_audit(const char *action)
{
    const char *p[2] = {school, action};
    return harness_sql_long("SELECT count(*) FROM audit WHERE entity = 'retention_fixture' AND entity_id = $1"
                            " AND action = $2",
                            2, p);
}

/* The school's KPI report for 2017/18 as `token` (new reference). */
static json_t *kpis(const char *token)
{
    char path[128];
    struct tt_response r;
    snprintf(path, sizeof(path), "/reports/kpis?school=%s&year=2017/18", school);
    ck_assert_int_eq(tt_call("GET", path, token, NULL, &r), 200);
    json_t *doc = json_incref(r.json);
    harness_response_free(&r);
    return doc;
}

/* The dry run counts and changes nothing; apply anonymises exactly the students past their period (not the
 * one whose course ended exactly a year ago, nor the recent or current ones) and deletes the audit row past
 * its period, batch by batch, auditing what it did; a second run finds nothing; the KPIs stay the same. */
START_TEST(test_dry_run_then_apply)
{
    char *admin = tt_admin_token();
    json_t *before = kpis(admin);
    json_t *dry = retention("--dry-run");
    ck_assert_str_eq(json_string_value(json_object_get(dry, "mode")), "dry_run");
    ck_assert_int_ge(field(dry, "students_due"), 3);
    ck_assert_int_ge(field(dry, "audit_rows_due"), 1);
    ck_assert(!erased(old_s));
    ck_assert_int_eq(fixture_audit("fixture.old"), 1);
    json_t *applied = retention("--apply");
    ck_assert_int_eq(field(applied, "students_anonymised"), field(dry, "students_due"));
    ck_assert_int_eq(field(applied, "audit_rows_deleted"), field(dry, "audit_rows_due"));
    ck_assert_int_ge(field(applied, "batches"), 4); /* one student or audit row per batch */
    ck_assert(erased(old_s) && erased(withdrawn_s) && erased(day_after_s));
    ck_assert(!erased(boundary_s) && !erased(recent_s) && !erased(current_s));
    ck_assert_int_eq(fixture_audit("fixture.old"), 0);
    ck_assert_int_eq(fixture_audit("fixture.young"), 1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM note_revisions r JOIN notes n ON n.id = r.note_id"
                              " WHERE n.student_number = $1 AND r.text IS NULL",
                              old_s),
                     1);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM note_revisions r JOIN notes n ON n.id = r.note_id"
                              " WHERE n.student_number = $1 AND r.text IS NOT NULL",
                              current_s),
                     1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM audit WHERE action = 'retention.anonymise' AND entity_id = $1", old_s), 1);
    json_t *again = retention("--apply");
    ck_assert_int_eq(field(again, "students_anonymised"), 0);
    ck_assert_int_eq(field(again, "audit_rows_deleted"), 0);
    json_t *after = kpis(admin);
    ck_assert_msg(json_equal(before, after), "the KPIs changed");
    json_decref(before);
    json_decref(after);
    json_decref(dry);
    json_decref(applied);
    json_decref(again);
    free(admin);
}
END_TEST

/* An admin's erasure request anonymises one student at once whatever their course's state: the rows stay
 * (the KPIs do not change), the subject access export shows what remains, a second request changes nothing;
 * nobody else may ask, and an unknown student is 404. */
START_TEST(test_erasure_request)
{
    char *admin = tt_admin_token(), *tok_tutor = tt_tutor_token(tutor), path[96], export[96];
    struct tt_response r;
    json_t *before = kpis(admin);
    snprintf(path, sizeof(path), "/students/%s/erasure", current_s);
    snprintf(export, sizeof(export), "/students/%s/export", current_s);
    tt_expect_status("POST", path, tok_tutor, NULL, 403);
    tt_expect_status("POST", "/students/NOSUCH1/erasure", admin, NULL, 404);
    char message[24];
    tt_contact(current_s, tutor, "message", "from_student", NULL, NULL, message);
    tt_sql("UPDATE contacts SET subject = 'My illness', body = 'I have been unwell' WHERE id = $1::bigint", message,
           NULL);
    tt_sql("INSERT INTO events (kind, subject, actor, payload) VALUES ('student.upserted', $1, 'test',"
           " jsonb_build_object('name', 'Known Person'))",
           current_s, NULL);
    ck_assert_int_eq(tt_call("POST", path, admin, NULL, &r), 200);
    ck_assert(json_is_true(json_object_get(r.json, "erased")));
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "note_revisions")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "messages")), 1);
    harness_response_free(&r);
    ck_assert(erased(current_s));
    ck_assert_int_eq(tt_call("GET", export, admin, NULL, &r), 200);
    ck_assert_ptr_null(strstr(r.body, "Known Person"));
    ck_assert_ptr_null(strstr(r.body, "family illness"));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "notes")), 1);
    harness_response_free(&r);
    ck_assert_int_eq(tt_call("POST", path, admin, NULL, &r), 200);
    ck_assert(json_is_false(json_object_get(r.json, "erased")));
    harness_response_free(&r);
    ck_assert_int_eq(tt_count("SELECT count(*) FROM events WHERE kind = 'student.erased' AND subject = $1", current_s),
                     1);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM events WHERE subject = $1 AND payload::text LIKE '%Known Person%'", current_s),
        0);
    ck_assert_int_eq(
        tt_count("SELECT count(*) FROM audit WHERE action = 'student.erase' AND entity_id = $1", current_s), 2);
    json_t *after = kpis(admin);
    ck_assert_msg(json_equal(before, after), "the KPIs changed");
    json_decref(before);
    json_decref(after);
    free(admin);
    free(tok_tutor);
}
END_TEST

/* Outbox rows aged `age` (SQL interval) tagged `tag`: a notification of `status` (its sent_at, else created_at,
 * that old) and a webhook delivery attempted that long ago, to a disabled subscription. */
static void outbox_rows(const char *tag, const char *status, const char *age)
{
    const char *p[3] = {tag, status, age};
    free(harness_sql("WITH e AS (INSERT INTO events (kind, subject, actor) VALUES ('fixture.outbox', $1, 'test')"
                     "           RETURNING id),"
                     " n AS (INSERT INTO notifications (event_id, event_kind, category, person, email, subject, body,"
                     "       link, status, created_at, sent_at)"
                     "       SELECT id, 'fixture.outbox', 'allocation', $1, 'x@uni.example', 's', 'b {link}', '/',"
                     "              $2, now() - $3::interval, CASE WHEN $2 = 'sent' THEN now() - $3::interval END"
                     "         FROM e RETURNING 1),"
                     " w AS (INSERT INTO webhook_subscriptions (url, events, secret, enabled, cursor_seq, cursor_id,"
                     "       created_by) VALUES ('https://srs.uni.example/' || $1, '{fixture.outbox}', 'whsec_AA==',"
                     "       false, 0, 0, 'test') RETURNING id)"
                     " INSERT INTO webhook_deliveries (subscription_id, event_id, event_kind, attempted_at, succeeded)"
                     " SELECT w.id, e.id, 'fixture.outbox', now() - $3::interval, true FROM w, e",
                     3, p));
}

/* How many notifications and webhook deliveries tagged `tag` are left (the two counts added). */
static long outbox_left(const char *tag)
{
    return tt_count("SELECT (SELECT count(*) FROM notifications WHERE person = $1)"
                    " + (SELECT count(*) FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
                    "     WHERE e.subject = $1)",
                    tag);
}

/* Sent and failed notifications and webhook deliveries go after TUTORD_NOTIFICATION_RETENTION_DAYS (default
 * 90) days, batch by batch, audited; a day short of the period they stay; a queued one never goes. */
START_TEST(test_outbox_purged_after_its_period)
{
    char sent91[24], failed91[24], sent89[24], queued200[24], sent31[24], sent29[24];
    harness_unique("OS", sent91, sizeof(sent91));
    harness_unique("OF", failed91, sizeof(failed91));
    harness_unique("OY", sent89, sizeof(sent89));
    harness_unique("OQ", queued200, sizeof(queued200));
    harness_unique("OT", sent31, sizeof(sent31));
    harness_unique("OU", sent29, sizeof(sent29));
    outbox_rows(sent91, "sent", "91 days");
    outbox_rows(failed91, "failed", "91 days");
    outbox_rows(sent89, "sent", "89 days");
    outbox_rows(queued200, "queued", "200 days");
    outbox_rows(sent31, "sent", "31 days");
    outbox_rows(sent29, "sent", "29 days");
    free(harness_sql("UPDATE notifications SET next_attempt_at = 'infinity' WHERE person = $1", 1,
                     (const char *const[]){queued200}));
    json_t *dry = retention("--dry-run");
    ck_assert_int_eq(field(dry, "notification_retention_days"), 90);
    ck_assert_int_ge(field(dry, "notifications_due"), 2);
    ck_assert_int_ge(field(dry, "webhook_deliveries_due"), 3);
    ck_assert_int_eq(outbox_left(sent91), 2);
    json_t *applied = retention("--apply");
    ck_assert_int_eq(field(applied, "notifications_deleted"), field(dry, "notifications_due"));
    ck_assert_int_eq(field(applied, "webhook_deliveries_deleted"), field(dry, "webhook_deliveries_due"));
    ck_assert_int_eq(outbox_left(sent91), 0);
    ck_assert_int_eq(outbox_left(failed91), 0);
    ck_assert_int_eq(outbox_left(sent89), 2);
    ck_assert_int_eq(outbox_left(queued200), 1); /* its delivery went, the queued notification stays */
    ck_assert_int_eq(outbox_left(sent31), 2);
    ck_assert_int_ge(tt_count("SELECT count(*) FROM audit WHERE action = 'retention.purge_notifications'"
                              " AND detail ->> 'notification_retention_days' = $1",
                              "90"),
                     2); /* batches of one: at least one audit row per batch */
    json_t *shorter = retention_with("TUTORD_NOTIFICATION_RETENTION_DAYS=30", "--apply");
    ck_assert_int_ge(field(shorter, "notifications_deleted"), 2);
    ck_assert_int_eq(outbox_left(sent89), 0);
    ck_assert_int_eq(outbox_left(sent31), 0);
    ck_assert_int_eq(outbox_left(sent29), 2);
    ck_assert_int_eq(outbox_left(queued200), 1);
    json_t *again = retention_with("TUTORD_NOTIFICATION_RETENTION_DAYS=30", "--apply");
    ck_assert_int_eq(field(again, "notifications_deleted"), 0);
    ck_assert_int_eq(field(again, "webhook_deliveries_deleted"), 0);
    free(harness_sql("DELETE FROM notifications WHERE person = $1", 1, (const char *const[]){queued200}));
    json_decref(dry), json_decref(applied), json_decref(shorter), json_decref(again);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_dry_run_then_apply, test_erasure_request, test_outbox_purged_after_its_period,
                                  NULL};
    return harness_run_suite("retention", tests, setup, NULL);
}
