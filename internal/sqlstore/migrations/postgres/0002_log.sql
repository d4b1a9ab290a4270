-- The tamper-evident log (docs/design/log.md): leaves, stored Merkle hashes,
-- signed checkpoints, cosignatures and registered keys, in the same database
-- as the records so that a change and its leaf commit together. Triggers
-- refuse UPDATE and DELETE on the log tables and on record versions; they
-- are a speed bump for mistakes, not the protection: the cryptography is.

CREATE TABLE log_leaves (
    idx  BIGINT PRIMARY KEY,
    data BYTEA NOT NULL
);

CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE log_checkpoints (
    size       BIGINT PRIMARY KEY,
    note       BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE log_cosignatures (
    size       BIGINT NOT NULL REFERENCES log_checkpoints(size),
    key_name   TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (size, key_name)
);

CREATE TABLE log_keys (
    name          TEXT PRIMARY KEY,
    vkey          TEXT NOT NULL UNIQUE,
    party         TEXT REFERENCES parties(code),
    fingerprint   TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

ALTER TABLE record_versions ADD COLUMN nonce BYTEA;
ALTER TABLE record_versions ADD COLUMN commitment TEXT;

CREATE FUNCTION handover_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'handover: % is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER log_leaves_append_only BEFORE UPDATE OR DELETE ON log_leaves FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_leaves_no_truncate BEFORE TRUNCATE ON log_leaves FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_hashes_no_truncate BEFORE TRUNCATE ON log_hashes FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON log_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON log_cosignatures FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_cosignatures_no_truncate BEFORE TRUNCATE ON log_cosignatures FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER log_keys_no_delete BEFORE DELETE ON log_keys FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER record_versions_append_only BEFORE UPDATE OR DELETE ON record_versions FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER record_versions_no_truncate BEFORE TRUNCATE ON record_versions FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER records_no_delete BEFORE DELETE ON records FOR EACH ROW EXECUTE FUNCTION handover_append_only();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records FOR EACH STATEMENT EXECUTE FUNCTION handover_append_only();
