-- The data keys that seal sensitive fields, by id (docs/operations.md, "The
-- data key"). The keys themselves never enter the database: a row names a
-- key by its id (the first 8 bytes of a SHA-256 of the key, in hex) and
-- says what it is for. One key is `current`: every value sealed from now on
-- is sealed with it. During a rotation the key it replaces is `retiring`:
-- it still opens what it sealed, until every value is sealed again with the
-- current key; then it is `retired`. A sealed value names its key in its
-- first bytes (sqlstore/seal.go).
CREATE TABLE seal_keys (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('current', 'retiring', 'retired')),
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE UNIQUE INDEX seal_keys_one_current ON seal_keys (state) WHERE state = 'current';

-- Sealing again under a new key changes the sealed value and nothing
-- else: an update of record_versions or case_steps that changes any other
-- column, or makes a value appear or vanish, is still refused.
CREATE FUNCTION handover_reseal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'sealed') = (to_jsonb(OLD) - 'sealed')
       AND (NEW.sealed IS NULL) = (OLD.sealed IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'handover: % is append-only (only a sealed value may be sealed again)', TG_TABLE_NAME;
END
$$;
DROP TRIGGER record_versions_append_only ON record_versions;
CREATE TRIGGER record_versions_append_only BEFORE UPDATE OR DELETE ON record_versions FOR EACH ROW EXECUTE FUNCTION handover_reseal_only();
DROP TRIGGER case_steps_append_only ON case_steps;
CREATE TRIGGER case_steps_append_only BEFORE UPDATE OR DELETE ON case_steps FOR EACH ROW EXECUTE FUNCTION handover_reseal_only();
