/* harness.c — see harness.h. */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"

static pid_t server_pid;
static pid_t owner_pid; /* the process that started the server (Check forks a child per test) */
static char base_url[64];
static char db_url[1024];

/* Never leave a server behind: a child still holding the test's output keeps CTest waiting. */
static void kill_server(void)
{
    if (server_pid > 0 && getpid() == owner_pid) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

static void die(const char *fmt, const char *arg)
{
    kill_server();
    fprintf(stderr, "harness: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(2);
}

const char *harness_database_url(void)
{
    if (*db_url)
        return db_url;
    const char *file = getenv("TUTORD_TEST_DB_URL_FILE");
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f || !fgets(db_url, sizeof(db_url), f))
        die("cannot read the test database URL from %s (run the tests with ctest: the db fixture writes it)",
            file ? file : "$TUTORD_TEST_DB_URL_FILE");
    fclose(f);
    db_url[strcspn(db_url, "\r\n")] = '\0';
    return db_url;
}

const char *harness_base_url(void)
{
    return base_url;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    socklen_t len = sizeof(addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        die("no free port: %s", strerror(errno));
    close(fd);
    return ntohs(addr.sin_port);
}

static void exec_server(int port, const char *const *env)
{
    char port_s[16];
    snprintf(port_s, sizeof(port_s), "%d", port);
    setenv("TUTORD_DATABASE_URL", harness_database_url(), 1);
    setenv("TUTORD_PORT", port_s, 1);
    setenv("TUTORD_LISTEN", "127.0.0.1", 1);
    setenv("TUTORD_JWT_SECRET", HARNESS_JWT_SECRET, 1);
    setenv("TUTORD_LOG_LEVEL", "warn", 0);
    /* the suites drive many requests from one address and a few subs: rate limits off unless a test
     * sets them (test_hostile_limits) */
    static const char *const QUOTAS[] = {"TUTORD_RATE_READS_PER_SUB",      "TUTORD_RATE_WRITES_PER_SUB",
                                         "TUTORD_RATE_HEAVY_PER_SUB",      "TUTORD_RATE_READS_PER_ADDRESS",
                                         "TUTORD_RATE_WRITES_PER_ADDRESS", "TUTORD_RATE_HEAVY_PER_ADDRESS"};
    for (size_t i = 0; i < sizeof(QUOTAS) / sizeof(QUOTAS[0]); i++)
        setenv(QUOTAS[i], "0", 0);
    for (; env && *env; env++)
        putenv((char *)*env);
    const char *bin = getenv("TUTORD_BIN");
    if (!bin)
        die("%s", "TUTORD_BIN is not set");
    execl(bin, bin, "serve", (char *)NULL);
    _exit(127);
}

static int healthy(void)
{
    struct tt_response r;
    int ok = harness_request("GET", "/healthz", NULL, NULL, NULL, NULL, &r) == 0 && r.status == 200;
    if (ok || r.body)
        harness_response_free(&r);
    return ok;
}

void harness_start_with(const char *const *env)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int port = free_port();
    snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
    fflush(NULL);
    owner_pid = getpid();
    server_pid = fork();
    if (server_pid > 0)
        atexit(kill_server);
    if (server_pid < 0)
        die("fork failed: %s", strerror(errno));
    if (server_pid == 0)
        exec_server(port, env);
    for (int i = 0; i < 200; i++) {
        if (healthy())
            return;
        int status;
        if (waitpid(server_pid, &status, WNOHANG) == server_pid)
            die("%s", "tutord exited during start-up");
        usleep(50 * 1000);
    }
    die("%s", "tutord did not answer /healthz within 10 s");
}

void harness_start(void)
{
    harness_start_with(NULL);
}

void harness_stop(void)
{
    if (server_pid <= 0)
        return;
    kill(server_pid, SIGTERM);
    int status = 0;
    waitpid(server_pid, &status, 0);
    server_pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: tutord exited with status %d (sanitizer report above?)\n", WEXITSTATUS(status));
        exit(1);
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM) {
        fprintf(stderr, "harness: tutord died of signal %d\n", WTERMSIG(status));
        exit(1);
    }
    curl_global_cleanup();
}

/* ---- requests ------------------------------------------------------------------------------------ */

struct sink {
    char *data;
    size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *user)
{
    struct sink *s = user;
    char *grown = realloc(s->data, s->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->len, ptr, size * n);
    s->data = grown;
    s->len += size * n;
    s->data[s->len] = '\0';
    return size * n;
}

static void copy_header(const char *line, size_t n, const char *name, char *dst, size_t size)
{
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    while (*v == ' ')
        v++;
    size_t len = n - (size_t)(v - line);
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n'))
        len--;
    snprintf(dst, size, "%.*s", (int)len, v);
}

