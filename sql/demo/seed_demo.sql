-- seed_demo.sql — a realistic demo university for `tutord seed-demo` (run in one transaction).
-- Idempotent: natural keys use ON CONFLICT DO NOTHING, and every set of generated rows is guarded by
-- NOT EXISTS on what it would create, so a second run changes nothing.
-- Deterministic: "random" choices are arithmetic on the row number, never random().
--
-- Six schools, the 2026/27 UK academic calendar (Europe/London, bank holidays, Christmas closure; the
-- teaching terms grouped into semesters: Autumn 1, Spring and Summer 2), 120 staff (a senior tutor per
-- school and two in NUR, three inactive, permanent and not, one exception agreed, training and quiz
-- records, some stale, Mental Health First Aid and essential training), 3,000 students (levels
-- F/4/5/6/7, joint honours, away, suspended, withdrawn, under 18, late registrants) and two continuing
-- students whose year abroad from August was reported late, personal allocations for most (some late,
-- some none), secondary tutors for some joint honours students, a tutor absent with cover, change
-- requests, an autumn term of contacts, meeting summaries shared with students, concerns about
-- non-attendance, feedback invitations, survey results and exemption periods.
--
-- The schools' policies are not set here: `tutord seed-demo` runs this file, then each school adopts its
-- preset exactly as PUT /schools/{code}/policy {"preset": ...} stores it (api/routes_policies.c):
-- CMS and LAW Leicester, HIS and ENG Essex, BIO and NUR Westminster. "Today" in the demo is 2026-12-01:
-- the data give met, pending, due-soon and breached findings on that day.

-- ---- schools ------------------------------------------------------------------------------------------
INSERT INTO schools (code, name) VALUES
    ('CMS', 'Computing and Mathematical Sciences'),
    ('LAW', 'Leicester Law School'),
    ('HIS', 'History, Politics and International Relations'),
    ('ENG', 'English, Creative Writing and Film'),
    ('BIO', 'Biological and Biomedical Sciences'),
    ('NUR', 'Nursing, Midwifery and Allied Health')
ON CONFLICT (code) DO NOTHING;

-- ---- calendar -------------------------------------------------------------------------------------------
UPDATE calendar_settings SET time_zone = 'Europe/London', version = version + 1, updated_at = now()
 WHERE time_zone <> 'Europe/London';

INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2026/27', '2026-09-14', '2027-09-12')
ON CONFLICT (label) DO NOTHING;

