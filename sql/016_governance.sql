-- 016: governance and data protection.
--
--   * Policy lifecycle. The Leicester Code of Practice: "The approach to meeting each requirement is decided and
--     approved by the School Education Committee ... The approach is documented and shared with the Dean of Personal
--     Tutoring for approval." A senior tutor proposes a version as a draft (policy_drafts), submits it, and the Dean
--     of Personal Tutoring approves or returns it. Approval appends the version to school_policies, so that table
--     holds adopted versions only and school_policy_versions (what the engine evaluates) never sees a draft.
--     PUT /schools/{code}/policy still adopts at once: its row is recorded as approved by whoever set it.
--   * The school's office-hours arrangement travels with its policy ("The School's approach to office hours or
--     open-door policy must apply to Personal Tutoring and be publicised to Personal Tutors and Tutees").
--   * The annual school report's analysis ("b. A brief analysis of successes, challenges, and trends"), approved
--     with the same lifecycle.
--   * Consent: "Content of the meetings is not necessarily included and not without student permission" (Essex,
--     Personal Tutor 5 and Senior Personal Tutor 8): a note revision without consent has no text.
--   * Retention and subject erasure: a student's personal data is anonymised in place (the rows stay, so every
--     count a report makes stays), and audit rows past their period are deleted; both only through the SECURITY
--     DEFINER functions below, which the append-only trigger lets through.

-- ---- the lifecycle both governance documents share ------------------------------------------------------------
CREATE TABLE governance_transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity      text NOT NULL CHECK (entity IN ('policy_draft', 'annual_report')),
    entity_id   bigint NOT NULL,
    from_status text CHECK (from_status IN ('draft', 'submitted', 'approved', 'returned')),
    to_status   text NOT NULL CHECK (to_status IN ('draft', 'submitted', 'approved', 'returned')),
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    comment     text CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 2000)
);
CREATE INDEX governance_transitions_entity_idx ON governance_transitions (entity, entity_id, id);
CREATE TRIGGER governance_transitions_append_only BEFORE UPDATE OR DELETE ON governance_transitions
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON governance_transitions FROM tutord_app;

-- Every transition of one document, oldest first, as JSON.
CREATE FUNCTION tutord_transitions_json(kind text, doc bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object('from', t.from_status, 'to', t.to_status, 'by', t.actor,
                                               'at', t.at, 'comment', t.comment) ORDER BY t.id), '[]'::json)
      FROM governance_transitions t WHERE t.entity = kind AND t.entity_id = doc
$$;

-- ---- policy drafts --------------------------------------------------------------------------------------------
ALTER TABLE school_policies ADD COLUMN approved_by text;
ALTER TABLE school_policies ADD COLUMN approved_at timestamptz;
ALTER TABLE school_policies ADD COLUMN office_hours text
    CHECK (office_hours IS NULL OR length(office_hours) BETWEEN 1 AND 2000);

CREATE TABLE policy_drafts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school           text NOT NULL REFERENCES schools (code),
    effective_from   date NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    preset           text CHECK (preset IN ('leicester', 'essex', 'westminster')),
    policy           jsonb NOT NULL CHECK (jsonb_typeof(policy) = 'object'),
    office_hours     text CHECK (office_hours IS NULL OR length(office_hours) BETWEEN 1 AND 2000),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    proposed_by      text NOT NULL,
    proposed_at      timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    decided_by       text,
    decided_at       timestamptz,
    decision_comment text CHECK (decision_comment IS NULL OR length(decision_comment) BETWEEN 1 AND 2000),
    policy_id        bigint REFERENCES school_policies (id),
    version          bigint NOT NULL DEFAULT 1,
    -- approved exactly when it became a version of the school's policy; decided when approved or returned
    CONSTRAINT policy_drafts_approved_check CHECK ((status = 'approved') = (policy_id IS NOT NULL)),
    CONSTRAINT policy_drafts_decided_check CHECK ((status IN ('approved', 'returned')) = (decided_by IS NOT NULL))
);
CREATE INDEX policy_drafts_school_idx ON policy_drafts (school, id);
ALTER TABLE school_policies ADD COLUMN draft_id bigint REFERENCES policy_drafts (id);

-- A version written without an approver (PUT /schools/{code}/policy, the demo seed, a direct insert) is
-- adopted at once: approved by whoever set it, when they set it.
CREATE FUNCTION tutord_policy_approved_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.approved_by := coalesce(NEW.approved_by, NEW.set_by);
    NEW.approved_at := coalesce(NEW.approved_at, NEW.set_at, now());
    RETURN NEW;
END
$$;
CREATE TRIGGER school_policies_approved_default BEFORE INSERT ON school_policies
    FOR EACH ROW EXECUTE FUNCTION tutord_policy_approved_default();

