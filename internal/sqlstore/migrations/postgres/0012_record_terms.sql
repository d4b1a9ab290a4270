-- record_terms: the search keys of every record's current version, for the
-- register search (Records with a text) and the trace search (TraceSearch).
-- A derived index, not data: rows are replaced when a record is corrected,
-- and the whole table is rebuilt by the program (search.go) when
-- record_terms_state says it was filled by an older derivation, or never:
-- the terms are computed by internal/names, which SQL cannot run, so this
-- migration only creates the tables and the first open after it fills them.
--
-- field says what a term is: 'w' a normalised word of a name, unit or Latin
-- spelling, or the skeleton of a name word (looked up by prefix); 'n' a
-- service number, normalised across scripts, and its digits; and for
-- sought records only, '1', '2', '3' the lookup's blocking keys of the
-- surname, given name and patronymic, and 'b' the birth date (the trace
-- search). The key leads with party and kind so that a search never reads
-- another register's terms, and ends with record_seq so that a prefix
-- range is answered from the index alone. Terms compare byte by byte
-- (COLLATE "C", as SQLite's BINARY), so that a prefix is a range.
CREATE TABLE record_terms (
    party      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL,
    term       TEXT COLLATE "C" NOT NULL,
    record_seq BIGINT NOT NULL,
    PRIMARY KEY (party, kind, field, term, record_seq)
);
CREATE INDEX record_terms_record ON record_terms(record_seq);

-- The version of the derivation that filled record_terms (one row).
CREATE TABLE record_terms_state (
    version INTEGER NOT NULL
);