-- Welcome Week is in the calendar but is not a teaching term (Leicester: check-ins are "in addition to
-- Welcome Week"; "each term" and "monthly in term time" rules count teaching terms only).
-- Semesters (sql/013): Autumn is semester 1, Spring and Summer semester 2, so Leicester's check-in "per
-- semester" is judged over Spring and Summer together while its meetings stay "each term".
INSERT INTO terms (year_label, name, starts_on, ends_on, teaching, semester) VALUES
    ('2026/27', 'Welcome Week', '2026-09-21', '2026-09-25', false, NULL),
    ('2026/27', 'Autumn', '2026-09-28', '2026-12-11', true, 1),
    ('2026/27', 'Spring', '2027-01-11', '2027-03-26', true, 2),
    ('2026/27', 'Summer', '2027-04-26', '2027-06-11', true, 2)
ON CONFLICT (year_label, name) DO NOTHING;
UPDATE terms SET semester = CASE name WHEN 'Autumn' THEN 1 ELSE 2 END
 WHERE year_label = '2026/27' AND name IN ('Autumn', 'Spring', 'Summer') AND semester IS NULL;

INSERT INTO closures (day, reason) VALUES
    ('2026-12-24', 'University Christmas closure'),
    ('2026-12-25', 'Christmas Day'),
    ('2026-12-28', 'Boxing Day (substitute day)'),
    ('2026-12-29', 'University Christmas closure'),
    ('2026-12-30', 'University Christmas closure'),
    ('2026-12-31', 'University Christmas closure'),
    ('2027-01-01', 'New Year''s Day'),
    ('2027-03-26', 'Good Friday'),
    ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'),
    ('2027-05-31', 'Spring bank holiday'),
    ('2027-08-30', 'Summer bank holiday')
ON CONFLICT (day) DO NOTHING;

-- ---- names and programmes -----------------------------------------------------------------------------
CREATE TEMP TABLE demo_first (i int PRIMARY KEY, name text) ON COMMIT DROP;
INSERT INTO demo_first SELECT ord - 1, name FROM unnest(ARRAY[
    'Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Ivy', 'Muhammad',
    'Freya', 'Leo', 'Priya', 'Harry', 'Aisha', 'Oscar', 'Chloe', 'Jack', 'Zara', 'Ethan',
    'Grace', 'Kwame', 'Sofia', 'Tomasz', 'Mei', 'Rhys', 'Niamh', 'Arjun', 'Hannah', 'Yusuf']) WITH ORDINALITY AS x(name, ord);

CREATE TEMP TABLE demo_last (i int PRIMARY KEY, name text) ON COMMIT DROP;
INSERT INTO demo_last SELECT ord - 1, name FROM unnest(ARRAY[
    'Smith', 'Jones', 'Patel', 'Williams', 'Brown', 'Taylor', 'Khan', 'Davies', 'Evans', 'Wilson',
    'Thomas', 'Johnson', 'Roberts', 'Ahmed', 'Walker', 'Wright', 'Robinson', 'Thompson', 'Hughes', 'Green',
    'Okafor', 'Nowak', 'Chen', 'Murphy', 'O''Brien', 'Singh', 'Hall', 'Clarke', 'Mensah', 'Lewis']) WITH ORDINALITY AS x(name, ord);

-- school k (0..5), its code and three programmes: undergraduate, second undergraduate, postgraduate
CREATE TEMP TABLE demo_school (k int PRIMARY KEY, code text, ug1 text, ug2 text, pg text) ON COMMIT DROP;
INSERT INTO demo_school VALUES
    (0, 'CMS', 'BSc Computer Science', 'BSc Mathematics', 'MSc Data Science'),
    (1, 'LAW', 'LLB Law', 'LLB Law with Politics', 'LLM International Commercial Law'),
    (2, 'HIS', 'BA History', 'BA Politics and International Relations', 'MA Modern History'),
    (3, 'ENG', 'BA English', 'BA Creative Writing', 'MA Film Studies'),
    (4, 'BIO', 'BSc Biological Sciences', 'BSc Biochemistry', 'MSc Bioinformatics'),
    (5, 'NUR', 'BSc Nursing (Adult)', 'BSc Midwifery', 'MSc Advanced Clinical Practice');

-- ---- staff: T1001..T1120, twenty per school; the first of each school is its senior tutor, and NUR has a
-- second (T1102): Westminster expects "only one senior tutor per School", so NUR shows that breach ------
INSERT INTO staff (staff_number, name, email, school, roles, permanent, capacity, active)
SELECT 'T' || (1000 + g),
       'Dr ' || f.name || ' ' || l.name,
       lower(f.name || '.' || replace(l.name, '''', '')) || g || '@uni.example',
       sc.code,
       CASE WHEN (g - 1) % 20 = 0 OR g = 102 THEN ARRAY['tutor', 'senior_tutor'] ELSE ARRAY['tutor'] END,
       g % 7 <> 0,
       CASE WHEN (g - 1) % 20 = 0 THEN 12 ELSE 22 + (g * 7) % 14 END,
       g % 40 <> 0
  FROM generate_series(1, 120) AS g
  JOIN demo_school sc ON sc.k = (g - 1) / 20
  JOIN demo_first f ON f.i = (g * 7) % 30
  JOIN demo_last l ON l.i = (g * 13 + 5) % 30
ON CONFLICT (staff_number) DO NOTHING;

UPDATE staff SET roles = ARRAY['tutor', 'senior_tutor'] WHERE staff_number = 'T1102' AND NOT 'senior_tutor' = ANY (roles);

-- Personal tutors should normally be permanent (Leicester CoP 14): every seventh is not; T1007 (CMS) has an
-- exception agreed with the Dean of Personal Tutoring, the others in Leicester-style schools do not.
UPDATE staff SET permanent_exception_agreed_by = 'Dean of Personal Tutoring',
                 permanent_exception_note = 'Teaching fellow on a three-year contract; monitored by the CMS Senior Tutor'
 WHERE staff_number = 'T1007' AND permanent_exception_agreed_by IS NULL;

-- training every three years (some stale: before 2023-11), and the quiz for two tutors in three
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT 'T' || (1000 + g), 'training', DATE '2021-06-01' + (g * 53) % 1900, NULL, 'seed-demo'
  FROM generate_series(1, 120) AS g
 WHERE NOT EXISTS (SELECT 1 FROM training_records r WHERE r.staff_number = 'T' || (1000 + g) AND r.kind = 'training');
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT 'T' || (1000 + g), 'quiz', DATE '2022-03-01' + (g * 71) % 1600, 48 + (g * 37) % 52, 'seed-demo'
  FROM generate_series(1, 120) AS g
 WHERE g % 3 <> 0
   AND NOT EXISTS (SELECT 1 FROM training_records r WHERE r.staff_number = 'T' || (1000 + g) AND r.kind = 'quiz');

-- Mental Health First Aid for senior tutors (Essex SPT 7): HIS's has it, ENG's does not yet. Essential
-- training for the role (Essex PT 6 / SPT 9) for the Essex-style schools' staff, every sixth still missing.
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT s, 'mental_health_first_aid', DATE '2025-03-12', NULL, 'seed-demo'
  FROM unnest(ARRAY['T1041', 'T1001', 'T1101']) AS s
 WHERE NOT EXISTS (SELECT 1 FROM training_records r WHERE r.staff_number = s AND r.kind = 'mental_health_first_aid');
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT 'T' || (1000 + g), 'essential', DATE '2024-09-02' + (g * 29) % 700, NULL, 'seed-demo'
  FROM generate_series(41, 80) AS g
 WHERE g % 6 <> 0
   AND NOT EXISTS (SELECT 1 FROM training_records r WHERE r.staff_number = 'T' || (1000 + g) AND r.kind = 'essential');

-- ---- students: S2600001..S2603000 ---------------------------------------------------------------------
WITH base AS (
    SELECT i,
           CASE WHEN i % 20 < 4 THEN 0 WHEN i % 20 < 7 THEN 1 WHEN i % 20 < 10 THEN 2
                WHEN i % 20 < 13 THEN 3 WHEN i % 20 < 17 THEN 4 ELSE 5 END AS k,
           CASE WHEN i % 33 = 0 THEN 'F' WHEN i % 100 < 36 THEN '4' WHEN i % 100 < 61 THEN '5'
                WHEN i % 100 < 86 THEN '6' ELSE '7' END AS level
      FROM generate_series(1, 3000) AS i
), shaped AS (
    SELECT b.*,
           CASE WHEN b.level = 'F' THEN 'FY' WHEN b.level = '7' THEN 'PGT' WHEN b.i % 29 = 0 THEN 'DL' ELSE 'UG' END
               AS cohort,
           CASE WHEN b.i % 131 = 0 THEN 'withdrawn' WHEN b.i % 97 = 0 THEN 'suspended'
                WHEN b.level = '6' AND b.i % 13 = 0 THEN 'year_abroad'
                WHEN b.level = '5' AND b.i % 19 = 0 THEN 'placement' ELSE 'studying' END AS status,
           CASE WHEN b.i % 41 = 0 THEN DATE '2026-10-05' + b.i % 10
                WHEN b.level IN ('F', '4', '7') THEN DATE '2026-09-21' + b.i % 5
                ELSE DATE '2026-09-21' + b.i % 3 END AS registered_on,
           CASE b.level WHEN '5' THEN DATE '2025-09-29' WHEN '6' THEN DATE '2024-09-30' ELSE DATE '2026-09-28' END
               AS course_start
      FROM base b
)
-- A withdrawal or suspension the student record system reported holds from its own day (status_from): the
-- withdrawn studied until their allocations ended on 6 November, the suspended until 1 November.
INSERT INTO students (student_number, name, email, school, partner_school, programme, level, cohort, status,
                      status_from, registered_on, course_start, date_of_birth)
SELECT 'S26' || lpad(s.i::text, 5, '0'),
       f.name || ' ' || l.name,
       lower(f.name || '.' || replace(l.name, '''', '')) || '.' || s.i || '@student.uni.example',
       sc.code,
       CASE WHEN s.i % 17 = 0 AND s.level <> '7' THEN (SELECT p.code FROM demo_school p WHERE p.k = (s.k + 2) % 6) END,
       CASE WHEN s.level = '7' THEN sc.pg WHEN s.level = 'F' THEN 'Foundation Year: ' || sc.ug1
            WHEN s.i % 3 = 0 THEN sc.ug2 ELSE sc.ug1 END,
       s.level, s.cohort, s.status,
       CASE s.status WHEN 'withdrawn' THEN DATE '2026-11-07' WHEN 'suspended' THEN DATE '2026-11-02' END,
       s.registered_on, s.course_start,
       CASE WHEN s.i % 71 = 5 AND s.level IN ('F', '4') THEN DATE '2009-01-15' + s.i % 200   -- under 18
            ELSE s.course_start - (18 + (s.level = '5')::int + 2 * (s.level = '6')::int + 4 * (s.level = '7')::int) * 365
                 - 30 - s.i % 700 END
  FROM shaped s
  JOIN demo_school sc ON sc.k = s.k
  JOIN demo_first f ON f.i = (s.i * 11 + s.k) % 30
  JOIN demo_last l ON l.i = (s.i * 17 + 3) % 30
ON CONFLICT (student_number) DO NOTHING;

-- Two continuing Level 6 students (registered 2024) whose year abroad from 1 August 2026 the student
-- record system reported only in November: their status is backdated with status_from 1 August (the engine
-- reads them as studying before it), so every rule reads the status in force on the day it judges. S2609001 (LAW) is
-- phoned this term; S2609004 (CMS) is not yet.
INSERT INTO students (student_number, name, email, school, programme, level, cohort, status, status_from,
                      registered_on, course_start, date_of_birth)
VALUES ('S2609001', 'Lucia Fernandez', 'lucia.fernandez.9001@student.uni.example', 'LAW', 'LLB Law with a Year Abroad',
        '6', 'UG', 'year_abroad', '2026-08-01', '2024-09-30', '2024-09-30', '2005-05-17'),
       ('S2609004', 'Daniel Okoye', 'daniel.okoye.9004@student.uni.example', 'CMS',
        'BSc Computer Science with a Year Abroad', '6', 'UG', 'year_abroad', '2026-08-01', '2024-09-30', '2024-09-30',
        '2004-02-29')
ON CONFLICT (student_number) DO NOTHING;

-- ---- allocations --------------------------------------------------------------------------------------
-- Personal tutors round-robin over the school's active tutors; every 37th student is still unallocated,
-- every 23rd was allocated late (12-20 days after registering), the withdrawn ones ended on 6 November.
WITH st AS (
    SELECT s.student_number, s.school, s.registered_on, s.status, substr(s.student_number, 4)::int AS i,
           row_number() OVER (PARTITION BY s.school ORDER BY s.student_number) AS r
      FROM students s WHERE s.student_number ~ '^S26[0-9]{5}$'
), tu AS (
    SELECT t.staff_number, t.school, row_number() OVER (PARTITION BY t.school ORDER BY t.staff_number) AS k,
           count(*) OVER (PARTITION BY t.school) AS n
      FROM staff t WHERE t.active AND t.staff_number ~ '^T1[0-9]{3}$'
)
INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by)
SELECT st.student_number, tu.staff_number, 'personal',
       st.registered_on + CASE WHEN st.i % 23 = 0 THEN 12 + st.i % 9 ELSE st.i % 4 END,
       CASE WHEN st.status = 'withdrawn' THEN DATE '2026-11-06' END,
       CASE WHEN st.i % 23 = 0 THEN 'late allocation' ELSE 'initial allocation' END,
       'T' || (1001 + 20 * (SELECT d.k FROM demo_school d WHERE d.code = st.school))
  FROM st JOIN tu ON tu.school = st.school AND tu.k = (st.r % tu.n) + 1
 WHERE st.i % 37 <> 0
   AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = st.student_number AND a.kind = 'personal');

-- Secondary tutors from the partner school for half the joint honours students.
INSERT INTO allocations (student_number, staff_number, kind, starts_on, reason, created_by)
SELECT s.student_number, 'T' || (1002 + 20 * d.k + substr(s.student_number, 4)::int % 10), 'secondary',
       s.registered_on + 7, 'joint honours: partner school tutor', 'seed-demo'
  FROM students s JOIN demo_school d ON d.code = s.partner_school
 WHERE s.student_number ~ '^S26[0-9]{5}$' AND substr(s.student_number, 4)::int % 34 = 0
   AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number AND a.kind = 'secondary');

