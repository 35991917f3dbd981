-- 013: a term may belong to a semester (1..4). Leicester's check-ins are "per semester" while its meetings
-- and away contacts are "per term": a calendar that groups its teaching terms into semesters lets a rule
-- with `period: semester` judge each semester (the union of its terms) as one period. The policy engine's
-- calendar parser (lib/calendar_json.c, "semester" per term) is the one validation of the document;
-- the column keeps only the range.
ALTER TABLE terms ADD COLUMN semester smallint CHECK (semester BETWEEN 1 AND 4);

-- The calendar document: a term carries "semester" only when it has one.
CREATE OR REPLACE FUNCTION tutord_calendar_json() RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'time_zone', c.time_zone, 'version', c.version, 'updated_at', c.updated_at,
        'years', COALESCE((SELECT json_agg(json_build_object(
                     'label', y.label, 'start', y.starts_on, 'end', y.ends_on,
                     'terms', COALESCE((SELECT json_agg(json_strip_nulls(json_build_object(
                                  'name', t.name, 'start', t.starts_on, 'end', t.ends_on,
                                  'teaching', t.teaching, 'semester', t.semester)) ORDER BY t.starts_on)
                                FROM terms t WHERE t.year_label = y.label), '[]'::json))
                     ORDER BY y.starts_on) FROM academic_years y), '[]'::json),
        'closures', COALESCE((SELECT json_agg(json_build_object('date', d.day, 'reason', d.reason) ORDER BY d.day)
                              FROM closures d), '[]'::json))
      FROM calendar_settings c
$$;
