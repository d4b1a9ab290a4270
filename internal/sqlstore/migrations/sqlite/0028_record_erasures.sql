-- Erasure that keeps the log verifiable (issue 19, docs/design/security.md
-- §9): a data-protection request, or a retention rule, erases a record's
-- personal fields. Each erased record has one tombstone row here, written
-- with its log leaf (record.erased) that commits, with the row's nonce, to
-- the record, its party, how many versions were erased and why (a
-- request's reference, or the retention rule: no personal data). Append-only.
CREATE TABLE record_erasures (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL UNIQUE,
    party      TEXT NOT NULL REFERENCES parties(code),
    versions   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    erased_by  TEXT NOT NULL,
    erased_at  TEXT NOT NULL,
    nonce      BLOB NOT NULL
);

CREATE TRIGGER record_erasures_no_update BEFORE UPDATE ON record_erasures BEGIN SELECT RAISE(ABORT, 'handover: record_erasures is append-only'); END;
CREATE TRIGGER record_erasures_no_delete BEFORE DELETE ON record_erasures BEGIN SELECT RAISE(ABORT, 'handover: record_erasures is append-only'); END;

-- The append-only guard of record_versions allows, beside sealing again
-- (0024), exactly the erasure of a version of a record that has its
-- tombstone row: the body becomes '{}', the sealed fields, the nonce, the
-- source's reference and the reason are cleared; every other column (the
-- stored commitment, who and when) stays.
DROP TRIGGER record_versions_no_update;
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
WHEN (NEW.record_seq IS NOT OLD.record_seq OR NEW.version IS NOT OLD.version OR NEW.category IS NOT OLD.category
  OR NEW.status IS NOT OLD.status OR NEW.body IS NOT OLD.body OR NEW.source IS NOT OLD.source
  OR NEW.source_ref IS NOT OLD.source_ref OR NEW.entered_by IS NOT OLD.entered_by OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.reason IS NOT OLD.reason OR NEW.nonce IS NOT OLD.nonce OR NEW.commitment IS NOT OLD.commitment
  OR (NEW.sealed IS NULL) <> (OLD.sealed IS NULL))
 AND NOT (NEW.record_seq IS OLD.record_seq AND NEW.version IS OLD.version AND NEW.category IS OLD.category
  AND NEW.status IS OLD.status AND NEW.source IS OLD.source AND NEW.entered_by IS OLD.entered_by
  AND NEW.entered_at IS OLD.entered_at AND NEW.commitment IS OLD.commitment
  AND NEW.body = '{}' AND NEW.sealed IS NULL AND NEW.nonce IS NULL AND NEW.source_ref = '' AND NEW.reason = ''
  AND EXISTS (SELECT 1 FROM record_erasures e JOIN records r ON r.id = e.record_id WHERE r.seq = OLD.record_seq))
BEGIN SELECT RAISE(ABORT, 'handover: record_versions is append-only (only a sealed value may be sealed again, or an erased record''s version erased)'); END;
