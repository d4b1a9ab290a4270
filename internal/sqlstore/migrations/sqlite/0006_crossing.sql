-- Stages at the crossing, their events, and the repatriation of remains
-- (docs/design/crossing.md). Append-only: a stage is opened once under one
-- agreement version, and its state is the fold of its events.

CREATE TABLE stages (
    exchange_id       TEXT NOT NULL REFERENCES exchanges(id),
    stage             INTEGER NOT NULL,
    agreement_version INTEGER NOT NULL,
    agreement_hash    TEXT NOT NULL,
    opened_by         TEXT NOT NULL,
    opened_at         TEXT NOT NULL,
    PRIMARY KEY (exchange_id, stage)
);

CREATE TABLE stage_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange_id TEXT NOT NULL,
    stage       INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (exchange_id, stage, event_id),
    FOREIGN KEY (exchange_id, stage) REFERENCES stages(exchange_id, stage)
);
CREATE INDEX stage_events_stage ON stage_events(exchange_id, stage, seq);

CREATE TABLE remains_items (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    exchange_id TEXT NOT NULL REFERENCES exchanges(id),
    kind        TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX remains_items_ex ON remains_items(exchange_id, seq);

CREATE TRIGGER stages_no_update BEFORE UPDATE ON stages BEGIN SELECT RAISE(ABORT, 'handover: stages are append-only'); END;
CREATE TRIGGER stages_no_delete BEFORE DELETE ON stages BEGIN SELECT RAISE(ABORT, 'handover: stages are append-only'); END;
CREATE TRIGGER stage_events_no_update BEFORE UPDATE ON stage_events BEGIN SELECT RAISE(ABORT, 'handover: stage_events is append-only'); END;
CREATE TRIGGER stage_events_no_delete BEFORE DELETE ON stage_events BEGIN SELECT RAISE(ABORT, 'handover: stage_events is append-only'); END;
CREATE TRIGGER remains_items_no_update BEFORE UPDATE ON remains_items BEGIN SELECT RAISE(ABORT, 'handover: remains_items is append-only'); END;
CREATE TRIGGER remains_items_no_delete BEFORE DELETE ON remains_items BEGIN SELECT RAISE(ABORT, 'handover: remains_items is append-only'); END;
