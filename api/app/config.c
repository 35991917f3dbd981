/* config.c — environment variables and flags into struct config, with every problem reported. */
#include "config.h"

#include "jwks.h"
#include "jwks_source.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct int_setting {
    const char *env;
    const char *flag;
    long min, max;
    size_t offset; /* offsetof the int (or size_t when is_size) in struct config */
    int is_size;
};

struct str_setting {
    const char *env;
    const char *flag;
    size_t offset;
};

#define OFF(field) offsetof(struct config, field)

static const struct int_setting INT_SETTINGS[] = {
    {"TUTORD_PORT", "--port", 1, 65535, OFF(port), 0},
    {"TUTORD_JWT_LEEWAY", "--jwt-leeway", 0, 600, OFF(jwt_leeway_seconds), 0},
    {"TUTORD_JWT_JWKS_REFRESH_S", "--jwt-jwks-refresh-s", 60, 86400, OFF(jwt_jwks_refresh_s), 0},
    {"TUTORD_JWT_JWKS_MIN_REFRESH_S", "--jwt-jwks-min-refresh-s", 1, 3600, OFF(jwt_jwks_min_refresh_s), 0},
    {"TUTORD_DB_POOL_SIZE", "--pool-size", 1, 512, OFF(db_pool_size), 0},
    {"TUTORD_DB_ACQUIRE_TIMEOUT_MS", "--acquire-timeout-ms", 1, 60000, OFF(db_acquire_timeout_ms), 0},
    {"TUTORD_THREADS", "--threads", 0, 1024, OFF(threads), 0},
    {"TUTORD_JOINED_READS", "--joined-reads", 0, 64, OFF(joined_reads), 0},
    {"TUTORD_MAX_BODY_BYTES", "--max-body-bytes", 64, 1L << 30, OFF(max_body_bytes), 1},
    {"TUTORD_MAX_IMPORT_BYTES", "--max-import-bytes", 64, 1L << 30, OFF(max_import_bytes), 1},
    {"TUTORD_HEADER_TIMEOUT", "--header-timeout", 1, 3600, OFF(header_timeout_s), 0},
    {"TUTORD_CONNECTION_TIMEOUT", "--connection-timeout", 1, 3600, OFF(connection_timeout_s), 0},
    {"TUTORD_MAX_CONNECTIONS", "--max-connections", 1, 65536, OFF(max_connections), 0},
    {"TUTORD_MAX_CONNECTIONS_PER_IP", "--max-connections-per-ip", 1, 65536, OFF(max_connections_per_ip), 0},
    {"TUTORD_RETENTION_YEARS", "--retention-years", 0, 100, OFF(retention_years), 0},
    {"TUTORD_AUDIT_RETENTION_YEARS", "--audit-retention-years", 1, 100, OFF(audit_retention_years), 0},
    {"TUTORD_RETENTION_BATCH", "--retention-batch", 1, 100000, OFF(retention_batch), 0},
    {"TUTORD_REPORT_BATCH_STUDENTS", "--report-batch-students", 1, 1000000, OFF(report_batch_students), 0},
    {"TUTORD_FACTS_CACHE_MB", "--facts-cache-mb", 0, 1 << 20, OFF(facts_cache_mb), 0},
    {"TUTORD_DELIVERY_INTERVAL_MS", "--delivery-interval-ms", 10, 600000, OFF(delivery_interval_ms), 0},
    {"TUTORD_DELIVERY_RETRY_BASE_MS", "--delivery-retry-base-ms", 10, 86400000, OFF(delivery_retry_base_ms), 0},
    {"TUTORD_DELIVERY_MAX_ATTEMPTS", "--delivery-max-attempts", 1, 100, OFF(delivery_max_attempts), 0},
    {"TUTORD_WEBHOOK_DISABLE_AFTER", "--webhook-disable-after", 1, 100000, OFF(webhook_disable_after), 0},
    {"TUTORD_DELIVERY_LEASE_MS", "--delivery-lease-ms", 1000, 3600000, OFF(delivery_lease_ms), 0},
    {"TUTORD_NOTIFICATION_RETENTION_DAYS", "--notification-retention-days", 1, 36500, OFF(notification_retention_days),
     0},
    {"TUTORD_HEAVY_THREADS", "--heavy-threads", 1, 64, OFF(heavy_threads), 0},
    {"TUTORD_HEAVY_QUEUE", "--heavy-queue", 0, 4096, OFF(heavy_queue), 0},
    {"TUTORD_READ_MAX_WAIT_MS", "--read-max-wait-ms", 0, 10000, OFF(read_max_wait_ms), 0},
    {"TUTORD_RATE_WINDOW", "--rate-window", 1, 86400, OFF(rate_window_s), 0},
    {"TUTORD_RATE_READS_PER_SUB", "--rate-reads-per-sub", 0, 1000000, OFF(rate_quota[0][0]), 0},
    {"TUTORD_RATE_WRITES_PER_SUB", "--rate-writes-per-sub", 0, 1000000, OFF(rate_quota[0][1]), 0},
    {"TUTORD_RATE_HEAVY_PER_SUB", "--rate-heavy-per-sub", 0, 1000000, OFF(rate_quota[0][2]), 0},
    {"TUTORD_RATE_READS_PER_ADDRESS", "--rate-reads-per-address", 0, 1000000, OFF(rate_quota[1][0]), 0},
    {"TUTORD_RATE_WRITES_PER_ADDRESS", "--rate-writes-per-address", 0, 1000000, OFF(rate_quota[1][1]), 0},
    {"TUTORD_RATE_HEAVY_PER_ADDRESS", "--rate-heavy-per-address", 0, 1000000, OFF(rate_quota[1][2]), 0},
    {"TUTORD_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms", 0, 600000, OFF(shutdown_grace_ms), 0},
};

