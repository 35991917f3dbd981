-- 017: every booking change is told, and nobody is reminded of a meeting that will not happen.
--   * Bookings cancelled or moved in bulk (a tutor cancelling a slot, an absence moving slots to the cover
--     tutor or cancelling them) write a booking event per affected booking in the same transaction, so the
--     outbox (sql/015) tells the student and the tutor(s), with the iTIP invitation or cancellation.
--   * A move is ONE event, booking.moved, not the pair cancelled/confirmed: both invitations would share the
--     meeting's UID, and a CANCEL followed by a REQUEST of a lower SEQUENCE leaves the student's calendar
--     without the meeting that still happens. booking.moved tells the student (an updated REQUEST), the
--     cover tutor (a REQUEST) and the previous tutor (a CANCEL: the meeting leaves their calendar).
--   * A queued reminder is withdrawn when its meeting is cancelled or moves to another tutor; an erased
--     student's meeting is reminded to nobody.

-- Appends the booking event p_kind for each of p_bookings (contact ids, in id order): id, student, tutor,
-- slot, times and place, and p_previous (may be NULL) as previous_tutor. The actor is the transaction's
-- (setting tutord.actor), else p_actor. Returns how many events it wrote.
CREATE FUNCTION tutord_booking_events(p_kind text, p_bookings bigint[], p_actor text, p_previous text)
RETURNS bigint LANGUAGE sql AS $$
    WITH ins AS (
        INSERT INTO events (kind, subject, actor, payload)
        SELECT p_kind, c.student_number, coalesce(nullif(current_setting('tutord.actor', true), ''), p_actor),
               jsonb_build_object('id', c.id, 'student', c.student_number, 'tutor', s.staff_number, 'slot', s.id,
                                  'starts_at', s.starts_at, 'ends_at', s.ends_at,
                                  'location', coalesce(s.location, s.online_url))
               || CASE WHEN p_previous IS NULL THEN '{}'::jsonb
                       ELSE jsonb_build_object('previous_tutor', p_previous) END
          FROM contacts c JOIN slots s ON s.id = c.slot_id
         WHERE c.id = ANY (p_bookings)
         ORDER BY c.id
        RETURNING 1)
    SELECT count(*) FROM ins
$$;

ALTER TABLE notification_rules DROP CONSTRAINT notification_rules_audience_check;
ALTER TABLE notification_rules ADD CONSTRAINT notification_rules_audience_check
    CHECK (audience IN ('student', 'tutor', 'raiser', 'invitees', 'previous_tutor'));

INSERT INTO notification_rules (event_kind, alloc_kind, audience, category, subject, body, link, calendar) VALUES
 ('booking.moved', NULL, 'student', 'booking', 'Meeting moved to another tutor',
  E'Your tutor is away: your meeting at the same time and place is now with {tutor_name}; the updated invitation' ||
  E' is attached.\n\nDetails: {link}\n', '/students/{student}/contacts/{id}', 'request'),
 ('booking.moved', NULL, 'tutor', 'booking', 'You cover a tutee''s meeting',
  E'You cover the meeting of {student_name} ({student}) while their tutor is away; the invitation is' ||
  E' attached.\n\nDetails: {link}\n', '/students/{student}/contacts/{id}', 'request'),
 ('booking.moved', NULL, 'previous_tutor', 'booking', 'A tutee''s meeting moved to your cover tutor',
  E'While you are away, the meeting of {student_name} ({student}) is held by {tutor_name}; it is removed from' ||
  E' your calendar.\n\nDetails: {link}\n', '/students/{student}/contacts/{id}', 'cancel');

-- The people an event's rule names (sql/015), and the previous tutor of a moved booking.
CREATE OR REPLACE FUNCTION tutord_notification_recipients(e events, audience text)
RETURNS TABLE (person text, name text, email text) LANGUAGE sql STABLE AS $$
    SELECT s.student_number, s.name, s.email FROM students s
     WHERE audience = 'student' AND s.student_number = e.payload ->> 'student'
    UNION ALL
    SELECT t.staff_number, t.name, t.email FROM staff t
     WHERE audience = 'tutor' AND t.staff_number = e.payload ->> 'tutor'
    UNION ALL
    SELECT t.staff_number, t.name, t.email FROM staff t
     WHERE audience = 'previous_tutor' AND t.staff_number = e.payload ->> 'previous_tutor'
    UNION ALL
    SELECT p.person, p.name, p.email FROM concerns c
      JOIN LATERAL (SELECT s.student_number AS person, s.name, s.email FROM students s
                     WHERE s.student_number = c.raised_by AND c.raised_by_role = 'student'
                    UNION ALL
                    SELECT t.staff_number, t.name, t.email FROM staff t
                     WHERE t.staff_number = c.raised_by AND c.raised_by_role <> 'student') p ON true
     WHERE audience = 'raiser' AND e.kind LIKE 'concern.%' AND c.id::text = e.subject
    UNION ALL
    SELECT s.student_number, s.name, s.email FROM feedback_invitees x JOIN students s ON s.student_number = x.person
     WHERE audience = 'invitees' AND x.role = 'tutee' AND x.invitation_id::text = e.payload ->> 'id'
    UNION ALL
    SELECT t.staff_number, t.name, t.email FROM feedback_invitees x JOIN staff t ON t.staff_number = x.person
     WHERE audience = 'invitees' AND x.role = 'tutor' AND x.invitation_id::text = e.payload ->> 'id'