-- Dr T1005 (CMS) is away from 9 November to 18 December; T1006 covers their personal tutees.
INSERT INTO tutor_absences (staff_number, starts_on, ends_on, reason, cover_staff_number, created_by)
SELECT 'T1005', '2026-11-09', '2026-12-18', 'leave', 'T1006', 'T1001'
 WHERE NOT EXISTS (SELECT 1 FROM tutor_absences WHERE staff_number = 'T1005' AND starts_on = '2026-11-09');
INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by, absence_id)
SELECT a.student_number, b.cover_staff_number, 'cover', greatest(a.starts_on, b.starts_on),
       least(COALESCE(a.ends_on, b.ends_on), b.ends_on), 'cover during the personal tutor''s absence', 'T1001', b.id
  FROM tutor_absences b
  JOIN allocations a ON a.staff_number = b.staff_number AND a.kind = 'personal'
                    AND a.period && daterange(b.starts_on, b.ends_on, '[]')
 WHERE b.staff_number = 'T1005' AND b.starts_on = '2026-11-09'
   AND NOT EXISTS (SELECT 1 FROM allocations c WHERE c.absence_id = b.id AND c.student_number = a.student_number);

-- ---- change requests: a few open, a few declined --------------------------------------------------------
INSERT INTO change_requests (student_number, reason, status, requested_at, decided_by, decided_at, comment)
SELECT s.student_number, CASE WHEN i % 2 = 0 THEN 'I would like a tutor who knows my modules' ELSE '' END,
       CASE WHEN i % 302 = 0 THEN 'declined' ELSE 'open' END,
       TIMESTAMPTZ '2026-10-20 12:00 Europe/London' + (i % 20) * interval '1 day',
       CASE WHEN i % 302 = 0 THEN 'T' || (1001 + 20 * d.k) END,
       CASE WHEN i % 302 = 0 THEN TIMESTAMPTZ '2026-11-16 10:00 Europe/London' END,
       CASE WHEN i % 302 = 0 THEN 'Discussed with the student; staying with the current tutor for now' END
  FROM (SELECT s.*, substr(s.student_number, 4)::int AS i FROM students s WHERE s.student_number ~ '^S26[0-9]{5}$') s
  JOIN demo_school d ON d.code = s.school
 WHERE s.i % 151 = 0
   AND EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number AND a.kind = 'personal')
   AND NOT EXISTS (SELECT 1 FROM change_requests c WHERE c.student_number = s.student_number);

