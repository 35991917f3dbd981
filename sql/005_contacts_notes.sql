-- 005: the pastoral record — contacts (group meetings as one row per attending tutee sharing a
-- session_id), meeting-record confirmations, notes with append-only revisions, referrals, concerns.
-- Constraint names follow "<table>_<column>_<kind>" so a refusal names the request field.

CREATE TABLE contacts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number  text NOT NULL REFERENCES students (student_number),
    staff_number    text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('meeting', 'group_meeting', 'email', 'message', 'phone',
                                                  'teaching_event', 'checkin')),
    direction       text NOT NULL CHECK (direction IN ('to_student', 'from_student')),
    channel         text CHECK (channel IN ('in_person', 'online')),
    scheduled_at    timestamptz,
    occurred_at     timestamptz,
    -- when it happened, or is to happen: the list order and the policy engine's instant
    sort_at         timestamptz GENERATED ALWAYS AS (COALESCE(occurred_at, scheduled_at)) STORED,
    attendance      text NOT NULL CHECK (attendance IN ('scheduled', 'attended', 'missed', 'cancelled')),
    reply_to        bigint,
    wellbeing_check boolean NOT NULL DEFAULT false,
    session_id      uuid,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    CONSTRAINT contacts_staff_fkey FOREIGN KEY (staff_number) REFERENCES staff (staff_number),
    -- it has a time, and what was attended has occurred
    CONSTRAINT contacts_occurred_at_check CHECK ((occurred_at IS NOT NULL OR scheduled_at IS NOT NULL)
                                                 AND (attendance <> 'attended' OR occurred_at IS NOT NULL)),
    CONSTRAINT contacts_session_id_check CHECK ((kind = 'group_meeting') = (session_id IS NOT NULL)),
    -- one row per attending tutee per group session, so counts are right
    CONSTRAINT contacts_session_id_key UNIQUE (session_id, student_number),
    CONSTRAINT contacts_id_student_key UNIQUE (id, student_number),
    CONSTRAINT contacts_id_student_kind_key UNIQUE (id, student_number, kind),
    -- a reply answers a contact of the same student
    CONSTRAINT contacts_reply_to_fkey FOREIGN KEY (reply_to, student_number)
        REFERENCES contacts (id, student_number),
    CONSTRAINT contacts_reply_to_check CHECK (reply_to <> id)
);
CREATE INDEX contacts_student_at_idx ON contacts (student_number, sort_at, id);
CREATE INDEX contacts_staff_at_idx ON contacts (staff_number, sort_at, id);
CREATE INDEX contacts_reply_to_idx ON contacts (reply_to) WHERE reply_to IS NOT NULL;

-- The student named by a meeting confirms or disputes its record: one answer per contact, and the
-- composite key makes "a meeting that names this student" a database fact.
CREATE TABLE meeting_confirmations (
    contact_id     bigint PRIMARY KEY,
    student_number text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('meeting', 'group_meeting')),
    status         text NOT NULL CHECK (status IN ('confirmed', 'disputed')),
    comment        text NOT NULL DEFAULT '',
    answered_at    timestamptz NOT NULL DEFAULT now(),
    -- a dispute says why
    CONSTRAINT meeting_confirmations_comment_check CHECK (length(comment) <= 2000
                                                          AND (status = 'confirmed' OR length(btrim(comment)) > 0)),
    CONSTRAINT meeting_confirmations_contact_fkey FOREIGN KEY (contact_id, student_number, kind)
        REFERENCES contacts (id, student_number, kind)
);

CREATE FUNCTION tutord_contact_json(c contacts) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'student', c.student_number, 'staff', c.staff_number, 'kind', c.kind,
        'direction', c.direction, 'channel', c.channel, 'scheduled_at', c.scheduled_at,
        'occurred_at', c.occurred_at, 'attendance', c.attendance, 'reply_to', c.reply_to,
        'wellbeing_check', c.wellbeing_check, 'session_id', c.session_id,
        'confirmation', (SELECT json_build_object('status', m.status, 'comment', m.comment,
                                                  'answered_at', m.answered_at)
                           FROM meeting_confirmations m WHERE m.contact_id = c.id),
        'created_by', c.created_by, 'created_at', c.created_at, 'updated_at', c.updated_at,
        'version', c.version)
$$;

-- Notes: who wrote what about whom, with which visibility. The text lives in revisions; neither
-- table is ever updated or deleted (corrections are new revisions).
CREATE TABLE notes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number text NOT NULL REFERENCES students (student_number),
    author         text NOT NULL REFERENCES staff (staff_number),
    visibility     text NOT NULL CHECK (visibility IN ('shared', 'confidential')),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_student_idx ON notes (student_number, id);

