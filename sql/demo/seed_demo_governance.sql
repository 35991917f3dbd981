-- seed_demo_governance.sql — governance in the demo university, run by `tutord seed-demo` after seed_demo.sql
-- and after the schools adopted their presets (sql/016). Idempotent and deterministic as seed_demo.sql is.
--
--   * CMS's 2026/27 policy went through approval: proposed by its senior tutor T1001 as a draft with the
--     school's office-hours arrangement, submitted, and approved by the Dean of Personal Tutoring (DEAN1): it
--     binds from 14 September 2026 (the same rules as the Leicester preset, now with office hours that
--     GET /schools/CMS/expectations shows).
--   * LAW's senior tutor T1021 submitted a draft for Spring 2027 (five meetings a year instead of four): it
--     awaits the Dean and binds nothing until approved.
--   * Two years of data for CMS so the annual report shows a trend: the 2025/26 academic year, its terms, a
--     cohort of 60 students who registered in September 2025 and completed on 30 June 2026 (allocated,
--     some late; some asked to change tutor), the survey figures for 2025/26, and the school's approved
--     analysis of 2025/26.

-- ---- the previous academic year -------------------------------------------------------------------------------
INSERT INTO academic_years (label, starts_on, ends_on) VALUES ('2025/26', '2025-09-15', '2026-09-13')
ON CONFLICT (label) DO NOTHING;
INSERT INTO terms (year_label, name, starts_on, ends_on, teaching, semester) VALUES
    ('2025/26', 'Welcome Week', '2025-09-22', '2025-09-26', false, NULL),
    ('2025/26', 'Autumn', '2025-09-29', '2025-12-12', true, 1),
    ('2025/26', 'Spring', '2026-01-12', '2026-03-27', true, 2),
    ('2025/26', 'Summer', '2026-04-27', '2026-06-12', true, 2)
ON CONFLICT (year_label, name) DO NOTHING;

-- ---- the 2025/26 CMS cohort: S2500001..S2500060 ----------------------------------------------------------------
INSERT INTO students (student_number, name, email, school, programme, level, cohort, status, registered_on,
                      course_start, date_of_birth)
SELECT 'S25' || lpad(i::text, 5, '0'), 'Graduate ' || i, 'graduate.' || i || '@alumni.uni.example', 'CMS',
       'MSc Data Science', '7', 'PGT', 'studying', DATE '2025-09-22' + i % 4, DATE '2025-09-29',
       DATE '2001-03-01' + i * 37
  FROM generate_series(1, 60) AS i
ON CONFLICT (student_number) DO NOTHING;
-- They completed on 30 June 2026 (their history: studying from registration, completed from then).
UPDATE students SET status = 'completed', status_from = DATE '2026-06-30', version = version + 1, updated_at = now()
 WHERE student_number ~ '^S25[0-9]{5}$' AND status = 'studying';

-- Personal tutors round-robin over CMS's tutors T1002..T1011; every 6th allocated late (12 days after registering).
INSERT INTO allocations (student_number, staff_number, kind, starts_on, ends_on, reason, created_by)
SELECT s.student_number, 'T' || (1002 + i % 10), 'personal',
       s.registered_on + CASE WHEN i % 6 = 0 THEN 12 ELSE 2 END, DATE '2026-06-30',
       CASE WHEN i % 6 = 0 THEN 'late allocation' ELSE 'initial allocation' END, 'T1001'
  FROM (SELECT s.*, substr(s.student_number, 4)::int AS i FROM students s WHERE s.student_number ~ '^S25[0-9]{5}$') s
 WHERE NOT EXISTS (SELECT 1 FROM allocations a WHERE a.student_number = s.student_number AND a.kind = 'personal');

-- Three asked to change tutor in 2025/26; all were declined after a conversation.
INSERT INTO change_requests (student_number, reason, status, requested_at, decided_by, decided_at, comment)
SELECT s.student_number, '', 'declined', TIMESTAMPTZ '2025-11-10 12:00 Europe/London', 'T1001',
       TIMESTAMPTZ '2025-11-17 10:00 Europe/London', 'Discussed with the student; staying with the current tutor'
  FROM students s
 WHERE s.student_number IN ('S2500007', 'S2500021', 'S2500044')
   AND NOT EXISTS (SELECT 1 FROM change_requests c WHERE c.student_number = s.student_number);

INSERT INTO survey_results (school, year, contact_pct, positive_pct, actions, recorded_by)
VALUES ('CMS', '2025/26', 74.00, 70.50,
        'Tutors asked to confirm each meeting in writing; a Welcome Week session on personal tutoring added.', 'T1001')
ON CONFLICT (school, year) DO NOTHING;

-- ---- CMS's approved policy -------------------------------------------------------------------------------------
INSERT INTO policy_drafts (school, effective_from, name, preset, policy, office_hours, status, proposed_by, proposed_at)
SELECT 'CMS', DATE '2026-09-14', 'CMS personal tutoring 2026/27', 'leicester',
       v.policy || jsonb_build_object('name', 'CMS personal tutoring 2026/27', 'effective_from', '2026-09-14'),
       'Every personal tutor keeps two office hours a week in term time (posted on their door and in the portal); '
       || 'the senior tutor holds a drop-in on Wednesdays 12:00-13:00.',
       'submitted', 'T1001', TIMESTAMPTZ '2026-07-01 10:00 Europe/London'
  FROM school_policy_versions v
 WHERE v.school = 'CMS' AND v.draft_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM policy_drafts d WHERE d.school = 'CMS');
