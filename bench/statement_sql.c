/* statement_sql.c — prints the SQL text of one of tutord's prepared statements, so the database-ceiling
 * benchmark (pgbench -f) and the Fastify peer run exactly what tutord runs, never a hand copy.
 * Usage: bench_statement_sql NAME   (e.g. student_get); exits 1 when there is no such statement. */
#include <stdio.h>
#include <string.h>

#include "repo_students.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STATEMENT_NAME\n", argv[0]);
        return 2;
    }
    for (const struct db_statement *s = REPO_STUDENT_STATEMENTS; s->name; s++)
        if (strcmp(s->name, argv[1]) == 0) {
            printf("%s\n", s->sql);
            return 0;
        }
    fprintf(stderr, "%s: no prepared statement named %s\n", argv[0], argv[1]);
    return 1;
}
