-- bench/gen/institution.sql — a university at scale, generated set-based inside PostgreSQL.
--
--   psql -v students=40000 -v tutors=2000 -f bench/gen/institution.sql "$URL"   (bench/gen/gen does this)
--
-- Writes into the real schema (sql/001..): 12 schools (presets leicester/essex/westminster in turn,
-- recorded in bench.school_preset; bench/run adopts them through the API), the 2026/27 calendar, `tutors` staff
-- (two senior tutors per school) with training and quiz records, `students` students (school sizes
-- 7-10 %: the largest school has 10 %, i.e. 4,000 at the default size), personal allocations (every
-- 40th student unallocated, every 23rd allocated late, withdrawn students' allocations ended),
-- secondary tutors for joint honours, absences with cover, change requests, and a full academic year
-- of contacts (~37 per allocated student, ~1.5 million at the default size) with realistic gaps:
-- terms without a meeting, missed meetings, months without contact, messages answered late or never.
-- Deterministic: every "random" choice is arithmetic on the row number. Expects an empty database.
\set ON_ERROR_STOP on
\if :{?students}
\else
\set students 40000
\endif
\if :{?tutors}
\else
\set tutors 2000
\endif

BEGIN;
-- Foreign keys are still checked row by row; the rows are valid by construction, so the loader may
-- skip those checks (bench/gen/gen sets session_replication_role=replica when BENCH_FK_CHECKS=off).

-- ---- schools: sizes are weights out of 100 (buckets of i % 100) -------------------------------------
CREATE TEMP TABLE bench_school (k int PRIMARY KEY, code text, name text, preset text, lo int, hi int)
    ON COMMIT DROP;
INSERT INTO bench_school
SELECT k - 1, code, name, (ARRAY['leicester', 'essex', 'westminster'])[1 + (k - 1) % 3],
       coalesce(sum(w) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0),
       sum(w) OVER (ORDER BY k)
  FROM unnest(ARRAY['CMS', 'LAW', 'HIS', 'ENG', 'BIO', 'NUR', 'BUS', 'PSY', 'CHE', 'PHY', 'GEO', 'MUS'],
              ARRAY['Computing and Mathematical Sciences', 'Law School', 'History and Politics',
                    'English and Film', 'Biological Sciences', 'Nursing and Midwifery', 'Business School',
                    'Psychology', 'Chemistry', 'Physics and Astronomy', 'Geography', 'Music'],
              ARRAY[10, 10, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7]) WITH ORDINALITY AS x(code, name, w, k);

INSERT INTO schools (code, name) SELECT code, name FROM bench_school;
-- Which preset each school adopts: bench/run PUTs it through the API once the policy route exists.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE bench.school_preset (school text PRIMARY KEY REFERENCES schools (code), preset text NOT NULL);
INSERT INTO bench.school_preset SELECT code, preset FROM bench_school;

CREATE TEMP TABLE bench_bucket (b int PRIMARY KEY, k int) ON COMMIT DROP;
INSERT INTO bench_bucket SELECT b, (SELECT k FROM bench_school WHERE b >= lo AND b < hi) FROM generate_series(0, 99) b;

-- ---- calendar 2026/27 --------------------------------------------------------------------------------
INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2026/27', '2026-09-14', '2027-09-12');
INSERT INTO terms (year_label, name, starts_on, ends_on) VALUES
    ('2026/27', 'Welcome Week', '2026-09-21', '2026-09-25'),
    ('2026/27', 'Autumn', '2026-09-28', '2026-12-11'),
    ('2026/27', 'Spring', '2027-01-11', '2027-03-26'),
    ('2026/27', 'Summer', '2027-04-26', '2027-06-11');
-- Welcome Week is not a teaching term (sql/010 adds the column; older schemas lack it)
SELECT EXISTS (SELECT 1 FROM information_schema.columns
                WHERE table_name = 'terms' AND column_name = 'teaching') AS has_teaching \gset
\if :has_teaching
UPDATE terms SET teaching = false WHERE name = 'Welcome Week';
\endif
INSERT INTO closures (day, reason) VALUES
    ('2026-12-24', 'University Christmas closure'), ('2026-12-25', 'Christmas Day'),
    ('2026-12-28', 'Boxing Day (substitute day)'), ('2026-12-29', 'University Christmas closure'),
    ('2026-12-30', 'University Christmas closure'), ('2026-12-31', 'University Christmas closure'),
    ('2027-01-01', 'New Year''s Day'), ('2027-03-26', 'Good Friday'), ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'), ('2027-05-31', 'Spring bank holiday'),
    ('2027-08-30', 'Summer bank holiday');

-- ---- staff: T00001..; the first two of each school are its senior tutors -----------------------------
INSERT INTO staff (staff_number, name, email, school, roles, permanent, capacity, active)
SELECT 'T' || lpad(j::text, 5, '0'), 'Dr Tutor ' || j, 'tutor' || j || '@uni.example', sc.code,
       CASE WHEN row_number() OVER (PARTITION BY sc.k ORDER BY j) <= 2 THEN ARRAY['tutor', 'senior_tutor']
            ELSE ARRAY['tutor'] END,
       j % 7 <> 0, 18 + (j * 7) % 20, j % 97 <> 0
  FROM generate_series(1, :tutors) j
  JOIN bench_bucket bb ON bb.b = j % 100 JOIN bench_school sc ON sc.k = bb.k;

-- training every three years (every 5th stale), the quiz for two tutors in three
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT staff_number, 'training', DATE '2021-06-01' + (n * 53) % 1900, NULL, 'bench'
  FROM (SELECT staff_number, substr(staff_number, 2)::int AS n FROM staff) t;
INSERT INTO training_records (staff_number, kind, completed_on, score, created_by)
SELECT staff_number, 'quiz', DATE '2022-03-01' + (n * 71) % 1600, 40 + (n * 37) % 61, 'bench'
  FROM (SELECT staff_number, substr(staff_number, 2)::int AS n FROM staff) t WHERE n % 3 <> 0;

-- ---- students: S0000001.. ----------------------------------------------------------------------------
INSERT INTO students (student_number, name, email, school, partner_school, programme, level, cohort, status,
                      registered_on, course_start, date_of_birth)
SELECT 'S' || lpad(i::text, 7, '0'), 'Student ' || i, 's' || i || '@student.uni.example', sc.code,
       CASE WHEN i % 17 = 0 AND lvl <> '7' THEN (SELECT p.code FROM bench_school p WHERE p.k = (sc.k + 5) % 12) END,
       CASE WHEN lvl = '7' THEN 'MSc ' ELSE 'BSc ' END || sc.name, lvl,
       CASE WHEN lvl = 'F' THEN 'FY' WHEN lvl = '7' THEN 'PGT' WHEN i % 29 = 0 THEN 'DL' ELSE 'UG' END,
       CASE WHEN i % 131 = 0 THEN 'withdrawn' WHEN i % 97 = 0 THEN 'suspended'
            WHEN lvl = '6' AND i % 13 = 0 THEN 'year_abroad' WHEN lvl = '5' AND i % 19 = 0 THEN 'placement'
            ELSE 'studying' END,
       CASE WHEN i % 41 = 0 THEN DATE '2026-10-05' + i % 10 ELSE DATE '2026-09-21' + i % 5 END,
       CASE lvl WHEN '5' THEN DATE '2025-09-29' WHEN '6' THEN DATE '2024-09-30' ELSE DATE '2026-09-28' END,
       CASE WHEN i % 71 = 5 AND lvl IN ('F', '4') THEN DATE '2009-01-15' + i % 200
            ELSE DATE '2008-06-01' - (i % 3000) END
  FROM (SELECT i, CASE WHEN i % 33 = 0 THEN 'F' WHEN i % 100 < 36 THEN '4' WHEN i % 100 < 61 THEN '5'
                       WHEN i % 100 < 86 THEN '6' ELSE '7' END AS lvl
          FROM generate_series(1, :students) i) g
  JOIN bench_bucket bb ON bb.b = (g.i * 7) % 100 JOIN bench_school sc ON sc.k = bb.k;

-- ---- allocations: round robin over the school's active tutors ---------------------------------------
INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by)
SELECT st.student_number, tu.staff_number, 'personal',
       st.registered_on + CASE WHEN st.i % 23 = 0 THEN 12 + st.i % 9 ELSE st.i % 4 END,
       CASE WHEN st.status = 'withdrawn' THEN DATE '2027-02-05' END,
       CASE WHEN st.i % 23 = 0 THEN 'late allocation' ELSE 'initial allocation' END, 'bench'
  FROM (SELECT s.*, substr(s.student_number, 2)::int AS i,
               row_number() OVER (PARTITION BY s.school ORDER BY s.student_number) AS r FROM students s) st
  JOIN (SELECT t.staff_number, t.school, row_number() OVER (PARTITION BY t.school ORDER BY t.staff_number) AS k,
               count(*) OVER (PARTITION BY t.school) AS n FROM staff t WHERE t.active) tu
    ON tu.school = st.school AND tu.k = (st.r % tu.n) + 1
 WHERE st.i % 40 <> 0;

