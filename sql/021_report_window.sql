-- 021 — the engagement report reads one term's contacts from an index, not the whole contacts table.
--
-- GET /reports/engagement (api/store/repo_reports.c) looks at every contact of the current teaching term up to
-- as_of: the last answer of each student (a message from them, or a meeting attended) and the outreach sent
-- to them. Without an index on the contact's instant each request scanned the whole table (every year's
-- contacts with their subjects and bodies: 590 MB at 40,000 students) twice. This index holds, in instant
-- order, exactly the columns those passes read, so they are index-only range scans over the term's window;
-- the cost grows with one term's contacts, not with the table.
CREATE INDEX contacts_window_idx ON contacts (sort_at) INCLUDE (student_number, kind, direction, attendance, occurred_at, id);