static const struct str_setting STR_SETTINGS[] = {
    {"TUTORD_DATABASE_URL", "--database-url", OFF(database_url)},
    {"TUTORD_LISTEN", "--listen", OFF(listen)},
    {"TUTORD_DB_ROLE", "--db-role", OFF(db_role)},
    {"TUTORD_JWT_ALG", "--jwt-alg", OFF(jwt_alg)},
    {"TUTORD_JWT_SECRET", NULL, OFF(jwt_secret)},
    {"TUTORD_JWT_PUBLIC_KEY_FILE", "--jwt-public-key-file", OFF(jwt_public_key_file)},
    {"TUTORD_JWT_PRIVATE_KEY_FILE", "--jwt-private-key-file", OFF(jwt_private_key_file)},
    {"TUTORD_JWT_ISSUER", "--jwt-issuer", OFF(jwt_issuer)},
    {"TUTORD_JWT_AUDIENCE", "--jwt-audience", OFF(jwt_audience)},
    {"TUTORD_JWT_JWKS_FILE", "--jwt-jwks-file", OFF(jwt_jwks_file)},
    {"TUTORD_JWT_JWKS_URL", "--jwt-jwks-url", OFF(jwt_jwks_url)},
    {"TUTORD_JWT_SUBJECT_CLAIM", NULL, OFF(jwt_subject_claim)},
    {"TUTORD_JWT_SUBJECT_STRIP_DOMAIN", NULL, OFF(jwt_subject_strip_domain)},
    {"TUTORD_JWT_SUBJECT_CASE", NULL, OFF(jwt_subject_case)},
    {"TUTORD_JWT_ROLES_CLAIM", NULL, OFF(jwt_roles_claim)},
    {"TUTORD_JWT_ROLE_MAP", NULL, OFF(jwt_role_map)},
    {"TUTORD_JWT_SCHOOLS_CLAIM", NULL, OFF(jwt_schools_claim)},
    {"TUTORD_LOG_LEVEL", "--log-level", OFF(log_level) /* parsed separately */},
    {"TUTORD_DOCS_DIR", "--docs-dir", OFF(docs_dir)},
    {"TUTORD_SMTP_URL", NULL, OFF(smtp_url)},
    {"TUTORD_SMTP_STARTTLS", NULL, OFF(smtp_starttls)},
    {"TUTORD_SMTP_FROM", NULL, OFF(smtp_from)},
    {"TUTORD_SMTP_CREDENTIALS_FILE", NULL, OFF(smtp_credentials_file)},
    {"TUTORD_PORTAL_URL", NULL, OFF(portal_url)},
    {"TUTORD_WEBHOOK_ALLOW_PRIVATE", NULL, OFF(webhook_allow_private)},
    {"TUTORD_CORS_ORIGINS", "--cors-origins", OFF(cors_origins)},
    {"TUTORD_METRICS_TOKEN_FILE", "--metrics-token-file", OFF(metrics_token_file)},
    {"TUTORD_DATABASE_READ_URL", "--database-read-url", OFF(database_read_url)},
    {"TUTORD_JWT_SECRET_FILE", "--jwt-secret-file", OFF(jwt_secret_file)},
    {"TUTORD_DATABASE_URL_FILE", "--database-url-file", OFF(database_url_file)},
    {"TUTORD_DATABASE_READ_URL_FILE", "--database-read-url-file", OFF(database_read_url_file)},
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int set_int(struct config *cfg, const struct int_setting *s, const char *text, const char *origin)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < s->min || v > s->max) {
        fprintf(stderr, "tutord: %s must be a whole number from %ld to %ld (got \"%s\")\n", origin, s->min, s->max,
                text);
        return -1;
    }
    char *field = (char *)cfg + s->offset;
    if (s->is_size)
        *(size_t *)(void *)field = (size_t)v;
    else
        *(int *)(void *)field = (int)v;
    return 0;
}

