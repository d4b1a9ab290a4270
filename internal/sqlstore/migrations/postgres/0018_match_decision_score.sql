-- A match decision keeps the score it was taken on (the pair's in the
-- latest run then), which its match.decided leaf commits to: the audit
-- opens the commitment with it instead of guessing which run it was.
ALTER TABLE match_decisions ADD COLUMN score DOUBLE PRECISION;
