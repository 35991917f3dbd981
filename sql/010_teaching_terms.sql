-- 010: a term may be a teaching term (the default) or not (Welcome Week, an induction or revision
-- period listed in the calendar): the policy engine counts only teaching terms for "each term" and
-- "monthly in term time" rules (lib/calendar_json.c reads "teaching").
ALTER TABLE terms ADD COLUMN teaching boolean NOT NULL DEFAULT true;

CREATE OR REPLACE FUNCTION tutord_calendar_json() RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'time_zone', c.time_zone, 'version', c.version, 'updated_at', c.updated_at,
        'years', COALESCE((SELECT json_agg(json_build_object(
                     'label', y.label, 'start', y.starts_on, 'end', y.ends_on,
                     'terms', COALESCE((SELECT json_agg(json_build_object(
                                  'name', t.name, 'start', t.starts_on, 'end', t.ends_on,
                                  'teaching', t.teaching) ORDER BY t.starts_on)
                                FROM terms t WHERE t.year_label = y.label), '[]'::json))
                     ORDER BY y.starts_on) FROM academic_years y), '[]'::json),
        'closures', COALESCE((SELECT json_agg(json_build_object('date', d.day, 'reason', d.reason) ORDER BY d.day)
                              FROM closures d), '[]'::json))
      FROM calendar_settings c
$$;