static size_t on_header(char *line, size_t size, size_t n, void *user)
{
    struct tt_response *r = user;
    size_t len = size * n;
    copy_header(line, len, "Content-Type", r->content_type, sizeof(r->content_type));
    copy_header(line, len, "ETag", r->etag, sizeof(r->etag));
    copy_header(line, len, "Allow", r->allow, sizeof(r->allow));
    copy_header(line, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
    copy_header(line, len, "WWW-Authenticate", r->www_authenticate, sizeof(r->www_authenticate));
    return len;
}

/* Appends the exchange to $TUTORD_TEST_EXCHANGE_LOG for the contract test. */
static void log_exchange(const char *method, const char *path, const struct tt_response *r)
{
    const char *file = getenv("TUTORD_TEST_EXCHANGE_LOG");
    if (!file)
        return;
    json_t *line = json_pack("{s:s, s:s, s:I, s:s, s:s}", "method", method, "path", path, "status",
                             (json_int_t)r->status, "content_type", r->content_type, "body", r->body);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    int fd = text ? open(file, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
    if (fd >= 0) {
        size_t n = strlen(text);
        text[n] = '\n';
        ssize_t ignored = write(fd, text, n + 1);
        (void)ignored;
        close(fd);
    }
    free(text);
    json_decref(line);
}

static struct curl_slist *build_headers(const char *token, const char *content_type, const char *const *headers)
{
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    char line[8300];
    if (token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        list = curl_slist_append(list, line);
    }
    if (content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", content_type);
        list = curl_slist_append(list, line);
    }
    for (; headers && *headers; headers++)
        list = curl_slist_append(list, *headers);
    return list;
}

int harness_request(const char *method, const char *path, const char *token, const char *content_type, const char *body,
                    const char *const *headers, struct tt_response *out)
{
    memset(out, 0, sizeof(*out));
    struct sink sink = {calloc(1, 1), 0};
    char url[4096];
    snprintf(url, sizeof(url), "%s%s", base_url, path);
    CURL *curl = curl_easy_init();
    struct curl_slist *list = build_headers(token, content_type, headers);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    out->body = sink.data;
    if (rc != CURLE_OK)
        return -1;
    out->json = json_loads(out->body, JSON_DECODE_ANY, NULL);
    log_exchange(method, path, out);
    return 0;
}

int harness_json(const char *method, const char *path, const char *token, const char *body, struct tt_response *out)
{
    return harness_request(method, path, token, body ? "application/json" : NULL, body, NULL, out);
}

void harness_response_free(struct tt_response *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

/* ---- tokens, ids, SQL ---------------------------------------------------------------------------- */

char *harness_token(const char *sub, const char *roles, const char *schools)
{
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.jwt_alg = "HS256";
    cfg.jwt_secret = HARNESS_JWT_SECRET;
    char *token = auth_mint(&cfg, sub, roles, schools, 3600);
    if (!token)
        die("%s", "could not mint a token");
    return token;
}

/* Writes v in `width` base-36 digits (0-9A-Z, fixed width so that concatenations cannot collide). */
static void base36(char *out, unsigned long v, int width)
{
    static const char DIGITS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = width - 1; i >= 0; i--, v /= 36)
        out[i] = DIGITS[v % 36];
    out[width] = '\0';
}

/* prefix + the time (4 digits: it repeats after 19 days), the process id (4) and a per-process counter (2),
 * each of fixed width: unique across the forked test processes of a run and across runs. */
const char *harness_unique(const char *prefix, char *buf, size_t size)
{
    static unsigned counter;
    char t[5], p[5], c[3];
    base36(t, (unsigned long)time(NULL) % 1679616UL, 4);
    base36(p, (unsigned long)getpid() % 1679616UL, 4);
    base36(c, ++counter % 1296U, 2);
    snprintf(buf, size, "%s%s%s%s", prefix, t, p, c);
    return buf;
}

char *harness_sql(const char *sql, int nparams, const char *const *params)
{
    PGconn *pg = PQconnectdb(harness_database_url());
    if (PQstatus(pg) != CONNECTION_OK)
        die("cannot connect: %s", PQerrorMessage(pg));
    PGresult *res = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        die("SQL failed: %s", PQresultErrorMessage(res));
    char *out = strdup(st == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    PQfinish(pg);
    return out;
}

long harness_sql_long(const char *sql, int nparams, const char *const *params)
{
    char *v = harness_sql(sql, nparams, params);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static int run_cluster(const char *verb)
{
    const char *dir = getenv("TUTORD_TEST_PG_DIR"), *script = getenv("TUTORD_PG_CLUSTER");
    if (!dir || !*dir || !script || getenv("TUTORD_DATABASE_URL"))
        return -1; /* not our cluster: never restart someone else's database */
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "'%s' %s '%s' >/dev/null", script, verb, dir);
    return system(cmd) == 0 ? 0 : -1;
}

int harness_db_stop(void)
{
    return run_cluster("stop");
}

int harness_db_start(void)
{
    return run_cluster("start");
}
