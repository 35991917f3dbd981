-- 015: the notification outbox and webhook subscriptions.
--
-- Who must be told of a change is derived in ONE place, from the change feed: a deferred constraint trigger
-- on events runs just before each event-writing transaction commits and, for every event, writes one
-- notifications row per recipient named by notification_rules. The rows are part of the same transaction
-- as the change (no notification without the change, no change without its notifications), every writer
-- of events is covered, the C writers (audit.c) and the SQL ones (bulk allocation, imports) alike, and a
-- new event kind (booking.confirmed, ...) is told by adding rows to notification_rules. Deferred, the
-- trigger sees everything its transaction wrote, e.g. the invitees inserted after a feedback.invited event.
--
-- What a notification says is plain and minimal: the subject and body name the record's kind and people,
-- never a note, a concern's detail or outcome, or a change request's reason; the body ends with a link,
-- a path the deliverer joins to TUTORD_PORTAL_URL ({link} in the body).
--
-- Webhooks need no rows per event: each subscription has a cursor in the change feed's commit order
-- (event_commits, sql/008) and the deliverer sends the next matching event after it.

-- Who is told of what. audience: student (the payload's student), tutor (the payload's tutor), raiser (who
-- raised the concern), invitees (each invitee of the feedback invitation). A reallocation writes two
-- events (the old allocation ended, the new one created), so the previous tutor hears of it through
-- allocation.ended and the new tutor through allocation.created.
-- alloc_kind: when set, the rule applies only to allocations of that kind (payload kind).
-- category: what a person may opt out of; only optional categories can be refused (reminders).
CREATE TABLE notification_rules (
    event_kind text NOT NULL,
    alloc_kind text CHECK (alloc_kind IN ('personal', 'cover', 'secondary')),
    audience   text NOT NULL CHECK (audience IN ('student', 'tutor', 'raiser', 'invitees')),
    category   text NOT NULL CHECK (category IN ('allocation', 'decision', 'concern', 'feedback', 'booking',
                                                 'reminder')),
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body       text NOT NULL CHECK (body LIKE '%{link}%'),
    link       text NOT NULL CHECK (link LIKE '/%'),
    calendar   text CHECK (calendar IN ('request', 'cancel')),  -- attach the meeting as an iTIP invitation
    UNIQUE NULLS NOT DISTINCT (event_kind, alloc_kind, audience)
);

-- Placeholders: {student} {student_name} {tutor} {tutor_name} {id} (the record's id) {link}.
INSERT INTO notification_rules (event_kind, alloc_kind, audience, category, subject, body, link) VALUES
 ('allocation.created', 'personal', 'student', 'allocation', 'Your personal tutor',
  E'Your personal tutor is now {tutor_name}.\n\nDetails: {link}\n', '/students/{student}'),
 ('allocation.created', 'personal', 'tutor', 'allocation', 'A new personal tutee',
  E'{student_name} ({student}) is now your personal tutee.\n\nDetails: {link}\n', '/students/{student}'),
 ('allocation.created', 'secondary', 'student', 'allocation', 'Your secondary tutor',
  E'{tutor_name} is now your secondary tutor.\n\nDetails: {link}\n', '/students/{student}'),
 ('allocation.created', 'secondary', 'tutor', 'allocation', 'A new secondary tutee',
  E'{student_name} ({student}) is now your secondary tutee.\n\nDetails: {link}\n', '/students/{student}'),
 ('allocation.created', 'cover', 'student', 'allocation', 'Cover for your personal tutor',
  E'While your personal tutor is away, {tutor_name} covers for them.\n\nDetails: {link}\n',
  '/students/{student}'),
 ('allocation.created', 'cover', 'tutor', 'allocation', 'You are covering a tutee',
  E'You cover for the personal tutor of {student_name} ({student}).\n\nDetails: {link}\n',
  '/students/{student}'),
 ('allocation.ended', NULL, 'student', 'allocation', 'A tutoring allocation ended',
  E'Your allocation to {tutor_name} has ended.\n\nDetails: {link}\n', '/students/{student}'),
 ('allocation.ended', NULL, 'tutor', 'allocation', 'A tutoring allocation ended',
  E'Your allocation to {student_name} ({student}) has ended.\n\nDetails: {link}\n', '/tutors/{tutor}'),
 ('change_request.decided', NULL, 'student', 'decision', 'Your request for a change of tutor',
  E'Your request for a change of personal tutor has been decided.\n\nSee the decision: {link}\n',
  '/students/{student}/change-requests/{id}'),
 ('concern.closed', NULL, 'raiser', 'concern', 'A concern you raised was closed',
  E'Concern {id}, which you raised, has been closed.\n\nDetails: {link}\n', '/concerns/{id}'),
 ('feedback.invited', NULL, 'invitees', 'feedback', 'Your feedback on personal tutoring',
  E'You are invited to give feedback on personal tutoring in your school.\n\nGive feedback: {link}\n',
  '/feedback/{id}');

-- A booked meeting: the invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) is attached.
INSERT INTO notification_rules (event_kind, alloc_kind, audience, category, subject, body, link, calendar) VALUES
 ('booking.confirmed', NULL, 'student', 'booking', 'Meeting booked',
  E'Your meeting with {tutor_name} is booked; the invitation is attached.\n\nDetails: {link}\n',
  '/students/{student}/contacts/{id}', 'request'),
 ('booking.confirmed', NULL, 'tutor', 'booking', 'A tutee booked a meeting',
  E'{student_name} ({student}) booked a meeting with you; the invitation is attached.\n\nDetails: {link}\n',
  '/students/{student}/contacts/{id}', 'request'),
 ('booking.cancelled', NULL, 'student', 'booking', 'Meeting cancelled',
  E'Your meeting with {tutor_name} is cancelled.\n\nDetails: {link}\n', '/students/{student}/contacts/{id}',
  'cancel'),
 ('booking.cancelled', NULL, 'tutor', 'booking', 'A tutee''s meeting is cancelled',
  E'The meeting of {student_name} ({student}) with you is cancelled.\n\nDetails: {link}\n',
  '/students/{student}/contacts/{id}', 'cancel');

