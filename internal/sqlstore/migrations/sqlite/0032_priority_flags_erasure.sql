-- An erasure takes the record's priority flags with it (issue 19, review
-- finding 6; docs/design/security.md §9): every priority_flags row of an
-- erased record is blanked as its record versions are (0028): the body
-- becomes '{}' (the marks and the group a registrar typed gone) and the
-- nonce is cleared; the row keeps its record, party, who and when, and its
-- priority.flagged leaf, which the audit pairs with it by position.
--
-- The nonce may now be NULL: SQLite cannot drop a NOT NULL, so the table
-- is built again with its rows, ids (seq) and indexes.
CREATE TABLE priority_flags_0032 (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL,
    party      TEXT NOT NULL REFERENCES parties(code),
    body       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    nonce      BLOB
);
INSERT INTO priority_flags_0032 (seq, record_id, party, body, entered_by, entered_at, nonce)
    SELECT seq, record_id, party, body, entered_by, entered_at, nonce FROM priority_flags ORDER BY seq;
DROP TABLE priority_flags;
ALTER TABLE priority_flags_0032 RENAME TO priority_flags;
CREATE INDEX priority_flags_record ON priority_flags(record_id, seq);
CREATE INDEX priority_flags_party ON priority_flags(party, seq);

-- The append-only guard allows exactly the blanking of a row of a record
-- that has its tombstone (record_erasures): body '{}', nonce NULL, every
-- other column as it was. Nothing else is updated; nothing is deleted.
CREATE TRIGGER priority_flags_no_update BEFORE UPDATE ON priority_flags
WHEN NOT (NEW.seq IS OLD.seq AND NEW.record_id IS OLD.record_id AND NEW.party IS OLD.party
  AND NEW.entered_by IS OLD.entered_by AND NEW.entered_at IS OLD.entered_at
  AND NEW.body = '{}' AND NEW.nonce IS NULL
  AND EXISTS (SELECT 1 FROM record_erasures e WHERE e.record_id = OLD.record_id))
BEGIN SELECT RAISE(ABORT, 'handover: priority_flags is append-only (only an erased record''s flags may be blanked)'); END;
CREATE TRIGGER priority_flags_no_delete BEFORE DELETE ON priority_flags BEGIN SELECT RAISE(ABORT, 'handover: priority_flags is append-only'); END;

-- A record erased by an older version, before erasure took the flags,
-- kept its flags rows whole beside its tombstone: they are blanked now.
UPDATE priority_flags SET body = '{}', nonce = NULL
 WHERE record_id IN (SELECT record_id FROM record_erasures) AND NOT (body = '{}' AND nonce IS NULL);
