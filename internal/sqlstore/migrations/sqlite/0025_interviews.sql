-- The neutral's interview (docs/design/law.md, issue 20): a mediator's
-- delegate records the private interview of a person listed in an exchange
-- (ICRC practice; GC III Art. 118 and its Commentary on non-refoulement).
-- Append-only: the latest row of a record in an exchange is his standing
-- interview; each row commits, with its log leaf (interview.recorded), to
-- its body, which names the exchange, the record, its party and the
-- outcome (the columns beside it are for queries).
CREATE TABLE interviews (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    exchange_id TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    party       TEXT NOT NULL REFERENCES parties(code),
    outcome     TEXT NOT NULL,
    body        TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    nonce       BLOB NOT NULL
);
CREATE INDEX interviews_exchange ON interviews(exchange_id, record_id, seq);

CREATE TRIGGER interviews_no_update BEFORE UPDATE ON interviews BEGIN SELECT RAISE(ABORT, 'handover: interviews is append-only'); END;
CREATE TRIGGER interviews_no_delete BEFORE DELETE ON interviews BEGIN SELECT RAISE(ABORT, 'handover: interviews is append-only'); END;
