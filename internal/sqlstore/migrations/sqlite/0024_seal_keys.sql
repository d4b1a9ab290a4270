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
DROP TRIGGER record_versions_no_update;
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
WHEN NEW.record_seq IS NOT OLD.record_seq OR NEW.version IS NOT OLD.version OR NEW.category IS NOT OLD.category
  OR NEW.status IS NOT OLD.status OR NEW.body IS NOT OLD.body OR NEW.source IS NOT OLD.source
  OR NEW.source_ref IS NOT OLD.source_ref OR NEW.entered_by IS NOT OLD.entered_by OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.reason IS NOT OLD.reason OR NEW.nonce IS NOT OLD.nonce OR NEW.commitment IS NOT OLD.commitment
  OR (NEW.sealed IS NULL) <> (OLD.sealed IS NULL)
BEGIN SELECT RAISE(ABORT, 'handover: record_versions is append-only (only a sealed value may be sealed again)'); END;

DROP TRIGGER case_steps_no_update;
CREATE TRIGGER case_steps_no_update BEFORE UPDATE ON case_steps
WHEN NEW.seq IS NOT OLD.seq OR NEW.case_id IS NOT OLD.case_id OR NEW.n IS NOT OLD.n OR NEW.party IS NOT OLD.party
  OR NEW.record_id IS NOT OLD.record_id OR NEW.kind IS NOT OLD.kind OR NEW.body IS NOT OLD.body
  OR NEW.entered_by IS NOT OLD.entered_by OR NEW.entered_at IS NOT OLD.entered_at OR NEW.nonce IS NOT OLD.nonce
  OR (NEW.sealed IS NULL) <> (OLD.sealed IS NULL)
BEGIN SELECT RAISE(ABORT, 'handover: case_steps is append-only (only a sealed value may be sealed again)'); END;
