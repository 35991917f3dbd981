/* harness.h — API tests: a real tutord process on a free port, a real PostgreSQL (the db fixture),
 * real HTTP (libcurl) and real JWTs.
 *
 * The CTest fixture (scripts/test-db) starts the cluster, migrates, and writes the database URL to
 * $TUTORD_TEST_DB_URL_FILE; each suite starts its own tutord with harness_start() (an unchecked
 * fixture) and stops it with harness_stop(). Every exchange is appended to $TUTORD_TEST_EXCHANGE_LOG
 * (JSON lines) when set, so the contract test can validate every response against openapi.yaml. */
#ifndef TUTORD_TEST_HARNESS_H
#define TUTORD_TEST_HARNESS_H

#include <jansson.h>
#include <libpq-fe.h>

/* The secret every harness-started tutord verifies HS256 tokens with. */
#define HARNESS_JWT_SECRET "harness-secret-0123456789abcdef0123456789"

struct tt_response {
    long status;
    char *body;   /* NUL-terminated, never NULL after a request */
    json_t *json; /* parsed body when it is JSON, else NULL */
    char content_type[128];
    char etag[64];
    char allow[128];
    char retry_after[16];
    char www_authenticate[128];
};

/* Starts tutord (binary $TUTORD_BIN) with extra "NAME=VALUE" environment entries (NULL-terminated
 * array, may be NULL) and waits until /healthz answers. Aborts the test run on failure. */
void harness_start_with(const char *const *env);
void harness_start(void);
/* Stops the tutord started by harness_start (SIGTERM, then waits). */
void harness_stop(void);

/* Sends a request. `token` (may be NULL) becomes "Authorization: Bearer <token>"; `content_type` and
 * `body` may be NULL; `headers` is a NULL-terminated list of extra "Name: value" lines (may be NULL).
 * Returns 0 (and fills *out; free with harness_response_free) or -1 on a transport failure. */
int harness_request(const char *method, const char *path, const char *token, const char *content_type, const char *body,
                    const char *const *headers, struct tt_response *out);
/* JSON shorthand: content type application/json. */
int harness_json(const char *method, const char *path, const char *token, const char *body, struct tt_response *out);
void harness_response_free(struct tt_response *r);

/* A token signed with HARNESS_JWT_SECRET, valid for an hour. roles/schools are comma-separated
 * (schools may be NULL). Returns a malloc'd string. */
char *harness_token(const char *sub, const char *roles, const char *schools);

/* A fresh identifier for this run, e.g. harness_unique("S") → "S0Z3K01F9A01" (prefix + 10 upper-case letters and
 * digits). */
const char *harness_unique(const char *prefix, char *buf, size_t size);

/* Runs SQL against the test database and returns the first column of the first row as a malloc'd
 * string ("" when no row); aborts on error. For setting up rows and asserting nothing changed. */
char *harness_sql(const char *sql, int nparams, const char *const *params);
/* The integer value of harness_sql(...). */
long harness_sql_long(const char *sql, int nparams, const char *const *params);

/* The database URL the suite uses. */
const char *harness_database_url(void);

/* Restarts the private PostgreSQL cluster (for outage tests); returns -1 when the database is not
 * the harness's own (TUTORD_DATABASE_URL pointed elsewhere), so the caller can skip. */
int harness_db_stop(void);
int harness_db_start(void);

/* The base URL, e.g. "http://127.0.0.1:23456". */
const char *harness_base_url(void);

#endif
