-- A reserve crosses once per exchange: the reserve list is the same for
-- every stage, and the engine sees one stage at a time. The key refuses a
-- second substitution by the same reserve in any stage.

CREATE TABLE stage_reserves (
    exchange_id TEXT NOT NULL,
    side        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    stage       INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    PRIMARY KEY (exchange_id, side, record_id)
);

CREATE TRIGGER stage_reserves_no_update BEFORE UPDATE ON stage_reserves BEGIN SELECT RAISE(ABORT, 'handover: stage_reserves is append-only'); END;
CREATE TRIGGER stage_reserves_no_delete BEFORE DELETE ON stage_reserves BEGIN SELECT RAISE(ABORT, 'handover: stage_reserves is append-only'); END;
