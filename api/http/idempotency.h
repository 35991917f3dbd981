/* idempotency.h — Idempotency-Key on creating POSTs (SPEC §4b), shared by every tutord process through
 * the idempotency_keys table (sql/006).
 *
 * A request with the header is fingerprinted (method, path with query, content type, SHA-256 of the
 * body) and its key reserved for the caller (the token's sub) with INSERT ... ON CONFLICT before the
 * handler runs. Then:
 *   - first use: the handler runs and its response (status, content type, body) is stored; a 5xx
 *     releases the key so the client may retry;
 *   - the same key and the same request again: the stored response is replayed, with the header
 *     "Idempotent-Replayed: true", and the handler does not run (nothing is created twice);
 *   - the same key with a different request: 422 naming the Idempotency-Key header;
 *   - the same key while the first request is still running (in this or another process): 409.
 * Keys last at least 24 hours; a reservation left in flight for 10 minutes (a process died) is taken
 * over. Without the header the handler simply runs. */
#ifndef TUTORD_IDEMPOTENCY_H
#define TUTORD_IDEMPOTENCY_H

#include "http.h"

/* Runs `handler` (given `app` as user data) under the Idempotency-Key rules above. With a `replayer`
 * (a route whose response holds what the key store must not, such as a note's text) a 2xx response is
 * stored only as the created record's id (its "id" member), and a replay calls `replayer` with that id,
 * which reads the record again with the caller's rights now (audited as any read). Returns what the
 * handler returned, or U_CALLBACK_COMPLETE after answering itself (replay, 400 for a malformed key,
 * 409, 422, 503 when the database is unavailable). Thread-safe. */
int idempotency_run(const struct _u_request *req, struct _u_response *resp, const struct app *app, http_handler handler,
                    http_replayer replayer);

#endif
