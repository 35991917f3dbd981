-- 011: the records the second-round rules judge by.
--   * notes may be about one contact: a `shared` note on a meeting is the summary provided to the student
--     (Westminster 3.1 "a summary of all meetings are provided to the student");
--   * feedback invitations: a school offers its tutees and tutors the annual chance to comment (Leicester CoP
--     "Evaluation", the Senior Personal Tutor page); one row per invitation and one per person invited;
--   * Student Academic Experience Survey results per school and year (the two Leicester Tutee Satisfaction
--     KPIs), with the actions taken in response to feedback;
--   * exemption periods: a date range on a student, with a reason, that suspends named rules;
--   * a non-permanent personal tutor's exception, with who agreed it (Leicester CoP 14);
--   * training record kinds: Mental Health First Aid (Essex SPT 7) and other essential training (Essex PT 6).

ALTER TABLE notes ADD COLUMN contact_id bigint;
ALTER TABLE notes ADD CONSTRAINT notes_contact_fkey FOREIGN KEY (contact_id, student_number)
    REFERENCES contacts (id, student_number);
CREATE INDEX notes_contact_idx ON notes (contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE feedback_invitations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     text NOT NULL REFERENCES schools (code),
    year       text NOT NULL CHECK (year ~ '^[0-9]{4}/[0-9]{2}$'),
    audience   text[] NOT NULL CHECK (cardinality(audience) > 0 AND audience <@ ARRAY['tutees', 'tutors']::text[]),
    invited_by text NOT NULL,
    invited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_invitations_school_idx ON feedback_invitations (school, year, id);

CREATE TABLE feedback_invitees (
    invitation_id bigint NOT NULL REFERENCES feedback_invitations (id),
    role          text NOT NULL CHECK (role IN ('tutee', 'tutor')),
    person        text NOT NULL,
    PRIMARY KEY (invitation_id, role, person)
);
CREATE INDEX feedback_invitees_person_idx ON feedback_invitees (person, role);

CREATE TABLE survey_results (
    school       text NOT NULL REFERENCES schools (code),
    year         text NOT NULL CHECK (year ~ '^[0-9]{4}/[0-9]{2}$'),
    contact_pct  numeric(5, 2) CHECK (contact_pct BETWEEN 0 AND 100),
    positive_pct numeric(5, 2) CHECK (positive_pct BETWEEN 0 AND 100),
    actions      text NOT NULL DEFAULT '' CHECK (length(actions) <= 4000),
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (school, year)
);

CREATE TABLE student_exemptions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_number text NOT NULL REFERENCES students (student_number),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    reason         text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 60),
    rules          text[] NOT NULL DEFAULT '{}' CHECK (cardinality(rules) <= 16),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT student_exemptions_dates_check CHECK (ends_on >= starts_on)
);
CREATE INDEX student_exemptions_student_idx ON student_exemptions (student_number, starts_on);

ALTER TABLE staff ADD COLUMN permanent_exception_agreed_by text
    CHECK (permanent_exception_agreed_by IS NULL OR length(btrim(permanent_exception_agreed_by)) BETWEEN 1 AND 200);
ALTER TABLE staff ADD COLUMN permanent_exception_note text
    CHECK (permanent_exception_note IS NULL OR length(permanent_exception_note) <= 2000);

ALTER TABLE training_records DROP CONSTRAINT training_records_kind_check;
ALTER TABLE training_records ADD CONSTRAINT training_records_kind_check
    CHECK (kind IN ('training', 'quiz', 'mental_health_first_aid', 'essential'));

GRANT SELECT, INSERT, UPDATE, DELETE ON feedback_invitations, feedback_invitees, survey_results,
    student_exemptions TO tutord_app;
