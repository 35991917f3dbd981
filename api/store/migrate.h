/* migrate.h — applies the embedded sql/NNN_*.sql migrations in order, each once. */
#ifndef TUTORD_MIGRATE_H
#define TUTORD_MIGRATE_H

/* Connects to `url`, takes an advisory lock (so concurrent runs serialize), and applies every migration
 * not yet recorded in schema_migrations, each in its own transaction with its record. Safe to run
 * twice. Prints progress to stderr. Returns 0 or -1. */
int migrate_run(const char *url);

/* Runs one embedded SQL file (e.g. the demo data) in a single transaction. Returns 0 or -1. */
int migrate_run_file(const char *url, const char *name);

#endif