INSERT INTO school_policies (school, effective_from, name, preset, policy, set_by, set_at, approved_by, approved_at,
                             office_hours, draft_id)
SELECT d.school, d.effective_from, d.name, d.preset, d.policy, d.proposed_by, TIMESTAMPTZ '2026-07-10 15:00 Europe/London',
       'DEAN1', TIMESTAMPTZ '2026-07-10 15:00 Europe/London', d.office_hours, d.id
  FROM policy_drafts d
 WHERE d.school = 'CMS' AND d.status = 'submitted'
   AND NOT EXISTS (SELECT 1 FROM school_policies p WHERE p.draft_id = d.id);
UPDATE policy_drafts d SET status = 'approved', policy_id = p.id, decided_by = 'DEAN1', decided_at = p.approved_at,
                           decision_comment = 'Approved: matches the Code of Practice; office hours now published.',
                           version = d.version + 2, updated_at = p.approved_at
  FROM school_policies p
 WHERE p.draft_id = d.id AND d.school = 'CMS' AND d.status = 'submitted';
INSERT INTO governance_transitions (entity, entity_id, from_status, to_status, actor, at, comment)
SELECT 'policy_draft', d.id, t.from_status, t.to_status, t.actor, t.at, t.comment
  FROM policy_drafts d,
       (VALUES (NULL, 'draft', 'T1001', TIMESTAMPTZ '2026-07-01 10:00 Europe/London', NULL),
               ('draft', 'submitted', 'T1001', TIMESTAMPTZ '2026-07-02 09:00 Europe/London', NULL),
               ('submitted', 'approved', 'DEAN1', TIMESTAMPTZ '2026-07-10 15:00 Europe/London',
                'Approved: matches the Code of Practice; office hours now published.'))
           AS t (from_status, to_status, actor, at, comment)
 WHERE d.school = 'CMS' AND d.status = 'approved'
   AND NOT EXISTS (SELECT 1 FROM governance_transitions g WHERE g.entity = 'policy_draft' AND g.entity_id = d.id);

-- ---- LAW's submitted draft -------------------------------------------------------------------------------------
INSERT INTO policy_drafts (school, effective_from, name, preset, policy, status, proposed_by, proposed_at)
SELECT 'LAW', DATE '2027-01-11', 'LAW personal tutoring from Spring 2027', NULL,
       jsonb_set(v.policy, '{rules,3,min}', '5')
           || jsonb_build_object('name', 'LAW personal tutoring from Spring 2027', 'effective_from', '2027-01-11'),
       'submitted', 'T1021', TIMESTAMPTZ '2026-11-20 11:00 Europe/London'
  FROM school_policy_versions v
 WHERE v.school = 'LAW' AND v.policy #>> '{rules,3,id}' = 'meetings'
   AND NOT EXISTS (SELECT 1 FROM policy_drafts d WHERE d.school = 'LAW');
INSERT INTO governance_transitions (entity, entity_id, from_status, to_status, actor, at)
SELECT 'policy_draft', d.id, t.from_status, t.to_status, 'T1021', t.at
  FROM policy_drafts d,
       (VALUES (NULL, 'draft', TIMESTAMPTZ '2026-11-20 11:00 Europe/London'),
               ('draft', 'submitted', TIMESTAMPTZ '2026-11-23 09:30 Europe/London')) AS t (from_status, to_status, at)
 WHERE d.school = 'LAW'
   AND NOT EXISTS (SELECT 1 FROM governance_transitions g WHERE g.entity = 'policy_draft' AND g.entity_id = d.id);

-- ---- CMS's approved analysis of 2025/26 ----------------------------------------------------------------------------
INSERT INTO annual_report_analyses (school, year, analysis, status, written_by, written_at, decided_by, decided_at,
                                    decision_comment, version)
VALUES ('CMS', '2025/26',
        'Successes: every tutee was allocated a personal tutor, most within the first week, and survey approval of '
        || 'contact rose. Challenges: one allocation in six was late in the PGT intake, and three tutees asked to '
        || 'change tutor. Trends: allocation is now done before Welcome Week; we expect fewer late allocations in '
        || '2026/27.',
        'approved', 'T1001', TIMESTAMPTZ '2026-05-05 10:00 Europe/London', 'DEAN1',
        TIMESTAMPTZ '2026-05-20 14:00 Europe/London', 'Approved for the College Education Committee.', 3)
ON CONFLICT (school, year) DO NOTHING;
INSERT INTO governance_transitions (entity, entity_id, from_status, to_status, actor, at, comment)
SELECT 'annual_report', a.id, t.from_status, t.to_status, t.actor, t.at, t.comment
  FROM annual_report_analyses a,
       (VALUES (NULL, 'draft', 'T1001', TIMESTAMPTZ '2026-05-05 10:00 Europe/London', NULL),
               ('draft', 'submitted', 'T1001', TIMESTAMPTZ '2026-05-06 10:00 Europe/London', NULL),
               ('submitted', 'approved', 'DEAN1', TIMESTAMPTZ '2026-05-20 14:00 Europe/London',
                'Approved for the College Education Committee.')) AS t (from_status, to_status, actor, at, comment)
 WHERE a.school = 'CMS' AND a.year = '2025/26'
   AND NOT EXISTS (SELECT 1 FROM governance_transitions g WHERE g.entity = 'annual_report' AND g.entity_id = a.id);