static int set_str(struct config *cfg, const struct str_setting *s, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return -1;
    if (s->offset == OFF(log_level)) {
        static const char *const names[] = {"error", "warn", "info", "debug"};
        for (size_t i = 0; i < N_ELEMS(names); i++)
            if (strcmp(names[i], text) == 0) {
                cfg->log_level = (enum log_level)i;
                free(copy);
                return 0;
            }
        fprintf(stderr, "tutord: log level must be error, warn, info or debug (got \"%s\")\n", text);
        free(copy);
        return -1;
    }
    char **field = (char **)(void *)((char *)cfg + s->offset);
    free(*field);
    *field = copy;
    return 0;
}

static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->port = 8080;
    cfg->jwt_leeway_seconds = 30;
    cfg->jwt_jwks_refresh_s = 3600;
    cfg->jwt_jwks_min_refresh_s = 30;
    cfg->db_pool_size = 8;
    cfg->db_acquire_timeout_ms = 2000;
    cfg->threads = 4;
    cfg->max_body_bytes = (size_t)1024 * 1024;
    cfg->max_import_bytes = (size_t)64 * 1024 * 1024;
    cfg->header_timeout_s = 10;
    cfg->connection_timeout_s = 30;
    cfg->max_connections = 1024;
    cfg->max_connections_per_ip = 256;
    cfg->log_level = LOG_INFO;
    cfg->retention_years = 6;
    cfg->audit_retention_years = 7;
    cfg->retention_batch = 500;
    cfg->report_batch_students = 0; /* report_rules.h's default */
    cfg->facts_cache_mb = 64;
    cfg->heavy_threads = 2;
    cfg->heavy_queue = 16;
    cfg->rate_window_s = 60;
    cfg->shutdown_grace_ms = 10000;
    cfg->read_max_wait_ms = 500;
    static const int quotas[2][3] = {{1200, 300, 30}, {6000, 1500, 120}};
    memcpy(cfg->rate_quota, quotas, sizeof(quotas));
}

static int load_env(struct config *cfg)
{
    int rc = 0;
    for (size_t i = 0; i < N_ELEMS(INT_SETTINGS); i++) {
        const char *v = getenv(INT_SETTINGS[i].env);
        if (v && *v && set_int(cfg, &INT_SETTINGS[i], v, INT_SETTINGS[i].env) != 0)
            rc = -1;
    }
    for (size_t i = 0; i < N_ELEMS(STR_SETTINGS); i++) {
        const char *v = getenv(STR_SETTINGS[i].env);
        if (v && *v && set_str(cfg, &STR_SETTINGS[i], v) != 0)
            rc = -1;
    }
    return rc;
}

