-- 031 — student and staff numbers compared byte by byte ("C" collation), whatever the database's collation.
--
-- A student or staff number is [A-Za-z0-9] (001's CHECK constraints): an identifier, never text to sort for a
-- reader. tutord already orders and pages them in "C" (repo_facts.c, 029). But the columns kept the database's
-- collation, and in PostgreSQL 15 only "C" and "POSIX" compare with memcmp: a database created with any other
-- locale, C.UTF-8 included (scripts/pg-cluster's), compares every key in every index descent with strcoll,
-- after copying both strings to be NUL-terminated. Loading facts descends the indexes of eight tables once per
-- student, so that cost is in every request that judges a student.
--
-- Measured on a 40,000-student bench/gen database created with --locale=C.UTF-8, this migration applied to a
-- copy, each served by the same tutord at 32 connections (wrk, three alternating rounds):
--   - a tutor's agenda: 1,208-1,259 -> 1,240-1,311 requests/s, database CPU 1,077-1,116 -> 1,023-1,075 µs each;
--   - a student's compliance: 3,269-3,338 -> 3,354-3,430 requests/s;
--   - a tutor reading a tutee: 30.1-30.2k -> 31.8-32.3k requests/s;
--   - the contacts of a tutor's 20 tutees (343 rows, pgbench -M prepared, one client): 249-259 -> 230-235 µs.
-- A report's batch of 3,900 contiguous students (the IN_KEY_RANGE form of repo_facts.c) reads its contacts in
-- 35 ms against 77: their index order is now the "C" order the statement asks for, so nothing sorts them.
--
-- Every column holding a student's or a staff member's number changes, foreign keys on both sides alike, so that
-- no comparison between two of them meets two collations. The view and the trigger that name such columns are
-- dropped and made again as 016 and 017 made them. students_school_c_idx (029) held the school's students in
-- "C" order while students_school_idx did not; now both do, and 029's goes. Changing a column's collation
-- rebuilds its indexes but does not rewrite its table: on the 40,000-student database the migration took 10 s.
DROP VIEW student_course_ends;
DROP TRIGGER contacts_outbox_withdraw ON contacts;
DROP INDEX students_school_c_idx;

ALTER TABLE students ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE staff ALTER COLUMN staff_number TYPE text COLLATE "C";
ALTER TABLE allocations ALTER COLUMN student_number TYPE text COLLATE "C",
                        ALTER COLUMN staff_number TYPE text COLLATE "C";
ALTER TABLE student_status_history ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE student_exemptions ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE concerns ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE referrals ALTER COLUMN student_number TYPE text COLLATE "C",
                      ALTER COLUMN referred_by TYPE text COLLATE "C";
ALTER TABLE change_requests ALTER COLUMN student_number TYPE text COLLATE "C",
                            ALTER COLUMN new_tutor TYPE text COLLATE "C";
ALTER TABLE contacts ALTER COLUMN student_number TYPE text COLLATE "C",
                     ALTER COLUMN staff_number TYPE text COLLATE "C";
ALTER TABLE meeting_confirmations ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE notes ALTER COLUMN student_number TYPE text COLLATE "C",
                  ALTER COLUMN author TYPE text COLLATE "C";
ALTER TABLE audit ALTER COLUMN student_number TYPE text COLLATE "C";
ALTER TABLE tutor_absences ALTER COLUMN staff_number TYPE text COLLATE "C",
                           ALTER COLUMN cover_staff_number TYPE text COLLATE "C";
ALTER TABLE training_records ALTER COLUMN staff_number TYPE text COLLATE "C";
ALTER TABLE office_hours ALTER COLUMN staff_number TYPE text COLLATE "C";
ALTER TABLE slots ALTER COLUMN staff_number TYPE text COLLATE "C",
                  ALTER COLUMN moved_from TYPE text COLLATE "C";
ALTER TABLE feedback_invitees ALTER COLUMN person TYPE text COLLATE "C";
ALTER TABLE notifications ALTER COLUMN person TYPE text COLLATE "C";
ALTER TABLE notification_preferences ALTER COLUMN person TYPE text COLLATE "C";

-- As 016 made it.
CREATE VIEW student_course_ends AS
    SELECT s.student_number, s.school,
           (SELECT max(h.from_date) FROM student_status_history h
             WHERE h.student_number = s.student_number AND h.status = s.status) AS ended_on,
           s.erased_at
      FROM students s
     WHERE s.status IN ('completed', 'withdrawn');
GRANT SELECT ON student_course_ends TO tutord_app;

-- As 017 made it.
CREATE TRIGGER contacts_outbox_withdraw AFTER UPDATE OF attendance, staff_number ON contacts
    FOR EACH ROW WHEN (NEW.slot_id IS NOT NULL AND ((NEW.attendance = 'cancelled' AND OLD.attendance <> 'cancelled')
                                                  OR NEW.staff_number IS DISTINCT FROM OLD.staff_number))
    EXECUTE FUNCTION tutord_outbox_withdraw();
