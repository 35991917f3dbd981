/* main.c — the tutord command line: serve | migrate | token | seed-demo | routes | version. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "deliver.h"
#include "facts_cache.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "policy_presets.h"
#include "repo_students.h"
#include "retention.h"
#include "routes.h"
#include "server.h"

#ifndef TUTORD_VERSION
#define TUTORD_VERSION "0.0.0"
#endif

static void usage(FILE *out)
{
    fputs("usage: tutord <command> [flags]\n"
          "  serve       serve the API (TUTORD_DATABASE_URL, TUTORD_PORT, TUTORD_JWT_*, ...)\n"
          "  migrate     apply database migrations (safe to run twice)\n"
          "  seed-demo   load the demo university (after migrate)\n"
          "  token --sub ID --roles r1,r2 [--schools A,B] [--ttl SECONDS]\n"
          "              mint a bearer token with the configured key (development and tests only)\n"
          "  retention --dry-run|--apply\n"
          "              anonymise personal data past TUTORD_RETENTION_YEARS, delete audit rows past\n"
          "              TUTORD_AUDIT_RETENTION_YEARS (batched, resumable); --dry-run only counts\n"
          "  routes      print the registered routes\n"
          "  version     print the version\n"
          "flags: --port N --listen ADDR --database-url URL --threads N --pool-size N\n"
          "       --max-body-bytes N --log-level error|warn|info|debug\n",
          out);
}

static int need_database(const struct config *cfg)
{
    if (cfg->database_url)
        return 0;
    fprintf(stderr, "tutord: TUTORD_DATABASE_URL is not set (e.g. postgresql://user@host/db)\n");
    return -1;
}

/* Checks `tutord token`'s inputs: every role of roles_csv known, a TTL in range, an HS256 secret of at least
 * 32 bytes. Returns 0, or 2 after printing why to stderr. */
static int check_token_request(const struct config *cfg, const char *roles_csv, long ttl)
{
    char roles[256];
    if (strlen(roles_csv) >= sizeof(roles))
        return fputs("tutord token: --roles is too long\n", stderr), 2;
    strcpy(roles, roles_csv);
    char *save = NULL;
    int n = 0;
    for (char *r = strtok_r(roles, ",", &save); r; r = strtok_r(NULL, ",", &save), n++)
        if (!auth_role_of_name(r))
            return fprintf(stderr,
                           "tutord token: unknown role \"%s\" (student, tutor, senior_tutor, registry, admin, dean)\n",
                           r),
                   2;
    if (n == 0)
        return fputs("tutord token: --roles names no role\n", stderr), 2;
    if (ttl < 1 || ttl > 31L * 24 * 3600)
        return fputs("tutord token: --ttl must be a whole number of seconds from 1 to 2678400\n", stderr), 2;
    if (strcmp(cfg->jwt_alg, "HS256") == 0 && (!cfg->jwt_secret || strlen(cfg->jwt_secret) < 32))
        return fputs("tutord token: TUTORD_JWT_SECRET must be at least 32 bytes for HS256\n", stderr), 2;
    return 0;
}

/* tutord token --sub ID --roles r1,r2 [--schools A,B] [--ttl S]: prints a signed token; 2 on a bad request. */
static int cmd_token(const struct config *cfg, int argc, char **argv)
{
    static const char USAGE[] = "usage: tutord token --sub ID --roles r1,r2 [--schools A,B] [--ttl 1..2678400]\n";
    const char *sub = NULL, *roles = NULL, *schools = NULL, *ttl_text = "3600";
    for (int i = 2; i < argc; i += 2) {
        const char **slot = strcmp(argv[i], "--sub") == 0       ? &sub
                            : strcmp(argv[i], "--roles") == 0   ? &roles
                            : strcmp(argv[i], "--schools") == 0 ? &schools
                            : strcmp(argv[i], "--ttl") == 0     ? &ttl_text
                                                                : NULL;
        if (!slot)
            return fprintf(stderr, "tutord token: unknown flag %s\n%s", argv[i], USAGE), 2;
        if (i + 1 >= argc)
            return fprintf(stderr, "tutord token: %s needs a value\n%s", argv[i], USAGE), 2;
        *slot = argv[i + 1];
    }
    if (!sub || !*sub || !roles || !*roles)
        return fprintf(stderr, "tutord token: --sub and --roles are required\n%s", USAGE), 2;
    char *end = NULL;
    long ttl = strtol(ttl_text, &end, 10);
    if (end == ttl_text || *end)
        ttl = 0; /* refused as out of range below */
    int rc = check_token_request(cfg, roles, ttl);
    if (rc != 0)
        return rc;
    char *token = auth_mint(cfg, sub, roles, schools, ttl);
    if (!token)
        return 1;
    puts(token);
    free(token);
    return 0;
}

