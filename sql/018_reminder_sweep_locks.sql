-- 018 — the day-before reminder sweep and a booking moved at the same moment.
--
-- The sweep (tutord_outbox_remind, sql/017) read the slots and bookings of tomorrow in its snapshot. When a
-- tutor's absence moved a booking to the cover tutor while a sweep ran, the move deleted the queued reminders and
-- committed, and the sweep then wrote the reminder it had planned from its older snapshot: to the tutor away,
-- about a meeting they no longer hold. Now the sweep locks the rows it reminds of (FOR SHARE): a slot or booking
-- being changed is skipped (SKIP LOCKED; the next sweep, a delivery interval later, writes its reminders from the
-- new state), and one changed after the sweep's snapshot is read again at its latest version before the
-- reminder is written (READ COMMITTED re-checks a locked row), so a reminder always names the tutor who holds the
-- meeting.

CREATE OR REPLACE FUNCTION tutord_outbox_remind() RETURNS bigint LANGUAGE sql AS $$
    WITH tz AS (SELECT coalesce((SELECT time_zone FROM calendar_settings LIMIT 1), 'Europe/London') AS zone),
    due AS (
        SELECT c.id, c.student_number, s.staff_number, s.starts_at, coalesce(s.location, s.online_url) AS place,
               tz.zone
          FROM tz, slots s JOIN contacts c ON c.slot_id = s.id
         WHERE c.attendance = 'scheduled' AND s.status = 'open'
           AND s.starts_at >= (date_trunc('day', now() AT TIME ZONE tz.zone) + interval '1 day') AT TIME ZONE tz.zone
           AND s.starts_at < (date_trunc('day', now() AT TIME ZONE tz.zone) + interval '2 days') AT TIME ZONE tz.zone
           FOR SHARE OF s, c SKIP LOCKED),
    people AS (
        SELECT d.*, st.student_number AS person, st.email, t.name AS other, st.student_number AS student
          FROM due d JOIN students st ON st.student_number = d.student_number JOIN staff t ON t.staff_number = d.staff_number
         WHERE st.erased_at IS NULL
        UNION ALL
        SELECT d.*, t.staff_number, t.email, st.name || ' (' || st.student_number || ')', st.student_number
          FROM due d JOIN students st ON st.student_number = d.student_number JOIN staff t ON t.staff_number = d.staff_number
         WHERE st.erased_at IS NULL),
    ins AS (
        INSERT INTO notifications (reminder_for, event_kind, category, person, email, subject, body, link)
        SELECT p.id, 'booking.reminder', 'reminder', p.person, p.email, 'Meeting tomorrow',
               'Your meeting with ' || p.other || ' is tomorrow at '
               || to_char(p.starts_at AT TIME ZONE p.zone, 'HH24:MI') || coalesce(' (' || p.place || ')', '')
               || E'.\n\nDetails: {link}\n',
               '/students/' || p.student || '/contacts/' || p.id
          FROM people p
         WHERE NOT EXISTS (SELECT 1 FROM notification_preferences np
                            WHERE np.person = p.person AND np.category = 'reminder' AND NOT np.enabled)
        ON CONFLICT (reminder_for, person) WHERE reminder_for IS NOT NULL DO NOTHING
        RETURNING 1)
    SELECT count(*) FROM ins
$$;
