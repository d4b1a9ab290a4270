-- The tamper-evident log (docs/design/log.md): leaves, stored Merkle hashes,
-- signed checkpoints, cosignatures and registered keys, in the same database
-- as the records so that a change and its leaf commit together. Triggers
-- refuse UPDATE and DELETE on the log tables and on record versions; they
-- are a speed bump for mistakes, not the protection: the cryptography is.

CREATE TABLE log_leaves (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

CREATE TABLE log_checkpoints (
    size       INTEGER PRIMARY KEY,
    note       BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE log_cosignatures (
    size       INTEGER NOT NULL REFERENCES log_checkpoints(size),
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

ALTER TABLE record_versions ADD COLUMN nonce BLOB;
ALTER TABLE record_versions ADD COLUMN commitment TEXT;

CREATE TRIGGER log_leaves_no_update BEFORE UPDATE ON log_leaves BEGIN SELECT RAISE(ABORT, 'handover: log_leaves is append-only'); END;
CREATE TRIGGER log_leaves_no_delete BEFORE DELETE ON log_leaves BEGIN SELECT RAISE(ABORT, 'handover: log_leaves is append-only'); END;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes BEGIN SELECT RAISE(ABORT, 'handover: log_hashes is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes BEGIN SELECT RAISE(ABORT, 'handover: log_hashes is append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints BEGIN SELECT RAISE(ABORT, 'handover: log_checkpoints is append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints BEGIN SELECT RAISE(ABORT, 'handover: log_checkpoints is append-only'); END;
CREATE TRIGGER log_cosignatures_no_update BEFORE UPDATE ON log_cosignatures BEGIN SELECT RAISE(ABORT, 'handover: log_cosignatures is append-only'); END;
CREATE TRIGGER log_cosignatures_no_delete BEFORE DELETE ON log_cosignatures BEGIN SELECT RAISE(ABORT, 'handover: log_cosignatures is append-only'); END;
CREATE TRIGGER log_keys_no_delete BEFORE DELETE ON log_keys BEGIN SELECT RAISE(ABORT, 'handover: log_keys is append-only'); END;
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions BEGIN SELECT RAISE(ABORT, 'handover: record_versions is append-only'); END;
CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions BEGIN SELECT RAISE(ABORT, 'handover: record_versions is append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'handover: records are never deleted'); END;
