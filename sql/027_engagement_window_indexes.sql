-- 027 — the engagement report's two term-window scans, each over the contacts it keeps.
--
-- GET /reports/engagement finds, in its SQL part (api/store/repo_reports.c), each tutee's answers in the
-- current teaching term (contacts from the student, and attended meetings: `ans`) and the tutor's outreach
-- left unanswered (`outreach`). Both read contacts_window_idx (sql/021) over the term window and filtered
-- it: in a 40,000-student bench/gen institution the `ans` scan read 650,000 entries to keep 167,000, and the
-- outreach scan about as many to keep 134,000 (EXPLAIN ANALYZE: 150-160 ms each). These partial indexes
-- hold only the contacts each scan keeps, with the columns it reads, under the same predicates the
-- statement writes, so PostgreSQL proves them usable and scans the window of each alone: the statement went
-- from 995 to 639 ms (EXPLAIN ANALYZE, as_of 2026-12-03). Since the report's rule-based batches run beside
-- it on other connections, this statement is on the report's critical path; end to end the report went
-- from 1.29-1.48 s to 1.22-1.36 s over three alternating rounds (the indexes dropped and created between
-- them). On 1.5 million contacts they take 21 MB and 35 MB; a contact written touches at most one of them.
CREATE INDEX contacts_answer_window_idx ON contacts (sort_at) INCLUDE (student_number, kind, attendance)
    WHERE direction = 'from_student' OR (kind IN ('meeting', 'group_meeting') AND attendance = 'attended');
CREATE INDEX contacts_outreach_window_idx ON contacts (sort_at) INCLUDE (student_number, id, kind, attendance)
    WHERE direction = 'to_student' AND kind IN ('email', 'message', 'phone', 'checkin')
      AND occurred_at IS NOT NULL AND attendance <> 'cancelled';
