-- 030 — each contact's instant as whole epoch seconds, stored, so that loading facts does not compute it.
--
-- The policy engine takes a contact's instant (sort_at) as whole seconds since the Unix epoch. The facts
-- query computed them per row, floor(date_part('epoch', c.sort_at))::bigint, and that one column was the
-- dearest of the nine it reads: date_part decodes its unit name for every row. The contacts of a tutor's 21
-- tutees (380 rows, a named statement's generic plan, 40,000-student bench/gen) cost the database 274-288 µs
-- of CPU per execution with the expression and 232-242 µs reading the stored column (backend CPU from /proc
-- over 5,000 executions, three alternating rounds); the statement is 40 % of a tutor's agenda's database
-- time, and every report reads it for each of its students.
--
-- tutord_epoch_seconds is the same expression, declared IMMUTABLE so that a generated column may use it: the
-- epoch of an instant does not depend on the session's time zone (date_part on timestamptz is STABLE for the
-- fields that do). The values are those the query computed (checked: no row of the 1.5 million of bench/gen
-- differs). An infinite instant has no epoch second: its insert fails (22003) instead of every later load of
-- its student's facts.
--
-- The covering indexes of the facts query (023, 026) are rebuilt holding the column, so the query stays an
-- index-only scan. Adding a stored column rewrites contacts: on 1.5 million contacts the migration took 15 s.
CREATE FUNCTION tutord_epoch_seconds(instant timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$SELECT floor(date_part('epoch', instant))::bigint$$;

ALTER TABLE contacts
    ADD COLUMN sort_epoch bigint GENERATED ALWAYS AS (tutord_epoch_seconds(COALESCE(occurred_at, scheduled_at))) STORED;

DROP INDEX contacts_student_facts_idx;
CREATE INDEX contacts_student_facts_idx ON contacts (student_number, sort_at, id)
    INCLUDE (kind, direction, staff_number, attendance, reply_to, wellbeing_check, sort_epoch);

DROP INDEX contacts_meeting_facts_idx;
CREATE INDEX contacts_meeting_facts_idx ON contacts (student_number, sort_at, id)
    INCLUDE (kind, direction, staff_number, attendance, reply_to, wellbeing_check, sort_epoch)
    WHERE kind IN ('meeting', 'group_meeting');