ALTER TABLE school_policies DISABLE TRIGGER school_policies_append_only;
UPDATE school_policies SET approved_by = set_by, approved_at = set_at WHERE approved_by IS NULL;
ALTER TABLE school_policies ENABLE TRIGGER school_policies_append_only;
ALTER TABLE school_policies ALTER COLUMN approved_by SET NOT NULL;
ALTER TABLE school_policies ALTER COLUMN approved_at SET NOT NULL;

-- The versions the engine evaluates: approved ones only (every row of school_policies is; drafts live in
-- policy_drafts until the Dean approves them), one per effective_from, the latest set.
CREATE OR REPLACE VIEW school_policy_versions AS
    SELECT DISTINCT ON (school, effective_from) id, school, effective_from, name, preset, policy, set_by, set_at,
           approved_by, approved_at, office_hours, draft_id
      FROM school_policies
     WHERE approved_by IS NOT NULL
     ORDER BY school, effective_from, id DESC;

CREATE FUNCTION tutord_policy_draft_json(d policy_drafts) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', d.id, 'school', d.school, 'name', d.name, 'effective_from', d.effective_from, 'preset', d.preset,
        'status', d.status, 'office_hours', d.office_hours, 'proposed_by', d.proposed_by,
        'proposed_at', d.proposed_at, 'updated_at', d.updated_at, 'decided_by', d.decided_by,
        'decided_at', d.decided_at, 'decision_comment', d.decision_comment, 'policy_version', d.policy_id,
        'version', d.version, 'policy', d.policy, 'transitions', tutord_transitions_json('policy_draft', d.id))
$$;

-- ---- the annual school report's analysis -----------------------------------------------------------------------
CREATE TABLE annual_report_analyses (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school           text NOT NULL REFERENCES schools (code),
    year             text NOT NULL CHECK (year ~ '^[0-9]{4}/[0-9]{2}$'),
    analysis         text NOT NULL CHECK (length(btrim(analysis)) BETWEEN 1 AND 20000),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    written_by       text NOT NULL,
    written_at       timestamptz NOT NULL DEFAULT now(),
    decided_by       text,
    decided_at       timestamptz,
    decision_comment text CHECK (decision_comment IS NULL OR length(decision_comment) BETWEEN 1 AND 2000),
    version          bigint NOT NULL DEFAULT 1,
    UNIQUE (school, year),
    CONSTRAINT annual_report_analyses_decided_check
        CHECK ((status IN ('approved', 'returned')) = (decided_by IS NOT NULL))
);

CREATE FUNCTION tutord_analysis_json(a annual_report_analyses) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'school', a.school, 'year', a.year, 'text', a.analysis, 'status', a.status,
        'written_by', a.written_by, 'written_at', a.written_at, 'decided_by', a.decided_by,
        'decided_at', a.decided_at, 'decision_comment', a.decision_comment, 'version', a.version,
        'transitions', tutord_transitions_json('annual_report', a.id))
$$;

-- ---- consent ---------------------------------------------------------------------------------------------------
-- A revision the student did not consent to recording holds no text: only that the note (the meeting) exists.
-- NOT VALID: revisions written before this migration keep what they hold (append-only); erasure clears them.
ALTER TABLE note_revisions ALTER COLUMN text DROP NOT NULL;
ALTER TABLE note_revisions ADD CONSTRAINT note_revisions_consent_check
    CHECK (text IS NULL OR consent_recorded) NOT VALID;

-- The note's JSON says whether its content was recorded at all (false: only that the meeting took place).
CREATE OR REPLACE FUNCTION tutord_note_json(n notes, with_text boolean, with_history boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', n.id, 'student', n.student_number, 'author', n.author, 'visibility', n.visibility,
        'created_at', n.created_at, 'revision', r.revision, 'revisions', r.revision,
        'text', CASE WHEN with_text THEN r.text END, 'consent_recorded', r.consent_recorded,
        'content_recorded', r.text IS NOT NULL,
        'updated_by', r.created_by, 'updated_at', r.created_at,
        'history', CASE WHEN with_history THEN (
            SELECT json_agg(json_build_object('revision', h.revision,
                                              'text', CASE WHEN with_text THEN h.text END,
                                              'consent_recorded', h.consent_recorded,
                                              'created_by', h.created_by, 'created_at', h.created_at)
                            ORDER BY h.revision)
              FROM note_revisions h WHERE h.note_id = n.id) END)
      FROM note_revisions r
     WHERE r.note_id = n.id
       AND r.revision = (SELECT max(x.revision) FROM note_revisions x WHERE x.note_id = n.id)
$$;

-- ---- retention and erasure -------------------------------------------------------------------------------------
ALTER TABLE students ADD COLUMN erased_at timestamptz;
ALTER TABLE students ADD COLUMN erasure_reason text
    CHECK (erasure_reason IS NULL OR erasure_reason IN ('request', 'retention'));

