-- 019 — the senior tutor's schools without re-planning on every statement.
--
-- tutord_senior_schools (sql/002) was a SQL function whose body holds a sub-select, so PostgreSQL never inlined
-- it: each execution of a statement that calls it (every ACCESS_VISIBLE for a caller who does not see all, e.g.
-- a tutor's GET /students/{n}) parsed and planned the function's body afresh, which cost more than the read
-- itself. Now the staff-record lookup, the one case that needs a query, is a PL/pgSQL function of its own (its
-- plan is cached for the session), and tutord_senior_schools is a plain CASE expression that the planner inlines
-- into each statement. Same arguments, same results, same volatility.

-- The schools on a staff record (at most one), as an array: '{}' when there is no such staff member.
CREATE FUNCTION tutord_staff_schools(staff text) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(SELECT s.school FROM staff s WHERE s.staff_number = staff);
END
$$;

-- The schools a senior tutor acts for: the token's schools claim, else their staff record's school.
CREATE OR REPLACE FUNCTION tutord_senior_schools(claimed text[], senior text) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN senior IS NULL THEN '{}'::text[]
                WHEN cardinality(claimed) > 0 THEN claimed
                ELSE tutord_staff_schools(senior) END
$$;
