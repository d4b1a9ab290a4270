-- Listing a register pages by creation order within a party, and filters
-- by category and status of the current version. The current version's
-- category and status are kept on records beside the current-version
-- pointer (moved together by a correction), so that a filtered page is an
-- index range instead of a join over every version.

ALTER TABLE records ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN status TEXT NOT NULL DEFAULT '';

UPDATE records SET
    category = (SELECT v.category FROM record_versions v WHERE v.record_seq = records.seq AND v.version = records.version),
    status = (SELECT v.status FROM record_versions v WHERE v.record_seq = records.seq AND v.version = records.version);

CREATE INDEX records_party_seq ON records(party, seq);
CREATE INDEX records_party_kind_category ON records(party, kind, category, seq);
