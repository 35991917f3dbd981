-- 020 — a stamp of the calendar's content, for the parsed calendar tutord keeps between requests.
--
-- tutord parses the calendar once and reuses the parsed form while the calendar is unchanged (api/store/
-- eval_cache.h). What tells it that the calendar changed must change with every change to any of the calendar's
-- tables, whoever makes it (PUT /calendar, a migration, an operator's SQL), and must be read in the request's own
-- snapshot: so it is a row, bumped by a statement trigger on each of calendar_settings, academic_years, terms and
-- closures in the transaction that changes them. calendar_settings.version (the ETag of GET /calendar) is not
-- enough: only PUT /calendar bumps it. The stamp starts at a random value, so two databases (a restored copy, a
-- test database made afresh) do not share a stamp for different calendars.

CREATE TABLE calendar_stamp (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    stamp bigint NOT NULL
);
INSERT INTO calendar_stamp (stamp) VALUES (floor(random() * 1e15)::bigint);

-- Bumps the stamp (a statement trigger of the calendar's tables).
CREATE FUNCTION tutord_calendar_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_stamp SET stamp = stamp + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER calendar_settings_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_settings
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_calendar_touch();
CREATE TRIGGER academic_years_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON academic_years
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_calendar_touch();
CREATE TRIGGER terms_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON terms
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_calendar_touch();
CREATE TRIGGER closures_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON closures
    FOR EACH STATEMENT EXECUTE FUNCTION tutord_calendar_touch();

GRANT SELECT, UPDATE ON calendar_stamp TO tutord_app;
