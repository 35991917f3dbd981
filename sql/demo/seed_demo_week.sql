-- seed_demo_week.sql — the demo university's working week, loaded by `tutord seed-demo` after seed_demo.sql
-- (run in one transaction). Idempotent: office hours use ON CONFLICT DO NOTHING, slots, bookings and messages
-- are guarded by NOT EXISTS (or the one-booking-per-student key). Deterministic: arithmetic on numbers.
--
--   * office hours for every active tutor (one hour a week, in their room);
--   * CMS tutors T1002..T1011 publish a weekly one-to-one slot, Tuesdays 14:00-14:30, and T1002..T1004 a
--     weekly group session, Thursdays 11:00-12:00 with 6 places, through the Spring term 2027; closure days
--     (Good Friday, Easter Monday) are skipped; bookings close two hours before;
--   * the first two tutees of each of those tutors book the first two one-to-one slots, and the first four
--     tutees of T1002 the first group session (bookings are scheduled meeting contacts);
--   * three message threads with a subject and a body (a student asks, the tutor answers).

-- ---- office hours ----------------------------------------------------------------------------------------
INSERT INTO office_hours (staff_number, day, starts, ends, location)
SELECT t.staff_number,
       (ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday'])[1 + substr(t.staff_number, 2)::int % 5],
       time '09:00' + (substr(t.staff_number, 2)::int % 4) * interval '1 hour',
       time '10:00' + (substr(t.staff_number, 2)::int % 4) * interval '1 hour',
       'Room ' || (1 + substr(t.staff_number, 2)::int % 4) || '.' || lpad((substr(t.staff_number, 2)::int % 40)::text, 2, '0')
  FROM staff t
 WHERE t.active AND t.staff_number ~ '^T1[0-9]{3}$'
ON CONFLICT DO NOTHING;

-- ---- slots through the Spring term 2027 (local times in the calendar's zone) ----------------------------
CREATE TEMP TABLE demo_slot_plan (staff text, first_day date, starts time, minutes int, capacity int, room text)
    ON COMMIT DROP;
INSERT INTO demo_slot_plan
SELECT 'T' || n, DATE '2027-01-12', time '14:00', 30, 1, 'Room 2.' || lpad(n::text, 4, '0') FROM generate_series(1002, 1011) n
UNION ALL
SELECT 'T' || n, DATE '2027-01-14', time '11:00', 60, 6, 'Seminar room ' || (n - 1001) FROM generate_series(1002, 1004) n;

INSERT INTO slots (staff_number, starts_at, ends_at, capacity, location, booking_deadline, series_id, created_by)
SELECT p.staff,
       (d + p.starts) AT TIME ZONE c.time_zone,
       (d + p.starts + p.minutes * interval '1 minute') AT TIME ZONE c.time_zone,
       p.capacity, p.room,
       (d + p.starts - interval '2 hours') AT TIME ZONE c.time_zone,
       md5('demo-series-' || p.staff || '-' || p.capacity)::uuid, p.staff
  FROM demo_slot_plan p
 CROSS JOIN calendar_settings c
 CROSS JOIN LATERAL generate_series(p.first_day, DATE '2027-03-26', interval '7 days') AS d
 WHERE NOT EXISTS (SELECT 1 FROM closures x WHERE x.day = d::date)
   AND NOT EXISTS (SELECT 1 FROM slots s WHERE s.staff_number = p.staff
                      AND s.starts_at = (d + p.starts) AT TIME ZONE c.time_zone);

-- ---- bookings: scheduled meeting contacts naming their slot ----------------------------------------------
WITH tutee AS (
    SELECT a.staff_number, a.student_number,
           row_number() OVER (PARTITION BY a.staff_number ORDER BY a.student_number) AS k
      FROM allocations a JOIN students st ON st.student_number = a.student_number
     WHERE a.kind = 'personal' AND a.ends_on IS NULL AND st.status = 'studying'
       AND a.staff_number IN (SELECT staff FROM demo_slot_plan)
), slot AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.staff_number, s.capacity ORDER BY s.starts_at) AS k
      FROM slots s WHERE s.staff_number IN (SELECT staff FROM demo_slot_plan) AND s.status = 'open'
)
INSERT INTO contacts (student_number, staff_number, kind, direction, channel, scheduled_at, attendance, session_id,
                      slot_id, created_by)
SELECT t.student_number, s.staff_number, CASE WHEN s.capacity = 1 THEN 'meeting' ELSE 'group_meeting' END,
       'to_student', 'in_person', s.starts_at, 'scheduled', CASE WHEN s.capacity > 1 THEN s.session_id END, s.id,
       t.student_number
  FROM slot s JOIN tutee t ON t.staff_number = s.staff_number
 WHERE (s.capacity = 1 AND s.k <= 2 AND t.k = s.k)
    OR (s.capacity > 1 AND s.k = 1 AND s.staff_number = 'T1002' AND t.k <= 4)
ON CONFLICT ON CONSTRAINT contacts_slot_id_key DO NOTHING;

-- ---- message threads with content ------------------------------------------------------------------------
WITH asker AS (
    SELECT a.student_number, a.staff_number,
           row_number() OVER (ORDER BY a.student_number) AS k
      FROM allocations a JOIN students st ON st.student_number = a.student_number
     WHERE a.staff_number = 'T1003' AND a.kind = 'personal' AND a.ends_on IS NULL AND st.status = 'studying'
), asked AS (
    INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance, subject, body,
                          created_by)
    SELECT x.student_number, x.staff_number, 'message', 'from_student',
           timestamptz '2026-11-10 10:00:00+00' + x.k * interval '1 day', 'attended',
           (ARRAY['Extension for my coursework', 'Choosing my options', 'Feeling overwhelmed'])[x.k],
           (ARRAY['Hello, I have been ill this week. Could we talk about an extension for the CO2103 coursework?',
                  'Hi, I am not sure which optional modules to take next year. Could we meet before the deadline?',
                  E'Hello,\nI am finding it hard to keep up at the moment. Could we have a chat?'])[x.k],
           x.student_number
      FROM asker x
     WHERE x.k <= 3
       AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.student_number = x.student_number AND c.subject IS NOT NULL)
    RETURNING id, student_number, staff_number, occurred_at, subject
)
INSERT INTO contacts (student_number, staff_number, kind, direction, occurred_at, attendance, reply_to, subject, body,
                      created_by)
SELECT q.student_number, q.staff_number, 'email', 'to_student', q.occurred_at + interval '1 day 2 hours',
       'attended', q.id, 'Re: ' || q.subject,
       'Thank you for writing. Book one of my Tuesday slots, or come to my office hours this week.',
       q.staff_number
  FROM asked q;
