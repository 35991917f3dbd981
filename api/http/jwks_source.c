/* jwks_source.c — the key set's loading, publication and refresh (see jwks_source.h). */
#include "jwks_source.h"

#include "log.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define JWKS_MAX_BYTES 262144 /* 256 KiB: a larger document (file or response) is refused */
#define FETCH_CONNECT_TIMEOUT_S 5L
#define FETCH_TIMEOUT_S 10L
#define START_WAIT_S 5     /* start-up waits this long for the first fetch, then goes on without it */
#define ON_DEMAND_WAIT_S 3 /* a request that asked for a fetch waits this long for it */

struct jwks_source {
    char *file, *url;
    int refresh_s, min_refresh_s;
    pthread_mutex_t set_lock; /* guards `current` only: held for a pointer copy */
    struct jwks_set *current;
    unsigned long generation;            /* atomics only */
    struct jwks_set *file_set, *url_set; /* the last good keys of each origin: the refresher's alone */
    pthread_mutex_t state_lock;          /* guards the schedule below; never held during a fetch */
    pthread_cond_t wake;                 /* the refresher waits on it for its next fetch */
    pthread_cond_t done;                 /* signalled after every fetch */
    time_t last_fetch;                   /* monotonic seconds of the last fetch attempt */
    time_t last_on_demand;               /* ... and of the last one a request asked for */
    int last_ok, on_demand_done, want, thread_started;
    unsigned long started, finished; /* fetches begun and ended */
    int stopping; /* set once by jwks_source_free; also read by libcurl's progress callback (atomics) */
    pthread_t thread;
};

/* Monotonic seconds. */
static time_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

int jwks_url_allowed(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    if (ok)
        ok = strcasecmp(scheme, "https") == 0 ||
             (strcasecmp(scheme, "http") == 0 &&
              (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 || strcasecmp(host, "localhost") == 0));
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

struct body {
    char *data;
    size_t len;
};

/* libcurl's write callback: appends to the body up to JWKS_MAX_BYTES, then aborts the transfer. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct body *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n > JWKS_MAX_BYTES)
        return 0;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* libcurl's progress callback: a non-zero return aborts the transfer once the source is stopping. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return __atomic_load_n((const int *)userdata, __ATOMIC_ACQUIRE);
}

/* GETs the URL (given up when *stopping becomes non-zero); returns the parsed set or NULL with why[size]. */
static struct jwks_set *fetch_url(const char *url, const int *stopping, char *why, size_t size)
{
    struct body b = {0};
    long status = 0;
    CURL *curl = curl_easy_init();
    CURLcode rc = CURLE_FAILED_INIT;
    if (curl) {
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, FETCH_CONNECT_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, FETCH_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "tutord-jwks");
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stopping);
        rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(curl);
    }
    struct jwks_set *set = NULL;
    if (rc != CURLE_OK)
        snprintf(why, size, "the JWKS URL could not be fetched (%s)", curl_easy_strerror(rc));
    else if (status != 200)
        snprintf(why, size, "the JWKS URL answered HTTP %ld", status);
    else
        set = jwks_parse(b.data ? b.data : "", b.len, why, size);
    free(b.data);
    return set;
}

/* Reads and parses the JWKS file; NULL with why[size]. */
static struct jwks_set *read_file_set(const char *path, char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, size, "the JWKS file %s cannot be read (%s)", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(JWKS_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, JWKS_MAX_BYTES + 1, f) : 0;
    fclose(f);
    struct jwks_set *set = NULL;
    if (n > JWKS_MAX_BYTES)
        snprintf(why, size, "the JWKS file %s is larger than %d bytes", path, JWKS_MAX_BYTES);
    else if (buf)
        set = jwks_parse(buf, n, why, size);
    free(buf);
    return set;
}

/* Replaces *slot with `fresh` when it is not NULL (the last good set stays otherwise). */
static void keep_good(struct jwks_set **slot, struct jwks_set *fresh)
{
    if (!fresh)
        return;
    jwks_set_release(*slot);
    *slot = fresh;
}

/* Publishes the union of the origins' last good keys when it differs from what readers see. Returns 1 when
 * it changed. Called with fetch_lock held. */