-- ---- an autumn term of contacts (sql/005) ----------------------------------------------------------------
CREATE TEMP TABLE demo_alloc ON COMMIT DROP AS
SELECT a.student_number, a.staff_number, a.starts_on, s.level, s.status, substr(a.student_number, 4)::int AS i
  FROM allocations a JOIN students s ON s.student_number = a.student_number
 WHERE a.kind = 'personal' AND a.student_number ~ '^S26[0-9]{5}$';

-- Welcome meetings a few days after allocation: attended, every 9th missed.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance,
                      wellbeing_check, created_by)
SELECT x.student_number, x.staff_number, 'meeting', 'to_student', CASE WHEN x.i % 29 = 0 THEN 'online' ELSE 'in_person' END,
       ((x.starts_on + 2 + x.i % 3) + time '10:00' + (x.i % 6) * interval '1 hour') AT TIME ZONE 'Europe/London',
       CASE WHEN x.i % 9 = 0 THEN 'missed' ELSE 'attended' END, true, 'seed:welcome'
  FROM demo_alloc x
 WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:welcome');

-- A start-of-term email on 29 September to most tutees (the first, partial month of term needs contact too).
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'email', 'to_student', 'online',
       TIMESTAMPTZ '2026-09-29 08:30 Europe/London' + (x.i % 4) * interval '1 hour', 'attended', 'seed:term-start'
  FROM demo_alloc x
 WHERE x.status = 'studying' AND x.starts_on <= DATE '2026-09-29' AND x.i % 10 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:term-start');

