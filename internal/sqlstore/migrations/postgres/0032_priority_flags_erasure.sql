-- An erasure takes the record's priority flags with it (issue 19, review
-- finding 6; docs/design/security.md §9): every priority_flags row of an
-- erased record is blanked as its record versions are (0028): the body
-- becomes '{}' (the marks and the group a registrar typed gone) and the
-- nonce is cleared; the row keeps its record, party, who and when, and its
-- priority.flagged leaf, which the audit pairs with it by position.
ALTER TABLE priority_flags ALTER COLUMN nonce DROP NOT NULL;

-- The append-only guard allows exactly the blanking of a row of a record
-- that has its tombstone (record_erasures): body '{}', nonce NULL, every
-- other column as it was. Nothing else is updated; nothing is deleted.
CREATE FUNCTION handover_flags_erase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['body', 'nonce']) = (to_jsonb(OLD) - ARRAY['body', 'nonce'])
       AND NEW.body = '{}' AND NEW.nonce IS NULL
       AND EXISTS (SELECT 1 FROM record_erasures e WHERE e.record_id = OLD.record_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'handover: % is append-only (only an erased record''s flags may be blanked)', TG_TABLE_NAME;
END
$$;
DROP TRIGGER priority_flags_append_only ON priority_flags;
CREATE TRIGGER priority_flags_append_only BEFORE UPDATE OR DELETE ON priority_flags FOR EACH ROW EXECUTE FUNCTION handover_flags_erase();

-- A record erased by an older version, before erasure took the flags,
-- kept its flags rows whole beside its tombstone: they are blanked now.
UPDATE priority_flags SET body = '{}', nonce = NULL
 WHERE record_id IN (SELECT record_id FROM record_erasures) AND NOT (body = '{}' AND nonce IS NULL);
