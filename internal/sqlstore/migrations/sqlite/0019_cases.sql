-- Tracing casework (docs/design/tracing.md): a bureau's case about one of
-- its own sought records, written as steps (opened, an enquiry, a contact,
-- a task, a task done, the family notified, shared, closed, reopened). A
-- case is the fold of its steps (internal/casework); nothing is changed in
-- place. Each step commits, with its log leaf (case.<kind>), to the case,
-- its party and record and the whole step, sealed fields included: the
-- enquirer's name and how to reach them, and what was said in a contact,
-- are in `sealed` (AES-256-GCM bound to case and step), never in `body`.
CREATE TABLE case_steps (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    TEXT NOT NULL,
    n          INTEGER NOT NULL,
    party      TEXT NOT NULL REFERENCES parties(code),
    record_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    sealed     BLOB,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    UNIQUE (case_id, n)
);
CREATE INDEX case_steps_party ON case_steps(party, case_id, n);
CREATE INDEX case_steps_record ON case_steps(record_id);

CREATE TRIGGER case_steps_no_update BEFORE UPDATE ON case_steps BEGIN SELECT RAISE(ABORT, 'handover: case_steps is append-only'); END;
CREATE TRIGGER case_steps_no_delete BEFORE DELETE ON case_steps BEGIN SELECT RAISE(ABORT, 'handover: case_steps is append-only'); END;
