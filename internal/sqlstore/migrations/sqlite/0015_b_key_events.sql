-- The two-person rule for keys (docs/design/security.md §3): a key of a
-- party (or the mediator) is proposed by one of its people and takes effect
-- only when another confirms it; it may be revoked later. Each of these is
-- a row here, never changed, and a leaf of the log. Keys registered before
-- this rule (proposed = 0) stay in effect until revoked.

ALTER TABLE log_keys ADD COLUMN proposed INTEGER NOT NULL DEFAULT 0;

CREATE TABLE key_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key_name    TEXT NOT NULL REFERENCES log_keys(name),
    event       TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    endorsement TEXT NOT NULL,
    endorsed_by TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    leaf_index  INTEGER NOT NULL,
    nonce       BLOB NOT NULL
);
CREATE UNIQUE INDEX key_events_once ON key_events(key_name, event);

CREATE TRIGGER key_events_no_update BEFORE UPDATE ON key_events BEGIN SELECT RAISE(ABORT, 'handover: key_events is append-only'); END;
CREATE TRIGGER key_events_no_delete BEFORE DELETE ON key_events BEGIN SELECT RAISE(ABORT, 'handover: key_events is append-only'); END;
