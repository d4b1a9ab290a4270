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
ALTER TABLE interviews ADD COLUMN sealed BYTEA;

-- Which values written in clear by an older version Open has sealed
-- (sqlstore/sealclear.go): version 1, the interviews and the withhold
-- reasons of record versions. One row; none until Open has done it.
CREATE TABLE sealed_at_rest (version INTEGER NOT NULL);

-- The append-only guard of interviews lets an interview's sealed value be
-- sealed again (a key rotation), and an interview written in clear be
-- sealed once: its sealed value set, its body cut to the part in clear.
-- Nothing else changes; the audit checks the body against the sealed
-- interview.
CREATE FUNCTION handover_interviews_seal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.sealed IS NOT NULL
       AND (to_jsonb(NEW) - ARRAY['body', 'sealed']) = (to_jsonb(OLD) - ARRAY['body', 'sealed'])
       AND (OLD.sealed IS NULL OR NEW.body = OLD.body) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'handover: % is append-only (only a sealed value may be sealed again, or an interview written in clear sealed)', TG_TABLE_NAME;
END
$$;
DROP TRIGGER interviews_append_only ON interviews;
CREATE TRIGGER interviews_append_only BEFORE UPDATE OR DELETE ON interviews FOR EACH ROW EXECUTE FUNCTION handover_interviews_seal();

-- The append-only guard of record_versions allows, beside sealing again
-- (0024) and erasure (0028), the sealing of a withhold reason written in
-- clear: the body loses exactly its detrimental_reason, the sealed part
-- is set (it holds the reason now); every other column stays.
CREATE OR REPLACE FUNCTION handover_reseal_or_erase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'sealed') = (to_jsonb(OLD) - 'sealed')
       AND (NEW.sealed IS NULL) = (OLD.sealed IS NULL) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['body', 'sealed', 'nonce', 'source_ref', 'reason']) = (to_jsonb(OLD) - ARRAY['body', 'sealed', 'nonce', 'source_ref', 'reason'])
       AND NEW.body = '{}' AND NEW.sealed IS NULL AND NEW.nonce IS NULL AND NEW.source_ref = '' AND NEW.reason = ''
       AND EXISTS (SELECT 1 FROM record_erasures e JOIN records r ON r.id = e.record_id WHERE r.seq = OLD.record_seq) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['body', 'sealed']) = (to_jsonb(OLD) - ARRAY['body', 'sealed'])
       AND NEW.sealed IS NOT NULL AND jsonb_typeof(OLD.body::jsonb -> 'detrimental_reason') = 'string'
       AND NEW.body::jsonb = OLD.body::jsonb - 'detrimental_reason' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'handover: % is append-only (only a sealed value may be sealed again, a withhold reason sealed, or an erased record''s version erased)', TG_TABLE_NAME;
END
$$;
