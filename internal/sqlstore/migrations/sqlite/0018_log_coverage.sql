-- The log covers every column that decides what anyone sees or may do
-- (docs/design/log.md §1.2). Accounts commit to their state with a nonce
-- kept with the account; a match decision and a matching run keep the
-- nonce of their commitment, and a run the inputs it was computed from, so
-- that the audit can open the commitment and rebuild the candidates.
-- log_coverage says which coverage rules the program has applied to this
-- database: the first open after this migration records what existed
-- before (a log.coverage leaf) and fills it (coverage.go).

ALTER TABLE users ADD COLUMN nonce BLOB;
ALTER TABLE match_decisions ADD COLUMN nonce BLOB;
ALTER TABLE match_runs ADD COLUMN nonce BLOB;
ALTER TABLE match_runs ADD COLUMN inputs TEXT;

CREATE TABLE log_coverage (
    version INTEGER NOT NULL,
    content TEXT NOT NULL -- what predates the coverage: the log.coverage leaf commits to it ('' when nothing did)
);
