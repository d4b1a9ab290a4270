-- record_versions.search held the folded text of a version's names for a
-- LIKE '%…%' search; the register search reads record_terms (0012) since,
-- and nothing reads the column.
ALTER TABLE record_versions DROP COLUMN search;
