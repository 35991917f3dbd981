-- 002: who tutors whom (allocations, with "one personal tutor at a time" enforced by the database),
-- the append-only change feed, and the single definition of "may this caller see this student".

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE allocations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number text NOT NULL REFERENCES students (student_number),
    staff_number   text NOT NULL REFERENCES staff (staff_number),
    kind           text NOT NULL CHECK (kind IN ('personal', 'cover', 'secondary')),
    starts_on      date NOT NULL,
    ends_on        date,                                    -- inclusive; NULL = open-ended
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    ended_by       text,
    ended_at       timestamptz,
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    period         daterange GENERATED ALWAYS AS (daterange(starts_on, ends_on, '[]')) STORED,
    -- A student has at most one personal allocation at any instant.
    CONSTRAINT allocations_one_personal_tutor
        EXCLUDE USING gist (student_number WITH =, period WITH &&) WHERE (kind = 'personal')
);
CREATE INDEX allocations_staff_idx ON allocations USING gist (staff_number, period);
CREATE INDEX allocations_student_idx ON allocations (student_number, starts_on);

-- The change feed (SRS, notifiers). txid orders readers by commit visibility (see the events route).
CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind ~ '^[a-z_]+\.[a-z_]+$'),
    subject     text NOT NULL,
    actor       text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_txid_idx ON events (txid, id);

-- The schools a senior tutor acts for: the token's schools claim, else their staff record's school.
CREATE FUNCTION tutord_senior_schools(claimed text[], senior text) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN senior IS NULL THEN '{}'::text[]
                WHEN cardinality(claimed) > 0 THEN claimed
                ELSE ARRAY(SELECT school FROM staff WHERE staff_number = senior) END
$$;

-- May a caller see this student? One definition for every query (SPEC §2):
--   sees_all (admin, registry); the student themself; a senior tutor of the student's school or
--   partner school; a tutor with a personal, cover or secondary allocation in force today.
CREATE FUNCTION tutord_student_visible(student text, school text, partner text, sees_all boolean,
                                       self_student text, schools text[], tutor text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT sees_all
        OR (self_student IS NOT NULL AND student = self_student)
        OR (school = ANY (schools) OR partner = ANY (schools))
        OR (tutor IS NOT NULL AND EXISTS (
                SELECT 1 FROM allocations a
                 WHERE a.student_number = student AND a.staff_number = tutor
                   AND a.period @> current_date))
$$;
