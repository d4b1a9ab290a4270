-- What only the neutral and the holding bureau may read is sealed at rest
-- with the data key (docs/design/security.md §6; the review of issue 19):
-- the neutral's interview notes, and every word of an interview but its
-- outcome and who verified it; a record's withhold reason
-- (detrimental_reason), which record versions now keep in their sealed
-- part beside health and next of kin.
--
-- interviews.sealed holds the interview whole, as its leaf commits to it;
-- body keeps the part in clear (exchange.Interview.Public): the ids, the
-- times, the outcome and the organisation the parties see.
ALTER TABLE interviews ADD COLUMN sealed BLOB;

-- Which values written in clear by an older version Open has sealed
-- (sqlstore/sealclear.go): version 1, the interviews and the withhold
-- reasons of record versions. One row; none until Open has done it.
CREATE TABLE sealed_at_rest (version INTEGER NOT NULL);

-- The append-only guard of interviews lets an interview's sealed value be
-- sealed again (a key rotation), and an interview written in clear be
-- sealed once: its sealed value set, its body cut to the part in clear.
-- Nothing else changes; the audit checks the body against the sealed
-- interview.
DROP TRIGGER interviews_no_update;
CREATE TRIGGER interviews_no_update BEFORE UPDATE ON interviews
WHEN NOT (NEW.seq IS OLD.seq AND NEW.id IS OLD.id AND NEW.exchange_id IS OLD.exchange_id
  AND NEW.record_id IS OLD.record_id AND NEW.party IS OLD.party AND NEW.outcome IS OLD.outcome
  AND NEW.entered_by IS OLD.entered_by AND NEW.entered_at IS OLD.entered_at AND NEW.nonce IS OLD.nonce
  AND NEW.sealed IS NOT NULL AND (OLD.sealed IS NULL OR NEW.body IS OLD.body))
BEGIN SELECT RAISE(ABORT, 'handover: interviews is append-only (only a sealed value may be sealed again, or an interview written in clear sealed)'); END;

-- The append-only guard of record_versions allows, beside sealing again
-- (0024) and erasure (0028), the sealing of a withhold reason written in
-- clear: the body loses exactly its detrimental_reason, the sealed part
-- is set (it holds the reason now); every other column stays.
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
 AND NOT (NEW.record_seq IS OLD.record_seq AND NEW.version IS OLD.version AND NEW.category IS OLD.category
  AND NEW.status IS OLD.status AND NEW.source IS OLD.source AND NEW.source_ref IS OLD.source_ref
  AND NEW.entered_by IS OLD.entered_by AND NEW.entered_at IS OLD.entered_at AND NEW.reason IS OLD.reason
  AND NEW.nonce IS OLD.nonce AND NEW.commitment IS OLD.commitment AND NEW.sealed IS NOT NULL
  AND json_valid(OLD.body) AND json_type(OLD.body, '$.detrimental_reason') = 'text'
  AND NEW.body = json_remove(OLD.body, '$.detrimental_reason'))
BEGIN SELECT RAISE(ABORT, 'handover: record_versions is append-only (only a sealed value may be sealed again, a withhold reason sealed, or an erased record''s version erased)'); END;
