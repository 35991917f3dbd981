/* retention.h — `tutord retention --dry-run | --apply`: personal data is kept no longer than the retention
 * policy in configuration says (TUTORD_RETENTION_YEARS after the student's course ends; audit rows
 * TUTORD_AUDIT_RETENTION_YEARS), then anonymised in place (students) or deleted (audit rows), so reports
 * computed before and after give the same aggregate figures. Batched (TUTORD_RETENTION_BATCH per
 * transaction), idempotent (what is done is not due again) and resumable (each batch commits on its own:
 * an interrupted run leaves whole batches done, and the next run takes up the rest). Every batch writes
 * what it did to the audit trail in its own transaction. */
#ifndef TUTORD_RETENTION_H
#define TUTORD_RETENTION_H

#include "app.h"

/* Prints what is past its period, one JSON line on stdout ({"mode": "dry_run", "students_due",
 * "audit_rows_due", ...}); changes nothing. Returns 0, or 1 after printing why to stderr. */
int retention_dry_run(struct app *app);

/* Anonymises and deletes what is past its period, batch by batch, and prints one JSON line on stdout
 * ({"mode": "apply", "students_anonymised", "audit_rows_deleted", "batches", ...}). Returns 0, or 1 after
 * printing why to stderr (the batches committed before the failure stay done). */
int retention_apply(struct app *app);

#endif