CREATE TABLE note_revisions (
    note_id          bigint NOT NULL REFERENCES notes (id),
    revision         integer NOT NULL CHECK (revision >= 1),
    text             text NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
    consent_recorded boolean NOT NULL,
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- concurrent corrections of one revision: one wins, the other is a 409
    CONSTRAINT note_revisions_revision_key PRIMARY KEY (note_id, revision)
);

CREATE TRIGGER notes_append_only BEFORE UPDATE OR DELETE ON notes
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();
CREATE TRIGGER note_revisions_append_only BEFORE UPDATE OR DELETE ON note_revisions
    FOR EACH ROW EXECUTE FUNCTION tutord_append_only();

-- A note as JSON: the current revision; `with_text` false leaves text null (admin, confidential);
-- `with_history` adds every revision, oldest first.
CREATE FUNCTION tutord_note_json(n notes, with_text boolean, with_history boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', n.id, 'student', n.student_number, 'author', n.author, 'visibility', n.visibility,
        'created_at', n.created_at, 'revision', r.revision, 'revisions', r.revision,
        'text', CASE WHEN with_text THEN r.text END, 'consent_recorded', r.consent_recorded,
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

CREATE TABLE referrals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number text NOT NULL REFERENCES students (student_number),
    service        text NOT NULL CHECK (service IN ('wellbeing', 'disability', 'finance', 'careers',
                                                    'academic_skills', 'other')),
    detail         text NOT NULL DEFAULT '' CHECK (length(detail) <= 2000),
    status         text NOT NULL DEFAULT 'suggested' CHECK (status IN ('suggested', 'made', 'accepted',
                                                                       'declined', 'closed')),
    referred_by    text NOT NULL REFERENCES staff (staff_number),
    referred_at    timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        bigint NOT NULL DEFAULT 1
);
CREATE INDEX referrals_student_idx ON referrals (student_number, id);

CREATE FUNCTION tutord_referral_json(r referrals) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', r.id, 'student', r.student_number, 'service', r.service, 'detail', r.detail,
        'status', r.status, 'referred_by', r.referred_by, 'referred_at', r.referred_at,
        'updated_by', r.updated_by, 'updated_at', r.updated_at, 'version', r.version)
$$;

-- Concerns: escalations owned by the senior tutors of `school` (the student's school when raised).
CREATE TABLE concerns (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number     text NOT NULL REFERENCES students (student_number),
    school             text NOT NULL REFERENCES schools (code),
    kind               text NOT NULL,
    detail             text NOT NULL CHECK (length(detail) BETWEEN 1 AND 4000),
    raised_by          text NOT NULL,
    raised_by_role     text NOT NULL CHECK (raised_by_role IN ('student', 'tutor', 'senior_tutor')),
    raised_at          timestamptz NOT NULL DEFAULT now(),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    outcome            text,
    closed_by          text,
    closed_at          timestamptz,
    raiser_notified_at timestamptz,
    version            bigint NOT NULL DEFAULT 1,
    -- a known kind; a student raises only an issue with their own tutoring
    CONSTRAINT concerns_kind_check CHECK (kind IN ('non_engaged', 'wellbeing', 'tutoring_issue', 'other')
                                          AND (raised_by_role <> 'student'
                                               OR (kind = 'tutoring_issue' AND raised_by = student_number))),
    -- closed exactly when it has an outcome, a closer, a time, and the raiser was told
    CONSTRAINT concerns_outcome_check CHECK ((outcome IS NULL OR length(outcome) BETWEEN 1 AND 4000)
                                             AND (status = 'closed') = (outcome IS NOT NULL AND closed_by IS NOT NULL
                                             AND closed_at IS NOT NULL AND raiser_notified_at IS NOT NULL))
);
CREATE INDEX concerns_school_idx ON concerns (school, status, id);
CREATE INDEX concerns_student_idx ON concerns (student_number, id);
CREATE INDEX concerns_raiser_idx ON concerns (raised_by, id);

CREATE FUNCTION tutord_concern_json(c concerns) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'student', c.student_number, 'school', c.school, 'kind', c.kind, 'detail', c.detail,
        'raised_by', c.raised_by, 'raised_by_role', c.raised_by_role, 'raised_at', c.raised_at,
        'status', c.status, 'outcome', c.outcome, 'closed_by', c.closed_by, 'closed_at', c.closed_at,
        'raiser_notified_at', c.raiser_notified_at, 'version', c.version)
$$;

-- The application role writes notes and revisions but never changes or removes them.
REVOKE UPDATE, DELETE, TRUNCATE ON notes, note_revisions FROM tutord_app;
REVOKE UPDATE, DELETE, TRUNCATE ON meeting_confirmations FROM tutord_app;
