-- 006: integration with the student record system — the Idempotency-Key store (SPEC §4b).
--
-- A creating POST that carries an Idempotency-Key first reserves (principal, key) here with
-- INSERT ... ON CONFLICT DO NOTHING, so two tutord processes racing on one key cannot both run the
-- handler; the row is completed with the response (status, content type, body) once the handler has
-- answered, or deleted when the handler failed with a 5xx so the client may retry. A row with a NULL
-- status is a request still in flight. Rows are kept at least 24 hours and expire lazily: a new
-- reservation takes over an expired row, and each reservation purges a bounded batch of expired rows
-- through the created_at index. Imports stage their rows in temporary tables (ON COMMIT DROP), so
-- they need nothing here.

CREATE TABLE idempotency_keys (
    principal    text NOT NULL CHECK (length(principal) BETWEEN 1 AND 64),   -- the token's sub
    key          text NOT NULL CHECK (key ~ '^[\x21-\x7e]{1,255}$'),
    method_route text NOT NULL CHECK (length(method_route) <= 2100),        -- "POST /path?query"
    body_hash    text NOT NULL CHECK (body_hash ~ '^[0-9a-f]{64}$'),        -- SHA-256 of type + body
    status       integer CHECK (status BETWEEN 100 AND 599),                -- NULL while in flight
    content_type text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key),
    CONSTRAINT idempotency_keys_response_check CHECK ((status IS NULL) = (body IS NULL))
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
