-- Exchanges, their list versions, answers, evidence and agreements
-- (docs/design/agreement.md). Everything is append-only: a list version,
-- an answer, an evidence entry, an agreement version and a signature are
-- each written once; the current state is derived from the latest rows.

CREATE TABLE exchanges (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    party_a    TEXT NOT NULL REFERENCES parties(code),
    party_b    TEXT NOT NULL REFERENCES parties(code),
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE exchange_lists (
    exchange_id  TEXT NOT NULL REFERENCES exchanges(id),
    party        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (exchange_id, party, kind, version)
);

CREATE TABLE exchange_responses (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange_id TEXT NOT NULL REFERENCES exchanges(id),
    body        TEXT NOT NULL
);
CREATE INDEX exchange_responses_ex ON exchange_responses(exchange_id, seq);

CREATE TABLE evidence (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX evidence_record ON evidence(record_id, seq);

CREATE TABLE agreements (
    exchange_id TEXT NOT NULL REFERENCES exchanges(id),
    version     INTEGER NOT NULL,
    document    BLOB NOT NULL,
    hash        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (exchange_id, version)
);

CREATE TABLE agreement_signatures (
    exchange_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    role        TEXT NOT NULL,
    key_name    TEXT NOT NULL,
    line        TEXT NOT NULL,
    signed_by   TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    PRIMARY KEY (exchange_id, version, role),
    FOREIGN KEY (exchange_id, version) REFERENCES agreements(exchange_id, version)
);

CREATE TRIGGER exchanges_no_change BEFORE UPDATE ON exchanges BEGIN SELECT RAISE(ABORT, 'handover: exchanges are append-only'); END;
CREATE TRIGGER exchanges_no_delete BEFORE DELETE ON exchanges BEGIN SELECT RAISE(ABORT, 'handover: exchanges are append-only'); END;
CREATE TRIGGER exchange_lists_no_update BEFORE UPDATE ON exchange_lists BEGIN SELECT RAISE(ABORT, 'handover: exchange_lists is append-only'); END;
CREATE TRIGGER exchange_lists_no_delete BEFORE DELETE ON exchange_lists BEGIN SELECT RAISE(ABORT, 'handover: exchange_lists is append-only'); END;
CREATE TRIGGER exchange_responses_no_update BEFORE UPDATE ON exchange_responses BEGIN SELECT RAISE(ABORT, 'handover: exchange_responses is append-only'); END;
CREATE TRIGGER exchange_responses_no_delete BEFORE DELETE ON exchange_responses BEGIN SELECT RAISE(ABORT, 'handover: exchange_responses is append-only'); END;
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence BEGIN SELECT RAISE(ABORT, 'handover: evidence is append-only'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'handover: evidence is append-only'); END;
CREATE TRIGGER agreements_no_update BEFORE UPDATE ON agreements BEGIN SELECT RAISE(ABORT, 'handover: agreements are append-only'); END;
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements BEGIN SELECT RAISE(ABORT, 'handover: agreements are append-only'); END;
CREATE TRIGGER agreement_signatures_no_update BEFORE UPDATE ON agreement_signatures BEGIN SELECT RAISE(ABORT, 'handover: agreement_signatures is append-only'); END;
CREATE TRIGGER agreement_signatures_no_delete BEFORE DELETE ON agreement_signatures BEGIN SELECT RAISE(ABORT, 'handover: agreement_signatures is append-only'); END;
