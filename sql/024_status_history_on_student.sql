-- 024 — a student's status history, copied onto the student's row in the form the single-student read sends.
--
-- GET /students/{n} answered its status_history from student_status_history: a second index lookup per read,
-- beside the primary-key lookup of the student. That lookup was most of what the read cost the database over
-- a bare primary-key lookup (pgbench -M prepared, 8 clients, the same run: 25.5-27.5k tps with it, 33.7-34.2k
-- without it). student_status_history stays the record: the policy engine's facts, the exports and the audit
-- read it, and only tutord_record_status (sql/012) writes it. students.status_history is a copy, in the text
-- repo_students.c turns into JSON: "status \"date\"" items (to_json's date text, whatever the DateStyle) in
-- from_date order, joined by commas; NULL when there is no entry.
--
-- Kept by the students table's triggers, beside the history trigger, at no cost to a new student's insert beyond
-- setting it:
-- * a new student's copy is set before the row is written (BEFORE INSERT), from the one entry the history
--   trigger is about to record (its status, from status_from or else registered_on): no second write of the
--   row, which an import of every student would otherwise pay;
-- * a change of status or status_from rewrites the copy from the table once the history trigger has recorded
--   it: an AFTER UPDATE trigger with the history trigger's condition, named to fire after it (triggers of one
--   event fire in name order).
-- Nothing else writes student_status_history; a script that did would have to rewrite the copy
-- (tutord_status_history_text). A trigger on the history table instead cost every new student's first entry a
-- second lookup: inserting 20,000 students of the bench data took 1.8-2.0 s instead of 1.2 s.
ALTER TABLE students ADD COLUMN status_history text;

CREATE FUNCTION tutord_status_history_item(status text, from_date date) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT status || ' ' || to_json(from_date)::text
$$;

CREATE FUNCTION tutord_status_history_text(student text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(array_to_string(ARRAY(SELECT tutord_status_history_item(h.status, h.from_date)
                                          FROM student_status_history h
                                         WHERE h.student_number = student ORDER BY h.from_date), ','), '')
$$;

CREATE FUNCTION tutord_status_history_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.status_history := tutord_status_history_item(NEW.status, COALESCE(NEW.status_from, NEW.registered_on));
    RETURN NEW;
END
$$;
CREATE TRIGGER students_status_history_first BEFORE INSERT ON students
    FOR EACH ROW EXECUTE FUNCTION tutord_status_history_first();

CREATE FUNCTION tutord_status_history_copy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    copy text := tutord_status_history_text(NEW.student_number);
BEGIN
    UPDATE students s SET status_history = copy
     WHERE s.student_number = NEW.student_number AND s.status_history IS DISTINCT FROM copy;
    RETURN NULL;
END
$$;
CREATE TRIGGER students_status_history_update_copy AFTER UPDATE OF status, status_from ON students
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.status_from IS DISTINCT FROM NEW.status_from)
    EXECUTE FUNCTION tutord_status_history_copy();

-- Students already recorded.
UPDATE students s SET status_history = tutord_status_history_text(s.student_number);
