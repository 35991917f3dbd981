-- 003: the audit trail and the application's database role.
-- tutord serves as role tutord_app (it connects with "-c role=tutord_app", see TUTORD_DB_ROLE), which may
-- read and write the data but can neither UPDATE nor DELETE audit rows or events: both are append-only,
-- by grants and, for every role including owners, by trigger.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tutord_app') THEN
        CREATE ROLE tutord_app NOLOGIN;
    END IF;
END
$$;

CREATE TABLE audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,                 -- the token's sub
    actor_roles text[] NOT NULL DEFAULT '{}',
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),   -- e.g. note.read_confidential
    entity      text NOT NULL,                 -- e.g. note, student, allocation
    entity_id   text NOT NULL,
    student_number text,                       -- whose record, when it is about a student
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at_idx ON audit (at, id);
CREATE INDEX audit_student_idx ON audit (student_number, at) WHERE student_number IS NOT NULL;

CREATE FUNCTION tutord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();

GRANT USAGE ON SCHEMA public TO tutord_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tutord_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tutord_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tutord_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO tutord_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit, events, schema_migrations FROM tutord_app;
REVOKE INSERT ON schema_migrations FROM tutord_app;