-- The append-only tables stay append-only for every role, except inside the two functions below (they set
-- tutord.purge for their own transaction and run as the migrations' owner, never as tutord_app).
CREATE OR REPLACE FUNCTION tutord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tutord.purge', true) = 'on' AND current_user <> 'tutord_app' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END
$$;

-- Anonymises one student's personal data in place and returns what it changed (counts). The student's row,
-- contacts, notes, allocations, concerns and referrals stay, so every count a report makes is the same; what
-- identifies or describes the student goes: name, email, programme, date of birth, note text, messages' subject
-- and body, the free text of concerns, referrals, change requests, meeting confirmations and exemptions, and the records the change feed's
-- events about them and the audit rows about them carried (the rows stay: who did what, when). Idempotent: a
-- student already erased is left alone (all counts 0). Runs as the owner so it may clear append-only rows.
CREATE INDEX events_subject_idx ON events (subject);
CREATE FUNCTION tutord_erase_student(who text, why text) RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n_notes int; n_text int; n_messages int;
BEGIN
    PERFORM set_config('tutord.purge', 'on', true);
    UPDATE students SET name = 'Erased student', email = 'erased@invalid', programme = '', date_of_birth = NULL,
                        erased_at = now(), erasure_reason = why, version = version + 1, updated_at = now()
     WHERE student_number = who AND erased_at IS NULL;
    IF NOT FOUND THEN
        PERFORM set_config('tutord.purge', 'off', true);
        RETURN json_build_object('student', who, 'erased', false, 'note_revisions', 0, 'messages', 0, 'free_text', 0);
    END IF;
    UPDATE note_revisions r SET text = NULL, consent_recorded = false
      FROM notes n WHERE n.id = r.note_id AND n.student_number = who AND r.text IS NOT NULL;
    GET DIAGNOSTICS n_notes = ROW_COUNT;
    UPDATE concerns SET detail = 'erased', outcome = CASE WHEN outcome IS NULL THEN NULL ELSE 'erased' END
     WHERE student_number = who;
    GET DIAGNOSTICS n_text = ROW_COUNT;
    UPDATE contacts SET subject = NULL, body = NULL
     WHERE student_number = who AND (subject IS NOT NULL OR body IS NOT NULL);
    GET DIAGNOSTICS n_messages = ROW_COUNT;
    UPDATE referrals SET detail = '' WHERE student_number = who AND detail <> '';
    UPDATE change_requests SET reason = '', comment = NULL WHERE student_number = who;
    UPDATE meeting_confirmations SET comment = '' WHERE student_number = who AND comment <> '';
    UPDATE student_exemptions SET reason = 'erased' WHERE student_number = who;
    -- the change feed and the audit trail keep who did what and when, not the records they carried
    UPDATE events SET payload = jsonb_build_object('erased', true)
                                || CASE WHEN payload ? 'id' THEN jsonb_build_object('id', payload -> 'id') ELSE '{}' END
     WHERE subject = who AND NOT payload ? 'erased';
    UPDATE audit SET detail = jsonb_build_object('erased', true)
     WHERE student_number = who AND detail <> jsonb_build_object('erased', true);
    PERFORM set_config('tutord.purge', 'off', true);
    RETURN json_build_object('student', who, 'erased', true, 'note_revisions', n_notes, 'messages', n_messages,
                             'free_text', n_text);
END
$$;

-- Deletes at most `batch` audit rows older than `before` (oldest first) and returns how many it deleted.
CREATE FUNCTION tutord_purge_audit(before timestamptz, batch int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n int;
BEGIN
    PERFORM set_config('tutord.purge', 'on', true);
    DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < before ORDER BY id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('tutord.purge', 'off', true);
    RETURN n;
END
$$;

-- When each student's course ended: the day their current status of completed or withdrawn began (NULL while
-- the course goes on).
CREATE VIEW student_course_ends AS
    SELECT s.student_number, s.school,
           (SELECT max(h.from_date) FROM student_status_history h
             WHERE h.student_number = s.student_number AND h.status = s.status) AS ended_on,
           s.erased_at
      FROM students s
     WHERE s.status IN ('completed', 'withdrawn');

REVOKE ALL ON FUNCTION tutord_erase_student(text, text), tutord_purge_audit(timestamptz, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tutord_erase_student(text, text), tutord_purge_audit(timestamptz, int) TO tutord_app;
GRANT SELECT, INSERT ON governance_transitions TO tutord_app;
GRANT SELECT, INSERT, UPDATE ON policy_drafts, annual_report_analyses TO tutord_app;
REVOKE DELETE, TRUNCATE ON policy_drafts, annual_report_analyses FROM tutord_app;
GRANT SELECT ON school_policy_versions, student_course_ends TO tutord_app;
