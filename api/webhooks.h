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

/* POSTs `body` (application/json) to `url` with the three signed headers, timing out after 10 s.
 * Returns 0 when the receiver answered 2xx, else -1 with *out saying why. Thread-safe. */
int webhook_post(const char *url, const char *secret, const char *msg_id, long long timestamp, const char *body,
                 struct webhook_result *out);

#endif
