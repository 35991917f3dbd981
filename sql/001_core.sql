-- 001: the core registry — schools, the academic calendar, staff and students.
-- Invariants live here: natural keys, CHECKs on every enum, foreign keys.
-- Every mutable row carries a version (the ETag) bumped by the application on update.

CREATE TABLE schools (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_-]{0,15}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The institution's calendar: one row of settings, academic years, their terms, closure days.
CREATE TABLE calendar_settings (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    time_zone   text NOT NULL DEFAULT 'Europe/London' CHECK (length(time_zone) BETWEEN 1 AND 64),
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO calendar_settings DEFAULT VALUES;

CREATE TABLE academic_years (
    label       text PRIMARY KEY CHECK (label ~ '^[0-9]{4}/[0-9]{2}$'),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    CHECK (ends_on > starts_on),
    EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)
);

CREATE TABLE terms (
    year_label  text NOT NULL REFERENCES academic_years (label) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    PRIMARY KEY (year_label, name),
    CHECK (ends_on >= starts_on)
);

CREATE TABLE closures (
    day         date PRIMARY KEY,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200)
);

CREATE TABLE staff (
    staff_number text PRIMARY KEY CHECK (staff_number ~ '^[A-Za-z0-9]{1,20}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email        text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    school       text NOT NULL REFERENCES schools (code),
    roles        text[] NOT NULL DEFAULT '{tutor}'
                 CHECK (roles <@ ARRAY['tutor', 'senior_tutor', 'support', 'registry', 'admin']::text[]),
    permanent    boolean NOT NULL DEFAULT true,
    capacity     integer NOT NULL DEFAULT 30 CHECK (capacity BETWEEN 0 AND 1000),
    active       boolean NOT NULL DEFAULT true,
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_school_idx ON staff (school, staff_number);

CREATE TABLE students (
    student_number text PRIMARY KEY CHECK (student_number ~ '^[A-Za-z0-9]{1,20}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email          text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    school         text NOT NULL REFERENCES schools (code),
    partner_school text REFERENCES schools (code) CHECK (partner_school <> school),
    programme      text NOT NULL DEFAULT '' CHECK (length(programme) <= 200),
    level          text NOT NULL CHECK (level IN ('F', '4', '5', '6', '7')),
    cohort         text NOT NULL CHECK (cohort IN ('UG', 'PGT', 'DL', 'FY')),
    status         text NOT NULL CHECK (status IN ('studying', 'year_abroad', 'placement',
                                                   'suspended', 'withdrawn', 'completed')),
    registered_on  date NOT NULL,
    course_start   date,
    date_of_birth  date CHECK (date_of_birth > '1900-01-01'),
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX students_school_idx ON students (school, student_number);
CREATE INDEX students_status_idx ON students (status, student_number);

-- The JSON representation of a student (SPEC §4a), defined once for every route that returns one.
CREATE FUNCTION tutord_student_json(s students) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'student_number', s.student_number, 'name', s.name, 'email', s.email, 'school', s.school,
        'partner_school', s.partner_school, 'programme', s.programme, 'level', s.level, 'cohort', s.cohort,
        'status', s.status, 'registered_on', s.registered_on, 'course_start', s.course_start,
        'date_of_birth', s.date_of_birth, 'version', s.version,
        'created_at', s.created_at, 'updated_at', s.updated_at)
$$;

CREATE FUNCTION tutord_school_json(s schools) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('code', s.code, 'name', s.name, 'version', s.version,
                             'created_at', s.created_at, 'updated_at', s.updated_at)
$$;
