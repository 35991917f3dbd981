-- 004: tutors' absences (with a cover tutor) and training records, change-of-tutor requests, and the
-- JSON shapes of staff, allocations, absences, training records and change requests (SPEC §1, §4a).
-- Invariants live here: CHECKs on every enum, foreign keys, one open change request per student.

CREATE TABLE tutor_absences (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_number       text NOT NULL REFERENCES staff (staff_number),
    starts_on          date NOT NULL,
    ends_on            date NOT NULL,
    reason             text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    cover_staff_number text REFERENCES staff (staff_number),
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tutor_absences_ends_on_check CHECK (ends_on >= starts_on),
    CONSTRAINT tutor_absences_cover_tutor_check CHECK (cover_staff_number <> staff_number)
);
CREATE INDEX tutor_absences_staff_idx ON tutor_absences (staff_number, starts_on);

-- A cover allocation made for an absence says which one.
ALTER TABLE allocations ADD COLUMN absence_id bigint REFERENCES tutor_absences (id);

CREATE TABLE training_records (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_number text NOT NULL REFERENCES staff (staff_number),
    kind         text NOT NULL CHECK (kind IN ('training', 'quiz')),
    completed_on date NOT NULL CHECK (completed_on > '1990-01-01'),
    score        integer CHECK (score BETWEEN 0 AND 100),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- a quiz has a score, a training session has none
    CONSTRAINT training_records_score_required CHECK ((kind = 'quiz') = (score IS NOT NULL))
);
CREATE INDEX training_records_staff_idx ON training_records (staff_number, completed_on);

CREATE TABLE change_requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number text NOT NULL REFERENCES students (student_number),
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'declined')),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    decided_by     text,
    decided_at     timestamptz,
    comment        text CHECK (length(comment) <= 2000),
    new_tutor      text REFERENCES staff (staff_number),
    allocation_id  bigint REFERENCES allocations (id),
    CONSTRAINT change_requests_decision_check
        CHECK ((status = 'open') = (decided_by IS NULL AND decided_at IS NULL)),
    CONSTRAINT change_requests_new_tutor_check CHECK (new_tutor IS NULL OR status = 'approved')
);
-- One open request per student at a time.
CREATE UNIQUE INDEX change_requests_student_number_key ON change_requests (student_number) WHERE status = 'open';
CREATE INDEX change_requests_status_idx ON change_requests (status, id);

CREATE INDEX allocations_kind_id_idx ON allocations (id) INCLUDE (student_number, staff_number, kind);
CREATE INDEX audit_actor_idx ON audit (actor, id);
CREATE INDEX audit_entity_idx ON audit (entity, id);

CREATE FUNCTION tutord_staff_json(t staff) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'staff_number', t.staff_number, 'name', t.name, 'email', t.email, 'school', t.school,
        'roles', to_json(t.roles), 'permanent', t.permanent, 'capacity', t.capacity, 'active', t.active,
        'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at)
$$;

CREATE FUNCTION tutord_allocation_json(a allocations) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'student', a.student_number, 'tutor', a.staff_number, 'kind', a.kind,
        'starts_on', a.starts_on, 'ends_on', a.ends_on, 'reason', a.reason, 'absence_id', a.absence_id,
        'created_by', a.created_by, 'created_at', a.created_at, 'ended_by', a.ended_by, 'ended_at', a.ended_at)
$$;

CREATE FUNCTION tutord_absence_json(b tutor_absences) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', b.id, 'tutor', b.staff_number, 'starts_on', b.starts_on, 'ends_on', b.ends_on,
        'reason', b.reason, 'cover_tutor', b.cover_staff_number,
        'created_by', b.created_by, 'created_at', b.created_at)
$$;

CREATE FUNCTION tutord_training_json(r training_records) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', r.id, 'tutor', r.staff_number, 'kind', r.kind, 'completed_on', r.completed_on,
        'score', r.score, 'created_by', r.created_by, 'created_at', r.created_at)
$$;

CREATE FUNCTION tutord_change_request_json(c change_requests) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'student', c.student_number, 'reason', c.reason, 'status', c.status,
        'requested_at', c.requested_at, 'decided_by', c.decided_by, 'decided_at', c.decided_at,
        'comment', c.comment, 'new_tutor', c.new_tutor, 'allocation_id', c.allocation_id)
$$;

-- May a caller see this staff member? sees_all (admin, registry); the staff member themself; a senior
-- tutor of the staff member's school; a student whose allocation with them is in force today.
CREATE FUNCTION tutord_staff_visible(staff text, school text, sees_all boolean, self_student text,
                                     schools text[], self_staff text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT sees_all
        OR (self_staff IS NOT NULL AND staff = self_staff)
        OR school = ANY (schools)
        OR (self_student IS NOT NULL AND EXISTS (
                SELECT 1 FROM allocations a
                 WHERE a.student_number = self_student AND a.staff_number = staff
                   AND a.period @> current_date))
$$;

-- The calendar as one document (SPEC §4a, GET /calendar).
CREATE FUNCTION tutord_calendar_json() RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'time_zone', c.time_zone, 'version', c.version, 'updated_at', c.updated_at,
        'years', COALESCE((SELECT json_agg(json_build_object(
                     'label', y.label, 'start', y.starts_on, 'end', y.ends_on,
                     'terms', COALESCE((SELECT json_agg(json_build_object(
                                  'name', t.name, 'start', t.starts_on, 'end', t.ends_on) ORDER BY t.starts_on)
                                FROM terms t WHERE t.year_label = y.label), '[]'::json))
                     ORDER BY y.starts_on) FROM academic_years y), '[]'::json),
        'closures', COALESCE((SELECT json_agg(json_build_object('date', d.day, 'reason', d.reason) ORDER BY d.day)
                              FROM closures d), '[]'::json))
      FROM calendar_settings c
$$;
