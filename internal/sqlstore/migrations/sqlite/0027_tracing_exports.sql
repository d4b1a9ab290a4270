-- The tracing-agency export (docs/design/tracing.md, issue 20): each
-- export of a bureau's held register for the Central Tracing Agency (GC III
-- Arts. 122–123; GC IV Art. 137(2)), so that a party can later prove what
-- it transmitted. Append-only; each row commits, with its log leaf
-- (bureau.exported), to its body: the party, the format and schema, when,
-- how many records (how many marked detrimental) and the file's SHA-256.
CREATE TABLE tracing_exports (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    party      TEXT NOT NULL REFERENCES parties(code),
    body       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    nonce      BLOB NOT NULL
);
CREATE INDEX tracing_exports_party ON tracing_exports(party, seq);

CREATE TRIGGER tracing_exports_no_update BEFORE UPDATE ON tracing_exports BEGIN SELECT RAISE(ABORT, 'handover: tracing_exports is append-only'); END;
CREATE TRIGGER tracing_exports_no_delete BEFORE DELETE ON tracing_exports BEGIN SELECT RAISE(ABORT, 'handover: tracing_exports is append-only'); END;
