/* smtp.c — one SMTP session over libcurl (see smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp_session {
    CURL *curl;
    char *url;
    int starttls_required;
    char *credentials;
};

/* Where the read callback is in the message being uploaded. */
struct upload {
    const char *data;
    size_t left;
};

/* libcurl's read callback: hands out the next piece of the message. */
static size_t read_message(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct upload *u = userdata;
    size_t n = size * nitems < u->left ? size * nitems : u->left;
    memcpy(buf, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

struct smtp_session *smtp_open(const char *url, int starttls_required, const char *credentials)
{
    struct smtp_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->curl = curl_easy_init();
    s->url = strdup(url);
    s->credentials = credentials ? strdup(credentials) : NULL;
    s->starttls_required = starttls_required;
    if (!s->curl || !s->url || (credentials && !s->credentials)) {
        smtp_close(s);
        return NULL;
    }
    return s;
}

/* Sets the options that stay the same for every message of the session. */
static void set_session_options(struct smtp_session *s)
{
    curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(s->curl, CURLOPT_USE_SSL, s->starttls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (s->credentials)
        curl_easy_setopt(s->curl, CURLOPT_USERPWD, s->credentials);
}

int smtp_send(struct smtp_session *s, const struct smtp_mail *mail, char *why, size_t size)
{
    struct upload u = {mail->message, strlen(mail->message)};
    struct curl_slist *rcpt = curl_slist_append(NULL, mail->to);
    if (!rcpt) {
        snprintf(why, size, "out of memory");
        return 1;
    }
    set_session_options(s);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mail->from);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE, (long)u.left);
    CURLcode rc = curl_easy_perform(s->curl);
    long reply = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK)
        return 0;
    snprintf(why, size, "%s (SMTP reply %ld)", curl_easy_strerror(rc), reply);
    if (reply == 0 && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                       rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_OPERATION_TIMEDOUT))
        return 3;
    return reply >= 500 && reply < 600 ? 2 : 1;
}

void smtp_close(struct smtp_session *s)
{
    if (!s)
        return;
    if (s->curl)
        curl_easy_cleanup(s->curl);
    free(s->url);
    free(s->credentials);
    free(s);
}