/* Applies one "--flag value" pair; returns 1 if the flag is a setting, 0 if unknown, -1 on error. */
static int apply_flag(struct config *cfg, const char *flag, const char *value)
{
    for (size_t i = 0; i < N_ELEMS(INT_SETTINGS); i++)
        if (strcmp(INT_SETTINGS[i].flag, flag) == 0) {
            if (!value) {
                fprintf(stderr, "tutord: %s needs a value\n", flag);
                return -1;
            }
            return set_int(cfg, &INT_SETTINGS[i], value, flag) == 0 ? 1 : -1;
        }
    for (size_t i = 0; i < N_ELEMS(STR_SETTINGS); i++)
        if (STR_SETTINGS[i].flag && strcmp(STR_SETTINGS[i].flag, flag) == 0) {
            if (!value) {
                fprintf(stderr, "tutord: %s needs a value\n", flag);
                return -1;
            }
            return set_str(cfg, &STR_SETTINGS[i], value) == 0 ? 1 : -1;
        }
    return 0;
}

static int load_flags(struct config *cfg, int *argc, char **argv)
{
    int out = 1, rc = 0;
    for (int i = 1; i < *argc; i++) {
        int applied = apply_flag(cfg, argv[i], i + 1 < *argc ? argv[i + 1] : NULL);
        if (applied < 0)
            rc = -1;
        if (applied != 0) {
            i++;
            continue;
        }
        argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return rc;
}

/* The /docs renderer's folder when TUTORD_DOCS_DIR is not set: share/tutord/docs under the parent of the running
 * binary's folder, so <prefix>/bin/tutord finds <prefix>/share/tutord/docs once installed and <build>/api/tutord
 * finds <build>/share/tutord/docs in the build tree (docs/CMakeLists.txt puts the bundle in both). NULL when
 * the binary's path is unknown. */
static char *default_docs_dir(void)
{
    static const char SUFFIX[] = "/share/tutord/docs";
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) { /* the binary's name, then its folder */
        char *slash = strrchr(exe, '/');
        if (!slash)
            return NULL;
        *slash = '\0';
    }
    size_t size = strlen(exe) + sizeof(SUFFIX);
    char *dir = malloc(size);
    if (dir)
        snprintf(dir, size, "%s%s", exe, SUFFIX);
    return dir;
}

static int check_listen(const struct config *cfg)
{
    struct in_addr addr;
    if (inet_pton(AF_INET, cfg->listen, &addr) != 1) {
        fprintf(stderr, "tutord: TUTORD_LISTEN must be an IPv4 address such as 127.0.0.1 (got \"%s\")\n", cfg->listen);
        return -1;
    }
    return 0;
}

/* Secrets that may come from a file instead (Docker secrets): the file's first line, without its ending. */
struct file_setting {
    const char *env;    /* the *_FILE variable */
    const char *target; /* the variable it stands for */
    size_t file_offset, offset;
};

static const struct file_setting FILE_SETTINGS[] = {
    {"TUTORD_JWT_SECRET_FILE", "TUTORD_JWT_SECRET", OFF(jwt_secret_file), OFF(jwt_secret)},
    {"TUTORD_DATABASE_URL_FILE", "TUTORD_DATABASE_URL", OFF(database_url_file), OFF(database_url)},
    {"TUTORD_DATABASE_READ_URL_FILE", "TUTORD_DATABASE_READ_URL", OFF(database_read_url_file), OFF(database_read_url)},
};

/* Reads one *_FILE setting into its target. Returns 0, or -1 after saying why (both forms set, the file
 * unreadable, or its first line empty). */
static int read_file_setting(struct config *cfg, const struct file_setting *s)
{
    const char *path = *(char **)(void *)((char *)cfg + s->file_offset);
    char **target = (char **)(void *)((char *)cfg + s->offset);
    if (!path)
        return 0;
    if (*target) {
        fprintf(stderr, "tutord: set %s or %s, not both\n", s->target, s->env);
        return -1;
    }
    FILE *f = fopen(path, "r");
    char line[4096] = "";
    int ok = f && fgets(line, sizeof(line), f) != NULL;
    if (f)
        fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!ok || !line[0]) {
        fprintf(stderr, "tutord: %s (%s) is unreadable or its first line is empty\n", s->env, path);
        return -1;
    }
    *target = strdup(line);
    memset(line, 0, sizeof(line));
    return *target ? 0 : -1;
}

