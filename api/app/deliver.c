/* deliver.c — the delivery worker thread (see deliver.h). */
#include "deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "deliver_invite.h"
#include "log.h"
#include "outbox.h"
#include "repo_slots.h"
#include "smtp.h"
#include "strbuf.h"
#include "webhooks.h"

enum { EMAIL_BATCH = 50 };

struct deliverer {
    const struct app *app;
    struct db_pool *pool; /* a connection of its own: delivery never takes one that requests need */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int interval_ms, retry_base_ms, max_attempts, disable_after, lease_ms;
    long long reminded_ms; /* CLOCK_MONOTONIC of the last reminder sweep, 0 before the first */
    const char *from;
    char *credentials; /* "user:password" from TUTORD_SMTP_CREDENTIALS_FILE, or NULL */
};

/* The value, or `fallback` when the setting was left 0. */
static int or_default(int value, int fallback)
{
    return value > 0 ? value : fallback;
}

/* Reads the first line of the credentials file ("user:password"); NULL (logged) when unreadable. */
static char *read_credentials(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f || !fgets(line, sizeof(line), f)) {
        log_msg(LOG_ERROR, "deliver: cannot read TUTORD_SMTP_CREDENTIALS_FILE %s", path);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

/* The part of an address after '@' ("localhost" when there is none), for Message-IDs. */
static const char *domain_of(const char *address)
{
    const char *at = strrchr(address, '@');
    return at && at[1] ? at + 1 : "localhost";
}

/* Appends `text` with bare LF turned into CRLF and {link} into portal + link. */
static void put_body(struct strbuf *b, const char *text, const char *portal, const char *link)
{
    for (const char *p = text; *p; p++) {
        if (strncmp(p, "{link}", 6) == 0) {
            strbuf_puts(b, portal), strbuf_puts(b, link);
            p += 5;
        } else if (*p == '\n') {
            strbuf_puts(b, "\r\n");
        } else {
            strbuf_append(b, p, 1);
        }
    }
}

/* Appends the meeting of claimed row `i` as a text/calendar part (iTIP, deliver_invite.h) and the closing
 * boundary; marks the buffer failed when the invitation cannot be built. */
static void put_invite(const struct deliverer *d, struct strbuf *b, const struct outbox_rows *res, int i,
                       const char *tz)
{
    int cancel = strcmp(outbox_value(res, i, OUTBOX_CALENDAR), "cancel") == 0;
    struct invite in = {.cancel = cancel,
                        .booking = outbox_value(res, i, OUTBOX_BOOKING),
                        .start = (time_t)strtoll(outbox_value(res, i, OUTBOX_STARTS), NULL, 10),
                        .end = (time_t)strtoll(outbox_value(res, i, OUTBOX_ENDS), NULL, 10),
                        .stamp = (time_t)strtoll(outbox_value(res, i, OUTBOX_CHANGED), NULL, 10),
                        .summary = "Personal tutoring meeting",
                        .location = outbox_value(res, i, OUTBOX_LOCATION),
                        .organizer = d->from,
                        .attendee = outbox_value(res, i, OUTBOX_EMAIL),
                        .tz = tz};
    char *ics = deliver_invite(&in);
    if (!ics) {
        b->failed = 1;
        return;
    }
    strbuf_puts(b, "\r\n--tutord-");
    strbuf_puts(b, outbox_value(res, i, OUTBOX_MESSAGE_ID));
    strbuf_puts(b, cancel ? "\r\nContent-Type: text/calendar; charset=utf-8; method=CANCEL"
                          : "\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST");
    strbuf_puts(b, "\r\nContent-Transfer-Encoding: 8bit\r\nContent-Disposition: attachment; filename=\"meeting.ics\""
                   "\r\n\r\n");
    strbuf_puts(b, ics);
    strbuf_puts(b, "\r\n--tutord-");
    strbuf_puts(b, outbox_value(res, i, OUTBOX_MESSAGE_ID));
    strbuf_puts(b, "--\r\n");
    free(ics);
}

/* The whole message of claimed row `i` (malloc'd text, NULL when out of memory): plain text, or for a
 * meeting a multipart/mixed of the text and the invitation (time zone `tz`). */
static char *compose(const struct deliverer *d, const struct outbox_rows *res, int i, const char *tz)
{
    char date[64], head[1280], type[160];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&now, &tm));
    const char *portal = d->app->config->portal_url ? d->app->config->portal_url : "";
    const char *mid = outbox_value(res, i, OUTBOX_MESSAGE_ID);
    int meeting = outbox_value(res, i, OUTBOX_CALENDAR)[0] != '\0';
    if (meeting)
        snprintf(type, sizeof(type),
                 "multipart/mixed; boundary=\"tutord-%s\"\r\n\r\n--tutord-%s\r\n"
                 "Content-Type: text/plain; charset=utf-8",
                 mid, mid);
    snprintf(head, sizeof(head),
             "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
             "MIME-Version: 1.0\r\nContent-Type: %s\r\n"
             "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
             d->from, outbox_value(res, i, OUTBOX_EMAIL), outbox_value(res, i, OUTBOX_SUBJECT), date, mid,
             domain_of(d->from), meeting ? type : "text/plain; charset=utf-8");
    struct strbuf b = {0};
    strbuf_puts(&b, head);
    put_body(&b, outbox_value(res, i, OUTBOX_BODY), portal, outbox_value(res, i, OUTBOX_LINK));
    if (meeting)
        put_invite(d, &b, res, i, tz);
    if (b.failed) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_take(&b);
}