INSERT INTO allocations (student_number, staff_number, kind, starts_on, reason, created_by)
SELECT s.student_number, (SELECT t.staff_number FROM staff t WHERE t.school = s.partner_school AND t.active
                          ORDER BY t.staff_number OFFSET substr(s.student_number, 2)::int % 10 LIMIT 1),
       'secondary', s.registered_on + 7, 'joint honours: partner school tutor', 'bench'
  FROM students s WHERE s.partner_school IS NOT NULL AND substr(s.student_number, 2)::int % 2 = 0;

-- every 50th tutor is away for six weeks in spring; the next tutor of the school covers
INSERT INTO tutor_absences (staff_number, starts_on, ends_on, reason, cover_staff_number, created_by)
SELECT t.staff_number, '2027-01-18', '2027-02-26', 'leave',
       (SELECT c.staff_number FROM staff c WHERE c.school = t.school AND c.active AND c.staff_number > t.staff_number
         ORDER BY c.staff_number LIMIT 1), 'bench'
  FROM staff t WHERE substr(t.staff_number, 2)::int % 50 = 7 AND t.active;
INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by, absence_id)
SELECT a.student_number, b.cover_staff_number, 'cover', greatest(a.starts_on, b.starts_on),
       least(coalesce(a.ends_on, b.ends_on), b.ends_on), 'cover during absence', 'bench', b.id
  FROM tutor_absences b
  JOIN allocations a ON a.staff_number = b.staff_number AND a.kind = 'personal'
                    AND a.period && daterange(b.starts_on, b.ends_on, '[]')
 WHERE b.cover_staff_number IS NOT NULL;

