-- 032 — a revision of each student's facts, changed in the transaction that changes any of them.
--
-- tutord keeps the facts it loaded for a student between requests (api/store/facts_cache.h) and reuses them while
-- the student's revision is the one it loaded them at. Every request still reads the revisions, in its own
-- snapshot, with the students it selects: a cached fact is never served for a snapshot in which the student's facts
-- differ from those it was loaded from. What the revision covers is everything repo_facts.c loads per student but
-- the students row itself (read afresh by every request): the status history, allocations, contacts, the notes
-- that date a contact's summary, concerns, exemptions, the feedback invitations a student received, and the
-- calendar's time zone, in which concerns and invitations become dates.
--
-- So the revision must change with every change to any of those tables, whoever makes it (the API, a bulk import,
-- a migration, an operator's SQL): statement triggers on each table give each student named by the rows a
-- statement inserted, updated or deleted a new revision, from a sequence, in the statement's transaction. A rolled
-- back change rolls back its revision with it. A TRUNCATE, and a change of the calendar's time zone, give every
-- student a new one. Students are locked in number order before their revisions change, so two statements changing
-- the facts of many students in one transaction each (imports) wait for each other instead of deadlocking.
--
-- The sequence starts at a random value, as calendar_stamp (020) does: a database made afresh (a test's, a
-- restored copy) does not hand out the revisions a running tutord has cached facts under for another database.
-- A student inserted gets a revision of its own too.

CREATE SEQUENCE student_facts_rev_seq AS bigint;
SELECT setval('student_facts_rev_seq', floor(random() * 1e18)::bigint) AS rev_start;

-- Pages of students keep a tenth free (the column's volatile default rewrites the table), so that a new revision,
-- an indexed column unchanged, is a heap-only update: the new row version goes in the same page and no index of
-- students is written.
ALTER TABLE students SET (fillfactor = 90);
ALTER TABLE students ADD COLUMN facts_rev bigint NOT NULL DEFAULT nextval('student_facts_rev_seq');

-- The outbox forgets a student when erased_at is set (015): its trigger ran on every update of students, and
-- turned both row versions into jsonb to find out. Now only an update setting erased_at runs it, and only when it
-- erases (the same test, as the trigger's condition); erased_at exists since 016.
DROP TRIGGER students_outbox_forget ON students;
CREATE TRIGGER students_outbox_forget AFTER UPDATE OF erased_at ON students
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION tutord_outbox_forget();

-- New revisions for the students numbered in `keys` (each once, in any order); more than one locked in number order
-- first. Joined to the keys, not `= ANY (keys)`: a parameter's array is searched element by element for each row,
-- and a bulk insert names every student (bench/gen's contacts: 40,000 keys against 40,000 rows).
CREATE FUNCTION tutord_student_facts_touch(keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(keys) = 1 THEN
        UPDATE students s SET facts_rev = nextval('student_facts_rev_seq') WHERE s.student_number = keys[1];
    ELSIF cardinality(keys) > 1 THEN
        PERFORM 1 FROM students s JOIN unnest(keys) k (number) ON s.student_number = k.number
            ORDER BY s.student_number COLLATE "C" FOR NO KEY UPDATE OF s;
        UPDATE students s SET facts_rev = nextval('student_facts_rev_seq')
          FROM unnest(keys) k (number) WHERE s.student_number = k.number;
    END IF;
END
$$;

-- New revisions for every student.
CREATE FUNCTION tutord_student_facts_touch_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE students SET facts_rev = nextval('student_facts_rev_seq');
    RETURN NULL;
END
$$;

-- A statement trigger of a table with a student_number column, with the transition tables new_rows (INSERT,
-- UPDATE) and old_rows (UPDATE, DELETE): new revisions for the students its rows name. Static SQL, so that each
-- statement's plan is kept per table (PL/pgSQL compiles a trigger function per table). What a write pays (40,000-
-- student bench/gen): inserting one contact (pgbench, one client, in a transaction rolled back) took 0.39-0.42 ms
-- before this migration and 0.48 ms after it (with the column named through EXECUTE, 0.59-0.67 ms); updating the
-- 420,000 emails in one statement 15.4 s before and 18.6 s after.
-- With an argument (student_status_history's), a statement run by another trigger changes nothing: the history's
-- rows come from the students row's own trigger (tutord_record_status, 007 and 012), and the students row got its new
-- revision itself (students_facts_status below; a new student has one of its own). A students import of 50,000 rows
-- inserts their history rows one statement each: giving each student a revision again took 3 s of the 6.
CREATE FUNCTION tutord_student_facts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_NARGS > 0 AND pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM tutord_student_facts_touch(ARRAY(SELECT DISTINCT n.student_number FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tutord_student_facts_touch(ARRAY(SELECT n.student_number FROM new_rows n
                                                 UNION SELECT o.student_number FROM old_rows o));
    ELSE
        PERFORM tutord_student_facts_touch(ARRAY(SELECT DISTINCT o.student_number FROM old_rows o));
    END IF;
    RETURN NULL;
END
$$;

-- As tutord_student_facts_changed for feedback_invitees: the people invited as tutees.
CREATE FUNCTION tutord_invitee_facts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tutord_student_facts_touch(ARRAY(SELECT DISTINCT n.person FROM new_rows n WHERE n.role = 'tutee'));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tutord_student_facts_touch(ARRAY(SELECT n.person FROM new_rows n WHERE n.role = 'tutee'
                                                 UNION SELECT o.person FROM old_rows o WHERE o.role = 'tutee'));
    ELSE
        PERFORM tutord_student_facts_touch(ARRAY(SELECT DISTINCT o.person FROM old_rows o WHERE o.role = 'tutee'));
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('student_status_history', 'tutord_student_facts_changed', '''nested'''),
                                   ('allocations', 'tutord_student_facts_changed', ''),
                                   ('contacts', 'tutord_student_facts_changed', ''),
                                   ('notes', 'tutord_student_facts_changed', ''),
                                   ('concerns', 'tutord_student_facts_changed', ''),
                                   ('student_exemptions', 'tutord_student_facts_changed', ''),
                                   ('feedback_invitees', 'tutord_invitee_facts_changed', '')) AS v (tab, fn, arg)
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_facts_inserted AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %2$I(%3$s)', t.tab, t.fn, t.arg);
        EXECUTE format('CREATE TRIGGER %1$s_facts_updated AFTER UPDATE ON %1$I'
                       ' REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %2$I(%3$s)', t.tab, t.fn, t.arg);
        EXECUTE format('CREATE TRIGGER %1$s_facts_deleted AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %2$I(%3$s)', t.tab, t.fn, t.arg);
        EXECUTE format('CREATE TRIGGER %1$s_facts_truncated AFTER TRUNCATE ON %1$I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION tutord_student_facts_touch_all()', t.tab);
    END LOOP;
END
$$;

-- A student's status or the day it holds from: the history trigger records it (012), so the students row takes a new
-- revision as it changes (the history's own trigger leaves that statement alone, above).
CREATE FUNCTION tutord_status_facts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.facts_rev := nextval('student_facts_rev_seq');
    RETURN NEW;
END
$$;
CREATE TRIGGER students_facts_status BEFORE UPDATE OF status, status_from ON students
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.status_from IS DISTINCT FROM NEW.status_from)
    EXECUTE FUNCTION tutord_status_facts_changed();

-- An invitation's day: its tutees' facts change with it.
CREATE FUNCTION tutord_invitation_facts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tutord_student_facts_touch(ARRAY(SELECT DISTINCT fi.person FROM feedback_invitees fi
                                             JOIN new_rows n ON n.id = fi.invitation_id WHERE fi.role = 'tutee'));
    RETURN NULL;
END
$$;
CREATE TRIGGER feedback_invitations_facts_updated AFTER UPDATE ON feedback_invitations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tutord_invitation_facts_changed();
CREATE TRIGGER feedback_invitations_facts_truncated AFTER TRUNCATE ON feedback_invitations
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_student_facts_touch_all();

-- The calendar's time zone: every student's concerns and invitations are dated in it.
CREATE FUNCTION tutord_time_zone_facts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n FULL JOIN old_rows o ON true
                WHERE n.time_zone IS DISTINCT FROM o.time_zone) THEN
        UPDATE students SET facts_rev = nextval('student_facts_rev_seq');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER calendar_settings_facts_updated AFTER UPDATE ON calendar_settings
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_time_zone_facts_changed();
CREATE TRIGGER calendar_settings_facts_changed AFTER INSERT OR DELETE OR TRUNCATE ON calendar_settings
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_student_facts_touch_all();