/* The SMTP server is unreachable: puts claimed rows `from`.. back untried (outbox_release), due again
 * after the first retry's delay, so an outage costs one connection attempt per pass and loses nothing. */
static void outbox_release_rest(const struct deliverer *d, struct db_conn *conn, const struct outbox_rows *res,
                                int from, const char *why)
{
    struct strbuf ids = {0};
    strbuf_puts(&ids, "{");
    for (int i = from; i < outbox_row_count(res); i++) {
        strbuf_puts(&ids, i > from ? "," : "");
        strbuf_puts(&ids, outbox_value(res, i, OUTBOX_ID));
    }
    strbuf_puts(&ids, "}");
    char *list = strbuf_take(&ids);
    if (!list || outbox_release(conn, list, why, d->retry_base_ms) != APP_OK)
        log_msg(LOG_ERROR, "deliver: could not put back the emails of an unreachable server");
    free(list);
}

/* Sends claimed row `i`: appends its id to `sent` when the server took it, else records the failure,
 * except when the server could not be reached (left to the caller). Returns smtp_send's verdict. */
static int send_one(struct deliverer *d, struct db_conn *conn, struct smtp_session *s, const struct outbox_rows *res,
                    int i, const char *tz, struct strbuf *sent)
{
    const char *id = outbox_value(res, i, OUTBOX_ID);
    char *message = compose(d, res, i, tz), why[300] = "out of memory";
    struct smtp_mail mail = {d->from, outbox_value(res, i, OUTBOX_EMAIL), message};
    int rc = message ? smtp_send(s, &mail, why, sizeof(why)) : 1;
    free(message);
    if (rc == 0) {
        strbuf_puts(sent, sent->len > 1 ? "," : "");
        strbuf_puts(sent, id);
        return 0;
    }
    if (rc == 3) {
        log_msg(LOG_WARN, "deliver: the SMTP server cannot be reached: %s", why);
        outbox_release_rest(d, conn, res, i, why);
        return 3;
    }
    log_msg(LOG_WARN, "deliver: notification %s not sent: %s", id, why);
    if (outbox_retry(conn, id, why, rc == 2, d->max_attempts, d->retry_base_ms) != APP_OK)
        log_msg(LOG_ERROR, "deliver: could not record the failure of notification %s", id);
    return rc;
}

/* True once deliver_stop has asked the worker to stop. */
static int stop_asked(struct deliverer *d)
{
    pthread_mutex_lock(&d->lock);
    int stopping = d->stopping;
    pthread_mutex_unlock(&d->lock);
    return stopping;
}

/* Claims one batch of due emails, sends it over one SMTP session and records the sent ones in one
 * statement (a crash before that statement repeats them after the lease, with the same Message-IDs).
 * Returns the number claimed. */