static const struct db_statement *all_statements(void)
{
    return REPO_STUDENT_STATEMENTS;
}

/* Builds the application handle around fn; `need_auth`: a verifier is required (serving). */
static int with_app(const struct config *cfg, int (*fn)(struct app *), int need_auth)
{
    char why[256];
    struct app app = {.config = cfg};
    struct auth_verifier *verifier = auth_verifier_new(cfg, why, sizeof(why));
    app.auth = verifier;
    app.routes = http_routes_new();
    app.pool = db_pool_new(cfg->database_url ? cfg->database_url : "", cfg->db_role, cfg->db_pool_size,
                           cfg->db_acquire_timeout_ms, all_statements());
    if (app.pool)
        db_pool_set_joined_reads(app.pool, cfg->joined_reads);
    if (cfg->database_read_url)
        app.replica = db_pool_new(cfg->database_read_url, cfg->db_role, cfg->db_pool_size, cfg->db_acquire_timeout_ms,
                                  all_statements());
    facts_cache_configure((size_t)cfg->facts_cache_mb << 20);
    int rc = 1;
    if (!verifier && need_auth)
        fprintf(stderr, "tutord: %s\n", why);
    else if (app.routes && app.pool && (app.replica || !cfg->database_read_url))
        rc = fn(&app);
    db_pool_free(app.replica);
    db_pool_free(app.pool);
    http_routes_free(app.routes);
    auth_verifier_free(verifier);
    return rc;
}

/* The demo university's SQL seeds, run in this order (each idempotent, each in one transaction). */
static const char *const DEMO_SEEDS[] = {"sql/demo/seed_demo.sql", "sql/demo/seed_demo_week.sql", NULL};

/* seed-demo: every demo seed, then the schools adopt their presets as a PUT would, then the governance seed. */
static int cmd_seed_demo(const struct config *cfg)
{
    if (need_database(cfg) != 0)
        return 1;
    for (const char *const *f = DEMO_SEEDS; *f; f++)
        if (migrate_run_file(cfg->database_url, *f) != 0)
            return 1;
    if (with_app(cfg, policies_seed_demo, 0) != 0)
        return 1;
    /* governance (drafts, approvals, two years of data) builds on the adopted policies, so it comes after them */
    return migrate_run_file(cfg->database_url, "sql/demo/seed_demo_governance.sql") == 0 ? 0 : 1;
}

/* Serves with the delivery worker alongside (deliver.h), stopping it once the server has stopped; does not
 * serve (2) when the worker cannot start. */
static int serve_and_deliver(struct app *app)
{
    metrics_process_started(TUTORD_VERSION);
    struct deliverer *worker = deliver_start(app);
    if (!worker)
        return 2;
    int rc = server_run(app);
    deliver_stop(worker);
    return rc;
}

static int cmd_serve(const struct config *cfg)
{
    if (config_check_for_serving(cfg) != 0)
        return 2;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts: server_run waits for them */
    allocator_tune_for_serving();
    log_msg(LOG_INFO, "allocator: %s", allocator_describe());
    signal(SIGPIPE, SIG_IGN);
    return with_app(cfg, serve_and_deliver, 1);
}

int main(int argc, char **argv)
{
    struct config cfg;
    json_object_seed(0);
    if (config_load(&cfg, &argc, argv) != 0) {
        config_free(&cfg);
        return 2;
    }
    log_set_level(cfg.log_level);
    server_use_routes(routes_register_all);
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc = 2;
    if (strcmp(cmd, "serve") == 0)
        rc = cmd_serve(&cfg);
    else if (strcmp(cmd, "migrate") == 0)
        rc = need_database(&cfg) == 0 && migrate_run(cfg.database_url) == 0 ? 0 : 1;
    else if (strcmp(cmd, "seed-demo") == 0)
        rc = cmd_seed_demo(&cfg);
    else if (strcmp(cmd, "retention") == 0 && argc == 3 &&
             (!strcmp(argv[2], "--dry-run") || !strcmp(argv[2], "--apply")))
        rc = need_database(&cfg) == 0
                 ? with_app(&cfg, strcmp(argv[2], "--apply") == 0 ? retention_apply : retention_dry_run, 0)
                 : 1;
    else if (strcmp(cmd, "token") == 0)
        rc = cmd_token(&cfg, argc, argv);
    else if (strcmp(cmd, "routes") == 0)
        rc = with_app(&cfg, server_print_routes, 0);
    else if (strcmp(cmd, "version") == 0)
        rc = (puts("tutord " TUTORD_VERSION), 0);
    else
        usage(strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ? stdout : stderr),
            rc = strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ? 0 : 2;
    config_free(&cfg);
    return rc;
}