/* Every *_FILE setting (FILE_SETTINGS); reports each problem. Returns 0 or -1. */
static int read_file_settings(struct config *cfg)
{
    int rc = 0;
    for (size_t i = 0; i < N_ELEMS(FILE_SETTINGS); i++)
        if (read_file_setting(cfg, &FILE_SETTINGS[i]) != 0)
            rc = -1;
    return rc;
}

static int check_jwt_alg(const struct config *cfg)
{
    if (strcmp(cfg->jwt_alg, "HS256") == 0 || jwks_alg_of_name(cfg->jwt_alg) != JWT_ALG_INVAL)
        return 0;
    fprintf(stderr, "tutord: TUTORD_JWT_ALG must be HS256, RS256, RS384, RS512, ES256 or ES384 (got \"%s\")\n",
            cfg->jwt_alg);
    return -1;
}

/* The identity provider's keys: a readable JWKS file and/or an allowed URL. Returns 0, or -1 after printing why. */
static int check_jwks(const struct config *cfg)
{
    int rc = 0;
    if (cfg->jwt_jwks_file && access(cfg->jwt_jwks_file, R_OK) != 0) {
        fprintf(stderr, "tutord: TUTORD_JWT_JWKS_FILE must name a readable JWKS file\n");
        rc = -1;
    }
    if (cfg->jwt_jwks_url && !jwks_url_allowed(cfg->jwt_jwks_url)) {
        fprintf(stderr,
                "tutord: TUTORD_JWT_JWKS_URL must be an https:// URL (http:// only to 127.0.0.1 or localhost)\n");
        rc = -1;
    }
    return rc;
}

int config_load(struct config *cfg, int *argc, char **argv)
{
    set_defaults(cfg);
    int rc = load_env(cfg);
    if (load_flags(cfg, argc, argv) != 0)
        rc = -1;
    if (!cfg->listen && !(cfg->listen = strdup("127.0.0.1")))
        rc = -1;
    if (!cfg->db_role && !(cfg->db_role = strdup("tutord_app")))
        rc = -1;
    if (!cfg->jwt_alg && !(cfg->jwt_alg = strdup("HS256")))
        rc = -1;
    if (!cfg->docs_dir)
        cfg->docs_dir = default_docs_dir(); /* NULL: GET /docs answers 503 saying to set TUTORD_DOCS_DIR */
    if (rc == 0 && (check_listen(cfg) != 0 || check_jwt_alg(cfg) != 0 || read_file_settings(cfg) != 0))
        rc = -1;
    return rc;
}

int config_check_for_serving(const struct config *cfg)
{
    int rc = 0;
    if (!cfg->database_url) {
        fprintf(stderr, "tutord: TUTORD_DATABASE_URL is not set (e.g. postgresql://user@host/db)\n");
        rc = -1;
    }
    if (cfg->jwt_jwks_file || cfg->jwt_jwks_url) {
        if (check_jwks(cfg) != 0)
            rc = -1;
    } else if (strcmp(cfg->jwt_alg, "HS256") == 0) {
        if (!cfg->jwt_secret || strlen(cfg->jwt_secret) < 32) {
            fprintf(stderr, "tutord: TUTORD_JWT_SECRET must be set to at least 32 characters for HS256\n");
            rc = -1;
        }
    } else if (!cfg->jwt_public_key_file || access(cfg->jwt_public_key_file, R_OK) != 0) {
        fprintf(stderr, "tutord: TUTORD_JWT_PUBLIC_KEY_FILE must name a readable PEM file for %s\n", cfg->jwt_alg);
        rc = -1;
    }
    if (cfg->metrics_token_file && access(cfg->metrics_token_file, R_OK) != 0) {
        fprintf(stderr, "tutord: TUTORD_METRICS_TOKEN_FILE %s cannot be read\n", cfg->metrics_token_file);
        rc = -1;
    }
    return rc;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < N_ELEMS(STR_SETTINGS); i++) {
        if (STR_SETTINGS[i].offset == OFF(log_level))
            continue;
        char **field = (char **)(void *)((char *)cfg + STR_SETTINGS[i].offset);
        free(*field);
        *field = NULL;
    }
}
