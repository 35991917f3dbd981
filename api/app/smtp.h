/* smtp.h — sends one email over SMTP with libcurl. A session keeps its connection open between
 * messages (libcurl reuses it), so a batch costs one TCP/TLS handshake. Not thread-safe: one session
 * belongs to one thread. */
#ifndef TUTORD_SMTP_H
#define TUTORD_SMTP_H

#include <stddef.h>

struct smtp_session;

/* What to send: `message` is the whole RFC 5322 message (headers, blank line, body), CRLF line ends. */
struct smtp_mail {
    const char *from; /* envelope sender */
    const char *to;   /* envelope recipient (one) */
    const char *message;
};

/* Opens a session to `url` (smtp:// or smtps://). `starttls_required`: refuse to send unless the plain
 * connection upgrades with STARTTLS (ignored for smtps://). `credentials` (may be NULL): "user:password".
 * Returns NULL on allocation failure. */
struct smtp_session *smtp_open(const char *url, int starttls_required, const char *credentials);

/* Sends one message. Returns 0 when the server accepted it; otherwise fills `why` (size bytes) and
 * returns 1 for a failure worth retrying (a 4xx reply, a connection lost mid-way), 2 for a permanent one
 * (5xx reply) or 3 when the server could not be reached at all (no reply: refused, unresolved, timed out),
 * which says nothing about the message. */
int smtp_send(struct smtp_session *s, const struct smtp_mail *mail, char *why, size_t size);

/* Closes the connection and frees the session; NULL-safe. */
void smtp_close(struct smtp_session *s);

#endif