$$;

-- A tutor's absence and their future slots in it (sql/014), now told: moved bookings write booking.moved
-- (the previous tutor named), cancelled ones booking.cancelled, in the absence's transaction.
CREATE OR REPLACE FUNCTION tutord_absence_slots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tz  text := (SELECT time_zone FROM calendar_settings);
    ids bigint[];
    bookings bigint[];
BEGIN
    IF NEW.cover_staff_number IS NOT NULL THEN
        WITH moved AS (
            UPDATE slots s SET staff_number = NEW.cover_staff_number, moved_from = s.staff_number,
                   version = s.version + 1, updated_at = now()
             WHERE s.staff_number = NEW.staff_number AND s.status = 'open' AND s.starts_at > now()
               AND (s.starts_at AT TIME ZONE tz)::date BETWEEN NEW.starts_on AND NEW.ends_on
            RETURNING s.id)
        SELECT array_agg(id) INTO ids FROM moved;
        WITH b AS (
            UPDATE contacts c SET staff_number = NEW.cover_staff_number, version = c.version + 1, updated_at = now()
             WHERE c.slot_id = ANY (ids) AND c.attendance = 'scheduled' RETURNING c.id)
        SELECT array_agg(id) INTO bookings FROM b;
        PERFORM tutord_booking_events('booking.moved', bookings, NEW.created_by, NEW.staff_number);
    ELSE
        WITH gone AS (
            UPDATE slots s SET status = 'cancelled', version = s.version + 1, updated_at = now()
             WHERE s.staff_number = NEW.staff_number AND s.status = 'open' AND s.starts_at > now()
               AND (s.starts_at AT TIME ZONE tz)::date BETWEEN NEW.starts_on AND NEW.ends_on
            RETURNING s.id)
        SELECT array_agg(id) INTO ids FROM gone;
        WITH b AS (
            UPDATE contacts c SET attendance = 'cancelled', version = c.version + 1, updated_at = now()
             WHERE c.slot_id = ANY (ids) AND c.attendance = 'scheduled' RETURNING c.id)
        SELECT array_agg(id) INTO bookings FROM b;
        PERFORM tutord_booking_events('booking.cancelled', bookings, NEW.created_by, NULL);
    END IF;
    RETURN NULL;
END $$;

-- Withdraws the queued reminders of a booking that will not happen as reminded. Cancelled: they are kept,
-- failed, with the reason (like an erased student's). Moved to another tutor: they are deleted, never sent
-- and never to be, so the next sweep writes the student's again (naming the cover tutor) and the cover
-- tutor's; the tutor away gets none.
CREATE FUNCTION tutord_outbox_withdraw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.attendance = 'cancelled' THEN
        UPDATE notifications n SET status = 'failed', last_error = 'the meeting was cancelled'
         WHERE n.reminder_for = NEW.id AND n.status = 'queued';
    ELSE
        DELETE FROM notifications n WHERE n.reminder_for = NEW.id AND n.status = 'queued';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_outbox_withdraw AFTER UPDATE OF attendance, staff_number ON contacts
    FOR EACH ROW WHEN (NEW.slot_id IS NOT NULL AND ((NEW.attendance = 'cancelled' AND OLD.attendance <> 'cancelled')
                                                  OR NEW.staff_number IS DISTINCT FROM OLD.staff_number))
    EXECUTE FUNCTION tutord_outbox_withdraw();

-- The day-before reminders (sql/015), never to or about an erased student.
CREATE OR REPLACE FUNCTION tutord_outbox_remind() RETURNS bigint LANGUAGE sql AS $$
    WITH tz AS (SELECT coalesce((SELECT time_zone FROM calendar_settings LIMIT 1), 'Europe/London') AS zone),
    due AS (
        SELECT c.id, c.student_number, s.staff_number, s.starts_at, coalesce(s.location, s.online_url) AS place,
               tz.zone
          FROM tz, slots s JOIN contacts c ON c.slot_id = s.id
         WHERE c.attendance = 'scheduled' AND s.status = 'open'
           AND s.starts_at >= (date_trunc('day', now() AT TIME ZONE tz.zone) + interval '1 day') AT TIME ZONE tz.zone
           AND s.starts_at < (date_trunc('day', now() AT TIME ZONE tz.zone) + interval '2 days') AT TIME ZONE tz.zone),
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
