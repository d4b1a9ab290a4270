-- Matching runs and their candidates, and the human decisions on pairs.
-- A run is re-runnable: candidates belong to a run, decisions belong to the
-- pair (sought record, held record) and survive every later run. Decisions
-- and disclosures are append-only events; the current state of a pair is
-- its latest decision.

CREATE TABLE match_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sought_party TEXT NOT NULL REFERENCES parties(code),
    held_party   TEXT NOT NULL REFERENCES parties(code),
    threshold    REAL NOT NULL,
    stats        TEXT NOT NULL,
    started_by   TEXT NOT NULL,
    started_at   TEXT NOT NULL
);

CREATE TABLE match_candidates (
    run_id      INTEGER NOT NULL REFERENCES match_runs(id),
    sought_id   TEXT NOT NULL,
    held_id     TEXT NOT NULL,
    score       REAL NOT NULL,
    weight      REAL NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (run_id, sought_id, held_id)
);
CREATE INDEX match_candidates_score ON match_candidates(run_id, score);

CREATE TABLE match_decisions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    sought_id  TEXT NOT NULL,
    held_id    TEXT NOT NULL,
    decision   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX match_decisions_pair ON match_decisions(sought_id, held_id, seq);

CREATE TABLE match_disclosures (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    sought_id    TEXT NOT NULL,
    held_id      TEXT NOT NULL,
    party        TEXT NOT NULL REFERENCES parties(code),
    disclosed_by TEXT NOT NULL,
    disclosed_at TEXT NOT NULL
);
CREATE INDEX match_disclosures_party ON match_disclosures(party, seq);

CREATE TRIGGER match_candidates_no_update BEFORE UPDATE ON match_candidates BEGIN SELECT RAISE(ABORT, 'handover: match_candidates is append-only'); END;
CREATE TRIGGER match_candidates_no_delete BEFORE DELETE ON match_candidates BEGIN SELECT RAISE(ABORT, 'handover: match_candidates is append-only'); END;
CREATE TRIGGER match_decisions_no_update BEFORE UPDATE ON match_decisions BEGIN SELECT RAISE(ABORT, 'handover: match_decisions is append-only'); END;
CREATE TRIGGER match_decisions_no_delete BEFORE DELETE ON match_decisions BEGIN SELECT RAISE(ABORT, 'handover: match_decisions is append-only'); END;
CREATE TRIGGER match_disclosures_no_update BEFORE UPDATE ON match_disclosures BEGIN SELECT RAISE(ABORT, 'handover: match_disclosures is append-only'); END;
CREATE TRIGGER match_disclosures_no_delete BEFORE DELETE ON match_disclosures BEGIN SELECT RAISE(ABORT, 'handover: match_disclosures is append-only'); END;
