-- 014: a tutor's working week — messages with content, office hours, bookable slots, calendar feeds.
--   * a message or email carries a subject and a body (plain text, bounded in bytes; the API rejects
--     anything but UTF-8 text);
--   * office hours: a tutor's regular weekly hours, published to their tutees;
--   * slots: a tutor's bookable time (capacity 1 for a one-to-one, N for a group meeting); `booked` is
--     kept by trigger from the bookings and held within capacity by a CHECK, so concurrent bookings of
--     the last seat serialise on the slot's row and the database refuses the one too many;
--   * a booking is a contact (meeting or group_meeting, attendance scheduled) that names its slot, so
--     it counts for the meeting rules as soon as it is made;
--   * a tutor's absence moves their future slots in the absence to the cover tutor, or cancels them
--     (and their bookings) when no cover tutor is named;
--   * calendar feeds: one revocable secret per person; only its SHA-256 is stored.

ALTER TABLE contacts ADD COLUMN subject text;
ALTER TABLE contacts ADD COLUMN body text;
ALTER TABLE contacts ADD CONSTRAINT contacts_subject_check
    CHECK (subject IS NULL OR (octet_length(subject) BETWEEN 1 AND 200 AND kind IN ('message', 'email')));
ALTER TABLE contacts ADD CONSTRAINT contacts_body_check
    CHECK (body IS NULL OR (octet_length(body) BETWEEN 1 AND 10000 AND kind IN ('message', 'email')));

CREATE TABLE office_hours (
    staff_number text NOT NULL REFERENCES staff (staff_number),
    day          text NOT NULL CHECK (day IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday',
                                              'saturday', 'sunday')),
    starts       time NOT NULL,
    ends         time NOT NULL,
    location     text NOT NULL CHECK (length(location) BETWEEN 1 AND 200),
    CONSTRAINT office_hours_end_check CHECK (ends > starts),
    PRIMARY KEY (staff_number, day, starts)
);

-- A tutor's office hours as a JSON array, Monday first.
CREATE FUNCTION tutord_office_hours_json(staff text) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(json_agg(json_build_object('day', h.day, 'start', to_char(h.starts, 'HH24:MI'),
                                               'end', to_char(h.ends, 'HH24:MI'), 'location', h.location)
                             ORDER BY array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
                                                           'saturday', 'sunday'], h.day), h.starts), '[]'::json)
      FROM office_hours h WHERE h.staff_number = staff
$$;

CREATE TABLE slots (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_number     text NOT NULL REFERENCES staff (staff_number),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    capacity         integer NOT NULL CHECK (capacity BETWEEN 1 AND 200),
    booked           integer NOT NULL DEFAULT 0,
    location         text,
    online_url       text CHECK (length(online_url) <= 500 AND online_url ~ '^https://[^[:space:]]+$'),
    booking_deadline timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    series_id        uuid,
    session_id       uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    moved_from       text REFERENCES staff (staff_number),
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          bigint NOT NULL DEFAULT 1,
    CONSTRAINT slots_ends_at_check CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '12 hours'),
    CONSTRAINT slots_booking_deadline_check CHECK (booking_deadline <= starts_at),
    -- somewhere to meet: a room, a link, or both
    CONSTRAINT slots_location_check CHECK ((location IS NULL OR length(location) BETWEEN 1 AND 200)
                                           AND (location IS NOT NULL OR online_url IS NOT NULL)),
    -- capacity under concurrency: the seat count never passes capacity
    CONSTRAINT slots_booked_check CHECK (booked BETWEEN 0 AND capacity)
);
CREATE INDEX slots_staff_at_idx ON slots (staff_number, starts_at, id);

CREATE FUNCTION tutord_slot_json(s slots) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', s.id, 'staff', s.staff_number, 'starts_at', s.starts_at, 'ends_at', s.ends_at,
        'kind', CASE WHEN s.capacity = 1 THEN 'one_to_one' ELSE 'group' END,
        'capacity', s.capacity, 'booked', s.booked, 'available', s.capacity - s.booked,
        'location', s.location, 'online_url', s.online_url, 'booking_deadline', s.booking_deadline,
        'status', s.status, 'series_id', s.series_id, 'moved_from', s.moved_from,
        'created_by', s.created_by, 'created_at', s.created_at, 'updated_at', s.updated_at, 'version', s.version)
