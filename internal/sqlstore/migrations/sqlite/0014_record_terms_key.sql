-- record_terms keyed by one packed column: party, register (h or s),
-- field and term joined as written by termKey in search.go, with the
-- record's sequence number. One text column to compare instead of four
-- makes filing the terms of a bulk write about a third cheaper; a prefix
-- of the key is still a range of the primary key. The table is derived:
-- emptying record_terms_state makes the next open fill it again.
DROP TABLE record_terms;
CREATE TABLE record_terms (
    k          TEXT NOT NULL,
    record_seq INTEGER NOT NULL,
    PRIMARY KEY (k, record_seq)
) WITHOUT ROWID;
CREATE INDEX record_terms_record ON record_terms(record_seq);
DELETE FROM record_terms_state;