INSERT INTO change_requests (student_number, reason, status, requested_at, decided_by, decided_at, comment)
SELECT s.student_number, 'I would like a tutor who knows my modules',
       CASE WHEN i % 3 = 0 THEN 'declined' ELSE 'open' END,
       TIMESTAMPTZ '2026-10-20 12:00 Europe/London' + (i % 40) * interval '1 day',
       CASE WHEN i % 3 = 0 THEN 'T00001' END,
       CASE WHEN i % 3 = 0 THEN TIMESTAMPTZ '2026-12-01 10:00 Europe/London' END,
       CASE WHEN i % 3 = 0 THEN 'staying with the current tutor' END
  FROM (SELECT s.*, substr(s.student_number, 2)::int AS i FROM students s) s WHERE s.i % 59 = 0;

-- ---- a full academic year of contacts ----------------------------------------------------------------
CREATE TEMP TABLE bench_alloc ON COMMIT DROP AS
SELECT a.student_number, a.staff_number, a.starts_on, a.ends_on, s.level, s.status,
       substr(a.student_number, 2)::int AS i
  FROM allocations a JOIN students s ON s.student_number = a.student_number WHERE a.kind = 'personal';

-- The term part of each month with monthly contact: (month number, first day, days in term).
CREATE TEMP TABLE bench_month (m int PRIMARY KEY, first date, span int) ON COMMIT DROP;
INSERT INTO bench_month VALUES (0, '2026-10-01', 28), (1, '2026-11-02', 26), (2, '2026-12-01', 10),
    (3, '2027-01-11', 19), (4, '2027-02-01', 27), (5, '2027-03-01', 25), (6, '2027-04-26', 5),
    (7, '2027-05-04', 25), (8, '2027-06-01', 10);
CREATE TEMP TABLE bench_term (t int PRIMARY KEY, first date, span int) ON COMMIT DROP;
INSERT INTO bench_term VALUES (0, '2026-09-28', 74), (1, '2027-01-11', 74), (2, '2027-04-26', 46);

INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance,
                      wellbeing_check, session_id, created_by)