-- October check-in emails (progress and wellbeing) to studying students.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance,
                      wellbeing_check, created_by)
SELECT x.student_number, x.staff_number, 'email', 'to_student', 'online',
       ((DATE '2026-10-12' + x.i % 10) + time '09:30') AT TIME ZONE 'Europe/London', 'attended', true, 'seed:checkin'
  FROM demo_alloc x
 WHERE x.status = 'studying' AND x.starts_on < DATE '2026-10-12' AND x.i % 12 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:checkin');

-- A mid-November email to the tutees without a November one-to-one (every twelfth gets none).
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'email', 'to_student', 'online',
       TIMESTAMPTZ '2026-11-16 10:00 Europe/London' + (x.i % 5) * interval '1 day', 'attended', 'seed:november-email'
  FROM demo_alloc x
 WHERE x.status = 'studying' AND x.i % 3 = 0 AND x.i % 12 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number
                                             AND c.created_by = 'seed:november-email');

-- Students away are phoned once this term.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'phone', 'to_student', 'online',
       ((DATE '2026-10-26' + x.i % 10) + time '15:00') AT TIME ZONE 'Europe/London', 'attended', 'seed:away'
  FROM demo_alloc x
 WHERE x.status IN ('year_abroad', 'placement') AND x.i % 4 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:away');