$$;

-- A booking is the meeting contact that names its slot: one per student per slot (a cancelled one is
-- revived by booking again).
ALTER TABLE contacts ADD COLUMN slot_id bigint REFERENCES slots (id);
ALTER TABLE contacts ADD CONSTRAINT contacts_slot_id_check CHECK (slot_id IS NULL OR kind IN ('meeting', 'group_meeting'));
ALTER TABLE contacts ADD CONSTRAINT contacts_slot_id_key UNIQUE (slot_id, student_number);

-- Keeps slots.booked equal to the slot's bookings that are not cancelled; the slot's CHECK refuses the
-- booking one past capacity (the UPDATE waits for the row lock, so concurrent bookings are counted).
CREATE FUNCTION tutord_slot_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta integer := 0;
BEGIN
    IF NEW.slot_id IS NULL THEN
        RETURN NULL;
    END IF;
    delta := (NEW.attendance <> 'cancelled')::integer;
    IF TG_OP = 'UPDATE' THEN
        delta := delta - (OLD.attendance <> 'cancelled')::integer;
    END IF;
    IF delta <> 0 THEN
        UPDATE slots SET booked = booked + delta WHERE id = NEW.slot_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_slot_count AFTER INSERT OR UPDATE OF attendance ON contacts
    FOR EACH ROW EXECUTE FUNCTION tutord_slot_count();

-- A contact with its content: tutord_contact_json plus subject, body and slot; `with_body` false (admin)
-- leaves subject and body null.
CREATE FUNCTION tutord_contact_full_json(c contacts, with_body boolean) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT (tutord_contact_json(c)::jsonb
            || jsonb_build_object('subject', CASE WHEN with_body THEN c.subject END,
                                  'body', CASE WHEN with_body THEN c.body END, 'slot', c.slot_id))::json
$$;

-- A tutor's absence and their slots in it (future ones only): with a cover tutor the slots move to the
-- cover tutor (same time and place; their bookings follow, so the meeting still happens and counts for
-- the cover tutor); with no cover tutor they are cancelled, with their bookings.
CREATE FUNCTION tutord_absence_slots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tz  text := (SELECT time_zone FROM calendar_settings);
    ids bigint[];
BEGIN
    IF NEW.cover_staff_number IS NOT NULL THEN
        WITH moved AS (
            UPDATE slots s SET staff_number = NEW.cover_staff_number, moved_from = s.staff_number,
                   version = s.version + 1, updated_at = now()
             WHERE s.staff_number = NEW.staff_number AND s.status = 'open' AND s.starts_at > now()
               AND (s.starts_at AT TIME ZONE tz)::date BETWEEN NEW.starts_on AND NEW.ends_on
            RETURNING s.id)
        SELECT array_agg(id) INTO ids FROM moved;
        UPDATE contacts c SET staff_number = NEW.cover_staff_number, version = c.version + 1, updated_at = now()
         WHERE c.slot_id = ANY (ids) AND c.attendance = 'scheduled';
    ELSE
        WITH gone AS (
            UPDATE slots s SET status = 'cancelled', version = s.version + 1, updated_at = now()
             WHERE s.staff_number = NEW.staff_number AND s.status = 'open' AND s.starts_at > now()
               AND (s.starts_at AT TIME ZONE tz)::date BETWEEN NEW.starts_on AND NEW.ends_on
            RETURNING s.id)
        SELECT array_agg(id) INTO ids FROM gone;
        UPDATE contacts c SET attendance = 'cancelled', version = c.version + 1, updated_at = now()
         WHERE c.slot_id = ANY (ids) AND c.attendance = 'scheduled';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tutor_absences_slots AFTER INSERT ON tutor_absences
    FOR EACH ROW EXECUTE FUNCTION tutord_absence_slots();

CREATE TABLE calendar_feeds (
    owner       text PRIMARY KEY,
    owner_kind  text NOT NULL CHECK (owner_kind IN ('staff', 'student')),
    secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
