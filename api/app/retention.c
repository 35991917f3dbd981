/* retention.c — the retention command: dry run and apply, batch by batch. */
#include "retention.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "repo_retention.h"

/* The actor every retention audit row names. */
static const struct principal RETENTION = {.sub = "tutord-retention"};

/* The notification retention period in days: the setting, default 90. */
static int outbox_days(const struct config *cfg)
{
    return cfg->notification_retention_days > 0 ? cfg->notification_retention_days : 90;
}

/* Prints the summary line (steals `summary`); returns 0, or 1 when it is NULL (out of memory). */
static int print_summary(json_t *summary)
{
    char *text = summary ? json_dumps(summary, JSON_COMPACT) : NULL;
    json_decref(summary);
    if (!text)
        return fputs("tutord retention: out of memory\n", stderr), 1;
    puts(text);
    free(text);
    return 0;
}

int retention_dry_run(struct app *app)
{
    const struct config *cfg = app->config;
    struct db_conn *conn = NULL;
    long students = 0, audit = 0, notifications = 0, deliveries = 0;
    enum app_status st = db_acquire(app->pool, &conn);
    if (st == APP_OK)
        st = repo_retention_due(conn, cfg->retention_years, cfg->audit_retention_years, &students, &audit);
    if (st == APP_OK)
        st = repo_outbox_due(conn, outbox_days(cfg), &notifications, &deliveries);
    db_release(app->pool, conn);
    if (st != APP_OK)
        return fputs("tutord retention: the database could not be read\n", stderr), 1;
    return print_summary(json_pack("{s:s, s:i, s:i, s:I, s:I, s:i, s:I, s:I}", "mode", "dry_run", "retention_years",
                                   cfg->retention_years, "audit_retention_years", cfg->audit_retention_years,
                                   "students_due", (json_int_t)students, "audit_rows_due", (json_int_t)audit,
                                   "notification_retention_days", outbox_days(cfg), "notifications_due",
                                   (json_int_t)notifications, "webhook_deliveries_due", (json_int_t)deliveries));
}

/* One batch of students in one transaction: each anonymised, one audit row per student saying what changed.
 * *done is how many were taken (0: nothing left). */
static enum app_status student_batch(struct db_conn *conn, const struct config *cfg, long *done)
{
    json_t *numbers = NULL, *number;
    size_t i;
    *done = 0;
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = repo_retention_batch(conn, cfg->retention_years, cfg->retention_batch, &numbers);
    json_array_foreach(numbers, i, number)
    {
        json_t *result = NULL;
        const char *n = json_string_value(number);
        if (st == APP_OK)
            st = repo_erase_student(conn, n, "retention", &result);
        if (st == APP_OK) {
            json_object_set_new(result, "retention_years", json_integer(cfg->retention_years));
            st = audit_record(conn, &RETENTION, "retention.anonymise", "student", n, n, result);
        }
        json_decref(result);
    }
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_OK)
        *done = (long)json_array_size(numbers);
    json_decref(numbers);
    return st;
}

/* One batch of audit rows in one transaction, with an audit row saying how many went. */
static enum app_status audit_batch(struct db_conn *conn, const struct config *cfg, long *done)
{
    *done = 0;
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = repo_purge_audit(conn, cfg->audit_retention_years, cfg->retention_batch, done);
    if (st == APP_OK && *done > 0) {
        json_t *detail =
            json_pack("{s:I, s:i}", "deleted", (json_int_t)*done, "audit_retention_years", cfg->audit_retention_years);
        st = audit_record(conn, &RETENTION, "retention.purge_audit", "audit", "retention", NULL, detail);
        json_decref(detail);
    }
    if (st == APP_OK)
        st = db_commit(conn);
    return st;
}

/* One batch of sent/failed notifications and webhook deliveries past their period, in one transaction,
 * with an audit row saying how many went. *done is the larger of the two counts (0: nothing left). */
static enum app_status outbox_batch(struct db_conn *conn, const struct config *cfg, long *notifications,
                                    long *deliveries, long *done)
{
    long n = 0, d = 0;
    *done = 0;
    enum app_status st = db_begin(conn);
    if (st == APP_OK)
        st = repo_purge_outbox(conn, outbox_days(cfg), cfg->retention_batch, &n, &d);
    if (st == APP_OK && (n > 0 || d > 0)) {
        json_t *detail = json_pack("{s:I, s:I, s:i}", "notifications", (json_int_t)n, "webhook_deliveries",
                                   (json_int_t)d, "notification_retention_days", outbox_days(cfg));
        st = audit_record(conn, &RETENTION, "retention.purge_notifications", "notification", "retention", NULL, detail);
        json_decref(detail);
    }
    if (st == APP_OK)
        st = db_commit(conn);
    if (st == APP_OK)
        *notifications += n, *deliveries += d, *done = n > d ? n : d;
    return st;
}

int retention_apply(struct app *app)
{
    const struct config *cfg = app->config;
    struct db_conn *conn = NULL;
    long students = 0, audit = 0, notifications = 0, deliveries = 0, n = 0, batches = 0;
    enum app_status st = db_acquire(app->pool, &conn);
    do {
        if (st == APP_OK && (st = student_batch(conn, cfg, &n)) == APP_OK && n > 0)
            students += n, batches++;
    } while (st == APP_OK && n == cfg->retention_batch);
    do {
        if (st == APP_OK && (st = audit_batch(conn, cfg, &n)) == APP_OK && n > 0)
            audit += n, batches++;
    } while (st == APP_OK && n == cfg->retention_batch);
    do {
        if (st == APP_OK && (st = outbox_batch(conn, cfg, &notifications, &deliveries, &n)) == APP_OK && n > 0)
            batches++;
    } while (st == APP_OK && n == cfg->retention_batch);
    if (st != APP_OK)
        db_rollback(conn);
    db_release(app->pool, conn);
    if (st != APP_OK)
        fprintf(stderr, "tutord retention: a batch failed after %ld students and %ld audit rows; run it again\n",
                students, audit);
    int rc = print_summary(
        json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I}", "mode", "apply", "retention_years", cfg->retention_years,
                  "audit_retention_years", cfg->audit_retention_years, "students_anonymised", (json_int_t)students,
                  "audit_rows_deleted", (json_int_t)audit, "notifications_deleted", (json_int_t)notifications,
                  "webhook_deliveries_deleted", (json_int_t)deliveries, "batches", (json_int_t)batches));
    return st == APP_OK ? rc : 1;
}