static int publish(struct jwks_source *src)
{
    struct jwks_set *merged = jwks_merge(src->file_set, src->url_set);
    pthread_mutex_lock(&src->set_lock);
    int changed = merged && !jwks_equal(merged, src->current);
    struct jwks_set *old = changed ? src->current : merged;
    if (changed) {
        src->current = merged;
        __atomic_add_fetch(&src->generation, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&src->set_lock);
    jwks_set_release(old);
    return changed;
}

/* Loads every origin once (the refresher's thread, or start-up before it runs): returns 0 when all succeeded,
 * else -1 with why[size] (the failed origins keep their last good keys). */
static int fetch_all(struct jwks_source *src, char *why, size_t size)
{
    int rc = 0;
    if (src->file) {
        struct jwks_set *s = read_file_set(src->file, why, size);
        rc |= s ? 0 : -1;
        keep_good(&src->file_set, s);
    }
    if (src->url) {
        char url_why[256];
        struct jwks_set *s = fetch_url(src->url, &src->stopping, url_why, sizeof(url_why));
        if (!s)
            snprintf(why, size, "%s", url_why), rc = -1;
        keep_good(&src->url_set, s);
    }
    return rc;
}

/* One fetch and publication with its outcome logged (no lock held); returns 0 when every origin loaded. */
static int refresh(struct jwks_source *src, const char *cause)
{
    char why[320] = "";
    int rc = fetch_all(src, why, sizeof(why));
    int changed = publish(src);
    if (rc != 0 && !src->current)
        log_msg(LOG_WARN, "jwks fetch (%s) failed: %s; tokens are refused (401) until the keys arrive", cause, why);
    else if (rc != 0)
        log_msg(LOG_WARN, "jwks refresh (%s) failed, the last good keys stay: %s", cause, why);
    else if (changed)
        log_msg(LOG_INFO, "jwks refresh (%s): the identity provider's keys changed", cause);
    return rc;
}

/* Waits (state_lock held) until the refresher's next fetch after `started` ones has finished; gives up when
 * the source stops or after `seconds`. */
static void await_fetch(struct jwks_source *src, unsigned long started, int seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += seconds;
    while (src->finished <= started && !src->stopping)
        if (pthread_cond_timedwait(&src->done, &src->state_lock, &until) == ETIMEDOUT)
            break;
}

/* The refresher thread: a fetch when asked (start-up, an unknown kid), every refresh_s after a good fetch and
 * every min_refresh_s after a failed one. Fetches with state_lock released. */
static void *refresher(void *arg)
{
    struct jwks_source *src = arg;
    pthread_mutex_lock(&src->state_lock);
    while (!src->stopping) {
        time_t due = src->last_fetch + (src->last_ok ? src->refresh_s : src->min_refresh_s);
        if (!src->want && mono_now() < due) {
            struct timespec until = {.tv_sec = due, .tv_nsec = 0};
            pthread_cond_timedwait(&src->wake, &src->state_lock, &until);
            continue;
        }
        const char *cause = src->want ? (src->started ? "unknown kid" : "start") : "scheduled";
        src->want = 0;
        src->started++;
        pthread_mutex_unlock(&src->state_lock);
        int rc = refresh(src, cause);
        pthread_mutex_lock(&src->state_lock);
        src->last_fetch = mono_now();
        src->last_ok = rc == 0;
        src->finished++;
        pthread_cond_broadcast(&src->done);
    }
    pthread_mutex_unlock(&src->state_lock);
    return NULL;
}

/* The locks and the condition variables (on the monotonic clock); 0, or -1. */
static int init_sync(struct jwks_source *src)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&src->wake, &attr) == 0 &&
                     pthread_cond_init(&src->done, &attr) == 0
                 ? 0
                 : -1;
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&src->set_lock, NULL);
    pthread_mutex_init(&src->state_lock, NULL);
    return rc;
}

struct jwks_source *jwks_source_new(const struct jwks_options *opt, char *why, size_t size)
{
    struct jwks_source *src = calloc(1, sizeof(*src));
    if (!src || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || init_sync(src) != 0) {
        snprintf(why, size, "cannot set up the JWKS source");
        free(src);
        return NULL;
    }
    src->file = opt->file ? strdup(opt->file) : NULL;
    src->url = opt->url ? strdup(opt->url) : NULL;
    src->refresh_s = opt->refresh_s;
    src->min_refresh_s = opt->min_refresh_s;
    if (src->file && !(src->file_set = read_file_set(src->file, why, size))) {
        jwks_source_free(src);
        return NULL;
    }
    publish(src);
    src->want = 1; /* the refresher's first fetch: the URL's keys */
    src->thread_started = pthread_create(&src->thread, NULL, refresher, src) == 0;
    pthread_mutex_lock(&src->state_lock);
    if (src->thread_started)
        await_fetch(src, 0, START_WAIT_S);
    pthread_mutex_unlock(&src->state_lock);
    if (!src->thread_started) {
        snprintf(why, size, "cannot start the JWKS refresher thread");
        jwks_source_free(src);
        return NULL;
    }
    return src;
}

void jwks_source_free(struct jwks_source *src)
{
    if (!src)
        return;
    pthread_mutex_lock(&src->state_lock);
    __atomic_store_n(&src->stopping, 1, __ATOMIC_RELEASE); /* a fetch under way gives up too */
    pthread_cond_broadcast(&src->wake);
    pthread_cond_broadcast(&src->done);
    pthread_mutex_unlock(&src->state_lock);
    if (src->thread_started)
        pthread_join(src->thread, NULL);
    jwks_set_release(src->current);
    jwks_set_release(src->file_set);
    jwks_set_release(src->url_set);
    pthread_cond_destroy(&src->wake);
    pthread_cond_destroy(&src->done);
    pthread_mutex_destroy(&src->set_lock);
    pthread_mutex_destroy(&src->state_lock);
    free(src->file);
    free(src->url);
    free(src);
}

struct jwks_set *jwks_source_acquire(struct jwks_source *src)
{
    pthread_mutex_lock(&src->set_lock);
    struct jwks_set *set = jwks_set_hold(src->current);
    pthread_mutex_unlock(&src->set_lock);
    return set;
}

unsigned long jwks_source_generation(const struct jwks_source *src)
{
    return __atomic_load_n(&src->generation, __ATOMIC_ACQUIRE);
}

int jwks_source_refresh_for_unknown_kid(struct jwks_source *src)
{
    unsigned long before = jwks_source_generation(src);
    pthread_mutex_lock(&src->state_lock);
    time_t now = mono_now();
    if (!src->stopping && (!src->on_demand_done || now - src->last_on_demand >= src->min_refresh_s)) {
        src->on_demand_done = 1;
        src->last_on_demand = now;
        src->want = 1;
        pthread_cond_signal(&src->wake);
        await_fetch(src, src->started, ON_DEMAND_WAIT_S);
    }
    pthread_mutex_unlock(&src->state_lock);
    return jwks_source_generation(src) != before;
}