static int deliver_emails(struct deliverer *d, struct db_conn *conn)
{
    const struct config *cfg = d->app->config;
    struct outbox_rows *res = NULL;
    if (outbox_claim(conn, EMAIL_BATCH, d->lease_ms, &res) != APP_OK)
        return 0;
    int n = outbox_row_count(res);
    int starttls = !(cfg->smtp_starttls && strcmp(cfg->smtp_starttls, "off") == 0);
    struct smtp_session *s = n ? smtp_open(cfg->smtp_url, starttls, d->credentials) : NULL;
    struct strbuf sent = {0};
    strbuf_puts(&sent, "{");
    char tz[65] = "Europe/London";
    if (n && repo_time_zone(conn, tz) != APP_OK)
        snprintf(tz, sizeof(tz), "Europe/London");
    for (int i = 0; i < n && s; i++) {
        if (stop_asked(d)) { /* a shutdown does not wait for the whole batch: the rest go back, due soon */
            outbox_release_rest(d, conn, res, i, "not sent yet when this tutord stopped");
            break;
        }
        if (send_one(d, conn, s, res, i, tz, &sent) == 3)
            break; /* the rest were put back */
    }
    strbuf_puts(&sent, "}");
    smtp_close(s);
    outbox_rows_free(res);
    char *ids = strbuf_take(&sent);
    if (!ids || (strcmp(ids, "{}") != 0 && outbox_sent(conn, ids) != APP_OK))
        log_msg(LOG_ERROR, "deliver: could not record a batch of sent notifications");
    free(ids);
    return n;
}

/* Delivers the next event of the subscription in row 0 of `res` (inside the caller's transaction). */
static void post_one(struct deliverer *d, struct db_conn *conn, const struct outbox_rows *res)
{
    char msg_id[40];
    snprintf(msg_id, sizeof(msg_id), "evt_%s", outbox_value(res, 0, HOOK_EVENT));
    struct webhook_result r;
    const char *allow = d->app->config->webhook_allow_private;
    int rc =
        webhook_post(outbox_value(res, 0, HOOK_URL), outbox_value(res, 0, HOOK_SECRET), msg_id, (long long)time(NULL),
                     outbox_value(res, 0, HOOK_BODY), allow && strcmp(allow, "on") == 0, &r);
    if (rc != 0)
        log_msg(LOG_WARN, "deliver: webhook %s, event %s: %s", outbox_value(res, 0, HOOK_SUB),
                outbox_value(res, 0, HOOK_EVENT), r.error);
    enum app_status st = outbox_hook_done(conn, outbox_value(res, 0, HOOK_SUB), outbox_value(res, 0, HOOK_EVENT),
                                          outbox_value(res, 0, HOOK_SEQ), r.status, rc == 0 ? NULL : r.error,
                                          d->retry_base_ms, d->disable_after);
    if (st == APP_OK)
        st = db_commit(conn);
    if (st != APP_OK)
        log_msg(LOG_ERROR, "deliver: could not record a webhook delivery (status %d)", (int)st);
}

/* One round over the due subscriptions: at most one event each, in the feed's commit order. Returns
 * the number of events posted. */
static int deliver_hooks(struct deliverer *d, struct db_conn *conn)
{
    char after[24] = "0";
    int posted = 0;
    for (;;) {
        struct outbox_rows *res = NULL;
        if (db_begin(conn) != APP_OK || outbox_hook_next(conn, after, &res) != APP_OK || outbox_row_count(res) == 0) {
            outbox_rows_free(res);
            db_rollback(conn);
            return posted;
        }
        snprintf(after, sizeof(after), "%s", outbox_value(res, 0, HOOK_SUB));
        if (outbox_is_null(res, 0, HOOK_EVENT)) {
            db_rollback(conn);
        } else {
            post_one(d, conn, res);
            posted++;
        }
        outbox_rows_free(res);
    }
}

/* Sleeps up to the idle interval, or until deliver_stop; returns non-zero when stopping. */
static int idle(struct deliverer *d)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += d->interval_ms / 1000;
    until.tv_nsec += (long)(d->interval_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping && pthread_cond_timedwait(&d->wake, &d->lock, &until) != ETIMEDOUT)
        ;
    int stopping = d->stopping;
    pthread_mutex_unlock(&d->lock);
    return stopping;
}

