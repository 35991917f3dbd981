-- 028 — a tutor's tutees from one index-only lookup.
--
-- A tutor's compliance and agenda select the tutor's students (api/store/repo_facts.c, FACTS_BY_TUTOR: their
-- personal and cover allocations in force on as_of). allocations_staff_number_idx (sql/023) did not hold the
-- student's number, so PostgreSQL found the allocations through allocations_staff_idx, the GiST index on
-- (staff_number, period), whose text keys cost most of the statement: in a 40,000-student bench/gen institution
-- the selection of a tutor's 20 tutees took 0.24 ms of EXPLAIN ANALYZE, 0.11 of it in the GiST scan, against
-- 0.05 ms from this B-tree, index-only. The database's CPU per execution of the selection (one connection, a
-- random tutor each time, the index dropped and created between three alternating rounds): 450-500 µs
-- without it, 260-330 µs with it. A tutor's agenda at 32 connections (wrk, random tutors, the same binary,
-- three alternating rounds): 553-702 -> 719-838 requests/s, the database's CPU per request 1.98-2.62 ->
-- 1.69-1.95 ms. The same index with one more column serves every use of the old one (the tutors' caseloads),
-- so it replaces it.
DROP INDEX allocations_staff_number_idx;
CREATE INDEX allocations_staff_number_idx ON allocations (staff_number) INCLUDE (starts_on, kind, period, student_number);