-- November one-to-ones: held before 23 November (every 8th missed), scheduled after it.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, scheduled_at, occurred_at, attendance,
                      wellbeing_check, created_by)
SELECT x.student_number, x.staff_number, 'meeting', 'to_student', 'in_person', t.at,
       CASE WHEN t.day < DATE '2026-11-23' THEN t.at END,
       CASE WHEN t.day >= DATE '2026-11-23' THEN 'scheduled' WHEN x.i % 8 = 0 THEN 'missed' ELSE 'attended' END,
       t.day < DATE '2026-11-23', 'seed:november'
  FROM demo_alloc x,
       LATERAL (SELECT DATE '2026-11-09' + x.i % 21 AS day) d,
       LATERAL (SELECT d.day, (d.day + time '11:00') AT TIME ZONE 'Europe/London' AS at) t
 WHERE x.status = 'studying' AND x.i % 3 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:november');

-- Level 4 group sessions (WeThrive-style) in nursing: one row per attending tutee per session.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, session_id,
                      created_by)
SELECT x.student_number, x.staff_number, 'group_meeting', 'to_student', 'in_person',
       ((DATE '2026-10-07' + 14 * n) + time '13:00') AT TIME ZONE 'Europe/London', 'attended',
       md5('wethrive-' || n || '-' || x.staff_number)::uuid, 'seed:group'
  FROM demo_alloc x JOIN students s ON s.student_number = x.student_number AND s.school = 'NUR',
       generate_series(0, 3) AS n
 WHERE x.level = '4' AND x.status = 'studying' AND (x.i + n) % 7 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:group');

-- Messages from students; most answered within a few days, every third not at all.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'message', 'from_student', 'online',
       ((DATE '2026-10-19' + x.i % 25) + time '17:00') AT TIME ZONE 'Europe/London', 'attended', 'seed:message'
  FROM demo_alloc x
 WHERE x.i % 5 = 0 AND x.status = 'studying'
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.created_by = 'seed:message');

INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, reply_to,
                      created_by)
SELECT m.student_number, m.staff_number, 'email', 'to_student', 'online',
       m.occurred_at + (1 + substr(m.student_number, 4)::int % 5) * interval '1 day' - interval '7 hours',
       'attended', m.id, 'seed:reply'
  FROM contacts m
 WHERE m.created_by = 'seed:message' AND substr(m.student_number, 4)::int % 15 <> 0
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.reply_to = m.id);

