-- 008: the change feed in commit order.
--
-- events.txid orders transactions by when they started, not when they committed. To hand readers every
-- event exactly once *in commit order*, each transaction that writes events takes a sequence number at
-- commit time: a deferred constraint trigger runs just before COMMIT, takes a transaction-scoped
-- advisory lock (held until the commit is done and visible) and records (seq, txid) in event_commits.
-- Because the next transaction cannot take a number until this one has committed, seq order is commit
-- order, and a reader that sees seq N+1 already sees N: reading "seq greater than the cursor" never
-- skips an event that commits later. The price is that the final instant of event-writing commits is
-- serialized — microseconds, at the rate events are written.

CREATE TABLE event_commits (
    seq  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid xid8 NOT NULL UNIQUE
);

CREATE FUNCTION tutord_event_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tutord.event_commit_taken', true) = 'on' THEN
        RETURN NULL;          -- this transaction already has its number (one per transaction)
    END IF;
    PERFORM pg_advisory_xact_lock(7427002);
    INSERT INTO event_commits (txid) VALUES (pg_current_xact_id());
    PERFORM set_config('tutord.event_commit_taken', 'on', true);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER events_commit_order AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tutord_event_commit();

CREATE TRIGGER event_commits_append_only BEFORE UPDATE OR DELETE ON event_commits
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();

-- Events written before this migration: number their transactions in txid order.
INSERT INTO event_commits (txid) SELECT DISTINCT txid FROM events ORDER BY txid;

GRANT SELECT, INSERT ON event_commits TO tutord_app;
REVOKE UPDATE, DELETE, TRUNCATE ON event_commits FROM tutord_app;
