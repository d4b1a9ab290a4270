-- The custody timeline and GC III Art. 122 notifications
-- (docs/design/law.md, issue 20): each dated custody event of a person —
-- captured, capture card sent (Art. 70, Annex IV B), interned, transferred,
-- hospitalised, escaped, died (Arts. 120–121, Annex IV D), death notified,
-- and for a sought person confirmed missing — recorded by the bureau whose
-- record it is (internal/custody decides). Append-only: the events of a
-- record, in order of n from 1, fold into its timeline; each row commits,
-- with its log leaf (custody.recorded, rev n), to its body, which names
-- the record, its party and the whole event.
CREATE TABLE custody_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL,
    n          INTEGER NOT NULL,
    party      TEXT NOT NULL REFERENCES parties(code),
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    UNIQUE (record_id, n)
);
CREATE INDEX custody_events_party ON custody_events(party, kind, seq);

CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events BEGIN SELECT RAISE(ABORT, 'handover: custody_events is append-only'); END;
CREATE TRIGGER custody_events_no_delete BEFORE DELETE ON custody_events BEGIN SELECT RAISE(ABORT, 'handover: custody_events is append-only'); END;