-- ---- this week's messages -----------------------------------------------------------------------------------
-- Messages sent on Friday 27 and Monday 30 November, not answered yet: due on 2 and 3 December (3 working
-- days), so they are due soon on the demo's "today".
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'message', 'from_student', 'online',
       CASE WHEN (x.i / 23) % 2 = 0 THEN TIMESTAMPTZ '2026-11-27 16:00 Europe/London'
            ELSE TIMESTAMPTZ '2026-11-30 11:00 Europe/London' END, 'attended', 'seed:recent-message'
  FROM demo_alloc x
 WHERE x.status = 'studying' AND x.i % 23 = 2
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number
                                             AND c.created_by = 'seed:recent-message');

-- ---- meeting summaries shared with the student (Westminster 3.1; sql/011 notes.contact_id) ---------------
-- In the Westminster-style schools (BIO, NUR) most attended one-to-ones and group sessions get a shared
-- summary the next day, every fifth a week late (after the 5 working days the preset allows), and the
-- tutees whose number is a multiple of seven none.
CREATE TEMP TABLE demo_summary ON COMMIT DROP AS
SELECT c.id, c.student_number, c.staff_number, c.occurred_at, substr(c.student_number, 4)::int AS i
  FROM contacts c JOIN students s ON s.student_number = c.student_number
 WHERE s.school IN ('BIO', 'NUR') AND c.kind IN ('meeting', 'group_meeting') AND c.attendance = 'attended'
   AND c.created_by IN ('seed:welcome', 'seed:november', 'seed:group') AND c.student_number ~ '^S26[0-9]{5}$'
   AND substr(c.student_number, 4)::int % 7 <> 0
   AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.contact_id = c.id);
INSERT INTO notes (student_number, author, visibility, created_at, contact_id)
SELECT x.student_number, x.staff_number, 'shared',
       x.occurred_at + CASE WHEN x.i % 5 = 0 THEN interval '9 days' ELSE interval '1 day' END, x.id
  FROM demo_summary x;
INSERT INTO note_revisions (note_id, revision, text, consent_recorded, created_by, created_at)
SELECT n.id, 1, 'Meeting summary: we reviewed progress on this term''s modules, agreed two study goals and '
                || 'where to find the Academic Skills Centre. Next meeting booked.', true, n.author, n.created_at
  FROM notes n JOIN demo_summary x ON x.id = n.contact_id
 WHERE NOT EXISTS (SELECT 1 FROM note_revisions r WHERE r.note_id = n.id);

-- ---- non-attendance (Westminster 2.4 / 3.2) ----------------------------------------------------------------
-- In BIO and NUR every eleventh studying student missed two October meetings; the tutor referred half of
-- them to the senior tutor (a concern raised by the tutor counts as the escalation), the rest were not.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, scheduled_at, occurred_at, attendance,
                      created_by)
SELECT x.student_number, x.staff_number, 'meeting', 'to_student', 'in_person', t.at, t.at, 'missed',
       'seed:october-missed'
  FROM demo_alloc x JOIN students s ON s.student_number = x.student_number AND s.school IN ('BIO', 'NUR'),
       generate_series(0, 1) AS n,
       LATERAL (SELECT ((DATE '2026-10-14' + 7 * n) + time '14:00') AT TIME ZONE 'Europe/London' AS at) t
 WHERE x.status = 'studying' AND x.i % 11 = 0 AND x.starts_on < DATE '2026-10-14'
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number
                                             AND c.created_by = 'seed:october-missed');
INSERT INTO concerns (student_number, school, kind, detail, raised_by, raised_by_role, raised_at)
SELECT x.student_number, s.school, 'non_engaged', 'Missed two tutorial meetings in October; no reply to emails.',
       x.staff_number, 'tutor', TIMESTAMPTZ '2026-10-29 10:00 Europe/London'
  FROM demo_alloc x JOIN students s ON s.student_number = x.student_number AND s.school IN ('BIO', 'NUR')
 WHERE x.status = 'studying' AND x.i % 22 = 0 AND x.starts_on < DATE '2026-10-14'
   AND NOT EXISTS (SELECT 1 FROM concerns c WHERE c.student_number = x.student_number AND c.kind = 'non_engaged');

