-- The backlog across rounds (docs/design/law.md, issue 20): the priority
-- flags a bureau sets on one of its own sought persons (held longest, a
-- woman, wounded, a named group). Append-only: the latest row of a record
-- is its flags; each row commits, with its log leaf (priority.flagged), to
-- its body, which names the record and its party.
CREATE TABLE priority_flags (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL,
    party      TEXT NOT NULL REFERENCES parties(code),
    body       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    nonce      BLOB NOT NULL
);
CREATE INDEX priority_flags_record ON priority_flags(record_id, seq);
CREATE INDEX priority_flags_party ON priority_flags(party, seq);

CREATE TRIGGER priority_flags_no_update BEFORE UPDATE ON priority_flags BEGIN SELECT RAISE(ABORT, 'handover: priority_flags is append-only'); END;
CREATE TRIGGER priority_flags_no_delete BEFORE DELETE ON priority_flags BEGIN SELECT RAISE(ABORT, 'handover: priority_flags is append-only'); END;