CREATE TABLE notification_preferences (
    person   text NOT NULL,
    category text NOT NULL CHECK (category = 'reminder'),   -- never allocation notices
    enabled  boolean NOT NULL,
    PRIMARY KEY (person, category)
);

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint REFERENCES events (id),      -- the change told of; NULL for a reminder
    reminder_for    bigint REFERENCES contacts (id),    -- the booked meeting a reminder is about
    event_kind      text NOT NULL,
    category        text NOT NULL,
    person          text NOT NULL,
    email           text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,          -- {link} is replaced by TUTORD_PORTAL_URL + link when sent
    link            text NOT NULL,
    calendar        text CHECK (calendar IN ('request', 'cancel')),
    message_id      uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,  -- stable across retries
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX notifications_status_idx ON notifications (status, id);
CREATE INDEX notifications_event_idx ON notifications (event_id);
-- one reminder per meeting and person, however many processes sweep
CREATE UNIQUE INDEX notifications_reminder_key ON notifications (reminder_for, person) WHERE reminder_for IS NOT NULL;
ALTER TABLE notifications ADD CONSTRAINT notifications_source_check
    CHECK ((event_id IS NULL) <> (reminder_for IS NULL));

-- Reminders the day before a booked meeting, to the student and the tutor (SPEC: a reminder the day
-- before a meeting), unless they refused reminders. "The day before" is the calendar's local day
-- (calendar_settings.time_zone): a meeting any time tomorrow, local time, is reminded of today; one
-- today or the day after tomorrow is not. Run by every deliverer on each pass; the unique index makes
-- it idempotent. Returns how many reminders it wrote.
CREATE FUNCTION tutord_outbox_remind() RETURNS bigint LANGUAGE sql AS $$
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
        UNION ALL
        SELECT d.*, t.staff_number, t.email, st.name || ' (' || st.student_number || ')', st.student_number
          FROM due d JOIN students st ON st.student_number = d.student_number JOIN staff t ON t.staff_number = d.staff_number),
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

-- The people an event's rule names: (person, name, email). Unknown people are skipped.
CREATE FUNCTION tutord_notification_recipients(e events, audience text)
RETURNS TABLE (person text, name text, email text) LANGUAGE sql STABLE AS $$
    SELECT s.student_number, s.name, s.email FROM students s
     WHERE audience = 'student' AND s.student_number = e.payload ->> 'student'
    UNION ALL
    SELECT t.staff_number, t.name, t.email FROM staff t
     WHERE audience = 'tutor' AND t.staff_number = e.payload ->> 'tutor'
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

-- Replaces the placeholders of a rule's text (everything but {link}) with the event's ids and names.
CREATE FUNCTION tutord_notification_fill(tpl text, student text, student_name text, tutor text, tutor_name text,
                                         id text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(replace(replace(tpl,
           '{student_name}', coalesce(student_name, '')), '{tutor_name}', coalesce(tutor_name, '')),
           '{student}', coalesce(student, '')), '{tutor}', coalesce(tutor, '')), '{id}', coalesce(id, ''))
