-- 023 — indexes that keep the policy engine's fact loading proportional to the students loaded.
--
-- The reports judge an institution in batches of student numbers that are contiguous (a range of keys), and
-- each batch loads its students' facts (api/store/repo_facts.c). Two lookups grew with the whole institution
-- instead of with the batch:
--
-- * A tutor's allocations were found through allocations_staff_idx, the GiST index on (staff_number, period)
--   that finds a tutor's allocations in force on a day. Looked up by staff number alone, GiST on text descends
--   many overlapping pages: about 80 µs per tutor,
--   and every batch of 10,000 students has nearly every tutor (2,000 at 40k students: 200 ms per batch). A
--   B-tree on the staff number, holding the columns the tutors' facts read, answers each tutor with one
--   index-only lookup (the planner also prefers it to the GiST, which it did not for a plain B-tree).
-- * The contacts of a batch were read by a sequential scan of every contact, filtered by the batch's keys,
--   because contacts_student_at_idx held only the keys and reading each contact's heap row from it cost more
--   than the scan. The same index, covering every column the facts query reads, is scanned for the batch's
--   range alone without touching the heap. It serves the per-student lookups the old one served (same key
--   columns), so it replaces it.
CREATE INDEX allocations_staff_number_idx ON allocations (staff_number) INCLUDE (starts_on, kind, period);

CREATE INDEX contacts_student_facts_idx ON contacts (student_number, sort_at, id)
    INCLUDE (kind, direction, staff_number, attendance, reply_to, wellbeing_check);
DROP INDEX contacts_student_at_idx;
