/* webhooks.h — the Standard Webhooks scheme: secrets, signatures and one signed POST.
 *
 * A secret is "whsec_" + base64 of a random key. A message is signed with HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<body>" and the signature sent as "v1,<base64 of the MAC>" in the
 * webhook-signature header, next to webhook-id and webhook-timestamp. Pure functions are thread-safe. */
#ifndef TUTORD_WEBHOOKS_H
#define TUTORD_WEBHOOKS_H

#include <stddef.h>

/* Writes a new secret ("whsec_" + base64 of 24 random bytes, NUL-terminated) into out (≥ 64 bytes).
 * Returns 0, or -1 when the system has no randomness to give. */
int webhook_new_secret(char *out, size_t size);

/* Computes the webhook-signature header value for one message into out (≥ 64 bytes): "v1,<base64>".
 * Returns 0, or -1 when `secret` is not "whsec_" + base64. */
int webhook_sign(const char *secret, const char *msg_id, long long timestamp, const char *body, char *out, size_t size);

/* The outcome of one POST: `status` the receiver's HTTP status (0 when none came), `error` why not. */
struct webhook_result {
    long status;
    char error[200];
};

struct sockaddr;

/* 1 when `sa` (AF_INET or AF_INET6) is an address a webhook may reach: not loopback, link-local, private
 * (RFC 1918, fc00::/7), unspecified or multicast, an IPv4-mapped IPv6 address judged as its IPv4 one;
 * 0 otherwise (other families included). Pure. */
int webhook_address_public(const struct sockaddr *sa);

/* Checks the host of http(s) `url` for server-side request forgery: 0 when every address it resolves to
 * is public, else -1 with why (≤ `size` bytes) saying which, or that it does not resolve. Thread-safe. */
int webhook_url_public(const char *url, char *why, size_t size);

/* POSTs `body` (application/json) to `url` with the three signed headers, timing out after 10 s. Unless
 * `allow_private`, the address actually connected to is checked again (webhook_address_public), so a name
 * that resolves differently at delivery time (DNS rebinding) reaches no internal address. Redirects are not
 * followed. Returns 0 when the receiver answered 2xx, else -1 with *out saying why. Thread-safe. */
int webhook_post(const char *url, const char *secret, const char *msg_id, long long timestamp, const char *body,
                 int allow_private, struct webhook_result *out);

#endif