SELECT c.student_number, c.staff_number, c.kind, 'to_student', c.channel,
       (c.day + c.at) AT TIME ZONE 'Europe/London', c.attendance, c.wellbeing, c.session_id, 'bench'
  FROM (
    -- welcome meeting a few days after allocation; every 9th missed
    SELECT x.student_number, x.staff_number, 'meeting' AS kind, 'in_person' AS channel, x.starts_on + 2 + x.i % 3 AS day,
           time '10:00' + (x.i % 6) * interval '1 hour' AS at,
           CASE WHEN x.i % 9 = 0 THEN 'missed' ELSE 'attended' END AS attendance, true AS wellbeing,
           NULL::uuid AS session_id, x.ends_on
      FROM bench_alloc x
    UNION ALL -- one or two meetings a term; some terms none, some missed
    SELECT x.student_number, x.staff_number, 'meeting', CASE WHEN x.i % 5 = 0 THEN 'online' ELSE 'in_person' END,
           tm.first + 7 + (x.i * 7 + tm.t * 13 + n * 29) % (tm.span - 10), time '14:00',
           CASE WHEN (x.i + tm.t + n) % 8 = 0 THEN 'missed' ELSE 'attended' END, n = 0, NULL, x.ends_on
      FROM bench_alloc x CROSS JOIN bench_term tm CROSS JOIN generate_series(0, 1) n
     WHERE x.status = 'studying' AND (x.i + tm.t) % 11 <> 0 AND (n = 0 OR x.i % 3 <> 0)
    UNION ALL -- monthly check-in emails in term, with gaps
    SELECT x.student_number, x.staff_number, 'email', 'online', mo.first + (x.i * 3 + mo.m) % mo.span, time '09:30',
           'attended', mo.m % 4 = 0, NULL, x.ends_on
      FROM bench_alloc x CROSS JOIN bench_month mo
     WHERE x.status = 'studying' AND (x.i * 7 + mo.m) % 13 <> 0
    UNION ALL -- an individual check-in each term, every tenth missing
    SELECT x.student_number, x.staff_number, 'checkin', 'online', tm.first + 20 + x.i % 30, time '12:00',
           'attended', true, NULL, x.ends_on
      FROM bench_alloc x CROSS JOIN bench_term tm WHERE x.i % 10 <> tm.t
    UNION ALL -- teaching events (a tutorial group the tutor teaches)
    SELECT x.student_number, x.staff_number, 'teaching_event', 'in_person',
           CASE WHEN w < 9 THEN DATE '2026-10-05' + 7 * w ELSE DATE '2027-01-18' + 7 * (w - 9) END + x.i % 5,
           time '11:00', CASE WHEN (x.i + w) % 6 = 0 THEN 'missed' ELSE 'attended' END, false, NULL, x.ends_on
      FROM bench_alloc x CROSS JOIN generate_series(0, 15) w WHERE x.status = 'studying'
    UNION ALL -- students away are phoned once a term, a few are forgotten
    SELECT x.student_number, x.staff_number, 'phone', 'online', tm.first + 30 + x.i % 20, time '15:00',
           'attended', true, NULL, x.ends_on
      FROM bench_alloc x CROSS JOIN bench_term tm
     WHERE x.status IN ('year_abroad', 'placement', 'suspended') AND (x.i + tm.t) % 4 <> 0
    UNION ALL -- level 4 group sessions, one row per attending tutee per session
    SELECT x.student_number, x.staff_number, 'group_meeting', 'in_person', DATE '2026-10-07' + 14 * n, time '13:00',
           'attended', false, md5('group-' || n || '-' || x.staff_number)::uuid, x.ends_on
      FROM bench_alloc x CROSS JOIN generate_series(0, 5) n
     WHERE x.level = '4' AND x.status = 'studying' AND (x.i + n) % 7 <> 0
  ) c
 WHERE c.ends_on IS NULL OR c.day <= c.ends_on;

-- messages from students: three a year
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, created_by)
SELECT x.student_number, x.staff_number, 'message', 'from_student', 'online',
       ((mo.first + (x.i + mo.m) % mo.span) + time '17:00') AT TIME ZONE 'Europe/London', 'attended', 'bench:message'
  FROM bench_alloc x CROSS JOIN bench_month mo
 WHERE x.status = 'studying' AND mo.m IN (0, 1, 2, 3, 4, 5, 7) AND (x.i + mo.m) % 2 = 0;

-- replies: most within 1-5 days (some beyond 3 working days), every seventh never
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, occurred_at, attendance, reply_to,
                      created_by)
SELECT m.student_number, m.staff_number, 'email', 'to_student', 'online',
       m.occurred_at + (1 + m.id % 5) * interval '1 day' - interval '7 hours', 'attended', m.id, 'bench'
  FROM contacts m
 WHERE m.created_by = 'bench:message' AND m.id % 7 <> 0;
COMMIT;