$$;

-- Writes the notifications of one event (see the header); recipients who opted out of an optional
-- category are left out. The names are looked up once per event, not once per placeholder.
CREATE FUNCTION tutord_outbox_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e events := NEW;
    v_student text := NEW.payload ->> 'student';
    v_tutor text := NEW.payload ->> 'tutor';
    v_id text := coalesce(NEW.payload ->> 'id', NEW.subject);
    v_student_name text;
    v_tutor_name text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM notification_rules r WHERE r.event_kind = e.kind) THEN
        RETURN NULL;
    END IF;
    SELECT s.name INTO v_student_name FROM students s WHERE s.student_number = v_student;
    SELECT t.name INTO v_tutor_name FROM staff t WHERE t.staff_number = v_tutor;
    INSERT INTO notifications (event_id, event_kind, category, person, email, subject, body, link, calendar)
    SELECT e.id, e.kind, r.category, p.person, p.email,
           tutord_notification_fill(r.subject, v_student, v_student_name, v_tutor, v_tutor_name, v_id),
           tutord_notification_fill(r.body, v_student, v_student_name, v_tutor, v_tutor_name, v_id),
           tutord_notification_fill(r.link, v_student, v_student_name, v_tutor, v_tutor_name, v_id), r.calendar
      FROM notification_rules r
      CROSS JOIN LATERAL tutord_notification_recipients(e, r.audience) p
     WHERE r.event_kind = e.kind AND (r.alloc_kind IS NULL OR r.alloc_kind = e.payload ->> 'kind')
       AND NOT EXISTS (SELECT 1 FROM notification_preferences np
                        WHERE np.person = p.person AND np.category = r.category AND NOT np.enabled);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER events_outbox AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tutord_outbox_derive();

-- When a student is erased (students.erased_at set, sql/016), the outbox forgets them too: the notifications
-- to them or about them keep their kind, recipient number and times (who was told what kind of thing, when)
-- but lose the address, subject and body; any still queued is never sent. plpgsql resolves the column at run
-- time, so this trigger does nothing until erasure exists.
CREATE FUNCTION tutord_outbox_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW) ->> 'erased_at' IS NULL OR to_jsonb(OLD) ->> 'erased_at' IS NOT NULL THEN
        RETURN NULL;
    END IF;
    UPDATE notifications n
       SET email = 'erased@invalid', subject = 'erased', body = 'erased', link = '/',
           status = CASE WHEN n.status = 'queued' THEN 'failed' ELSE n.status END,
           last_error = CASE WHEN n.status = 'queued' THEN 'the student was erased' ELSE n.last_error END
     WHERE n.person = NEW.student_number
        OR n.event_id IN (SELECT e.id FROM events e
                           WHERE e.subject = NEW.student_number OR e.payload ->> 'student' = NEW.student_number)
        OR n.reminder_for IN (SELECT c.id FROM contacts c WHERE c.student_number = NEW.student_number);
    RETURN NULL;
END
$$;

CREATE TRIGGER students_outbox_forget AFTER UPDATE ON students
    FOR EACH ROW EXECUTE FUNCTION tutord_outbox_forget();
CREATE INDEX notifications_person_idx ON notifications (person);

-- Webhook subscriptions: a cursor (seq, event id) in the feed's commit order, the failure streak that
-- disables a subscription, and the next time it may be tried.
CREATE TABLE webhook_subscriptions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url             text NOT NULL CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2000),
    events          text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 50),
    secret          text NOT NULL,                  -- whsec_ + base64 of the key
    enabled         boolean NOT NULL DEFAULT true,
    cursor_seq      bigint NOT NULL,
    cursor_id       bigint NOT NULL,
    failure_streak  integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        bigint REFERENCES events (id),      -- the change told of; NULL for a reminder
    reminder_for    bigint REFERENCES contacts (id),    -- the booked meeting a reminder is about
    event_kind      text NOT NULL,
    attempted_at    timestamptz NOT NULL DEFAULT now(),
    status_code     integer,                        -- the receiver's HTTP status; NULL when none came
    succeeded       boolean NOT NULL,
    error           text
);
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (subscription_id, id);

GRANT SELECT, INSERT, UPDATE, DELETE ON notification_rules, notification_preferences, notifications,
    webhook_subscriptions, webhook_deliveries TO tutord_app;