-- ---- under-18s met by the senior tutor (Essex SPT 5) --------------------------------------------------------
-- In HIS the senior tutor met every under-18 student in October; ENG's have not been met yet.
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance,
                      wellbeing_check, created_by)
SELECT s.student_number, 'T1041', 'meeting', 'to_student', 'in_person',
       TIMESTAMPTZ '2026-10-08 12:00 Europe/London' + (substr(s.student_number, 4)::int % 5) * interval '1 day',
       'attended', true, 'seed:under18'
  FROM students s
 WHERE s.school = 'HIS' AND s.date_of_birth > DATE '2008-09-21' AND s.student_number ~ '^S26[0-9]{5}$'
   AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = s.student_number AND c.created_by = 'seed:under18');

-- ---- feedback (Leicester CoP "Evaluation"; the Senior Personal Tutor page) -----------------------------------
-- CMS invited its tutees and tutors on 16 November; LAW has not invited anyone yet this year.
INSERT INTO feedback_invitations (school, year, audience, invited_by, invited_at)
SELECT 'CMS', '2026/27', ARRAY['tutees', 'tutors'], 'T1001', TIMESTAMPTZ '2026-11-16 09:00 Europe/London'
 WHERE NOT EXISTS (SELECT 1 FROM feedback_invitations WHERE school = 'CMS' AND year = '2026/27');
INSERT INTO feedback_invitees (invitation_id, role, person)
SELECT f.id, 'tutee', a.student_number
  FROM feedback_invitations f
  JOIN allocations a ON a.kind = 'personal' AND a.period @> DATE '2026-11-16'
  JOIN students s ON s.student_number = a.student_number AND s.school = 'CMS'
 WHERE f.school = 'CMS' AND f.year = '2026/27'
UNION ALL
SELECT f.id, 'tutor', t.staff_number
  FROM feedback_invitations f JOIN staff t ON t.school = 'CMS' AND t.active
 WHERE f.school = 'CMS' AND f.year = '2026/27'
ON CONFLICT DO NOTHING;

-- The Student Academic Experience Survey's two Personal Tutoring questions for CMS, with the actions taken.
INSERT INTO survey_results (school, year, contact_pct, positive_pct, actions, recorded_by)
VALUES ('CMS', '2026/27', 82.50, 76.00,
        'Monthly contact plan shared with tutees in Welcome Week; drop-in hours added for Level 4.', 'T1001')
ON CONFLICT (school, year) DO NOTHING;

-- ---- exemption periods (authorised absences) ------------------------------------------------------------------
-- Three LAW students on medical leave over November (every student-level rule suspended); two CMS students
-- on a placement assessment block, exempt from the monthly contact and the term's meeting only.
INSERT INTO student_exemptions (student_number, starts_on, ends_on, reason, rules, created_by)
SELECT x.student_number, DATE '2026-11-02', DATE '2026-11-27', 'Medical leave (authorised)', '{}', 'T1021'
  FROM (SELECT s.student_number FROM students s
         WHERE s.school = 'LAW' AND s.status = 'studying' AND s.student_number ~ '^S26[0-9]{5}$'
         ORDER BY s.student_number LIMIT 3) x
 WHERE NOT EXISTS (SELECT 1 FROM student_exemptions e WHERE e.student_number = x.student_number);
INSERT INTO student_exemptions (student_number, starts_on, ends_on, reason, rules, created_by)
SELECT x.student_number, DATE '2026-11-09', DATE '2026-12-11', 'Placement assessment block',
       ARRAY['monthly_contact', 'term_attendance'], 'T1001'
  FROM (SELECT s.student_number FROM students s
         WHERE s.school = 'CMS' AND s.status = 'studying' AND s.level = '5' AND s.student_number ~ '^S26[0-9]{5}$'
         ORDER BY s.student_number LIMIT 2) x
 WHERE NOT EXISTS (SELECT 1 FROM student_exemptions e WHERE e.student_number = x.student_number);
