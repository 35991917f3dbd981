-- 012: status history with effective dates.
--
-- students.status_from is the day the student's current status holds from; NULL means "since
-- registration". Writers (PUT/PATCH /students/{n}, /students:import, the demo seed) may give it with a
-- status; when they do not, a new student's status holds from registered_on and a changed status from
-- today (never before registered_on) — the upsert computes that default, so every writer records the
-- same way. The history trigger reads the column:
--   * a status written with status_from D replaces the history from D on: entries dated after D are
--     deleted (superseded), because the student record system's newest statement about those dates wins;
--     the entry on D holds the written status;
--   * the same status with another status_from moves the entry: the entry at the old date is removed and
--     one at D is written;
--   * every change to an existing student's history is audited (action student.status_changed) with the
--     history as it was, by the actor the API names for the transaction (setting tutord.actor, else
--     'system' for the seed and maintenance).
-- status_from before registered_on is refused (422 from the API; a CHECK here), and so is a registered_on
-- moved after the current status's day unless the write gives a new status_from with it.

ALTER TABLE students ADD COLUMN status_from date;

-- Students already recorded: the day of their latest history entry, when it is after registration.
UPDATE students s SET status_from = h.from_date
  FROM (SELECT student_number, max(from_date) AS from_date FROM student_status_history GROUP BY student_number) h
 WHERE h.student_number = s.student_number AND h.from_date > s.registered_on;

ALTER TABLE students ADD CONSTRAINT students_status_from_check
    CHECK (status_from IS NULL OR status_from >= registered_on);

-- The status history of a student as a JSON array [{status, from}] sorted by from (the primary key's
-- order: one index range scan). Used by the single-student reads, not by the lists.
CREATE FUNCTION tutord_status_history_json(student text) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(json_agg(json_build_object('status', h.status, 'from', h.from_date) ORDER BY h.from_date),
                    '[]'::json)
      FROM student_status_history h WHERE h.student_number = student
$$;

CREATE OR REPLACE FUNCTION tutord_record_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d date := COALESCE(NEW.status_from, NEW.registered_on);
    old_history json;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_history := tutord_status_history_json(NEW.student_number);
        DELETE FROM student_status_history h
         WHERE h.student_number = NEW.student_number
           AND (h.from_date > d
                OR (NEW.status = OLD.status AND h.from_date = COALESCE(OLD.status_from, OLD.registered_on)));
    END IF;
    INSERT INTO student_status_history (student_number, from_date, status)
    VALUES (NEW.student_number, d, NEW.status)
    ON CONFLICT (student_number, from_date) DO UPDATE SET status = EXCLUDED.status, recorded_at = now();
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO audit (actor, actor_roles, action, entity, entity_id, student_number, detail)
        VALUES (COALESCE(NULLIF(current_setting('tutord.actor', true), ''), 'system'),
                COALESCE(NULLIF(current_setting('tutord.actor_roles', true), ''), '{}')::text[],
                'student.status_changed', 'student', NEW.student_number, NEW.student_number,
                jsonb_build_object('status', NEW.status, 'from', d, 'old_history', old_history));
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER students_status_history_update ON students;
CREATE TRIGGER students_status_history_update AFTER UPDATE OF status, status_from ON students
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.status_from IS DISTINCT FROM NEW.status_from)
    EXECUTE FUNCTION tutord_record_status();
