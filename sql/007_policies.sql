-- 007: each school's tutoring policy, versioned, and the status history the policy engine judges by.
--
-- A policy version is never changed or removed: PUT /schools/{code}/policy appends one. The engine uses,
-- for each period, the version in force (the last effective_from on or before it); when two versions share
-- an effective_from, the one set last supersedes the other (largest id).

CREATE TABLE school_policies (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school         text NOT NULL REFERENCES schools (code),
    effective_from date NOT NULL,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    preset         text CHECK (preset IN ('leicester', 'essex', 'westminster')),  -- NULL: a full policy
    policy         jsonb NOT NULL,                                                -- validated by the engine
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT school_policies_policy_check CHECK (jsonb_typeof(policy) = 'object'
                                                   AND policy ->> 'effective_from' = effective_from::text
                                                   AND policy ->> 'name' = name)
);
CREATE INDEX school_policies_school_idx ON school_policies (school, effective_from, id);

CREATE TRIGGER school_policies_append_only BEFORE UPDATE OR DELETE ON school_policies
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON school_policies FROM tutord_app;

-- The versions of each school's policy the engine evaluates: one per effective_from, the latest set.
CREATE VIEW school_policy_versions AS
    SELECT DISTINCT ON (school, effective_from) id, school, effective_from, name, preset, policy, set_by, set_at
      FROM school_policies
     ORDER BY school, effective_from, id DESC;
GRANT SELECT ON school_policy_versions TO tutord_app;

-- Student status history: students.status is the current status; the engine needs when each began
-- (a year abroad mid-year, a withdrawal). Kept by trigger, so every writer (API, imports, the demo seed)
-- records it: a new student's status holds from registration, a change from the day it is made (several
-- changes on one day: the last wins).
CREATE TABLE student_status_history (
    student_number text NOT NULL REFERENCES students (student_number) ON DELETE CASCADE,
    from_date      date NOT NULL,
    status         text NOT NULL CHECK (status IN ('studying', 'year_abroad', 'placement',
                                                   'suspended', 'withdrawn', 'completed')),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student_number, from_date)
);

CREATE FUNCTION tutord_record_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO student_status_history (student_number, from_date, status)
    VALUES (NEW.student_number,
            CASE WHEN TG_OP = 'INSERT' THEN NEW.registered_on ELSE greatest(current_date, NEW.registered_on) END,
            NEW.status)
    ON CONFLICT (student_number, from_date) DO UPDATE SET status = EXCLUDED.status, recorded_at = now();
    RETURN NULL;
END
$$;
CREATE TRIGGER students_status_history_insert AFTER INSERT ON students
    FOR EACH ROW EXECUTE FUNCTION tutord_record_status();
CREATE TRIGGER students_status_history_update AFTER UPDATE OF status ON students
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION tutord_record_status();

-- Students that existed before this migration: their current status, since registration.
INSERT INTO student_status_history (student_number, from_date, status)
SELECT student_number, registered_on, status FROM students
ON CONFLICT DO NOTHING;
