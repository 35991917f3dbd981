-- 019 — the senior tutor's schools without re-planning on every statement.
--
-- tutord_senior_schools (sql/002) was a SQL function whose body holds a sub-select, so PostgreSQL never inlines
-- it: each execution of a statement that calls it (every ACCESS_VISIBLE for a caller who does not see all, e.g.
-- a tutor's GET /students/{n}) parsed and planned the function's body afresh, which cost more than the read
-- itself. As PL/pgSQL its plan is cached for the session, and the two common cases (no senior tutor role; a
-- schools claim) are answered without a query. Same arguments, same result, same volatility.

CREATE OR REPLACE FUNCTION tutord_senior_schools(claimed text[], senior text) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF senior IS NULL THEN
        RETURN '{}'::text[];
    ELSIF cardinality(claimed) > 0 THEN
        RETURN claimed;
    END IF;
    RETURN ARRAY(SELECT school FROM staff WHERE staff_number = senior);
END
$$;
