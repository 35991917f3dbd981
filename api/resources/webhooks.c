/* webhooks.c — Standard Webhooks signing (HMAC-SHA256, base64) and delivery with libcurl. */
#include "webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "sha256.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 (with padding) of n bytes into out; returns 0, or -1 when out is too small. */
static int b64_encode(const unsigned char *in, size_t n, char *out, size_t size)
{
    if (size < 4 * ((n + 2) / 3) + 1)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = (char)(i + 1 < n ? B64[v >> 6 & 63] : '=');
        out[o++] = (char)(i + 2 < n ? B64[v & 63] : '=');
    }
    out[o] = '\0';
    return 0;
}

/* Decodes standard base64 (padding optional) into out; returns the byte count, or -1 on a bad digit or
 * overflow. */
static long b64_decode(const char *in, unsigned char *out, size_t size)
{
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    for (; *in && *in != '='; in++) {
        const char *p = strchr(B64, *in);
        if (!p)
            return -1;
        v = v << 6 | (unsigned)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= size)
                return -1;
            out[o++] = (unsigned char)(v >> bits & 0xff);
        }
    }
    return (long)o;
}

/* The value of one lowercase hex digit (sha256_hex writes only 0-9a-f). */
static unsigned hex_value(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

/* SHA-256 of two concatenated buffers, as 32 raw bytes (sha256.h gives hex; this turns it back). */
static void sha256_raw(const void *a, size_t an, const void *b, size_t bn, unsigned char out[32])
{
    struct sha256 h;
    char hex[65];
    sha256_init(&h);
    sha256_update(&h, a, an);
    sha256_update(&h, b, bn);
    sha256_hex(&h, hex);
    for (size_t i = 0; i < 32; i++)
        out[i] = (unsigned char)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
}

/* HMAC-SHA256 (RFC 2104) of msg under key, 32 raw bytes into mac. */
static void hmac_sha256(const unsigned char *key, size_t key_len, const char *msg, size_t msg_len,
                        unsigned char mac[32])
{
    unsigned char k[64] = {0}, pad[64], inner[32];
    if (key_len > 64)
        sha256_raw(key, key_len, NULL, 0, k);
    else
        memcpy(k, key, key_len);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    sha256_raw(pad, 64, msg, msg_len, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    sha256_raw(pad, 64, inner, 32, mac);
}

int webhook_new_secret(char *out, size_t size)
{
    unsigned char key[24];
    if (size < 6 + 33 || getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
        return -1;
    memcpy(out, "whsec_", 7); /* with its NUL: b64_encode writes from out + 6 */
    return b64_encode(key, sizeof(key), out + 6, size - 6);
}

int webhook_sign(const char *secret, const char *msg_id, long long timestamp, const char *body, char *out, size_t size)
{
    unsigned char key[128], mac[32];
    long key_len = strncmp(secret, "whsec_", 6) == 0 ? b64_decode(secret + 6, key, sizeof(key)) : -1;
    if (key_len <= 0 || size < 4)
        return -1;
    char prefix[160];
    int pn = snprintf(prefix, sizeof(prefix), "%s.%lld.", msg_id, timestamp);
    if (pn < 0 || (size_t)pn >= sizeof(prefix))
        return -1;
    size_t bn = strlen(body);
    char *signed_content = malloc((size_t)pn + bn + 1);
    if (!signed_content)
        return -1;
    memcpy(signed_content, prefix, (size_t)pn);
    memcpy(signed_content + pn, body, bn + 1);
    hmac_sha256(key, (size_t)key_len, signed_content, (size_t)pn + bn, mac);
    free(signed_content);
    memcpy(out, "v1,", 4); /* with its NUL: b64_encode writes from out + 3 */
    return b64_encode(mac, sizeof(mac), out + 3, size - 3);
}

/* libcurl's write callback: the receiver's answer is not needed. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr, (void)userdata;
    return size * nmemb;
}

/* The request headers of one signed message; NULL on allocation failure. Caller frees the list. */
static struct curl_slist *signed_headers(const char *secret, const char *msg_id, long long timestamp, const char *body)
{
    char sig[96], line[200];
    if (webhook_sign(secret, msg_id, timestamp, body, sig, sizeof(sig)) != 0)
        return NULL;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof(line), "webhook-id: %s", msg_id);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof(line), "webhook-timestamp: %lld", timestamp);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof(line), "webhook-signature: %s", sig);
    return h ? curl_slist_append(h, line) : NULL;
}

/* 1 when IPv4 address `a` (host order) is public: not 0/8, 10/8, 127/8, 169.254/16, 172.16/12,
 * 192.168/16, multicast 224/4 or the reserved 240/4 and broadcast. */
static int ipv4_public(uint32_t a)
{
    return !((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xA9FE || (a >> 20) == 0xAC1 ||
             (a >> 16) == 0xC0A8 || (a >> 28) >= 0xE);
}

int webhook_address_public(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ipv4_public(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
    if (sa->sa_family != AF_INET6)
        return 0;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    const unsigned char *b = a->s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a))
        return ipv4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
    return !(IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
             IN6_IS_ADDR_MULTICAST(a) || (b[0] & 0xFE) == 0xFC || IN6_IS_ADDR_SITELOCAL(a));
}

/* Resolves `host` and checks every address; 0 when all are public, else -1 with why. */
static int host_public(const char *host, char *why, size_t size)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list = NULL;
    if (getaddrinfo(host, NULL, &hints, &list) != 0 || !list) {
        snprintf(why, size, "the host %s does not resolve", host);
        return -1;
    }
    int rc = 0;
    for (const struct addrinfo *ai = list; ai && rc == 0; ai = ai->ai_next)
        if (!webhook_address_public(ai->ai_addr)) {
            snprintf(why, size, "the host %s resolves to an internal address", host);
            rc = -1;
        }
    freeaddrinfo(list);
    return rc;
}

int webhook_url_public(const char *url, char *why, size_t size)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int rc = -1;
    snprintf(why, size, "must be an http:// or https:// URL with a host");
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0]) {
        size_t n = strlen(host); /* an IPv6 literal comes bracketed */
        if (host[0] == '[' && host[n - 1] == ']')
            memmove(host, host + 1, n - 2), host[n - 2] = '\0';
        rc = host_public(host, why, size);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* libcurl's socket opener: refuses (CURL_SOCKET_BAD) an internal address it was about to connect to. */
static curl_socket_t open_public(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
    (void)clientp, (void)purpose;
    if (!webhook_address_public(&address->addr))
        return CURL_SOCKET_BAD;
    return socket(address->family, address->socktype, address->protocol);
}

int webhook_post(const char *url, const char *secret, const char *msg_id, long long timestamp, const char *body,
                 int allow_private, struct webhook_result *out)
{
    memset(out, 0, sizeof(*out));
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl ? signed_headers(secret, msg_id, timestamp, body) : NULL;
    if (!headers) {
        snprintf(out->error, sizeof(out->error), "could not prepare the request");
        curl_easy_cleanup(curl);
        return -1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    if (!allow_private)
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_public);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    if (rc == CURLE_COULDNT_CONNECT && !allow_private)
        snprintf(out->error, sizeof(out->error), "%s (or its address is internal)", curl_easy_strerror(rc));
    else if (rc != CURLE_OK)
        snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(rc));
    else if (out->status < 200 || out->status > 299)
        snprintf(out->error, sizeof(out->error), "the receiver answered %ld", out->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK && out->status >= 200 && out->status <= 299 ? 0 : -1;
}
