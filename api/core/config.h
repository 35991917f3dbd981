/* config.h — service configuration from environment variables, overridden by command-line flags. */
#ifndef TUTORD_CONFIG_H
#define TUTORD_CONFIG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct config {
    char *database_url;        /* TUTORD_DATABASE_URL (required to serve/migrate/seed) */
    char *db_role;             /* TUTORD_DB_ROLE: role the service acts as, default tutord_app; "none" = as connected */
    char *listen;              /* TUTORD_LISTEN, IPv4 literal, default 127.0.0.1 */
    int port;                  /* TUTORD_PORT, default 8080 */
    char *jwt_alg;             /* TUTORD_JWT_ALG: HS256 (default), RS256/384/512, ES256/384 */
    char *jwt_secret;          /* TUTORD_JWT_SECRET (HS256) */
    char *jwt_public_key_file; /* TUTORD_JWT_PUBLIC_KEY_FILE (RS256/ES256 verification) */
    char *jwt_private_key_file; /* TUTORD_JWT_PRIVATE_KEY_FILE (RS256/ES256, `tutord token` only) */
    char *jwt_issuer;           /* TUTORD_JWT_ISSUER, checked when set */
    char *jwt_audience;         /* TUTORD_JWT_AUDIENCE, checked when set */
    int jwt_leeway_seconds;     /* TUTORD_JWT_LEEWAY, default 30 */
    /* The university's identity provider (api/http/jwks_source.h, api/http/claims_map.h). */
    char *jwt_jwks_file;            /* TUTORD_JWT_JWKS_FILE: a JWKS document of verification keys */
    char *jwt_jwks_url;             /* TUTORD_JWT_JWKS_URL: the provider's JWKS (https://, or http:// to loopback) */
    int jwt_jwks_refresh_s;         /* TUTORD_JWT_JWKS_REFRESH_S, default 3600: scheduled refresh period */
    int jwt_jwks_min_refresh_s;     /* TUTORD_JWT_JWKS_MIN_REFRESH_S, default 30: least time between fetches caused by
                                       an unknown kid (or retrying a failed fetch) */
    char *jwt_subject_claim;        /* TUTORD_JWT_SUBJECT_CLAIM, default sub */
    char *jwt_subject_strip_domain; /* TUTORD_JWT_SUBJECT_STRIP_DOMAIN: "uni.example" requires and removes the
                                       subject's "@uni.example" */
    char *jwt_subject_case;         /* TUTORD_JWT_SUBJECT_CASE: keep (default), upper or lower */
    char *jwt_roles_claim;      /* TUTORD_JWT_ROLES_CLAIM, default roles (dotted path allowed: realm_access.roles) */
    char *jwt_role_map;         /* TUTORD_JWT_ROLE_MAP: "Value=role,..."; unset = tutord's own role names */
    char *jwt_schools_claim;    /* TUTORD_JWT_SCHOOLS_CLAIM, default schools */
    int db_pool_size;           /* TUTORD_DB_POOL_SIZE, default 8 */
    int db_acquire_timeout_ms;  /* TUTORD_DB_ACQUIRE_TIMEOUT_MS, default 2000 */
    int threads;                /* TUTORD_THREADS, default 4; 0: a thread per connection */
    int joined_reads;           /* TUTORD_JOINED_READS, default 0 (off): single-record reads of one kind joined into one
                                   statement while this many of that kind run (db_join.h) */
    size_t max_body_bytes;      /* TUTORD_MAX_BODY_BYTES, default 1 MiB */
    size_t max_import_bytes;    /* TUTORD_MAX_IMPORT_BYTES, default 64 MiB: bodies of the :import routes */
    int header_timeout_s;       /* TUTORD_HEADER_TIMEOUT, default 10: a new connection idle this long before its
                                   request's headers are in is closed (slow headers, "slowloris") */
    int connection_timeout_s;   /* TUTORD_CONNECTION_TIMEOUT, default 30: idle time allowed once headers are in */
    int max_connections;        /* TUTORD_MAX_CONNECTIONS, default 1024: open connections in total */
    int max_connections_per_ip; /* TUTORD_MAX_CONNECTIONS_PER_IP, default 256: open connections per client address */
    enum log_level log_level;   /* TUTORD_LOG_LEVEL: error|warn|info|debug, default info */
    char *docs_dir;             /* TUTORD_DOCS_DIR: folder holding redoc.standalone.js for GET /docs; default
                                   share/tutord/docs beside the binary's folder (installed or build tree) */
    int retention_years; /* TUTORD_RETENTION_YEARS: personal data kept this many years after the course ends, default 6
                          */
    int audit_retention_years; /* TUTORD_AUDIT_RETENTION_YEARS: audit rows kept this many years, default 7 */
    int retention_batch;       /* TUTORD_RETENTION_BATCH: students (or audit rows) per transaction, default 500 */
    int report_batch_students; /* TUTORD_REPORT_BATCH_STUDENTS: students whose facts a report loads at once (memory
                                  vs statements); 0 = the default (report_rules.h) */
    int facts_cache_mb;        /* TUTORD_FACTS_CACHE_MB, default 64: students' facts kept between requests, reused while
                                  their revision is unchanged (api/store/facts_cache.h); 0 = none kept */
    /* Notifications (api/app/deliver.c). Integers left 0 take the deliverer's defaults. */
    char *smtp_url;                  /* TUTORD_SMTP_URL: smtp:// or smtps://host:port; unset = record, send nothing */
    char *smtp_starttls;             /* TUTORD_SMTP_STARTTLS: "off" allows plain smtp:// (loopback relay only) */
    char *smtp_from;                 /* TUTORD_SMTP_FROM, default tutord@localhost */
    char *smtp_credentials_file;     /* TUTORD_SMTP_CREDENTIALS_FILE: first line user:password */
    char *portal_url;                /* TUTORD_PORTAL_URL: the portal the notices link to */
    int delivery_interval_ms;        /* TUTORD_DELIVERY_INTERVAL_MS: idle poll, default 1000 */
    int delivery_retry_base_ms;      /* TUTORD_DELIVERY_RETRY_BASE_MS: first retry delay, default 30000 */
    int delivery_max_attempts;       /* TUTORD_DELIVERY_MAX_ATTEMPTS: tries before an email fails, default 8 */
    int webhook_disable_after;       /* TUTORD_WEBHOOK_DISABLE_AFTER: failures in a row that disable, default 50 */
    int delivery_lease_ms;           /* TUTORD_DELIVERY_LEASE_MS: how long a claimed email is held, default 120000 */
    int notification_retention_days; /* TUTORD_NOTIFICATION_RETENTION_DAYS: sent/failed ones kept, default 90 */
    char *webhook_allow_private;     /* TUTORD_WEBHOOK_ALLOW_PRIVATE: "on" lets webhooks reach internal addresses */
    int heavy_threads;               /* TUTORD_HEAVY_THREADS, default 2: threads running heavy routes (reports, school
                                        compliance, imports, auto-allocation), apart from the request threads */
    int heavy_queue;                 /* TUTORD_HEAVY_QUEUE, default 16: heavy requests waiting for those threads; beyond
                                        it 503 with Retry-After */
    int rate_window_s;               /* TUTORD_RATE_WINDOW, default 60: the rate limits' window in seconds */
    int rate_quota[2][3];            /* TUTORD_RATE_{READS,WRITES,HEAVY}_PER_{SUB,ADDRESS}: requests per window per
                                        principal ([0]) and per client address ([1]) for each route class (ratelimit.h);
                                        0 = unlimited. Defaults: per sub 1200/300/30, per address 6000/1500/120 */
    int shutdown_grace_ms;           /* TUTORD_SHUTDOWN_GRACE_MS, default 10000: after SIGTERM/SIGINT, how long requests
                                        already begun may run before they are cut (new ones are answered 503) */
    char *metrics_token_file; /* TUTORD_METRICS_TOKEN_FILE: a file whose first line is the bearer token that reads
                                 GET /metrics from any address; unset = loopback clients only */
    /* A streaming replica for the heavy read routes (db.h: db_acquire_read). */
    char *database_read_url; /* TUTORD_DATABASE_READ_URL: the replica; unset = every read on the primary */
    int read_max_wait_ms;    /* TUTORD_READ_MAX_WAIT_MS, default 500: how long a heavy read waits for the replica
                                to replay the primary's latest writes before the primary serves it instead */
    /* Secrets from files (Docker secrets): each names a file whose first line is the setting's value, and
       is exclusive with the setting itself. */
    char *jwt_secret_file;        /* TUTORD_JWT_SECRET_FILE: for TUTORD_JWT_SECRET */
    char *database_url_file;      /* TUTORD_DATABASE_URL_FILE: for TUTORD_DATABASE_URL (its password) */
    char *database_read_url_file; /* TUTORD_DATABASE_READ_URL_FILE: for TUTORD_DATABASE_READ_URL */
    char *cors_origins;           /* TUTORD_CORS_ORIGINS: comma-separated origins ("https://a.example") allowed
                                     cross-origin requests; unset = none */
};

/* Fills *cfg from the environment then from argv flags (--port N, --listen A, --database-url U,
 * --threads N, --pool-size N, --max-body-bytes N, --max-import-bytes N, --header-timeout S,
 * --connection-timeout S, --max-connections N, --max-connections-per-ip N, --log-level L, --docs-dir D,
 * --database-read-url U, --read-max-wait-ms N, --jwt-secret-file F, --database-url-file F,
 * --database-read-url-file F). Flags it does
 * not know are left in place: *argc/argv are compacted to the unknown ones. Returns 0, or -1 after printing every
 * problem to stderr. The caller frees with config_free(). Not thread-safe (start-up only). */
int config_load(struct config *cfg, int *argc, char **argv);

/* Checks what serving needs (database URL, a usable JWT key). Returns 0, or -1 after printing why. */
int config_check_for_serving(const struct config *cfg);

/* Frees the strings config_load allocated; NULL-safe, idempotent. */
void config_free(struct config *cfg);

#endif
