-- 026 — the meetings of a batch of students, without reading their other contacts.
--
-- The KPI report judges only meeting rules for its tutees, and the engagement report's escalation pass counts
-- only missed meetings, so both load the contacts of the kinds {meeting, group_meeting} alone (the facts
-- query's $2, api/store/repo_facts.c CONTACT_SQL; a policy whose meeting rules count other kinds widens the
-- KPI's list, and then this index does not apply). Through contacts_student_facts_idx a batch read every
-- contact of its students and kept the meetings: in a 40,000-student bench/gen institution 18 % of the
-- contacts are meetings, and one KPI batch of 4,000 students read 69,000 index entries to keep 15,049
-- (EXPLAIN ANALYZE: 62-63 ms). This partial index holds the meetings alone, with the same key and columns, so
-- the same batch reads its 15,049 entries and nothing else (10-22 ms). The facts query names the kinds as a
-- parameter; a report's batch is planned with its values (an unnamed statement), so PostgreSQL sees that the
-- kinds are within the index's and uses it. On 1.5 million contacts it takes 28 MB beside the 203 MB of
-- contacts_student_facts_idx, and a contact written that is not a meeting does not touch it.
CREATE INDEX contacts_meeting_facts_idx ON contacts (student_number, sort_at, id)
    INCLUDE (kind, direction, staff_number, attendance, reply_to, wellbeing_check)
    WHERE kind IN ('meeting', 'group_meeting');
