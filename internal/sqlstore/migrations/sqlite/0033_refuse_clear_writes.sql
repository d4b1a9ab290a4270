-- What migration 0030 seals at rest MUST NOT be written in clear again:
-- Open seals what was in clear once (sealed_at_rest), so a process of a
-- version before 0030 still writing to the database after that (another
-- server on the same database, an old command line) would leave its
-- interviews and withhold reasons in clear for ever. Such a write now
-- fails loudly (the second review, finding 5; docs/operations.md,
-- "Upgrading": stop every server before upgrading).
--
-- An interview is stored sealed: its sealed value is set.
CREATE TRIGGER interviews_sealed_on_insert BEFORE INSERT ON interviews
WHEN NEW.sealed IS NULL
BEGIN SELECT RAISE(ABORT, 'handover: an interview must be written sealed (a server older than migration 0030 is still writing: stop it and upgrade it)'); END;

-- A record version's withhold reason is in its sealed part, never in
-- the body in clear.
CREATE TRIGGER record_versions_no_clear_reason BEFORE INSERT ON record_versions
WHEN json_valid(NEW.body) AND json_type(NEW.body, '$.detrimental_reason') IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'handover: a withhold reason must be written sealed (a server older than migration 0030 is still writing: stop it and upgrade it)'); END;