/* Writes the day's meeting reminders, at most once every 60 idle intervals (a minute by default): a
 * meeting booked for tomorrow is reminded of within that time, and the sweep stays cheap. */
static void remind(struct deliverer *d, struct db_conn *conn)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (d->reminded_ms && ms - d->reminded_ms < 60LL * d->interval_ms)
        return;
    long written = 0;
    if (outbox_remind(conn, &written) != APP_OK)
        log_msg(LOG_ERROR, "deliver: could not write the day's meeting reminders");
    else
        d->reminded_ms = ms;
    if (written > 0)
        log_msg(LOG_INFO, "deliver: %ld meeting reminders queued", written);
}

/* The thread: deliver while there is work, idle when there is none, until stopped. */
static void *run(void *arg)
{
    struct deliverer *d = arg;
    int busy = 0;
    do {
        struct db_conn *conn = NULL;
        busy = 0;
        if (db_acquire(d->pool, &conn) == APP_OK) {
            remind(d, conn);
            if (d->app->config->smtp_url)
                busy += deliver_emails(d, conn);
            busy += deliver_hooks(d, conn);
            db_release(d->pool, conn);
        }
        if (stop_asked(d))
            break;
    } while (busy || !idle(d));
    return NULL;
}

/* Checks the SMTP settings; 0, or -1 after printing what is wrong to stderr. */
static int check_smtp(const struct config *cfg)
{
    int rc = 0;
    if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) != 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
        fprintf(stderr, "tutord: TUTORD_SMTP_URL must start with smtp:// or smtps:// (got \"%s\")\n", cfg->smtp_url);
        rc = -1;
    }
    if (cfg->smtp_starttls && strcmp(cfg->smtp_starttls, "off") != 0 && strcmp(cfg->smtp_starttls, "on") != 0) {
        fprintf(stderr, "tutord: TUTORD_SMTP_STARTTLS must be on or off (got \"%s\")\n", cfg->smtp_starttls);
        rc = -1;
    }
    if (cfg->smtp_credentials_file && access(cfg->smtp_credentials_file, R_OK) != 0) {
        fprintf(stderr, "tutord: TUTORD_SMTP_CREDENTIALS_FILE %s cannot be read\n", cfg->smtp_credentials_file);
        rc = -1;
    }
    return rc;
}

struct deliverer *deliver_start(const struct app *app)
{
    const struct config *cfg = app->config;
    if (check_smtp(cfg) != 0)
        return NULL;
    struct deliverer *d = calloc(1, sizeof(*d));
    if (d)
        d->pool =
            db_pool_new(cfg->database_url ? cfg->database_url : "", cfg->db_role, 1, cfg->db_acquire_timeout_ms, NULL);
    if (!d || !d->pool || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_msg(LOG_ERROR, "deliver: cannot start the delivery worker");
        if (d)
            db_pool_free(d->pool);
        free(d);
        return NULL;
    }
    d->app = app;
    d->interval_ms = or_default(cfg->delivery_interval_ms, 1000);
    d->retry_base_ms = or_default(cfg->delivery_retry_base_ms, 30000);
    d->max_attempts = or_default(cfg->delivery_max_attempts, 8);
    d->disable_after = or_default(cfg->webhook_disable_after, 50);
    d->lease_ms = or_default(cfg->delivery_lease_ms, 120000);
    d->from = cfg->smtp_from ? cfg->smtp_from : "tutord@localhost";
    if (cfg->smtp_credentials_file)
        d->credentials = read_credentials(cfg->smtp_credentials_file);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        log_msg(LOG_ERROR, "deliver: cannot start the delivery thread");
        pthread_mutex_destroy(&d->lock), pthread_cond_destroy(&d->wake);
        db_pool_free(d->pool);
        free(d->credentials), free(d);
        return NULL;
    }
    log_msg(LOG_INFO, "deliver: worker started (%s)", cfg->smtp_url ? "email and webhooks" : "webhooks only");
    return d;
}

void deliver_stop(struct deliverer *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->wake);
    db_pool_free(d->pool);
    free(d->credentials);
    free(d);
    curl_global_cleanup();
}
