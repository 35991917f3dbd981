/* migrate.c — numbered migrations recorded in schema_migrations, under an advisory lock. */
#include "migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "embedded.h"

static int exec_ok(PGconn *pg, const char *sql, const char *what)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "tutord: %s failed: %s", what, PQresultErrorMessage(res));
    PQclear(res);
    return ok ? 0 : -1;
}

static PGconn *connect_or_say(const char *url)
{
    PGconn *pg = PQconnectdb(url);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "tutord: cannot connect to the database: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    exec_ok(pg, "SET client_min_messages = warning", "setting client_min_messages");
    return pg;
}

static int is_migration(const char *name)
{
    return strncmp(name, "sql/", 4) == 0 && strlen(name) > 8 && name[4] >= '0' && name[4] <= '9' &&
           strchr(name + 4, '/') == NULL && strcmp(name + strlen(name) - 4, ".sql") == 0;
}

static int already_applied(PGconn *pg, const char *name, int *applied)
{
    const char *params[1] = {name};
    PGresult *res = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    *applied = ok && PQntuples(res) > 0;
    PQclear(res);
    return ok ? 0 : -1;
}

static int apply_one(PGconn *pg, const struct embedded_file *f)
{
    const char *params[1] = {f->name};
    if (exec_ok(pg, "BEGIN", "BEGIN") != 0)
        return -1;
    if (exec_ok(pg, f->data, f->name) != 0) {
        exec_ok(pg, "ROLLBACK", "ROLLBACK");
        return -1;
    }
    PGresult *res =
        PQexecParams(pg, "INSERT INTO schema_migrations (name) VALUES ($1)", 1, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok || exec_ok(pg, "COMMIT", "COMMIT") != 0) {
        exec_ok(pg, "ROLLBACK", "ROLLBACK");
        return -1;
    }
    fprintf(stderr, "tutord: applied %s\n", f->name);
    return 0;
}

static int apply_pending(PGconn *pg)
{
    int count = 0;
    for (const struct embedded_file *f = EMBEDDED_FILES; f->name; f++) {
        int applied = 0;
        if (!is_migration(f->name))
            continue;
        if (already_applied(pg, f->name, &applied) != 0)
            return -1;
        if (applied)
            continue;
        if (apply_one(pg, f) != 0)
            return -1;
        count++;
    }
    fprintf(stderr, "tutord: migrations up to date (%d applied now)\n", count);
    return 0;
}

int migrate_run(const char *url)
{
    PGconn *pg = connect_or_say(url);
    if (!pg)
        return -1;
    int rc = exec_ok(pg, "SELECT pg_advisory_lock(7427001)", "taking the migration lock");
    if (rc == 0)
        rc = exec_ok(pg,
                     "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     "creating schema_migrations");
    if (rc == 0)
        rc = apply_pending(pg);
    PQfinish(pg); /* ends the session, releasing the lock */
    return rc;
}

int migrate_run_file(const char *url, const char *name)
{
    const struct embedded_file *f = embedded_find(name);
    if (!f) {
        fprintf(stderr, "tutord: %s is not built in\n", name);
        return -1;
    }
    PGconn *pg = connect_or_say(url);
    if (!pg)
        return -1;
    int rc = exec_ok(pg, "BEGIN", "BEGIN");
    if (rc == 0 && (rc = exec_ok(pg, f->data, name)) == 0)
        rc = exec_ok(pg, "COMMIT", "COMMIT");
    PQfinish(pg);
    return rc;
}
